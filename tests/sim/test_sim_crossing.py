"""The simulator keeps a late vehicle at a crossing until its people are processed (the checker's queue rule
for one vehicle); vehicles sharing a crossing's queue are not simulated (see evac.core.sim.engine)."""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sim_helpers import TINY

from evac.adapters.scenario.loader import load_scenario
from evac.core.planner import GreedyPlanner
from evac.core.sim import SimContext, Uncertainty, compile_plan
from evac.core.sim.engine import RunState, execute

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # people_factory lives with the core tests
from people_factory import make_population


def test_a_late_bus_still_waits_for_its_people_to_be_processed() -> None:
    sc = load_scenario(TINY, population=make_population([("capital", 40)]))  # the border: 60 people per hour
    plan = GreedyPlanner().plan(sc)
    (trip,) = plan.trips
    to_border, onwards = trip.legs
    assert onwards.depart_h - to_border.arrive_h == pytest.approx(40 / 60)
    ctx = SimContext.of(sc)
    cp = compile_plan(plan, sc, ctx)
    assert cp.leg_min_dwell[1] == pytest.approx(40 / 60)  # processing, not loading
    # the bus leaves the capital half an hour late, so it reaches the border at 8 h: it leaves at 8 h 40,
    # not at the planned 8 h 10
    late = replace(cp, leg_depart=[cp.leg_depart[0] + 0.5, *cp.leg_depart[1:]],
                   leg_arrive=[cp.leg_arrive[0] + 0.5, *cp.leg_arrive[1:]])
    n = ctx.n_households
    st = RunState(rng=np.random.default_rng(0), unc=Uncertainty.none(), close_h=[math.inf] * len(ctx.elements),
                  threat_h=[], shows=np.ones(n, dtype=bool), decide_h=np.full(n, math.inf),
                  safe_h=np.full(n, math.inf), done=np.zeros(n, dtype=bool))
    ex = execute(late, ctx, st)
    assert ex.leg_arr[0] == pytest.approx(to_border.arrive_h + 0.5)
    assert ex.leg_dep[1] == pytest.approx(to_border.arrive_h + 0.5 + 40 / 60)
    assert ex.hh_safe_h[0] == pytest.approx(onwards.arrive_h + 0.5)
