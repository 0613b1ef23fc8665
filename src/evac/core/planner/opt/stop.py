"""When the optimising planner stops improving: a one-method protocol and two rules (after PyVRP's
``pyvrp/stop``).

A criterion is called once per improvement iteration with the number of iterations done; it returns True
to stop. :class:`MaxIterations` makes a seeded run reproducible; :class:`MaxRuntime` makes it anytime
(how far it gets then depends on the machine). :class:`FirstOf` combines them.
"""

from __future__ import annotations

import math
import time
from typing import Protocol

__all__ = ["FirstOf", "MaxIterations", "MaxRuntime", "StoppingCriterion"]


class StoppingCriterion(Protocol):
    """Stop rule: ``__call__(iterations_done) -> bool`` and the wall seconds it still allows."""

    def __call__(self, iterations: int) -> bool: ...

    def remaining_s(self) -> float: ...


class MaxIterations:
    """Stop once ``max_iterations`` improvement iterations are done (never limits time)."""

    def __init__(self, max_iterations: int) -> None:
        if max_iterations < 0:
            raise ValueError(f"max_iterations must not be negative, got {max_iterations}")
        self.max_iterations = max_iterations

    def __call__(self, iterations: int) -> bool:
        return iterations >= self.max_iterations

    def remaining_s(self) -> float:
        return math.inf


class MaxRuntime:
    """Stop once ``max_runtime_s`` wall seconds have passed since construction."""

    def __init__(self, max_runtime_s: float) -> None:
        if not max_runtime_s >= 0:
            raise ValueError(f"max_runtime_s must be a non-negative number, got {max_runtime_s}")
        self.max_runtime_s = max_runtime_s
        self._start = time.perf_counter()

    def __call__(self, iterations: int) -> bool:
        return self.remaining_s() <= 0

    def remaining_s(self) -> float:
        return max(0.0, self.max_runtime_s - (time.perf_counter() - self._start))


class FirstOf:
    """Stop as soon as any of ``criteria`` does; the time left is the least any of them allows."""

    def __init__(self, *criteria: StoppingCriterion) -> None:
        if not criteria:
            raise ValueError("FirstOf needs at least one criterion")
        self.criteria = criteria

    def __call__(self, iterations: int) -> bool:
        return any(c(iterations) for c in self.criteria)

    def remaining_s(self) -> float:
        return min(c.remaining_s() for c in self.criteria)
