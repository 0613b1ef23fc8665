"""The simulator's validation: zero variance reproduces the plan; intervals shrink like 1/sqrt(N)."""

from __future__ import annotations

import numpy as np
import pytest
from sim_helpers import fixed_threats, make_job

from evac.adapters.scenario.loader import load_scenario
from evac.core.decision import summarise, wilson
from evac.core.planner import GreedyPlanner
from evac.core.sim import SimContext, SimJob, Uncertainty, compile_plan, simulate_run, simulate_runs


def _check_reproduces(scenario, start_h=None):  # type: ignore[no-untyped-def]
    sc = fixed_threats(scenario)
    plan = GreedyPlanner().plan(sc, start_h=start_h)
    ctx = SimContext.of(sc)
    job = SimJob(ctx, compile_plan(plan, sc, ctx), Uncertainty.none(), 3, np.linspace(0, 200, 401), 200.0)
    k = plan.kpis
    assert k is not None
    for run in range(3):  # any seed: nothing is random
        r = simulate_run(job, run)
        assert r.error is None
        assert r.target == k.travelling
        assert r.safe == k.safe
        assert r.left_behind == k.left_behind
        assert r.clearance_h == pytest.approx(k.clearance_h, abs=1e-9)
        assert dict(zip(ctx.class_names, r.safe_by_class, strict=True)) == k.safe_by_class
        assert r.all_safe == (k.safe == k.travelling)
        assert r.no_show == 0 and r.late_decided == 0 and r.breakdowns == 0
        assert r.safe_curve[-1] == k.safe


def test_zero_variance_reproduces_planner_kpis_tiny(tiny):  # type: ignore[no-untyped-def]
    _check_reproduces(tiny)
    _check_reproduces(tiny, start_h=36.0)  # a start with people left behind


def test_zero_variance_reproduces_planner_kpis_syria():  # type: ignore[no-untyped-def]
    _check_reproduces(load_scenario("syria-2013"))


def test_ci_half_width_shrinks_like_one_over_sqrt_n(tiny):  # type: ignore[no-untyped-def]
    job = make_job(tiny, 30.0)
    results = simulate_runs(job, range(1600))
    names = job.ctx.class_names
    small = summarise(results[:400], start_h=30.0, grid_h=job.grid_h, class_names=names)
    big = summarise(results, start_h=30.0, grid_h=job.grid_h, class_names=names)
    assert 0.05 < big.p_all_safe < 0.99  # the interval is not degenerate
    width = [s.p_all_safe_ci[1] - s.p_all_safe_ci[0] for s in (small, big)]
    assert 0.4 < width[1] / width[0] < 0.6  # 4x the runs, about half the width


def test_wilson_interval() -> None:
    lo, hi = wilson(90, 100)
    assert lo < 0.9 < hi
    assert wilson(0, 10)[0] == 0.0
    assert wilson(10, 10)[1] == pytest.approx(1.0)
    assert wilson(0, 0) == (0.0, 1.0)
