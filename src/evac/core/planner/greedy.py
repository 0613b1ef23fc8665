"""The first planner: greedy, priority-first, households never split.

Each time a vehicle becomes free it is sent to the origin whose next waiting household has the
highest priority (ties: the origin whose last safe departure comes first, then the nearest). It
fills its seats with whole households from that origin in priority order and drives them by the
road route that makes them safe soonest: across a border crossing to a safe haven, or to an
airport or port where each household gets the earliest scheduled departure with seats. Crossing
throughput (people per clock hour), link capacity (vehicles per clock hour), fleet availability and
every closure are respected as the checker defines them.

It is the baseline the optimising planner must beat, and the shape of :class:`Planner`.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from evac.core.check.kpis import compute_kpis
from evac.core.model import (
    Boarding,
    Fleet,
    Itinerary,
    LeftBehind,
    LeftBehindReason,
    Leg,
    Mode,
    Plan,
    Policy,
    Scenario,
    Service,
    Trip,
)
from evac.core.network import Arc, RoadGraph
from evac.core.planner.base import Callbacks

if TYPE_CHECKING:
    from collections.abc import Sequence

EPS = 1e-9


@dataclass(slots=True)
class _Household:
    id: str
    origin: str
    people: tuple[str, ...]
    weight: float  # highest class weight among travellers: orders the queue
    seq: int  # earliest registration among members: breaks ties first-come-first-served


@dataclass(slots=True)
class _Queue:
    """Households waiting at one origin, best first; ``taken`` marks those already moved."""

    items: list[_Household]
    taken: list[bool] = field(default_factory=list)
    head: int = 0

    def __post_init__(self) -> None:
        self.taken = [False] * len(self.items)

    def first(self) -> _Household | None:
        while self.head < len(self.items) and self.taken[self.head]:
            self.head += 1
        return self.items[self.head] if self.head < len(self.items) else None

    def fill(self, seats: int, scan_limit: int = 500) -> list[int]:
        """Indices of households that fill ``seats`` first-fit in queue order."""
        chosen: list[int] = []
        free = seats
        misses = 0
        i = self.head
        while i < len(self.items) and free > 0 and misses < scan_limit:
            if not self.taken[i]:
                n = len(self.items[i].people)
                if n <= free:
                    chosen.append(i)
                    free -= n
                else:
                    misses += 1
            i += 1
        return chosen


@dataclass(slots=True)
class _Option:
    legs: list[Leg]
    households: list[int]  # queue indices carried
    flights: dict[int, tuple[Service, int]]  # queue index -> (service, departure index)
    safe_h: float
    people: int


class _Capacity:
    """Clock-hour buckets of crossing throughput (people) and link entries (vehicles) already used."""

    def __init__(self, scenario: Scenario) -> None:
        self.processing = {p.id: p.processing_per_h for p in scenario.places if p.processing_per_h is not None}
        self.link_cap = {
            lk.id: lk.capacity_vehicles_per_h for lk in scenario.links if lk.capacity_vehicles_per_h is not None
        }
        self.people: dict[str, dict[int, int]] = {p: {} for p in self.processing}
        self.vehicles: dict[str, dict[int, int]] = {lk: {} for lk in self.link_cap}

    def earliest_departure(self, arc: Arc, t: float, load: int) -> float:
        """Earliest time at or after ``t`` a vehicle with ``load`` people may leave on ``arc``."""
        cap_p = self.processing.get(arc.tail) if load > 0 else None
        cap_v = self.link_cap.get(arc.link_id)
        if cap_p is not None and load > cap_p:
            return math.inf
        while True:
            k = math.floor(t)
            ok_p = cap_p is None or self.people[arc.tail].get(k, 0) + load <= cap_p
            ok_v = cap_v is None or self.vehicles[arc.link_id].get(k, 0) + 1 <= cap_v
            if ok_p and ok_v:
                return t
            t = float(k + 1)

    def commit(self, legs: Sequence[Leg], loads: Sequence[int]) -> None:
        for leg, load in zip(legs, loads, strict=True):
            k = math.floor(leg.depart_h)
            if load > 0 and leg.origin in self.people:
                bucket = self.people[leg.origin]
                bucket[k] = bucket.get(k, 0) + load
            if leg.link_id in self.vehicles:
                bucket = self.vehicles[leg.link_id]
                bucket[k] = bucket.get(k, 0) + 1


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
    ) -> Plan:
        pol = policy or scenario.policy
        if start_h is not None:
            pol = replace(pol, start_h=start_h)
        return _Run(scenario.with_policy(pol), callbacks or Callbacks()).run(self.name)


class _Run:
    def __init__(self, scenario: Scenario, callbacks: Callbacks) -> None:
        self.sc = scenario
        self.pol = scenario.policy
        self.cb = callbacks
        self.start = self.pol.start_h
        self.graph = RoadGraph(scenario, scenario.closure_times())
        self.cap = _Capacity(scenario)
        self.services_at: dict[str, list[Service]] = {}
        self.air_link: dict[str, str] = {}
        self.service_travel: dict[str, float] = {}
        for s in scenario.services:
            link = min(
                (lk for lk in scenario.links if lk.mode is s.mode and lk.joins(s.origin, s.destination)),
                key=lambda lk: (lk.travel_h, lk.id),
            )
            self.air_link[s.id] = link.id
            self.service_travel[s.id] = link.travel_h
            self.services_at.setdefault(s.origin, []).append(s)
        self.seats_left: dict[str, list[int]] = {s.id: [s.seats] * s.departures for s in scenario.services}
        self.first_open: dict[str, int] = {s.id: 0 for s in scenario.services}
        self.deadline = self._deadlines()

    # -- set-up -------------------------------------------------------------------------------
    def _service_ok(self, s: Service, dep: float) -> bool:
        arrive = dep + self.service_travel[s.id]
        g = self.graph
        return (
            dep <= g.closes(s.origin)
            and arrive <= g.closes(self.air_link[s.id])
            and arrive <= g.closes(s.destination)
        )

    def _deadlines(self) -> dict[str, float]:
        """Latest departure from each place that can still end safe (safe havens or a usable service)."""
        targets = {p.id: math.inf for p in self.sc.safe_havens}
        for s in self.sc.services:
            last = max((s.departure_h(k) for k in range(s.departures) if self._service_ok(s, s.departure_h(k))),
                       default=-math.inf)
            if last > -math.inf:
                t = last - self.pol.min_connection_h
                targets[s.origin] = max(targets.get(s.origin, -math.inf), t)
        return self.graph.latest_departure(targets)

    def _households(self) -> tuple[dict[str, _Queue], list[LeftBehind], int]:
        pop = self.sc.population
        pol = self.pol
        max_seats = max((f.seats for f in self.sc.fleets if f.count > 0), default=0)
        queues: dict[str, list[_Household]] = {}
        left: list[LeftBehind] = []
        for h in pop.households:
            people = pop.travellers(h.id)
            if not people:
                continue
            members = [pop.person_by_id[p] for p in people]
            hh = _Household(
                h.id, h.location, people,
                max(pol.priority_class(m).weight for m in members),
                min(pop.person_by_id[m].registration_seq for m in h.members),
            )
            reason = self._hopeless(hh, max_seats)
            if reason is not None:
                left.append(LeftBehind(h.id, people, reason))
            else:
                queues.setdefault(h.location, []).append(hh)
        total = sum(len(q) for q in queues.values()) + len(left)
        ordered = {
            o: _Queue(sorted(q, key=lambda x: (-x.weight, x.seq, x.id))) for o, q in sorted(queues.items())
        }
        return ordered, left, total

    def _hopeless(self, hh: _Household, max_seats: int) -> LeftBehindReason | None:
        if max_seats == 0:
            return LeftBehindReason.NO_CAPACITY
        if len(hh.people) > max_seats:
            return LeftBehindReason.HOUSEHOLD_TOO_LARGE
        if self.graph.closes(hh.origin) <= self.start + self.pol.boarding_h:
            return LeftBehindReason.ORIGIN_CLOSED
        if self.deadline.get(hh.origin, -math.inf) < self.start + self.pol.boarding_h:
            return LeftBehindReason.NO_OPEN_EXIT
        return None

    # -- main loop ----------------------------------------------------------------------------
    def run(self, planner_name: str) -> Plan:
        queues, left, total = self._households()
        self.cb.on_start(total)
        done = len(left)
        self.cb.on_progress(done)
        heap: list[tuple[float, int, int]] = []
        fleets = [f for f in self.sc.fleets if f.mode is Mode.ROAD]
        pos: dict[tuple[int, int], str] = {}
        for fi, f in enumerate(fleets):
            for unit in range(f.count):
                heap.append((max(f.available_from_h, self.start), fi, unit))
                pos[(fi, unit)] = f.depot
        heapq.heapify(heap)
        trips: list[Trip] = []
        service_loads: dict[tuple[str, int], list[Boarding]] = {}
        itin: dict[str, tuple[list[str], float, str]] = {}
        remaining = sum(len(q.items) for q in queues.values())

        while heap and remaining > 0:
            free_h, fi, unit = heapq.heappop(heap)
            fleet = fleets[fi]
            made = self._dispatch(fleet, unit, pos[(fi, unit)], free_h, queues, len(trips))
            if made is None:
                continue  # nothing this vehicle can still do: it stands down
            trip, option, queue = made
            for qi in option.households:
                queue.taken[qi] = True
            trips.append(trip)
            loads = _loads(trip)
            self.cap.commit(trip.legs, loads)
            for qi in option.households:
                hh = queue.items[qi]
                flight = option.flights.get(qi)
                if flight is None:
                    itin[hh.id] = ([trip.id], trip.arrive_h, trip.legs[-1].destination)
                else:
                    s, k = flight
                    self.seats_left[s.id][k] -= len(hh.people)
                    service_loads.setdefault((s.id, k), []).append(Boarding(hh.id, hh.people, 0, 0))
                    dep = s.departure_h(k)
                    itin[hh.id] = ([trip.id, _service_trip_id(s, k)], dep + self.service_travel[s.id], s.destination)
            remaining -= len(option.households)
            done += len(option.households)
            self.cb.on_progress(done)
            if trip.arrive_h < fleet.available_until_h:
                pos[(fi, unit)] = trip.legs[-1].destination
                heapq.heappush(heap, (trip.arrive_h, fi, unit))

        for q in queues.values():
            for i, hh in enumerate(q.items):
                if not q.taken[i]:
                    left.append(LeftBehind(hh.id, hh.people, LeftBehindReason.NO_CAPACITY))
        trips.extend(self._service_trips(service_loads))
        itineraries = tuple(
            Itinerary(hid, tuple(tids), safe, place) for hid, (tids, safe, place) in sorted(itin.items())
        )
        plan = Plan(
            scenario_id=self.sc.id,
            planner=planner_name,
            start_h=self.start,
            trips=tuple(trips),
            itineraries=itineraries,
            left_behind=tuple(sorted(left, key=lambda lb: lb.household_id)),
        )
        self.cb.on_progress(total)
        self.cb.on_end()
        return plan.with_kpis(compute_kpis(plan, self.sc))

    def _dispatch(
        self, fleet: Fleet, unit: int, at: str, free_h: float, queues: dict[str, _Queue], n_trips: int
    ) -> tuple[Trip, _Option, _Queue] | None:
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
            deadhead = self._schedule(self.graph.path(pred, at, origin), free_h, 0)
            if deadhead is None:
                continue
            ready = (deadhead[-1].arrive_h if deadhead else free_h) + self.pol.boarding_h
            queue = queues[origin]
            option = self._best_exit(origin, ready, queue, queue.fill(fleet.seats))
            if option is None:
                continue
            legs = tuple(deadhead + option.legs)
            if legs[-1].arrive_h > fleet.available_until_h + EPS:
                continue
            first = len(deadhead)
            boardings = tuple(
                Boarding(queue.items[qi].id, queue.items[qi].people, first, len(legs) - 1) for qi in option.households
            )
            trip = Trip(f"T{n_trips + 1:05d}", fleet.id, unit, legs, boardings)
            return trip, option, queue
        return None

    def _schedule(self, arcs: Sequence[Arc], t: float, load: int) -> list[Leg] | None:
        """Timed legs along ``arcs`` leaving at or after ``t``, waiting for capacity where needed."""
        legs: list[Leg] = []
        for arc in arcs:
            t = self.cap.earliest_departure(arc, t, load)
            if math.isinf(t) or not self.graph.arc_ok(arc, t):
                return None
            legs.append(Leg(arc.link_id, arc.tail, arc.head, t, t + arc.travel_h))
            t += arc.travel_h
        return legs

    def _best_exit(self, origin: str, ready: float, queue: _Queue, chosen: list[int]) -> _Option | None:
        if not chosen:
            return None
        load = sum(len(queue.items[i].people) for i in chosen)
        arrival, pred = self.graph.earliest_arrival(origin, ready, sinks=self.graph.safe)
        best: _Option | None = None
        for place in sorted(arrival):
            if place == origin:
                continue
            if place in self.graph.safe:
                legs = self._schedule(self.graph.path(pred, origin, place), ready, load)
                if legs is None:
                    continue
                option = _Option(legs, list(chosen), {}, legs[-1].arrive_h, load)
            elif place in self.services_at:
                option_or_none = self._by_service(place, self.graph.path(pred, origin, place), ready, queue, chosen)
                if option_or_none is None:
                    continue
                option = option_or_none
            else:
                continue
            if best is None or (-option.people, option.safe_h) < (-best.people, best.safe_h):
                best = option
        return best

    def _by_service(
        self, port: str, arcs: list[Arc], ready: float, queue: _Queue, chosen: list[int]
    ) -> _Option | None:
        load = sum(len(queue.items[i].people) for i in chosen)
        legs = self._schedule(arcs, ready, load)
        if legs is None:
            return None
        earliest = legs[-1].arrive_h + self.pol.min_connection_h
        used: dict[tuple[str, int], int] = {}
        flights: dict[int, tuple[Service, int]] = {}
        safe = -math.inf
        for qi in chosen:
            n = len(queue.items[qi].people)
            pick: tuple[float, Service, int] | None = None
            for s in self.services_at[port]:
                k = self._first_departure(s, earliest, n, used)
                if k is None:
                    continue
                arrive = s.departure_h(k) + self.service_travel[s.id]
                if pick is None or (arrive, s.id) < (pick[0], pick[1].id):
                    pick = (arrive, s, k)
            if pick is None:
                continue
            arrive, s, k = pick
            used[(s.id, k)] = used.get((s.id, k), 0) + n
            flights[qi] = (s, k)
            safe = max(safe, arrive)
        if not flights:
            return None
        carried = [qi for qi in chosen if qi in flights]
        people = sum(len(queue.items[qi].people) for qi in carried)
        if people != load:  # fewer on board: re-time the road legs for the smaller load
            legs2 = self._schedule(arcs, ready, people)
            if legs2 is None or legs2[-1].arrive_h > legs[-1].arrive_h + EPS:
                return None
            legs = legs2
        return _Option(legs, carried, flights, safe, people)

    def _first_departure(self, s: Service, earliest: float, n: int, used: dict[tuple[str, int], int]) -> int | None:
        seats = self.seats_left[s.id]
        while self.first_open[s.id] < len(seats) and seats[self.first_open[s.id]] <= 0:
            self.first_open[s.id] += 1
        k = max(s.first_index_at_or_after(earliest), self.first_open[s.id])
        while k < len(seats):
            dep = s.departure_h(k)
            if not self._service_ok(s, dep):
                if dep > self.graph.closes(s.origin):
                    return None
                k += 1
                continue
            if seats[k] - used.get((s.id, k), 0) >= n:
                return k
            k += 1
        return None

    def _service_trips(self, loads: dict[tuple[str, int], list[Boarding]]) -> list[Trip]:
        out = []
        for (sid, k), boardings in sorted(loads.items()):
            s = self.sc.service_by_id[sid]
            dep = s.departure_h(k)
            leg = Leg(self.air_link[sid], s.origin, s.destination, dep, dep + self.service_travel[sid])
            ordered = tuple(sorted(boardings, key=lambda b: b.household_id))
            out.append(Trip(_service_trip_id(s, k), sid, k, (leg,), ordered))
        return out


def _service_trip_id(s: Service, k: int) -> str:
    return f"{s.id}#{k + 1:04d}"


def _loads(trip: Trip) -> list[int]:
    loads = [0] * len(trip.legs)
    for b in trip.boardings:
        for i in range(b.first_leg, b.last_leg + 1):
            loads[i] += len(b.person_ids)
    return loads
