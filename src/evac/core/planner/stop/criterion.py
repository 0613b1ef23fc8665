"""The stopping-criterion protocol (after PyVRP's ``pyvrp/stop/StoppingCriterion.py``)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["StoppingCriterion"]


class StoppingCriterion(Protocol):
    """Called once per iteration with the best cost so far; returns True to stop the search.

    :meth:`remaining_s` is the wall time (seconds) the criterion still allows, ``inf`` when it does not
    limit time: an exact solver given a time limit (CP-SAT) is handed the rest of it.
    """

    def __call__(self, best_cost: float) -> bool: ...

    def remaining_s(self) -> float: ...
