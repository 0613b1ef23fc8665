"""Stop after a wall-clock budget."""

from __future__ import annotations

import time

__all__ = ["MaxRuntime"]


class MaxRuntime:
    """Stop once ``max_runtime_s`` wall seconds have passed since the first call.

    The clock starts at the first call (or :meth:`remaining_s`), not at construction, so a criterion can
    be built before the work it limits. A run limited by time is anytime but not reproducible: how far it
    gets depends on the machine. Use :class:`MaxIterations` when a seed must give the same answer.
    """

    def __init__(self, max_runtime_s: float) -> None:
        if max_runtime_s < 0:
            raise ValueError(f"max_runtime_s must not be negative, got {max_runtime_s}")
        self.max_runtime_s = max_runtime_s
        self._start: float | None = None

    def _elapsed(self) -> float:
        now = time.perf_counter()
        if self._start is None:
            self._start = now
        return now - self._start

    def __call__(self, best_cost: float) -> bool:
        return self._elapsed() >= self.max_runtime_s

    def remaining_s(self) -> float:
        return max(0.0, self.max_runtime_s - self._elapsed())
