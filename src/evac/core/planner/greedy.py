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

import math
from typing import TYPE_CHECKING

from evac.core.planner.base import Callbacks, planning_scenario
from evac.core.planner.dispatch import EPS, Dispatch, Household, Option, Queue

if TYPE_CHECKING:
    from evac.core.model import Fleet, Plan, Policy, Scenario, Trip
    from evac.core.planner.state import Commitments


class GreedyPlanner:
    """Priority-first greedy planner (see the module docstring)."""

    name = "greedy"

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
        return _Run(sc, callbacks or Callbacks(), commitments).run(self.name)


def _priority(hh: Household) -> tuple[float, int, str]:
    return (-hh.weight, hh.seq, hh.id)


class _Run(Dispatch):
    def run(self, planner_name: str) -> Plan:
        return self.run_vehicles(planner_name, _priority)

    def dispatch_vehicle(
        self, fleet: Fleet, unit: int, at: str, free_h: float, queues: dict[str, Queue]
    ) -> tuple[Trip, Option, Queue] | None:
        arrival, pred = self.graph.earliest_arrival(at, free_h)
        candidates: list[tuple[float, float, float, str]] = []
        for origin, queue in queues.items():
            head = queue.first()
            if head is None or origin not in arrival:
                continue
            if arrival[origin] + self.pol.boarding_h > self.deadline.get(origin, -math.inf):
                continue
            candidates.append((-head.weight, self.deadline[origin], arrival[origin], origin))
        candidates.sort()
        for _, _, _, origin in candidates:
            deadhead = self.schedule(self.graph.path(pred, at, origin), free_h, 0)
            if deadhead is None:
                continue
            queue = queues[origin]
            arrive_h = deadhead[-1].arrive_h if deadhead else free_h
            option = self.fill_and_route(origin, queue, fleet.seats, arrive_h, self._best_exit)
            if option is None:
                continue
            if option.legs[-1].arrive_h > fleet.available_until_h + EPS:
                continue
            return self.make_trip(fleet, unit, deadhead, option, queue), option, queue
        return None

    def _best_exit(self, origin: str, ready: float, queue: Queue, chosen: list[int]) -> Option | None:
        """The exit that carries the most people, then makes them safe soonest."""
        best: Option | None = None
        for _, _, option in self.exit_options(origin, ready, queue, chosen):
            if best is None or (-option.people, option.safe_h) < (-best.people, best.safe_h):
                best = option
        return best
