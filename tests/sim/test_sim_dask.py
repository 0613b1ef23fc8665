"""The Dask path: a LocalCluster gives exactly the serial results."""

from __future__ import annotations

from sim_helpers import make_job

from evac.adapters.runners import run_jobs


def test_dask_local_cluster_matches_serial(tiny):  # type: ignore[no-untyped-def]
    job = make_job(tiny, 24.0, seed=2)
    serial = run_jobs([job], [12], workers=1)
    seen: list[int] = []
    on_dask = run_jobs([job], [12], workers=1, dask="local", on_progress=seen.append)
    assert seen[-1] == 12
    assert [(r.run, r.safe, r.clearance_h, r.safe_curve.tolist()) for r in on_dask[0]] == \
        [(r.run, r.safe, r.clearance_h, r.safe_curve.tolist()) for r in serial[0]]
