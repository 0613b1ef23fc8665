"""Stop after a number of iterations: the criterion that makes a seeded run reproducible."""

from __future__ import annotations

import math

__all__ = ["MaxIterations"]


class MaxIterations:
    """Stop at the ``max_iterations + 1``-th call, i.e. after ``max_iterations`` iterations. Deterministic:
    the same seed gives the same solution on any machine. Never limits time."""

    def __init__(self, max_iterations: int) -> None:
        if max_iterations < 0:
            raise ValueError(f"max_iterations must not be negative, got {max_iterations}")
        self.max_iterations = max_iterations
        self._calls = 0

    def __call__(self, best_cost: float) -> bool:
        self._calls += 1
        return self._calls > self.max_iterations

    def remaining_s(self) -> float:
        return math.inf
