"""Monte Carlo aggregation: from many runs to the numbers a decision needs, with their uncertainty.

- ``p_all_safe`` with a Wilson score interval (95 % by default): right at p near 0 or 1, where the normal
  interval collapses, and its half-width shrinks like 1/√N;
- people left behind: mean and 95th percentile;
- the fan chart: quantiles (5, 25, 50, 75, 95 %) of people safe at each grid time;
- across start dates, the latest start whose P(all safe) reaches a threshold.

A failed run (an error inside the simulator, or a run its worker never returned) is a run in which nobody
can say everyone was safe, so it counts as *not all safe*: P(all safe), its interval and P(all safe) per
class are over every run, N = completed + failed, and the failed runs are reported with their seeds
(``failed``). Dropping them instead would make a simulator that crashes in the hard futures look safer.
The people counts (left behind, fan chart, clearance, means) exist only for completed runs and are over
those (``completed``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

    from evac.core.sim.run import RunResult

FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

__all__ = ["FAN_QUANTILES", "FailedRun", "MonteCarloSummary", "SweepPoint", "latest_start_at", "summarise",
           "wilson"]


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion; ``(0, 1)`` when ``n`` is 0."""
    if n <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return lo, hi


@dataclass(frozen=True, slots=True)
class FailedRun:
    """A run that raised inside the simulator: replay it with ``simulate_run(job, run)``."""

    run: int
    seed: tuple[int, int]
    error: str


@dataclass(frozen=True, eq=False)
class MonteCarloSummary:
    """Statistics over the runs of one start (people counts; hours after the start).

    ``runs`` counts every run, ``completed`` those that finished and ``failed`` lists the others;
    ``all_safe``, ``p_all_safe``, its interval and ``p_all_safe_by_class`` are over all ``runs`` (a failed
    run is not all safe); the people statistics are over the ``completed`` runs.
    """

    start_h: float
    runs: int
    completed: int
    failed: tuple[FailedRun, ...]
    all_safe: int
    p_all_safe: float
    p_all_safe_ci: tuple[float, float]
    left_behind_mean: float
    left_behind_p95: float
    left_behind_max: int
    target_mean: float
    no_show_mean: float
    late_decided_mean: float
    late_carried_mean: float
    replans_mean: float
    clearance_p50_h: float | None
    clearance_p95_h: float | None
    grid_h: npt.NDArray[np.float64]
    fan: dict[float, npt.NDArray[np.float64]]
    left_behind: npt.NDArray[np.int64]  # per completed run, for histograms
    p_all_safe_by_class: dict[str, float]

    @property
    def failed_runs(self) -> int:
        return len(self.failed)


def summarise(results: Sequence[RunResult], *, start_h: float, grid_h: npt.NDArray[np.float64],
              class_names: Sequence[str], confidence: float = 0.95) -> MonteCarloSummary:
    """Aggregate ``results`` (any order: they are sorted by run index first, so executors do not matter).

    A failed run counts in P(all safe) as a run in which not everyone was safe (see the module docstring).
    """
    ordered = sorted(results, key=lambda r: r.run)
    ok = [r for r in ordered if r.ok]
    failed = tuple(FailedRun(r.run, r.seed, r.error or "") for r in ordered if not r.ok)
    n = len(ok)
    runs = len(ordered)  # the denominator of every probability: a failed run is one of them, never safe
    k = sum(r.all_safe for r in ok)
    left = np.array([r.left_behind for r in ok], dtype=np.int64)
    curves = np.array([r.safe_curve for r in ok], dtype=np.float64).reshape(n, len(grid_h))
    clear = [r.clearance_h for r in ok if r.clearance_h is not None]
    fan = {q: (np.quantile(curves, q, axis=0) if n else np.zeros(len(grid_h))) for q in FAN_QUANTILES}
    by_class = {}
    for j, name in enumerate(class_names):
        good = sum(r.safe_by_class[j] == r.target_by_class[j] for r in ok)
        by_class[name] = good / runs if runs else math.nan

    def mean(values: Sequence[float]) -> float:
        return float(np.mean(values)) if len(values) else math.nan

    return MonteCarloSummary(
        start_h=start_h, runs=runs, completed=n, failed=failed, all_safe=k,
        p_all_safe=k / runs if runs else math.nan, p_all_safe_ci=wilson(k, runs, confidence),
        left_behind_mean=float(left.mean()) if n else math.nan,
        left_behind_p95=float(np.quantile(left, 0.95)) if n else math.nan,
        left_behind_max=int(left.max()) if n else 0,
        target_mean=mean([r.target for r in ok]), no_show_mean=mean([r.no_show for r in ok]),
        late_decided_mean=mean([r.late_decided for r in ok]), late_carried_mean=mean([r.late_carried for r in ok]),
        replans_mean=mean([r.replans for r in ok]),
        clearance_p50_h=float(np.quantile(clear, 0.5)) if clear else None,
        clearance_p95_h=float(np.quantile(clear, 0.95)) if clear else None,
        grid_h=grid_h, fan=fan, left_behind=left, p_all_safe_by_class=by_class,
    )


@dataclass(frozen=True, slots=True)
class SweepPoint:
    """P(all safe) at one start (hours from the epoch) with its interval and the runs behind it."""

    start_h: float
    runs: int
    p_all_safe: float
    ci: tuple[float, float]


def latest_start_at(points: Sequence[SweepPoint], threshold: float) -> SweepPoint | None:
    """The latest start whose P(all safe) is at least ``threshold`` (``None`` if none is).

    The latest such start, not the last one before the first failure: a later start can be safer (assets
    arrive, a threat passes), and the chart shows the whole curve.
    """
    good = [p for p in points if p.runs > 0 and p.p_all_safe >= threshold]
    return max(good, key=lambda p: p.start_h) if good else None
