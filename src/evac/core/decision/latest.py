"""The latest safe start: the one definition behind the console's decision page and ``evac simulate``.

A candidate start is **safe** when both hold:

1. the plan made for that start brings every traveller to a safe haven before every closure that concerns
   them, taken at the policy's ``closure_quantile`` (the deterministic assessment,
   :attr:`StartAssessment.all_safe`); and
2. the probability that everyone who shows up is safe, estimated by Monte Carlo over the uncertain
   closures, no-shows, breakdowns and crossing delays, is at least ``threshold`` (:data:`THRESHOLD`).

The **latest safe start** is the latest candidate that is safe. Either test alone misleads: the plan can
clear the planning quantile while P(all safe) is 89 % under a 90 % line (the page once said "latest safe
start Sun 3 Mar" beside exactly that), and a start with P ≥ 90 % over a coarse weekly sweep can hide a later
daily start that is safe too (``evac simulate`` once said 26 Feb with a 7-day step). Both now ask this
function, over daily candidates (:data:`STEP_H`) by default.

P(all safe) is **not** monotone in the start (a later start can be safer when a threat passes or assets
arrive), so the search does not stop at the first failure from the front: it walks the candidates from the
latest back and asks for the probability only of those that pass the plan test, lazily (each estimate costs
a Monte Carlo run), until one reaches the threshold. The probability function must be deterministic for a
start (fixed seed and run count): the same inputs then give the same answer wherever it runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from evac.core.decision.assess import Assessment
    from evac.core.decision.montecarlo import SweepPoint

THRESHOLD = 0.9
"""P(everyone who shows up is safe) a start must reach (the page's line, ``evac simulate --threshold``)."""
STEP_H = 24.0
"""Hours between candidate starts (daily), for the page and ``evac simulate``'s default ``--step-days 1``."""


@dataclass(frozen=True, slots=True)
class LatestSafeStart:
    """The answer: ``start_h`` (hours from the epoch; ``None`` when no candidate is safe) with its
    probability ``point``; ``planned_h``, the latest start that passes the plan test alone (for the record);
    ``rejected``, the later candidates that passed the plan test but not the threshold, latest first (the
    page and the CLI say why the answer is earlier than ``planned_h``)."""

    start_h: float | None
    point: SweepPoint | None
    planned_h: float | None
    threshold: float
    rejected: tuple[SweepPoint, ...] = ()

    def __post_init__(self) -> None:
        if (self.start_h is None) != (self.point is None):
            raise ValueError("a latest safe start comes with its probability point, and only then")


def latest_safe_start(assessment: Assessment, probability: Callable[[float], SweepPoint], *,
                      threshold: float = THRESHOLD) -> LatestSafeStart:
    """The latest candidate of ``assessment`` that passes the plan test and whose ``probability(start_h)``
    reaches ``threshold`` (see the module docstring). ``probability`` is called only for candidates that
    pass the plan test, latest first, and at most once each. Raises :class:`ValueError` for a threshold
    outside (0, 1]."""
    if not (0.0 < threshold <= 1.0 and math.isfinite(threshold)):
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    rejected: list[SweepPoint] = []
    for s in sorted(assessment.starts, key=lambda x: x.start_h, reverse=True):
        if not s.all_safe:
            continue
        p = probability(s.start_h)
        if p.runs > 0 and not math.isnan(p.p_all_safe) and p.p_all_safe >= threshold:
            return LatestSafeStart(s.start_h, p, assessment.latest_safe_start_h, threshold, tuple(rejected))
        rejected.append(p)
    return LatestSafeStart(None, None, assessment.latest_safe_start_h, threshold, tuple(rejected))


def candidate_starts(first_h: float, last_h: float, step_h: float = STEP_H) -> list[float]:
    """Candidates from ``first_h`` to ``last_h`` (both hours from the epoch, inclusive) every ``step_h``."""
    if not (step_h > 0 and math.isfinite(step_h)):
        raise ValueError(f"step must be a positive number of hours, got {step_h}")
    if last_h < first_h:
        raise ValueError("the last candidate start is before the first")
    n = math.floor((last_h - first_h) / step_h + 1e-9) + 1
    return [first_h + i * step_h for i in range(n)]


__all__ = ["STEP_H", "THRESHOLD", "LatestSafeStart", "candidate_starts", "latest_safe_start"]
