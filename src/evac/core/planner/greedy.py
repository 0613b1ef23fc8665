"""The first planner: greedy, priority-first, households never split.

Each time a vehicle becomes free it is sent to the origin whose next waiting household has the
highest priority (ties: the origin whose last safe departure comes first, then the nearest). It
fills its seats with whole households from that origin in priority order and drives them by the
road route that makes them safe soonest: across a border crossing to a safe haven, or to an
airport or port where each household gets the earliest scheduled departure with seats. Crossing
throughput (a vehicle waits at a crossing until its people are processed, the crossing's queue shared
by all), link capacity (vehicles per clock hour), fleet availability and every closure are respected as
the checker defines them.

It is the baseline the optimising planner must beat, and the shape of :class:`Planner`. The scheduling
and booking machinery it shares with the other dispatching planners lives in
:mod:`evac.core.planner.dispatch`; from :class:`~evac.core.planner.state.Commitments` it can continue an
operation already under way (the re-planner's default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evac.core.planner.rule_dispatch import RulePlanner

if TYPE_CHECKING:
    from collections.abc import Iterable

    from evac.core.planner.dispatch import Household, Option

__all__ = ["GreedyPlanner", "PriorityRule"]


class PriorityRule:
    """Highest priority first: households by class weight then registration; origins by their first
    household's weight, then the earliest deadline, then the nearest; the exit that carries the most people,
    then makes them safe soonest."""

    def queue_order(self, hh: Household) -> tuple[float, int, str]:
        return (-hh.weight, hh.seq, hh.id)

    def origin_order(self, head: Household, deadline_h: float, arrival_h: float, origin: str) -> tuple[
            float, float, float, str]:
        return (-head.weight, deadline_h, arrival_h, origin)

    def choose_exit(self, options: Iterable[tuple[str, float, Option]]) -> Option | None:
        best: Option | None = None
        for _, _, option in options:
            if best is None or (-option.people, option.safe_h) < (-best.people, best.safe_h):
                best = option
        return best


class GreedyPlanner(RulePlanner):
    """Priority-first greedy planner (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__("greedy", PriorityRule())
