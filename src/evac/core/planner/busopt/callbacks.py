"""Progress hooks of the bus optimiser (after PyVRP's ILS callbacks); the core never prints."""

from __future__ import annotations

__all__ = ["SolverCallbacks"]


class SolverCallbacks:
    """No-op hooks; subclass and override what you need (the CLI turns them into a progress line)."""

    def on_start(self, lower_bound: float) -> None:
        """The search starts; ``lower_bound`` is the best bound known before it."""

    def on_iteration(self, iteration: int, current: float, best: float) -> None:
        """One iteration of the local search ended with makespans ``current`` and ``best``."""

    def on_best(self, makespan: float, method: str) -> None:
        """A new best makespan was found by ``method``."""

    def on_end(self, makespan: float, lower_bound: float) -> None:
        """The search ended."""
