"""CCRP baseline: Capacity Constrained Route Planner (Lu, George & Shekhar 2005), adapted to vehicles.

Reference: Q. Lu, B. George, S. Shekhar, "Capacity Constrained Routing Algorithms for Evacuation
Planning: A Summary of Results", SSTD 2005, LNCS 3633, pp. 291-307.

**The original.** Nodes and arcs have time-varying capacities (maximum node capacity, arc flow per time
unit) and travel times; sources hold evacuees, destinations receive them. A super source joins every
source with people still waiting. Repeat until every source is empty: (1) find the route, from the super
source to any destination, with the *earliest arrival time* given the capacity *still available* at each
node and arc at the time the route would use it (a Dijkstra-like search over the time-expanded network,
waiting allowed); (2) its flow is ``min(people left at its source, available capacity of its bottleneck)``;
(3) reserve that flow on every node and arc of the route at the times used. Complexity
O(P · N log N) for P evacuees on N nodes. Evacuees move on their own: there are no vehicles.

**The adaptation to evac** (every change forced by the model, kept as close to the above as it allows):

1. *Vehicles carry the flow.* People move only on fleet vehicles with seats, so a route is vehicle
   deadhead (empty, from where a vehicle is when it becomes free, to the source) + boarding
   (``policy.boarding_h``) + the loaded route from the source to an exit. The vehicle is the capacity
   unit that moves seats: the *supply of vehicles* is a second super source, joined to every free
   vehicle's position at its free time. One capacity-aware search from it gives, for every source, the
   earliest a vehicle can be there (and which one); the deadhead counts in the arrival time.
2. *Earliest arrival over sources, per iteration.* For each source with people waiting, the loaded part
   is searched from the source at its pick-up time, and the candidate with the earliest arrival at
   safety over all sources is reserved (ties: more people, then source id) — step (1) with the super
   source made explicit, because the flow (hence the crossing throughput it needs) depends on the source.
3. *Flow is a busload of whole households.* Step (2) becomes: the vehicle's seats are filled first-fit
   with whole households of that source in registration order (households never split; CCRP has no
   priorities), i.e. ``min(people left, bottleneck)`` where the bottleneck is the vehicle's seats. The
   busload is not split at a crossing either: the vehicle waits there until all its people are
   processed after whatever processing is already reserved, which is the earliest-arrival route in the
   time-expanded network for an indivisible flow.
4. *Capacities reserved* are the checker's hard constraints: crossing throughput (each crossing's
   processing time, a queue of at most its rate per hour), link capacity (vehicles entering per clock
   hour), seats on each
   scheduled departure (a household reaching an airport or port books the earliest departure with
   seats at least ``policy.min_connection_h`` later; its arrival at safety is that flight's), and the
   vehicle itself (busy until its trip ends, within its fleet's availability window). Closures make
   arcs unavailable from their time on, as in the time-expanded network of the original.
5. *Destinations* are safe havens, and airports or ports with scheduled departures (the flight is the
   last arc). People get off at a safe haven; vehicles may drive through one empty.
6. *Termination.* The original stops when sources are empty. Here a source may become unreachable
   (closures, deadlines, no seats left): when its best candidate has no route to safety it is dropped,
   and its people are left behind for lack of capacity; the loop ends when no source has a candidate.

Per iteration: one multi-source search for the vehicles and one search per non-empty source, each
O((V + E) log V) with capacity look-ups. Times are hours from the scenario epoch.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

from evac.core.model.feasibility import in_time
from evac.core.network import Arc, RoadGraph
from evac.core.planner.base import Callbacks, planning_scenario
from evac.core.planner.dispatch import Dispatch, Household, Option, Queue

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from evac.core.model import Fleet, Plan, Policy, Scenario, Trip
    from evac.core.planner.state import Commitments

_Vehicle = tuple[int, int]  # (road-fleet index, unit)


class CcrpPlanner:
    """Capacity Constrained Route Planner adapted to vehicles with seats (see the module docstring)."""

    name = "ccrp"

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
        return _Ccrp(sc, callbacks or Callbacks(), commitments).run(self.name)


def _registration(hh: Household) -> tuple[int, str]:
    return (hh.seq, hh.id)


class _Search:
    """Earliest arrival from several timed sources, waiting for crossing queues and link hours, for a given
    load."""

    __slots__ = ("best", "pred", "source")

    def __init__(self) -> None:
        self.best: dict[str, float] = {}
        self.pred: dict[str, Arc] = {}
        self.source: dict[str, _Vehicle | None] = {}


class _Ccrp(Dispatch):
    def run(self, planner_name: str) -> Plan:
        queues, left, total = self.households(_registration)
        self.cb.on_start(total)
        done = len(left)
        self.cb.on_progress(done)
        fleets = self.road_fleets()
        where: dict[_Vehicle, tuple[str, float]] = {
            (fi, unit): (at, free_h) for free_h, fi, unit, at in self.vehicles(fleets)
        }
        # Vehicles of fleets with a service area search their own restricted graph (Dispatch.use_area): one
        # supply search per area. Without areas there is one, the unrestricted graph: the original CCRP.
        areas = sorted({self.sc.service_area(f) for f in fleets},
                       key=lambda a: (a is not None, sorted(a) if a is not None else []))
        area_of = [self.sc.service_area(f) for f in fleets]
        excluded: set[tuple[_Vehicle, str, str, float]] = set()  # (vehicle, source, its place, its free time)
        dead: set[tuple[frozenset[str] | None, str]] = set()  # (area, source)
        remaining = sum(len(q.items) for q in queues.values())
        while remaining > 0 and where:
            best: tuple[float, int, str, Trip, Option, Queue, _Vehicle] | None = None
            for area in areas:
                mine = {v: w for v, w in where.items() if area_of[v[0]] == area}
                if not mine:
                    continue
                self.use_area(area)
                supply = self._search(((at, t, v) for v, (at, t) in sorted(mine.items())), 0, ())
                for origin, queue in queues.items():
                    if (area, origin) in dead or queue.first() is None:
                        continue
                    found = self._candidate(origin, queue, supply, mine, fleets, excluded, dead, area)
                    if found is None:
                        continue
                    trip, option, vehicle = found
                    key = (option.safe_h, -option.people, origin)
                    if best is None or key < best[:3]:
                        best = (*key, trip, option, queue, vehicle)
            if best is None:
                break
            *_, trip, option, queue, vehicle = best
            self.record(trip, option, queue)
            remaining -= len(option.households)
            done += len(option.households)
            self.cb.on_progress(done)
            fleet = fleets[vehicle[0]]
            free = self.free_after(fleet, trip)
            if free < fleet.available_until_h:
                where[vehicle] = (trip.legs[-1].destination, free)
            else:
                del where[vehicle]
        return self.finish(planner_name, queues, left, total)

    def _candidate(
        self,
        origin: str,
        queue: Queue,
        supply: _Search,
        where: Mapping[_Vehicle, tuple[str, float]],
        fleets: list[Fleet],
        excluded: set[tuple[_Vehicle, str, str, float]],
        dead: set[tuple[frozenset[str] | None, str]],
        area: frozenset[str] | None = None,
    ) -> tuple[Trip, Option, _Vehicle] | None:
        """The earliest-arrival busload from ``origin``, with the vehicle that reaches it first.

        A vehicle that cannot finish the trip inside its availability window is excluded for this source
        (until it moves) and the next-earliest vehicle is tried; a source with no route to safety at all
        is dead for vehicles of that service ``area`` (later pick-ups cannot do better: closures only close and
        capacity only fills). ``where`` holds the vehicles of the area, whose graph is in use.
        """
        skip = {v for v in where if (v, origin, *where[v]) in excluded}
        search = supply if not skip else self._supply_without(where, skip)
        while True:
            vehicle = search.source.get(origin)
            if vehicle is None or origin not in search.best:
                return None
            t_origin = search.best[origin]
            if not in_time(t_origin + self.pol.boarding_h, self.deadline.get(origin, -math.inf)):
                return None
            at, free_h = where[vehicle]
            fleet = fleets[vehicle[0]]
            self.use_boarding(fleet)
            deadhead = self.schedule(RoadGraph.path(search.pred, at, origin), free_h, 0)
            option: Option | None = None
            if deadhead is not None:
                option = self.fill_and_route(origin, queue, fleet.seats, t_origin, self._earliest_exit)
                if option is None:
                    dead.add((area, origin))
                    return None
                if in_time(option.legs[-1].arrive_h, fleet.available_until_h):
                    unit = vehicle[1]
                    return self.make_trip(fleet, unit, deadhead, option, queue), option, vehicle
            excluded.add((vehicle, origin, at, free_h))
            skip.add(vehicle)
            search = self._supply_without(where, skip)

    def _supply_without(self, where: Mapping[_Vehicle, tuple[str, float]], skip: set[_Vehicle]) -> _Search:
        return self._search(((at, t, v) for v, (at, t) in sorted(where.items()) if v not in skip), 0, ())

    def _earliest_exit(self, origin: str, ready: float, queue: Queue, chosen: list[int]) -> Option | None:
        """The loaded route from ``origin`` (loading done at ``ready``) that makes ``chosen`` safe soonest."""
        if not chosen:
            return None
        load = sum(len(queue.items[i].people) for i in chosen)
        release = self.release_h(queue, chosen)
        search = self._search([(origin, ready, None)], load, self.graph.safe, release)
        best: tuple[float, int, str, Option] | None = None
        for place in sorted(search.best):
            if place == origin:
                continue
            arcs = RoadGraph.path(search.pred, origin, place)
            option: Option | None = None
            if place in self.graph.safe:
                legs = self.schedule(arcs, ready, load, release)
                if legs is not None:
                    option = Option(legs, list(chosen), {}, legs[-1].arrive_h, load)
            elif place in self.services_at:
                option = self.by_service(place, arcs, ready, queue, chosen)
            if option is not None and (best is None or (option.safe_h, -option.people, place) < best[:3]):
                best = (option.safe_h, -option.people, place, option)
        return None if best is None else best[3]

    def _search(self, sources: Iterable[tuple[str, float, _Vehicle | None]], load: int,
                sinks: Iterable[str], release_h: float | None = None) -> _Search:
        """Earliest arrival at every place from timed ``sources``, with ``load`` people on board.

        Each arc is entered once the people on board are processed at its tail, if it is a crossing (the
        processing already booked there comes first; at a source they have been there since ``release_h``,
        elsewhere since the vehicle arrived), in a clock hour with room left on its link (reserved
        capacity), and only while it is open. Leaving later never ends sooner (queues and closures are
        monotone in time), so Dijkstra on arrival times is exact. Places in ``sinks`` are reached but not
        passed through.
        """
        out = _Search()
        best, pred, source = out.best, out.pred, out.source
        stop = frozenset(sinks)
        heap: list[tuple[float, str]] = []
        for at, t, v in sources:
            if t < best.get(at, math.inf):
                best[at] = t
                source[at] = v
                heapq.heappush(heap, (t, at))
        graph = self.graph
        origins = frozenset(best)
        while heap:
            t, node = heapq.heappop(heap)
            if t > best[node] or (node in stop and node not in origins):
                continue
            arrived = release_h if release_h is not None and node in origins else t
            for arc in graph.out[node]:
                dep = self.depart_h(arc, t, load, arrived)
                if math.isinf(dep):
                    continue
                arrive = dep + arc.travel_h
                if arrive < best.get(arc.head, math.inf):
                    best[arc.head] = arrive
                    pred[arc.head] = arc
                    source[arc.head] = source[node]
                    heapq.heappush(heap, (arrive, arc.head))
        return out
