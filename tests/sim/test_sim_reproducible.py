"""Runs are seeded from (base seed, run index): identical whatever runs them, replayable alone."""

from __future__ import annotations

from sim_helpers import make_job

import evac.core.sim.run as sim_run
from evac.adapters.runners import chunks, run_jobs
from evac.core.decision import summarise
from evac.core.sim import simulate_run, simulate_runs


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
    assert summary.runs == 4 and [f.seed for f in summary.failed] == [(5, 3)]
    monkeypatch.undo()
    assert _key(simulate_run(job, 3)) == _key(first[3])  # replayed alone from its seed
