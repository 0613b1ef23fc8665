"""Executors for Monte Carlo runs: serial, local processes, or a Dask distributed cluster.

Every run is independent and seeded from ``(base_seed, run)`` (:func:`evac.core.sim.run_seed`), so the
results are identical whatever executes them; executors only decide *where*. To keep overhead low:

- each task is a *chunk* of run indices of one job (a few per worker, so the progress bar still moves);
- the jobs (compiled plans, the scenario for re-planning) are shipped **once per worker**: to a process
  pool through its initializer, to Dask workers with ``Client.scatter(..., broadcast=True)``;
- results come back as small :class:`~evac.core.sim.RunResult` records.

A run that fails inside the simulator comes back as a failed result (:func:`~evac.core.sim.simulate_run`
never raises for it). A chunk whose worker dies or cannot return (a crashed process, a lost Dask worker)
comes back the same way, one failed result per run of the chunk with the reason, so every run asked for is
returned and the aggregation counts it as not all safe instead of losing it.

``dask="local"`` starts a ``LocalCluster`` (processes, one thread each, no dashboard, a temporary
directory) and stops it afterwards; ``dask="tcp://HOST:PORT"`` connects to a running scheduler whose
workers have evac installed. Dask is imported only on that path.
"""

from __future__ import annotations

import multiprocessing
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING, Any

from evac.core.sim import failed_run, simulate_runs

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from evac.core.sim import RunResult, SimJob

__all__ = ["chunks", "run_jobs"]

_JOBS: Sequence[SimJob] = ()


def chunks(counts: Sequence[int], workers: int, *, per_worker: int = 4, max_size: int = 250,
           ) -> list[tuple[int, int, int]]:
    """Split ``counts[j]`` runs of each job ``j`` into ``(job, first, stop)`` chunks: about ``per_worker``
    chunks per worker for balance, never more than ``max_size`` runs (progress), never empty."""
    total = sum(counts)
    size = max(1, min(max_size, -(-total // max(1, workers * per_worker))))
    out = []
    for j, n in enumerate(counts):
        for lo in range(0, n, size):
            out.append((j, lo, min(n, lo + size)))
    return out


def _init_worker(jobs: Sequence[SimJob]) -> None:
    global _JOBS
    _JOBS = jobs


def _run_chunk(j: int, lo: int, hi: int) -> tuple[int, list[RunResult]]:
    return j, simulate_runs(_JOBS[j], range(lo, hi))


def _dask_chunk(job: SimJob, j: int, lo: int, hi: int) -> tuple[int, list[RunResult]]:
    return j, simulate_runs(job, range(lo, hi))


def _chunk_result(fut: Any, part: tuple[int, int, int], jobs: Sequence[SimJob]) -> tuple[int, list[RunResult]]:
    """The chunk's results, or one failed result per run when its worker raised or died."""
    j, lo, hi = part
    try:
        result: tuple[int, list[RunResult]] = fut.result()
    except Exception as exc:
        why = f"worker failed: {type(exc).__name__}: {exc}".rstrip(": ")
        return j, [failed_run(jobs[j], i, why) for i in range(lo, hi)]
    return result


def run_jobs(
    jobs: Sequence[SimJob],
    counts: Sequence[int],
    *,
    workers: int = 1,
    dask: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[list[RunResult]]:
    """Run ``counts[j]`` runs of each job; return the results of each job ordered by run index.

    ``on_progress(done)`` is called with the number of runs finished so far (in this process).
    ``workers`` is the number of local processes (1: run here, no pool) or Dask workers for ``"local"``.
    """
    if len(jobs) != len(counts):
        raise ValueError("one count per job")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    parts = chunks(counts, workers)
    out: list[list[RunResult]] = [[] for _ in jobs]
    done = 0

    def collect(j: int, results: list[RunResult]) -> None:
        nonlocal done
        out[j].extend(results)
        done += len(results)
        if on_progress is not None:
            on_progress(done)

    if dask is not None:
        _run_dask(jobs, parts, workers, dask, collect)
    elif workers == 1:
        for j, lo, hi in parts:
            collect(j, simulate_runs(jobs[j], range(lo, hi)))
    else:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                 initargs=(jobs,)) as pool:
            futures = {pool.submit(_run_chunk, j, lo, hi): (j, lo, hi) for j, lo, hi in parts}
            for fut in as_completed(futures):
                collect(*_chunk_result(fut, futures[fut], jobs))
    for results in out:
        results.sort(key=lambda r: r.run)
    return out


def _run_dask(jobs: Sequence[SimJob], parts: list[tuple[int, int, int]], workers: int, address: str,
              collect: Callable[[int, list[RunResult]], None]) -> None:
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    cluster: Any = None
    with tempfile.TemporaryDirectory(prefix="evac-dask-") as tmp:
        if address == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, local_directory=tmp, silence_logs=40)
            client = Client(cluster)
        else:
            client = Client(address)
        try:
            shipped = client.scatter(list(jobs), broadcast=True)
            futures = {client.submit(_dask_chunk, shipped[j], j, lo, hi, pure=False): (j, lo, hi)
                       for j, lo, hi in parts}
            for fut in dask_completed(list(futures)):
                collect(*_chunk_result(fut, futures[fut], jobs))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
