"""One dispatch engine for the rule-based planners: rules choose, the engine schedules.

Greedy and first-come-first-served differ only in three choices — how each origin's households queue,
which origin a free vehicle goes to, and which exit it takes them to — so each is a :class:`DispatchRule`
object and :class:`RuleDispatch` is the one engine that runs them: each time a vehicle becomes free
(earliest first, :meth:`Dispatch.run_vehicles`) it tries the origins in the rule's order that it can reach
before their deadline, drives there empty, fills its seats from the origin's queue and takes the exit the
rule picks among the feasible ones. Timing, capacity, seats, closures and households are the shared
machinery's (:class:`~evac.core.planner.dispatch.Dispatch`, on the feasibility kernel), so every rule's
plan is valid by the same rules.

A new baseline is a new rule (a few lines), not a new planner class. Times are hours from the epoch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol

from evac.core.model.feasibility import in_time
from evac.core.planner.base import Callbacks, planning_scenario
from evac.core.planner.dispatch import Dispatch, Household, Option, Queue

if TYPE_CHECKING:
    from collections.abc import Iterable

    from evac.core.model import Fleet, Plan, Policy, Scenario, Trip
    from evac.core.planner.state import Commitments

__all__ = ["DispatchRule", "RuleDispatch", "RulePlanner"]

SortKey = tuple[float | int | str, ...]


class DispatchRule(Protocol):
    """The three choices of a rule-based dispatch planner (module docstring)."""

    def queue_order(self, hh: Household) -> SortKey:
        """Sort key of a household in its origin's queue (first: collected first)."""
        ...

    def origin_order(self, head: Household, deadline_h: float, arrival_h: float, origin: str) -> SortKey:
        """Sort key of an origin for a free vehicle: ``head`` is its first waiting household, ``deadline_h``
        the latest useful departure from it, ``arrival_h`` when the vehicle can be there (hours)."""
        ...

    def choose_exit(self, options: Iterable[tuple[str, float, Option]]) -> Option | None:
        """The option to take among the feasible ``(exit place, free-flow road arrival, option)``."""
        ...


class RuleDispatch(Dispatch):
    """The dispatch engine driven by a :class:`DispatchRule` (module docstring)."""

    def __init__(self, scenario: Scenario, callbacks: Callbacks, commitments: Commitments | None,
                 rule: DispatchRule) -> None:
        super().__init__(scenario, callbacks, commitments)
        self.rule = rule

    def run(self, planner_name: str) -> Plan:
        return self.run_vehicles(planner_name, self.rule.queue_order)

    def dispatch_vehicle(
        self, fleet: Fleet, unit: int, at: str, free_h: float, queues: dict[str, Queue]
    ) -> tuple[Trip, Option, Queue] | None:
        arrival, pred = self.graph.earliest_arrival(at, free_h)
        candidates: list[tuple[SortKey, str]] = []
        for origin, queue in queues.items():
            head = queue.first()
            if head is None or origin not in arrival:
                continue
            deadline = self.deadline.get(origin, -math.inf)
            if not in_time(arrival[origin] + self.pol.boarding_h, deadline):
                continue
            candidates.append((self.rule.origin_order(head, deadline, arrival[origin], origin), origin))
        candidates.sort()
        for _, origin in candidates:
            deadhead = self.schedule(self.graph.path(pred, at, origin), free_h, 0)
            if deadhead is None:
                continue
            queue = queues[origin]
            arrive_h = deadhead[-1].arrive_h if deadhead else free_h
            option = self.fill_and_route(origin, queue, fleet.seats, arrive_h, self._exit)
            if option is None or not in_time(option.legs[-1].arrive_h, fleet.available_until_h):
                continue
            return self.make_trip(fleet, unit, deadhead, option, queue), option, queue
        return None

    def _exit(self, origin: str, ready: float, queue: Queue, chosen: list[int]) -> Option | None:
        return self.rule.choose_exit(self.exit_options(origin, ready, queue, chosen))


class RulePlanner:
    """A :class:`~evac.core.planner.base.Planner` made of a name and a :class:`DispatchRule`."""

    def __init__(self, name: str, rule: DispatchRule) -> None:
        self.name = name
        self.rule = rule

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
        return RuleDispatch(sc, callbacks or Callbacks(), commitments, self.rule).run(self.name)
