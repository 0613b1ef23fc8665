"""The Monte Carlo sweep over start times (evac.services.decision.sweep), shared by `evac simulate` and the
console's decision page: the same answer whatever runs the jobs, points by start, bad counts refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from evac.adapters.scenario.loader import load_scenario
from evac.core.decision import plan_starts, summarise
from evac.core.planner import GreedyPlanner
from evac.core.sim import SimMode, Uncertainty, simulate_runs
from evac.services.decision import run_here, sim_job, sweep

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.model import Plan, Scenario
    from evac.core.sim import RunResult, SimJob

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def plans(tiny: Scenario) -> list[Plan]:
    s = tiny.policy.start_h
    return plan_starts(tiny, [s + 48.0, s, s + 24.0], GreedyPlanner())  # deliberately not in start order


def _chunked_backwards(jobs: Sequence[SimJob], counts: Sequence[int]) -> list[list[RunResult]]:
    """Like a pool: each job's runs in two chunks, the later chunk first."""
    out = []
    for job, n in zip(jobs, counts, strict=True):
        half = n // 2
        out.append(simulate_runs(job, range(half, n)) + simulate_runs(job, range(half)))
    return out


def test_points_by_start_and_summaries_in_plan_order(tiny: Scenario, plans: list[Plan]) -> None:
    swept = sweep(tiny, plans, [20, 10, 10])
    assert [s.start_h for s in swept.summaries] == [p.start_h for p in plans]
    assert [s.runs for s in swept.summaries] == [20, 10, 10]
    assert [q.start_h for q in swept.points] == sorted(p.start_h for p in plans)
    for q in swept.points:
        s = next(s for s in swept.summaries if s.start_h == q.start_h)
        assert (q.runs, q.p_all_safe, q.ci) == (s.runs, s.p_all_safe, s.p_all_safe_ci)
    assert swept.failed_runs == 0


def test_equals_the_core_simulator_whatever_runs_the_jobs(tiny: Scenario, plans: list[Plan]) -> None:
    here = sweep(tiny, plans, [12, 12, 12], seed=5)
    pooled = sweep(tiny, plans, [12, 12, 12], seed=5, run=_chunked_backwards)
    assert here.points == pooled.points
    job = sim_job(tiny, plans[1], uncertainty=Uncertainty(), seed=5)
    names = [c.name for c in tiny.policy.priority_classes]
    direct = summarise(simulate_runs(job, range(12)), start_h=plans[1].start_h, grid_h=job.grid_h, class_names=names)
    assert here.summaries[1].p_all_safe == direct.p_all_safe
    assert here.summaries[1].left_behind_mean == direct.left_behind_mean


def test_a_failed_run_is_counted(tiny: Scenario, plans: list[Plan]) -> None:
    def one_fails(jobs: Sequence[SimJob], counts: Sequence[int]) -> list[list[RunResult]]:
        out = run_here(jobs, counts)
        out[0][0] = dataclasses.replace(out[0][0], error="boom")
        return out

    swept = sweep(tiny, plans[:1], [5], run=one_fails)
    assert swept.failed_runs == 1 and swept.summaries[0].failed[0].error == "boom"


@pytest.mark.parametrize("runs", [[10, 10], [10, 10, 0], [10, -1, 10]])
def test_one_positive_count_per_plan(tiny: Scenario, plans: list[Plan], runs: list[int]) -> None:
    with pytest.raises(ValueError, match="one positive run count per plan"):
        sweep(tiny, plans, runs)


def test_job_horizon_and_mode(tiny: Scenario, plans: list[Plan]) -> None:
    plan = plans[1]
    assert plan.kpis is not None and plan.kpis.clearance_h is not None
    job = sim_job(tiny, plan, uncertainty=Uncertainty(), seed=0)
    assert job.window_h == max(48.0, 2.0 * plan.kpis.clearance_h) == job.grid_h[-1]
    assert len(job.grid_h) == 241 and np.all(np.diff(job.grid_h) > 0)
    assert job.mode is SimMode.AS_PLANNED and job.planner is None and job.scenario is None
    planner = GreedyPlanner()
    replan = sim_job(tiny, plan, uncertainty=Uncertainty(), seed=0, mode=SimMode.REPLAN, planner=planner)
    assert replan.planner is planner and replan.scenario is tiny
