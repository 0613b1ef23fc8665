"""Stop when any of several criteria says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evac.core.planner.stop.criterion import StoppingCriterion

__all__ = ["FirstOf"]


class FirstOf:
    """Stops as soon as one of ``criteria`` does (every criterion is called each time, so each counts);
    the time left is the least any of them allows."""

    def __init__(self, *criteria: StoppingCriterion) -> None:
        if not criteria:
            raise ValueError("FirstOf needs at least one criterion")
        self.criteria = criteria

    def __call__(self, best_cost: float) -> bool:
        return any([c(best_cost) for c in self.criteria])

    def remaining_s(self) -> float:
        return min(c.remaining_s() for c in self.criteria)
