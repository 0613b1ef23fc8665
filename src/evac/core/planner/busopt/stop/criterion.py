"""The stopping-criterion protocol (after PyVRP's ``pyvrp/stop/StoppingCriterion.py``)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["StoppingCriterion", "TimeBudget"]


class StoppingCriterion(Protocol):
    """Called once per iteration with the best makespan so far; returns True to stop the search."""

    def __call__(self, best_cost: float) -> bool: ...


@runtime_checkable
class TimeBudget(Protocol):
    """A criterion that also knows how much wall time is left, so an exact solver given a time limit
    (CP-SAT) can be handed the rest of it. Criteria without it leave the exact phase its own limit."""

    def remaining_s(self) -> float: ...
