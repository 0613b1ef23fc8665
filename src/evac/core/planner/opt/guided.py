"""One construction of the optimising planner: a dispatch run steered by a rule and, optionally, by a
route for each vehicle (from the bus optimiser, :mod:`evac.core.planner.opt.reduce`).

Each time a vehicle becomes free (earliest first, as in every dispatching planner) it takes the next
(origin, exit) of its route when that still works — the origin has households waiting, the vehicle gets
there before the origin's deadline, the loaded route is open and the trip ends inside the fleet's window —
and otherwise skips it. A vehicle without a route (or past its end) chooses by :class:`Rule`:

- origin ``priority``: the origin whose next household has the highest class weight, then the earliest
  deadline, then the nearest (the greedy planner's rule: right when not everyone can be saved);
- origin ``soonest``: the origin whose busload could be safe soonest (vehicle arrival + boarding + road
  time to the nearest exit), weight breaking ties (right when everyone can be saved: clearance decides);
- origin ``longest``: the origin farthest from its nearest exit first (longest processing time first, the
  classic makespan rule: the long trips start early and the short ones fill the end, so far origins never
  form the tail; syria-M alone 74.0 h against 80.3 h for the greedy rule);
- ``noise`` multiplies each origin's score by ``1 + noise * U(0, 1)`` (GRASP randomisation, seeded).

The exit is chosen by the rule too: ``best`` carries the most people and makes them safe soonest;
``lookahead`` also counts the empty drive from the exit to the vehicle's next planned origin, so a
vehicle does not unload at a haven far from its next pick-up; ``planned`` keeps the route's exit when it
carries everyone on board (else ``best``).

All timing, capacity, seats, closures and households are the shared machinery's
(:class:`~evac.core.planner.dispatch.Dispatch`), so every plan it makes is valid by the same rules as the
baselines'. The road graph is :class:`~evac.core.planner.opt.graph.CachedRoadGraph`. Times are hours
from the scenario epoch.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from evac.core.model.feasibility import in_time
from evac.core.planner.dispatch import Dispatch, Household, Option, Queue
from evac.core.planner.opt.graph import CachedRoadGraph

if TYPE_CHECKING:
    import random
    from collections.abc import Mapping, Sequence

    from evac.core.model import Fleet, Plan, Scenario, Trip
    from evac.core.planner.base import Callbacks
    from evac.core.planner.state import Commitments, VehicleKey

__all__ = ["GuidedRun", "Rule", "priority_order"]

OriginRule = Literal["priority", "soonest", "longest"]
ExitRule = Literal["best", "lookahead", "planned"]


@dataclass(frozen=True, slots=True)
class Rule:
    """How a guided run decides where its routes say nothing (see the module docstring)."""

    origin: OriginRule = "priority"
    exit: ExitRule = "best"
    noise: float = 0.0

    def __post_init__(self) -> None:
        if self.origin not in ("priority", "soonest", "longest"):
            raise ValueError(f"origin rule must be 'priority', 'soonest' or 'longest', got {self.origin!r}")
        if self.exit not in ("best", "lookahead", "planned"):
            raise ValueError(f"exit rule must be 'best', 'lookahead' or 'planned', got {self.exit!r}")
        if not 0 <= self.noise <= 10:
            raise ValueError(f"noise must be in [0, 10], got {self.noise}")


def priority_order(hh: Household) -> tuple[float, int, str]:
    """Households at one origin: highest class weight first, then registration (as the greedy planner)."""
    return (-hh.weight, hh.seq, hh.id)


class GuidedRun(Dispatch):
    """A dispatch run steered by ``rule`` and optional per-vehicle ``routes`` (module docstring).

    ``routes`` maps a vehicle (fleet id, unit) to its (origin, exit) trips in order; ``rng`` is needed
    only when ``rule.noise > 0``.
    """

    def __init__(
        self,
        scenario: Scenario,
        callbacks: Callbacks,
        commitments: Commitments | None,
        *,
        rule: Rule,
        routes: Mapping[VehicleKey, Sequence[tuple[str, str]]] | None = None,
        rng: random.Random | None = None,
        graph: CachedRoadGraph | None = None,
    ) -> None:
        super().__init__(scenario, callbacks, commitments)
        self.graph: CachedRoadGraph = graph or CachedRoadGraph(scenario, self.graph.schedule)
        self.rule = rule
        self.routes = routes or {}
        self.rng = rng
        self.followed = 0  # planned trips driven as planned (for the plan's meta)
        self._plans: dict[tuple[str, int], deque[tuple[str, str]]] = {}
        self._to_exit: dict[str, float] = {}

    # -- the run ------------------------------------------------------------------------------------
    def run(self, planner_name: str) -> Plan:
        return self.run_vehicles(planner_name, priority_order)

    def dispatch_vehicle(
        self, fleet: Fleet, unit: int, at: str, free_h: float, queues: dict[str, Queue]
    ) -> tuple[Trip, Option, Queue] | None:
        """Follow the vehicle's planned (origin, exit) trips while they still work, then choose by the rule."""
        plan = self._plans.get((fleet.id, unit))
        if plan is None:
            plan = self._plans[(fleet.id, unit)] = deque(self.routes.get((fleet.id, unit), ()))
        made: tuple[Trip, Option, Queue] | None = None
        while plan and made is None:
            origin, exit_ = plan.popleft()
            nxt = plan[0][0] if plan else None
            made = self._go(fleet, unit, at, free_h, queues, origin, exit_, nxt)
            if made is not None:
                self.followed += 1
        if made is None:
            made = self._choose(fleet, unit, at, free_h, queues)
        return made

    # -- one trip -----------------------------------------------------------------------------------
    def _go(
        self, fleet: Fleet, unit: int, at: str, free_h: float, queues: dict[str, Queue], origin: str,
        planned_exit: str | None, next_origin: str | None,
    ) -> tuple[Trip, Option, Queue] | None:
        """The trip to ``origin`` and on to an exit, or ``None`` when it does not work."""
        queue = queues.get(origin)
        if queue is None or queue.first() is None:
            return None
        arcs = self.graph.route(at, origin, free_h)
        if arcs is None:
            return None
        deadhead = self.schedule(arcs, free_h, 0)
        if deadhead is None:
            return None
        arrive = deadhead[-1].arrive_h if deadhead else free_h
        if not in_time(arrive + self.pol.boarding_h, self.deadline.get(origin, -math.inf)):
            return None
        chosen = queue.fill(fleet.seats)
        present = max(arrive, queue.ready_h(chosen))
        option = self._exit(origin, present + self.pol.boarding_h, queue, chosen, planned_exit, next_origin)
        if option is None or not in_time(option.legs[-1].arrive_h, fleet.available_until_h):
            return None
        return self.make_trip(fleet, unit, deadhead, option, queue), option, queue

    def _choose(
        self, fleet: Fleet, unit: int, at: str, free_h: float, queues: dict[str, Queue]
    ) -> tuple[Trip, Option, Queue] | None:
        """No usable planned trip: pick an origin by the rule, best first, until one works."""
        arrival, _ = self.graph.earliest_arrival(at, free_h)
        scored: list[tuple[float, float, float, str]] = []
        boarding = self.pol.boarding_h
        for origin, queue in queues.items():
            head = queue.first()
            if head is None or origin not in arrival:
                continue
            deadline = self.deadline.get(origin, -math.inf)
            if arrival[origin] + boarding > deadline:
                continue
            if self.rule.origin == "priority":
                key: tuple[float, float, float] = (-head.weight, deadline, arrival[origin])
            elif self.rule.origin == "longest":  # longest trip first: far origins never form the tail
                key = (-self._nearest_exit_h(origin), arrival[origin], -head.weight)
            else:
                key = (arrival[origin] + boarding + self._nearest_exit_h(origin), -head.weight, deadline)
            if self.rule.noise > 0 and self.rng is not None:
                k0 = key[0] * (1.0 + self.rule.noise * self.rng.random()) if key[0] > 0 else \
                    key[0] * (1.0 - self.rule.noise * self.rng.random())
                key = (k0, key[1], key[2])
            scored.append((*key, origin))
        scored.sort()
        for *_, origin in scored:
            made = self._go(fleet, unit, at, free_h, queues, origin, None, None)
            if made is not None:
                return made
        return None

    def _nearest_exit_h(self, origin: str) -> float:
        """Free-flow hours from ``origin`` to the nearest safe haven or airport/port with services (cached)."""
        h = self._to_exit.get(origin)
        if h is None:
            best, _ = self.graph.earliest_arrival(origin, self.start, sinks=self.graph.safe)
            h = min((t - self.start for p, t in best.items()
                     if p != origin and (p in self.graph.safe or p in self.services_at)), default=math.inf)
            self._to_exit[origin] = h
        return h

    def _exit(
        self, origin: str, ready: float, queue: Queue, chosen: list[int], planned_exit: str | None,
        next_origin: str | None,
    ) -> Option | None:
        best: Option | None = None
        best_key: tuple[float, ...] = ()
        load = sum(len(queue.items[i].people) for i in chosen)
        for place, _, option in self.exit_options(origin, ready, queue, chosen):
            if self.rule.exit == "planned" and place == planned_exit and option.people == load:
                return option
            if self.rule.exit == "lookahead" and next_origin is not None:
                back = self.graph.offset_h(place, next_origin, option.legs[-1].arrive_h)
                key: tuple[float, ...] = (-option.people, max(option.legs[-1].arrive_h + back, option.safe_h),
                                          option.safe_h)
            else:
                key = (-option.people, option.safe_h)
            if best is None or key < best_key:
                best, best_key = option, key
        return best
