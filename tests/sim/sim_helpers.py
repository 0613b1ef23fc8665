"""Helpers for the simulator and decision tests: the tiny scenario, jobs, zero-variance futures."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from evac.core.model import Fixed, Scenario
from evac.core.planner import GreedyPlanner
from evac.core.sim import SimContext, SimJob, Uncertainty, compile_plan

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"


def make_job(sc: Scenario, start_h: float | None = None, *, unc: Uncertainty | None = None,
             seed: int = 0, **kw: object) -> SimJob:
    plan = GreedyPlanner().plan(sc, start_h=start_h)
    ctx = SimContext.of(sc)
    return SimJob(ctx, compile_plan(plan, sc, ctx), unc or Uncertainty(), seed, np.linspace(0, 48, 97),
                  48.0, **kw)  # type: ignore[arg-type]


def fixed_threats(scenario: Scenario) -> Scenario:
    """The scenario with every threat fixed at the planning quantile: a zero-variance future."""
    q = scenario.policy.closure_quantile
    return dataclasses.replace(scenario, threats=tuple(
        dataclasses.replace(t, when=Fixed(t.when.quantile(q))) for t in scenario.threats))
