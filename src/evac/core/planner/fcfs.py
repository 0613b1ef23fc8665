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

import math
from typing import TYPE_CHECKING

from evac.core.planner.base import Callbacks, planning_scenario
from evac.core.planner.dispatch import EPS, Dispatch, Household, Option, Queue

if TYPE_CHECKING:
    from evac.core.model import Fleet, Plan, Policy, Scenario, Trip
    from evac.core.planner.state import Commitments


class FcfsPlanner:
    """First registered, first served; nearest open exit (see the module docstring)."""

    name = "fcfs"

    def plan(
        self,
        scenario: Scenario,
        *,
        policy: Policy | None = None,
        start_h: float | None = None,
        seed: int = 0,
        callbacks: Callbacks | None = None,
        commitments: Commitments | None = None,
    ) -> Plan:
        sc = planning_scenario(scenario, policy, start_h)
        return _Fcfs(sc, callbacks or Callbacks(), commitments).run(self.name)


def _registration(hh: Household) -> tuple[int, str]:
    return (hh.seq, hh.id)


class _Fcfs(Dispatch):
    def run(self, planner_name: str) -> Plan:
        return self.run_vehicles(planner_name, _registration)

    def dispatch_vehicle(
        self, fleet: Fleet, unit: int, at: str, free_h: float, queues: dict[str, Queue]
    ) -> tuple[Trip, Option, Queue] | None:
        arrival, pred = self.graph.earliest_arrival(at, free_h)
        turns: list[tuple[int, str, str]] = []  # (registration of the first waiting household, its id, origin)
        for origin, queue in queues.items():
            head = queue.first()
            if head is None or origin not in arrival:
                continue
            if arrival[origin] + self.pol.boarding_h > self.deadline.get(origin, -math.inf):
                continue
            turns.append((head.seq, head.id, origin))
        turns.sort()
        for _, _, origin in turns:
            deadhead = self.schedule(self.graph.path(pred, at, origin), free_h, 0)
            if deadhead is None:
                continue
            queue = queues[origin]
            arrive_h = deadhead[-1].arrive_h if deadhead else free_h
            option = self.fill_and_route(origin, queue, fleet.seats, arrive_h, self._nearest_exit)
            if option is None or option.legs[-1].arrive_h > fleet.available_until_h + EPS:
                continue
            return self.make_trip(fleet, unit, deadhead, option, queue), option, queue
        return None

    def _nearest_exit(self, origin: str, ready: float, queue: Queue, chosen: list[int]) -> Option | None:
        """The feasible exit with the shortest free-flow road time (ties: place id)."""
        best: tuple[float, str, Option] | None = None
        for place, road_h, option in self.exit_options(origin, ready, queue, chosen):
            if best is None or (road_h, place) < best[:2]:
                best = (road_h, place, option)
        return None if best is None else best[2]
