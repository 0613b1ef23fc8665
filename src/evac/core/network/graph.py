"""Time-dependent shortest paths on the road network when places and links close.

Closures for good only ever close, so waiting never helps reach a place earlier: the earliest-arrival
problem is solved exactly by Dijkstra with the leg rule of the feasibility kernel
(:mod:`evac.core.model.feasibility`) on each arc. Temporary closures (windows that reopen) make waiting
useful; each arc is then left at its earliest allowed departure (:meth:`RoadGraph.next_departure`), which
is non-decreasing in the arrival time at its tail (FIFO), so Dijkstra stays exact.
Complexity O((V + E) log V) per query. Times are hours
from the scenario epoch.
"""

from __future__ import annotations

import copy
import heapq
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evac.core.model import Mode, PlaceKind
from evac.core.model.feasibility import latest_departure_h, leg_fits

if TYPE_CHECKING:
    from collections.abc import Iterable

    from evac.core.model import Scenario
    from evac.core.model.feasibility import ClosureSchedule


@dataclass(frozen=True, slots=True)
class Arc:
    """One direction of a road link."""

    tail: str
    head: str
    link_id: str
    travel_h: float


class RoadGraph:
    """Road arcs of a scenario with the closure schedule a plan must respect (default: the scenario's
    planning schedule, :meth:`Scenario.closure_schedule`)."""

    def __init__(self, scenario: Scenario, schedule: ClosureSchedule | None = None) -> None:
        self.schedule = scenario.closure_schedule() if schedule is None else schedule
        self.closures = self.schedule.times
        self.windows = self.schedule.windows  # temporary closures: waiting can help (feasibility module)
        self.out: dict[str, list[Arc]] = {p.id: [] for p in scenario.places}
        self.into: dict[str, list[Arc]] = {p.id: [] for p in scenario.places}
        for link in scenario.links:
            if link.mode is not Mode.ROAD:
                continue
            ends = [(link.a, link.b)] + ([(link.b, link.a)] if link.two_way else [])
            for tail, head in ends:
                arc = Arc(tail, head, link.id, link.travel_h)
                self.out[tail].append(arc)
                self.into[head].append(arc)
        self.safe = frozenset(p.id for p in scenario.places if p.kind is PlaceKind.SAFE_HAVEN)

    def restricted_to(self, places: frozenset[str]) -> RoadGraph:
        """This graph (same class, same closure schedule) with only the arcs between ``places``: the roads a
        fleet restricted to a service area may drive (:func:`evac.core.model.feasibility.service_area`).
        Subclasses that cache searches start a fresh cache (:meth:`_restricted`)."""
        g = copy.copy(self)
        g.out = {p: [a for a in arcs if a.head in places] if p in places else [] for p, arcs in self.out.items()}
        g.into = {p: [a for a in arcs if a.tail in places] if p in places else [] for p, arcs in self.into.items()}
        g._restricted()
        return g

    def _restricted(self) -> None:
        """Called on the copy :meth:`restricted_to` makes, after its arcs are filtered (nothing to reset here)."""

    def closes(self, key: str) -> float:
        """Closure time of a place or link id (``inf`` when it never closes)."""
        return self.closures.get(key, math.inf)

    def arc_ok(self, arc: Arc, depart_h: float) -> bool:
        """May a vehicle leave ``arc.tail`` at ``depart_h`` and use the arc?"""
        get = self.closures.get
        inf = math.inf
        if not leg_fits(depart_h, depart_h + arc.travel_h, get(arc.tail, inf), get(arc.link_id, inf),
                        get(arc.head, inf)):
            return False
        return not self.windows or self.schedule.next_departure(
            arc.tail, arc.link_id, arc.head, arc.travel_h, depart_h) == depart_h

    def next_departure(self, arc: Arc, t_h: float) -> float:
        """Earliest departure on ``arc`` at or after ``t_h`` (waiting out temporary closures); ``inf``: never."""
        if not self.windows:
            return t_h if self.arc_ok(arc, t_h) else math.inf
        return self.schedule.next_departure(arc.tail, arc.link_id, arc.head, arc.travel_h, t_h)

    def earliest_arrival(
        self, source: str, depart_h: float, *, sinks: Iterable[str] = ()
    ) -> tuple[dict[str, float], dict[str, Arc]]:
        """Earliest arrival time at every reachable place leaving ``source`` at ``depart_h``.

        Places in ``sinks`` are reached but not passed through (people on board get off at a safe
        haven; they do not ride through it). Returns the arrival times and the arc used to reach each
        place, from which :meth:`path` rebuilds a route.
        """
        stop = frozenset(sinks)
        best: dict[str, float] = {source: depart_h}
        pred: dict[str, Arc] = {}
        heap: list[tuple[float, str]] = [(depart_h, source)]
        while heap:
            t, node = heapq.heappop(heap)
            if t > best[node] or (node in stop and node != source):
                continue
            for arc in self.out[node]:
                if self.windows:  # waiting may help: leave as soon as the arc allows
                    dep = self.next_departure(arc, t)
                    if math.isinf(dep):
                        continue
                    arrive = dep + arc.travel_h
                elif not self.arc_ok(arc, t):
                    continue
                else:
                    arrive = t + arc.travel_h
                if arrive < best.get(arc.head, math.inf):
                    best[arc.head] = arrive
                    pred[arc.head] = arc
                    heapq.heappush(heap, (arrive, arc.head))
        return best, pred

    @staticmethod
    def path(pred: dict[str, Arc], source: str, target: str) -> list[Arc]:
        """Arcs from ``source`` to ``target`` along the predecessor tree of :meth:`earliest_arrival`."""
        arcs: list[Arc] = []
        node = target
        while node != source:
            arc = pred[node]
            arcs.append(arc)
            node = arc.tail
        arcs.reverse()
        return arcs

    def latest_departure(self, targets: dict[str, float]) -> dict[str, float]:
        """Latest time one can leave each place and still reach a target in time.

        ``targets`` maps target places to the latest useful arrival there (e.g. a safe haven: ``inf``;
        an airport: the last service departure minus the connection time). Leaving later than the
        returned value is hopeless, so it is each origin's deadline. Reverse Dijkstra on max-min.
        """
        best: dict[str, float] = {}
        heap: list[tuple[float, str]] = []
        for node, t in targets.items():
            t = min(t, self.closes(node))
            if t > best.get(node, -math.inf):
                best[node] = t
                heapq.heappush(heap, (-t, node))
        while heap:
            neg, node = heapq.heappop(heap)
            t = -neg
            if t < best[node]:
                continue
            for arc in self.into[node]:
                if arc.tail in self.safe and arc.tail not in targets:
                    continue
                if self.windows:
                    latest = self.schedule.latest_departure_by(arc.tail, arc.link_id, arc.head, arc.travel_h,
                                                               t - arc.travel_h)
                else:
                    latest = min(
                        latest_departure_h(arc.travel_h, self.closes(arc.tail), self.closes(arc.link_id),
                                           self.closes(arc.head)),
                        t - arc.travel_h,
                    )
                if latest > best.get(arc.tail, -math.inf):
                    best[arc.tail] = latest
                    heapq.heappush(heap, (-latest, arc.tail))
        return best
