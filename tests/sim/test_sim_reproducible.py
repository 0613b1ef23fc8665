"""Runs are seeded from (base seed, run index): identical whatever runs them, replayable alone; a run that
fails, or whose worker dies, comes back failed and counts as not all safe."""

from __future__ import annotations

import dataclasses
import os

import pytest
from sim_helpers import fixed_threats, make_job

import evac.core.sim.run as sim_run
from evac.adapters.reports.decision import DecisionReport, render_decision_report
from evac.adapters.runners import chunks, run_jobs
from evac.core.decision import summarise, wilson
from evac.core.sim import Uncertainty, simulate_run, simulate_runs


def _key(r):  # type: ignore[no-untyped-def]
    return (r.run, r.seed, r.target, r.safe, r.clearance_h, r.no_show, r.late_decided, r.breakdowns,
            tuple(r.safe_curve.tolist()), r.error)


def test_run_replays_from_its_seed(tiny):  # type: ignore[no-untyped-def]
    job = make_job(tiny, 24.0, seed=11)
    batch = simulate_runs(job, range(30))
    assert [_key(simulate_run(job, 17))] == [_key(batch[17])]
    assert [_key(r) for r in simulate_runs(job, range(29, -1, -1))][::-1] == [_key(r) for r in batch]
    other = simulate_runs(make_job(tiny, 24.0, seed=12), range(30))
    assert [_key(r) for r in other] != [_key(r) for r in batch]


def test_process_pool_matches_serial(tiny):  # type: ignore[no-untyped-def]
    job = make_job(tiny, 24.0)
    serial = run_jobs([job, job], [20, 7], workers=1)
    pooled = run_jobs([job, job], [20, 7], workers=2)
    assert [[_key(r) for r in rs] for rs in pooled] == [[_key(r) for r in rs] for rs in serial]


def test_chunks_cover_every_run_once() -> None:
    parts = chunks([10, 3, 0], workers=2)
    covered = sorted((j, i) for j, lo, hi in parts for i in range(lo, hi))
    assert covered == [(0, i) for i in range(10)] + [(1, i) for i in range(3)]


def test_failed_run_is_reported_with_its_seed_and_others_complete(tiny, monkeypatch):  # type: ignore[no-untyped-def]
    job = make_job(tiny, 24.0, seed=5)
    first = simulate_runs(job, range(5))
    real = sim_run._summarise

    def flaky(j, st, run, replans):  # type: ignore[no-untyped-def]
        if run == 3:
            raise RuntimeError("boom inside the simulator")
        return real(j, st, run, replans)

    monkeypatch.setattr(sim_run, "_summarise", flaky)
    results = simulate_runs(job, range(5))
    assert [r.ok for r in results] == [True, True, True, False, True]
    bad = results[3]
    assert bad.seed == (5, 3) and "boom" in (bad.error or "")
    assert [_key(r) for i, r in enumerate(results) if i != 3] == [_key(r) for i, r in enumerate(first) if i != 3]
    summary = summarise(results, start_h=24.0, grid_h=job.grid_h, class_names=job.ctx.class_names)
    assert (summary.runs, summary.completed, summary.failed_runs) == (5, 4, 1)
    assert [f.seed for f in summary.failed] == [(5, 3)]
    monkeypatch.undo()
    assert _key(simulate_run(job, 3)) == _key(first[3])  # replayed alone from its seed


def _all_safe_job(tiny):  # type: ignore[no-untyped-def]
    job = make_job(fixed_threats(tiny), unc=Uncertainty.none(), seed=5)
    assert all(r.all_safe for r in simulate_runs(job, range(5)))  # nothing random, everyone safe
    return job


def test_a_failed_run_counts_as_not_all_safe(tiny, monkeypatch):  # type: ignore[no-untyped-def]
    # five futures in which everyone is safe, one of whose runs crashes: P(all safe) is 4/5, not 4/4
    job = _all_safe_job(tiny)
    real = sim_run._summarise

    def flaky(j, st, run, replans):  # type: ignore[no-untyped-def]
        if run == 3:
            raise RuntimeError("boom inside the simulator")
        return real(j, st, run, replans)

    monkeypatch.setattr(sim_run, "_summarise", flaky)
    summary = summarise(simulate_runs(job, range(5)), start_h=24.0, grid_h=job.grid_h,
                        class_names=job.ctx.class_names)
    assert (summary.runs, summary.completed, summary.failed_runs, summary.all_safe) == (5, 4, 1, 4)
    assert summary.p_all_safe == pytest.approx(0.8) and summary.p_all_safe_ci == wilson(4, 5)
    assert summary.p_all_safe_by_class and all(p == pytest.approx(0.8) for p in summary.p_all_safe_by_class.values())
    assert summary.left_behind.tolist() == [0, 0, 0, 0]  # people counts: the completed runs only
    html = render_decision_report(DecisionReport(tiny, "greedy", summary=summary))
    assert "5 (4 + 1)" in html and "0.8000" in html and "counted as not all safe" in html and "boom" in html


class _KillsItsWorker:
    """Unpickled in a worker process, it ends that process at once (as a segfault or an OOM kill would)."""

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return os._exit, (3,)


def test_runs_of_a_dead_worker_come_back_failed_and_count(tiny):  # type: ignore[no-untyped-def]
    job = dataclasses.replace(_all_safe_job(tiny), planner=_KillsItsWorker())  # as planned: never used
    [results] = run_jobs([job], [6], workers=2)
    assert [r.run for r in results] == list(range(6)) and not any(r.ok for r in results)
    assert all("worker failed" in (r.error or "") for r in results)
    summary = summarise(results, start_h=24.0, grid_h=job.grid_h, class_names=job.ctx.class_names)
    assert (summary.runs, summary.completed, summary.failed_runs, summary.p_all_safe) == (6, 0, 6, 0.0)
