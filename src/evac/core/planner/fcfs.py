"""First-come-first-served baseline: registration order, nearest open exit, no priorities.

What a consulate does without a planner: people are served in the order they registered
(:attr:`~evac.core.model.Person.registration_seq`; a household's turn is its earliest-registered
member's). Each time a vehicle becomes free (earliest first) it drives to the home of the
first-registered household still waiting that it can reach in time, fills its seats with whole
households from that place in registration order (first fit: a household too big for the seats left
waits for the next vehicle, smaller later ones may board), and takes them to the *nearest* open exit by
free-flow road travel time — a safe haven across a border crossing, or an airport or port with a
scheduled departure that has seats for them — whatever the queue there. Priority classes play no part.

A vehicle collects at one place per trip (as every evac planner does), so "the next households in
order" means the next ones *at the place of the first waiting household*; households elsewhere keep
their turn for the next free vehicle. Capacity, closures, availability and family unity are kept exactly
as by the greedy planner: the machinery is shared (:mod:`evac.core.planner.dispatch`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evac.core.planner.rule_dispatch import RulePlanner

if TYPE_CHECKING:
    from collections.abc import Iterable

    from evac.core.planner.dispatch import Household, Option

__all__ = ["FcfsPlanner", "RegistrationRule"]


class RegistrationRule:
    """First registered, first served: households and origins by the registration of their first waiting
    household; the exit with the shortest free-flow road time (ties: place id), whatever its queue."""

    def queue_order(self, hh: Household) -> tuple[int, str]:
        return (hh.seq, hh.id)

    def origin_order(self, head: Household, deadline_h: float, arrival_h: float, origin: str) -> tuple[
            int, str, str]:
        return (head.seq, head.id, origin)

    def choose_exit(self, options: Iterable[tuple[str, float, Option]]) -> Option | None:
        best: tuple[float, str, Option] | None = None
        for place, road_h, option in options:
            if best is None or (road_h, place) < best[:2]:
                best = (road_h, place, option)
        return None if best is None else best[2]


class FcfsPlanner(RulePlanner):
    """First registered, first served; nearest open exit (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__("fcfs", RegistrationRule())
