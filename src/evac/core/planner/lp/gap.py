"""The gap between a plan and a bound, on the first objective where they can differ (docs/planner.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evac.core.model import KPIs
    from evac.core.model.plan import Bound

__all__ = ["gap"]

_REL = 1e-9


def gap(plan_kpis: KPIs, bound: Bound, travelling_weighted: float) -> float | None:
    """Relative gap of a plan to a bound, a fraction in [0, 1] for a valid plan and a valid bound.

    - If the bound proves that not everyone can be safe (``bound.safe_weighted_max < travelling_weighted``),
      or the plan saves less weight than the bound allows, the first objective decides:
      ``(bound.safe_weighted_max - plan.safe_weighted) / bound.safe_weighted_max``.
    - Otherwise plan and bound agree on the first objective (everyone safe), and the second decides:
      ``(plan.clearance_h - bound.clearance_h_min) / plan.clearance_h``.

    Returns 0.0 when there is nobody to move (or the bound is 0 and the plan matches it), and ``None`` when
    the clearance gap is undefined (no clearance bound, or a plan clearance of 0 h against a positive bound).
    """
    tol = _REL * max(1.0, abs(travelling_weighted))
    b = bound.safe_weighted_max
    if travelling_weighted <= tol or b <= tol:
        return 0.0 if plan_kpis.safe_weighted <= b + tol else None
    if b < travelling_weighted - tol or plan_kpis.safe_weighted < b - tol:
        return max(0.0, (b - plan_kpis.safe_weighted) / b)
    plan_c, bound_c = plan_kpis.clearance_h, bound.clearance_h_min
    if plan_c is None or bound_c is None:
        return None
    if plan_c <= 0:
        return 0.0 if bound_c <= 0 else None
    return max(0.0, (plan_c - bound_c) / plan_c)
