"""The lexicographic objective of issue 3: weighted people safe (more is better), then clearance time
(less), then exposure (less). One ruler for every candidate: the KPIs of :func:`compute_kpis`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evac.core.model import KPIs

__all__ = ["better", "objective"]

_REL = 1e-9


def objective(k: KPIs) -> tuple[float, float, float]:
    """``(-safe_weighted, clearance_h, exposure_person_h)``: smaller is better, compare with :func:`better`.

    A plan with nobody safe has no clearance; it counts as 0 h (it ties with every other empty plan).
    """
    return (-k.safe_weighted, 0.0 if k.clearance_h is None else k.clearance_h, k.exposure_person_h)


def better(a: KPIs, b: KPIs | None) -> bool:
    """True when ``a`` is strictly better than ``b`` lexicographically (``None``: no plan yet).

    Each level is compared with a relative tolerance of 1e-9, so float noise never decides.
    """
    if b is None:
        return True
    for x, y in zip(objective(a), objective(b), strict=True):
        tol = _REL * max(1.0, abs(x), abs(y))
        if x < y - tol:
            return True
        if x > y + tol:
            return False
    return False


def saves_everyone(k: KPIs, bound_weighted: float) -> bool:
    """True when ``k`` reaches ``bound_weighted`` (a valid upper bound): no plan does better on the first
    objective."""
    return k.safe_weighted >= bound_weighted - _REL * max(1.0, abs(bound_weighted)) and math.isfinite(bound_weighted)
