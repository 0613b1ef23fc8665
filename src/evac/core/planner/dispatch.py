"""Machinery shared by the dispatching planners (greedy, FCFS, CCRP).

Each of them sends fleet vehicles, one busload of whole households at a time, from one origin to an exit:
across a border crossing to a safe haven, or to an airport or port where each household gets a scheduled
departure with seats. What differs between them is *which* vehicle, origin, households and exit they
choose; how a choice becomes timed legs that keep every hard constraint is the same, and lives here:

- :class:`Capacity`: each crossing's processing queue (a reservation calendar of machine time,
  :class:`~evac.core.planner.crossing.CrossingCalendar`: a vehicle leaves a crossing once its people are
  processed) and clock-hour buckets of link entries (vehicles), the way the checker counts them
  (``floor(depart_h)``; a vehicle waits for the first hour with room).
- :class:`Dispatch`: closure-aware road graph, the latest useful departure from each place, scheduled
  service seats, household queues, reserving :class:`~evac.core.planner.state.Commitments`, turning a
  choice into a :class:`~evac.core.model.Trip`, recording it, and assembling the :class:`Plan`.

Times are hours from the scenario epoch; loads are people; seats are per vehicle or per departure.
"""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Protocol

from evac.core.model import (
    Boarding,
    Fleet,
    Itinerary,
    LeftBehind,
    LeftBehindReason,
    Leg,
    Mode,
    Plan,
    Scenario,
    Trip,
)
from evac.core.model.feasibility import ProcessingProfile, in_time, ready_after
from evac.core.model.kpis import compute_kpis
from evac.core.network import Arc, RoadGraph
from evac.core.planner.crossing import CrossingCalendar, crossing_jobs
from evac.core.planner.state import Commitments

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from evac.core.planner.base import Callbacks



@dataclass(slots=True)
class Household:
    """A household waiting to be collected: its travellers, where, from when, and its ordering keys."""

    id: str
    origin: str
    people: tuple[str, ...]
    weight: float  # highest class weight among travellers: orders the greedy queue
    seq: int  # earliest registration among members: first-come-first-served
    ready_h: float = -math.inf  # waits at ``origin`` from this time (a re-plan's stranded households)


@dataclass(slots=True)
class Queue:
    """Households waiting at one origin, best first; ``taken`` marks those already moved."""

    items: list[Household]
    taken: list[bool] = field(default_factory=list)
    head: int = 0

    def __post_init__(self) -> None:
        self.taken = [False] * len(self.items)

    def first(self) -> Household | None:
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

    def ready_h(self, chosen: Sequence[int]) -> float:
        """When the last of ``chosen`` is at the origin (``-inf`` for households waiting at home)."""
        return max((self.items[i].ready_h for i in chosen), default=-math.inf)


class Timetable(Protocol):
    """Departures households book seats on: a scheduled :class:`~evac.core.model.Service`, or the sailings
    of a shuttling fleet (:class:`Shuttle`)."""

    @property
    def id(self) -> str: ...
    @property
    def origin(self) -> str: ...
    @property
    def destination(self) -> str: ...
    @property
    def seats(self) -> int: ...
    @property
    def departures(self) -> int: ...
    def departure_h(self, k: int) -> float: ...
    def first_index_at_or_after(self, t_h: float) -> int: ...


Chain = tuple[tuple[Timetable, int], ...]
"""Scheduled departures ``(service, departure index)`` a household takes one after the other (a ship to an
island, then a flight home); the last one reaches a safe haven."""

MAX_CHAIN = 3
"""Most scheduled departures in a row one household is booked on."""


@dataclass(slots=True)
class Option:
    """One way to take ``households`` (queue indices) from an origin to safety along ``legs``."""

    legs: list[Leg]
    households: list[int]
    flights: dict[int, Chain]  # queue index -> the scheduled departures it takes on from the exit, in order
    safe_h: float
    people: int


MAX_CYCLES = 10_000
"""Most round trips one shuttling vessel or aircraft is planned for (a guard; a fortnight of hourly hops)."""


class Shuttle:
    """The sailings (or flights) of a sea or air fleet that shuttles between its depot and ``shuttle_to``,
    as a timetable households book seats on: departure ``k`` leaves the depot at ``departure_h(k)`` on
    vessel ``units[k]``, which comes back on ``backs[k]`` (``None``: it stays at the far end).

    Each vessel loads at the depot (the fleet's ``boarding_h``, else the policy's), sails, unloads
    (``unloading_h``), sails back and loads again, waiting out closures (the kernel's
    :meth:`~evac.core.model.feasibility.ClosureSchedule.next_departure`), inside the fleet's window. Only
    the sailings someone books become trips (:meth:`Dispatch.shuttle_trip`): a vessel that skips a cycle
    waits at the depot, which the boarding rule allows. Quacks like a :class:`~evac.core.model.Service` for
    the booking code (``id``, ``origin``, ``destination``, ``seats``, ``departures``, ``departure_h``,
    ``first_index_at_or_after``).
    """

    def __init__(self, fleet: Fleet, out_link: str, travel_h: float,
                 rows: Sequence[tuple[float, int, Leg | None]]) -> None:
        self.fleet = fleet
        self.id = fleet.id
        self.mode = fleet.mode
        self.origin = fleet.depot
        self.destination = fleet.shuttle_to or fleet.depot
        self.seats = fleet.seats
        self.out_link = out_link
        self.travel_h = travel_h
        ordered = sorted(rows, key=lambda r: (r[0], r[1]))
        self.times = [r[0] for r in ordered]
        self.units = [r[1] for r in ordered]
        self.backs = [r[2] for r in ordered]
        self.departures = len(ordered)

    def departure_h(self, k: int) -> float:
        return self.times[k]

    def first_index_at_or_after(self, t_h: float) -> int:
        return bisect.bisect_left(self.times, t_h - 1e-9)


class Capacity:
    """Crossing processing already booked (one calendar per crossing) and link entries per clock hour.

    A vehicle carrying people may leave a crossing only once they are processed: they queue from the moment
    they reach it, at most ``processing_per_h`` people per hour across all vehicles (the checker's rule,
    kept by booking machine time, see :mod:`evac.core.planner.crossing`). :meth:`earliest_departure` probes
    and books nothing; :meth:`commit_trip` books a trip that has been chosen.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.processing = {p.id: p.processing_per_h for p in scenario.places if p.processing_per_h is not None}
        self.link_cap = {
            lk.id: lk.capacity_vehicles_per_h for lk in scenario.links if lk.capacity_vehicles_per_h is not None
        }
        self.queues = {p.id: CrossingCalendar(p.processing_per_h, ProcessingProfile.of(p))
                       for p in scenario.places if p.processing_per_h is not None}
        self.vehicles: dict[str, dict[int, int]] = {lk: {} for lk in self.link_cap}

    def processed_h(self, place: str, release_h: float, people: int) -> float:
        """When ``people`` who reach ``place`` at ``release_h`` are processed there (``release_h`` where nobody
        processes), booking nothing."""
        queue = self.queues.get(place)
        return release_h if queue is None or people <= 0 else queue.finish(release_h, people)

    def earliest_departure(self, arc: Arc, t: float, load: int, arrived_h: float | None = None) -> float:
        """Earliest time at or after ``t`` a vehicle with ``load`` people may leave on ``arc``: once they are
        processed at its tail, where they have been since ``arrived_h`` (default ``t``), and in a clock
        hour with room on the link. Books nothing."""
        if load > 0 and arc.tail in self.queues:
            t = max(t, self.queues[arc.tail].finish(t if arrived_h is None else arrived_h, load))
        cap_v = self.link_cap.get(arc.link_id)
        if cap_v is None:
            return t
        hours = self.vehicles[arc.link_id]
        while hours.get(math.floor(t), 0) + 1 > cap_v:
            t = float(math.floor(t) + 1)
        return t

    def commit_trip(self, trip: Trip, boarded_h: Callable[[Boarding], float]) -> None:
        """Book ``trip``: its link entries, and the processing of everyone it takes out of a crossing.

        People staying on board have been at a crossing since the previous leg arrived; people boarding there
        since ``boarded_h(boarding)`` (the planner knows when they got there).
        """
        self.commit_links(trip.legs)
        for place, release, _, people in crossing_jobs(trip, self.queues, boarded_h):
            self.queues[place].allocate(release, people)

    def commit_links(self, legs: Sequence[Leg]) -> None:
        """Count fleet ``legs`` against their links' clock hours."""
        for leg in legs:
            if leg.link_id in self.vehicles:
                bucket = self.vehicles[leg.link_id]
                k = math.floor(leg.depart_h)
                bucket[k] = bucket.get(k, 0) + 1

    def commit_processing(self, place: str, release_h: float, people: int) -> None:
        """Book the processing of ``people`` who reach ``place`` at ``release_h`` and leave it otherwise (on a
        scheduled departure)."""
        queue = self.queues.get(place)
        if queue is not None and people > 0:
            queue.allocate(release_h, people)


class Dispatch:
    """The state of one planning run shared by the dispatching planners (see the module docstring).

    A subclass decides; this class schedules, books, records and assembles. ``scenario`` carries the
    policy in force (its ``start_h`` is the plan start).
    """

    def __init__(self, scenario: Scenario, callbacks: Callbacks, commitments: Commitments | None = None) -> None:
        self.sc = scenario
        self.pol = scenario.policy
        self.base_pol = scenario.policy  # ``pol`` is this with the boarding time of the fleet being planned
        self.cb = callbacks
        self.start = self.pol.start_h
        self.commitments = commitments or Commitments()
        self.graph = RoadGraph(scenario)
        self.cap = Capacity(scenario)
        self.services_at: dict[str, list[Timetable]] = {}
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
        self.shuttles: dict[str, Shuttle] = {}
        for f in scenario.fleets:
            if f.shuttle_to is not None and f.count > 0:
                self._add_shuttle(f)
        self.deadline = self._deadlines()
        self._areas: dict[frozenset[str] | None, tuple[RoadGraph, dict[str, float]]] = {}
        self.trips: list[Trip] = []
        self.service_loads: dict[tuple[str, int], list[Boarding]] = {}
        self.itin: dict[str, tuple[list[str], float, str]] = {}
        self._reserve(self.commitments.trips)

    # -- set-up -------------------------------------------------------------------------------
    def _reserve(self, trips: Sequence[Trip]) -> None:
        """Count committed trips against crossing queues, link hours and departure seats.

        Their crossing processing is booked job by job in order of departure, each as early as it can be
        after its people arrived: that is the earliest-deadline-first schedule, which meets every deadline
        whenever the committed trips can be processed at all (they were planned under the same rule).
        A household boarding a committed trip at a crossing got there with its previous committed ride, or
        was there from ``commitments.start_h`` (home).
        """
        since = self.start if self.commitments.start_h is None else self.commitments.start_h
        rides: dict[str, list[tuple[float, float, str, int]]] = {}  # household -> (depart, arrive, trip, leg)
        for trip in trips:
            n = len(trip.legs)
            for b in trip.boardings:
                if 0 <= b.first_leg <= b.last_leg < n:
                    rides.setdefault(b.household_id, []).append(
                        (trip.legs[b.first_leg].depart_h, trip.legs[b.last_leg].arrive_h, trip.id, b.first_leg))
        reached: dict[tuple[str, str, int], float] = {}  # (household, trip, first leg) -> at the boarding place
        for hid, lst in rides.items():
            lst.sort()
            for k, (_, _, tid, first) in enumerate(lst):
                reached[(hid, tid, first)] = lst[k - 1][1] if k else since
        jobs: list[tuple[str, float, float, int]] = []
        for trip in trips:
            if trip.asset_id in self.sc.fleet_by_id:
                self.cap.commit_links(trip.legs)
            elif trip.asset_id in self.seats_left:
                seats = self.seats_left[trip.asset_id]
                if 0 <= trip.unit < len(seats):
                    seats[trip.unit] -= trip.people
            jobs += crossing_jobs(trip, self.cap.queues, partial(_reached_h, reached, trip.id, since))
        for place, release, _, people in sorted(jobs, key=lambda j: (j[2], j[1], j[0], j[3])):
            self.cap.queues[place].allocate(release, people)

    def timetables(self) -> list[Timetable]:
        """Scheduled services, then the sailings of shuttling fleets (:class:`Shuttle`), which book alike."""
        return [*self.sc.services, *self.shuttles.values()]

    def service_ok(self, s: Timetable, dep: float) -> bool:
        """May departure ``dep`` (hours) of ``s`` fly or sail (the kernel's leg rule on its link)?"""
        return self.graph.schedule.leg_open(s.origin, self.air_link[s.id], s.destination, dep,
                                            dep + self.service_travel[s.id])

    def _add_shuttle(self, f: Fleet) -> None:
        """Turn the sea or air fleet ``f`` into a :class:`Shuttle` timetable (see there), from the plan start.

        Vessels withdrawn, or left away from the depot by committed trips (a re-plan), are not planned."""
        sc = self.sc
        assert f.shuttle_to is not None
        to = f.shuttle_to
        out = min((lk for lk in sc.links if lk.mode is f.mode and lk.joins(f.depot, to)),
                  key=lambda lk: (lk.travel_h, lk.id))
        back = min((lk for lk in sc.links if lk.mode is f.mode and lk.joins(to, f.depot)),
                   key=lambda lk: (lk.travel_h, lk.id), default=None)
        sched = self.graph.schedule
        board = self.pol.boarding_h if f.boarding_h is None else f.boarding_h
        rows: list[tuple[float, int, Leg | None]] = []
        for unit in range(f.count):
            if (f.id, unit) in self.commitments.withdrawn:
                continue
            ready = max(self.start, f.available_from_h)
            state = self.commitments.vehicles.get((f.id, unit))
            if state is not None:
                if state.at != f.depot:
                    continue
                ready = max(ready, state.free_h)
            for _ in range(MAX_CYCLES):
                d = sched.next_departure(f.depot, out.id, to, out.travel_h, ready + board)
                if not in_time(d + out.travel_h, f.available_until_h):
                    break
                leg_back: Leg | None = None
                if back is not None:
                    b = sched.next_departure(to, back.id, f.depot, back.travel_h, d + out.travel_h + f.unload_h)
                    if in_time(b + back.travel_h, f.available_until_h):
                        leg_back = Leg(back.id, to, f.depot, b, b + back.travel_h)
                rows.append((d, unit, leg_back))
                if leg_back is None:
                    break
                ready = leg_back.arrive_h
        shuttle = Shuttle(f, out.id, out.travel_h, rows)
        if not shuttle.departures:
            return
        self.shuttles[f.id] = shuttle
        self.air_link[f.id] = out.id
        self.service_travel[f.id] = out.travel_h
        self.services_at.setdefault(f.depot, []).append(shuttle)
        self.seats_left[f.id] = [f.seats] * shuttle.departures
        self.first_open[f.id] = 0

    def shuttle_trip(self, shuttle: Shuttle, k: int, boardings: tuple[Boarding, ...]) -> Trip:
        """Sailing ``k`` of ``shuttle`` as the trip of its vessel: out with ``boardings``, and back empty."""
        d = shuttle.departure_h(k)
        legs = [Leg(shuttle.out_link, shuttle.origin, shuttle.destination, d, d + shuttle.travel_h)]
        back = shuttle.backs[k]
        if back is not None:
            legs.append(back)
        return Trip(service_trip_id(shuttle, k), shuttle.id, shuttle.units[k], tuple(legs), boardings)

    def use_fleet(self, fleet: Fleet) -> None:
        """Plan the next trip for a vehicle of ``fleet``: :meth:`use_area` of its service area and
        :meth:`use_boarding` of its boarding time."""
        self.use_area(self.sc.service_area(fleet))
        self.use_boarding(fleet)

    def use_boarding(self, fleet: Fleet) -> None:
        """Make ``pol.boarding_h`` the boarding time of ``fleet`` (its own ``boarding_h``, else the policy's),
        so every planner loads a ferry as long as a ferry takes (a rule the checker keeps when the fleet
        gives it)."""
        want = self.base_pol.boarding_h if fleet.boarding_h is None else fleet.boarding_h
        if self.pol.boarding_h != want:
            self.pol = replace(self.base_pol, boarding_h=want)

    @staticmethod
    def free_after(fleet: Fleet, trip: Trip) -> float:
        """When a vehicle of ``fleet`` may move again after ``trip``: its arrival, plus the fleet's unloading
        time when people got off at the end (:func:`evac.core.model.feasibility.ready_after`)."""
        alighted = any(b.last_leg == len(trip.legs) - 1 for b in trip.boardings)
        return ready_after(trip.arrive_h, alighted=alighted, boards=False, fleet=fleet)

    def use_area(self, area: frozenset[str] | None) -> None:
        """Make ``graph`` and ``deadline`` those of a fleet restricted to the places ``area`` (``None``: all).

        A fleet with a service area (``Fleet.serves``, the kernel's rule in
        :func:`evac.core.model.feasibility.serves`) may drive only the roads between the places it serves, so
        every search a planner makes for its vehicle — where it can reach, which exit, the latest useful
        departure from an origin — runs on that restricted graph. The graph of the first call (``self.graph``
        as the planner set it up) is the unrestricted one; restricted copies are made once per area and
        keep its class (a cached graph stays cached).
        """
        if not self._areas:
            self._areas[None] = (self.graph, self.deadline)
        hit = self._areas.get(area)
        if hit is None:
            graph = self._areas[None][0].restricted_to(area) if area is not None else self._areas[None][0]
            hit = self._areas[area] = (graph, self._deadlines(graph))
        self.graph, self.deadline = hit

    def _deadlines(self, graph: RoadGraph | None = None) -> dict[str, float]:
        """Latest departure from each place that can still end safe (safe havens, or scheduled departures that
        reach one, directly or by connecting services — :meth:`_service_chain` books such chains), driving
        ``graph`` (default: the planner's)."""
        graph = self.graph if graph is None else graph
        conn = self.pol.min_connection_h
        safe = self.graph.safe
        by_air: dict[str, float] = {}  # latest arrival at a port that still catches a chain to safety
        for _ in range(MAX_CHAIN):
            changed = False
            for s in self.timetables():
                if s.destination not in safe and s.destination in self.cap.queues:
                    continue  # no connection through a place that processes people (see _service_chain)
                reach = math.inf if s.destination in safe else by_air.get(s.destination, -math.inf)
                last = max((s.departure_h(k) for k in range(s.departures)
                            if self.service_ok(s, s.departure_h(k))
                            and in_time(s.departure_h(k) + self.service_travel[s.id], reach)),
                           default=-math.inf)
                if last - conn > by_air.get(s.origin, -math.inf):
                    by_air[s.origin] = last - conn
                    changed = True
            if not changed:
                break
        targets = {p.id: math.inf for p in self.sc.safe_havens}
        for port, t in by_air.items():
            targets[port] = max(targets.get(port, -math.inf), t)
        return graph.latest_departure(targets)

    def households(
        self, order: Callable[[Household], tuple[float | int | str, ...]]
    ) -> tuple[dict[str, Queue], list[LeftBehind], int]:
        """Queues of households to plan per origin (sorted by ``order``), the hopeless ones, and the total.

        Settled households are skipped; waiting ones are queued where they wait, from when they are there.
        """
        pop = self.sc.population
        pol = self.pol
        settled = self.commitments.settled
        waiting = self.commitments.waiting
        max_seats = max((f.seats for f in self.sc.fleets if f.count > 0), default=0)
        queues: dict[str, list[Household]] = {}
        left: list[LeftBehind] = []
        facts = pop.household_facts(pol)  # computed once per population and priority classes
        for h in pop.households:
            if h.id in settled:
                continue
            fact = facts.get(h.id)
            if fact is None:  # nobody in it travels
                continue
            people = pop.travellers(h.id)
            hh = Household(h.id, h.location, people, fact[0], fact[1])
            w = waiting.get(h.id)
            if w is not None:
                hh.origin, hh.ready_h = w.at, w.ready_h
            reason = self._hopeless(hh, max_seats)
            if reason is not None:
                left.append(LeftBehind(h.id, people, reason))
            else:
                queues.setdefault(hh.origin, []).append(hh)
        total = sum(len(q) for q in queues.values()) + len(left)
        ordered = {o: Queue(sorted(q, key=order)) for o, q in sorted(queues.items())}
        return ordered, left, total

    def _hopeless(self, hh: Household, max_seats: int) -> LeftBehindReason | None:
        if max_seats == 0:
            return LeftBehindReason.NO_CAPACITY
        if len(hh.people) > max_seats:
            return LeftBehindReason.HOUSEHOLD_TOO_LARGE
        earliest = max(self.start, hh.ready_h) + self.pol.boarding_h
        if not in_time(earliest, self.graph.closes(hh.origin)):
            return LeftBehindReason.ORIGIN_CLOSED
        if self.deadline.get(hh.origin, -math.inf) < earliest:
            return LeftBehindReason.NO_OPEN_EXIT
        return None

    def road_fleets(self) -> list[Fleet]:
        return [f for f in self.sc.fleets if f.mode is Mode.ROAD]

    def vehicles(self, fleets: Sequence[Fleet]) -> list[tuple[float, int, int, str]]:
        """``(free_h, fleet index, unit, place)`` of every usable vehicle, in fleet and unit order."""
        out: list[tuple[float, int, int, str]] = []
        state = self.commitments.vehicles
        withdrawn = self.commitments.withdrawn
        for fi, f in enumerate(fleets):
            for unit in range(f.count):
                if (f.id, unit) in withdrawn:
                    continue
                v = state.get((f.id, unit))
                if v is None:
                    out.append((max(f.available_from_h, self.start), fi, unit, f.depot))
                else:
                    out.append((max(f.available_from_h, self.start, v.free_h), fi, unit, v.at))
        return out

    # -- scheduling ---------------------------------------------------------------------------
    def release_h(self, queue: Queue, chosen: Sequence[int]) -> float:
        """Since when the households ``chosen`` from ``queue`` are all at their origin (at home: the plan start):
        where the origin is a crossing, their processing may start then."""
        return max(self.start, queue.ready_h(chosen))

    def schedule(self, arcs: Sequence[Arc], t: float, load: int, release_h: float | None = None) -> list[Leg] | None:
        """Timed legs along ``arcs`` leaving at or after ``t``, waiting for capacity where needed.

        At a crossing the vehicle waits until its ``load`` people are processed (a probe: nothing is booked);
        they have been at the first arc's tail since ``release_h`` (default ``t``), at later tails since the
        vehicle arrived.
        """
        legs: list[Leg] = []
        arrived = t if release_h is None else release_h
        for arc in arcs:
            t = self.depart_h(arc, t, load, arrived)
            if math.isinf(t):
                return None
            legs.append(Leg(arc.link_id, arc.tail, arc.head, t, t + arc.travel_h))
            t += arc.travel_h
            arrived = t
        return legs

    def depart_h(self, arc: Arc, t: float, load: int, arrived_h: float | None = None) -> float:
        """Earliest departure on ``arc`` at or after ``t`` with ``load`` people (there since ``arrived_h``):
        processed at a crossing, in a link hour with room, and allowed by the leg rule (waiting out temporary
        closures); ``inf`` when there is none. Books nothing."""
        while True:
            t = self.cap.earliest_departure(arc, t, load, arrived_h)
            if math.isinf(t):
                return t
            d = self.graph.next_departure(arc, t)
            if d == t or math.isinf(d):
                return d
            t = d  # a reopening later: the link hour there may be full, so ask capacity again

    def exit_options(
        self, origin: str, ready: float, queue: Queue, chosen: list[int]
    ) -> Iterator[tuple[str, float, Option]]:
        """Every feasible way to take ``chosen`` from ``origin`` (loading done at ``ready``) to an exit.

        Yields ``(exit place, free-flow road arrival there, option)`` in place-id order: a safe haven
        reached by road, or an airport or port with scheduled departures.
        """
        if not chosen:
            return
        load = sum(len(queue.items[i].people) for i in chosen)
        release = self.release_h(queue, chosen)
        arrival, pred = self.graph.earliest_arrival(origin, ready, sinks=self.graph.safe)
        for place in sorted(arrival):
            if place == origin:
                continue
            if place in self.graph.safe:
                legs = self.schedule(self.graph.path(pred, origin, place), ready, load, release)
                if legs is None:
                    continue
                yield place, arrival[place], Option(legs, list(chosen), {}, legs[-1].arrive_h, load)
            elif place in self.services_at:
                option = self.by_service(place, self.graph.path(pred, origin, place), ready, queue, chosen)
                if option is not None:
                    yield place, arrival[place], option

    def by_service(
        self, port: str, arcs: Sequence[Arc], ready: float, queue: Queue, chosen: list[int]
    ) -> Option | None:
        """Drive ``chosen`` to ``port`` and book each household the earliest departure with seats.

        Where the port processes people (``processing_per_h``), nobody's departure leaves before the whole
        busload is processed from its arrival (booked in :meth:`record`).
        """
        load = sum(len(queue.items[i].people) for i in chosen)
        release = self.release_h(queue, chosen)
        legs = self.schedule(arcs, ready, load, release)
        if legs is None:
            return None
        landed = legs[-1].arrive_h
        earliest = max(landed + self.pol.min_connection_h, self.cap.processed_h(port, landed, load))
        used: dict[tuple[str, int], int] = {}
        flights: dict[int, Chain] = {}
        safe = -math.inf
        for qi in chosen:
            n = len(queue.items[qi].people)
            pick = self._service_chain(port, earliest, n, used)
            if pick is None:
                continue
            arrive, chain = pick
            for s, k in chain:
                used[(s.id, k)] = used.get((s.id, k), 0) + n
            flights[qi] = chain
            safe = max(safe, arrive)
        if not flights:
            return None
        carried = [qi for qi in chosen if qi in flights]
        people = sum(len(queue.items[qi].people) for qi in carried)
        if people != load:  # fewer on board: re-time the road legs for the smaller load
            legs2 = self.schedule(arcs, ready, people, release)
            if legs2 is None or not in_time(legs2[-1].arrive_h, legs[-1].arrive_h):
                return None
            legs = legs2
        return Option(legs, carried, flights, safe, people)

    def _service_chain(self, port: str, earliest: float, n: int,
                       used: dict[tuple[str, int], int]) -> tuple[float, Chain] | None:
        """The scheduled departures that bring ``n`` people at ``port`` from ``earliest`` (hours) to a safe
        haven soonest: one departure, or several in a row with the policy's connection time between them
        (at most :data:`MAX_CHAIN`); ``(arrival at safety, chain)`` or ``None``.

        Earliest arrival over places (departures leave in timetable order, so arriving sooner never
        hurts). A connection through a place that processes people (a crossing, a port with a queue) is not
        planned: that processing would have to be booked between two services."""
        safe = self.graph.safe
        conn = self.pol.min_connection_h
        best: tuple[float, tuple[str, ...], Chain] | None = None
        heap: list[tuple[float, str, int, Chain]] = [(earliest, port, 0, ())]
        done: set[str] = set()
        tie = 0
        while heap:
            t, place, _, chain = heapq.heappop(heap)
            if place in done or len(chain) >= MAX_CHAIN or (best is not None and t >= best[0]):
                continue
            done.add(place)
            for s in self.services_at.get(place, ()):
                k = self._first_departure(s, t, n, used)
                if k is None:
                    continue
                arrive = s.departure_h(k) + self.service_travel[s.id]
                longer = (*chain, (s, k))
                if s.destination in safe:
                    key = (arrive, tuple(x.id for x, _ in longer))
                    if best is None or key < best[:2]:
                        best = (*key, longer)
                elif s.destination in self.services_at and s.destination not in self.cap.queues:
                    tie += 1
                    heapq.heappush(heap, (arrive + conn, s.destination, tie, longer))
        return None if best is None else (best[0], best[2])

    def _first_departure(self, s: Timetable, earliest: float, n: int,
                         used: dict[tuple[str, int], int]) -> int | None:
        seats = self.seats_left[s.id]
        while self.first_open[s.id] < len(seats) and seats[self.first_open[s.id]] <= 0:
            self.first_open[s.id] += 1
        k = max(s.first_index_at_or_after(earliest), self.first_open[s.id])
        while k < len(seats):
            dep = s.departure_h(k)
            if not self.service_ok(s, dep):
                if not in_time(dep, self.graph.closes(s.origin)):
                    return None
                k += 1
                continue
            if seats[k] - used.get((s.id, k), 0) >= n:
                return k
            k += 1
        return None

    # -- recording ----------------------------------------------------------------------------
    def make_trip(self, fleet: Fleet, unit: int, deadhead: Sequence[Leg], option: Option, queue: Queue) -> Trip:
        """The trip of one vehicle: ``deadhead`` legs empty, then ``option``'s legs with its households."""
        legs = (*deadhead, *option.legs)
        first = len(deadhead)
        boardings = tuple(
            Boarding(queue.items[qi].id, queue.items[qi].people, first, len(legs) - 1) for qi in option.households
        )
        return Trip(f"T{len(self.trips) + 1:05d}", fleet.id, unit, legs, boardings)

    def record(self, trip: Trip, option: Option, queue: Queue) -> None:
        """Commit ``trip``: mark its households taken, use capacity and seats, write itineraries."""
        for qi in option.households:
            queue.taken[qi] = True
        self.trips.append(trip)
        release = self.release_h(queue, option.households)
        self.cap.commit_trip(trip, lambda _: release)
        if option.flights:  # people leaving by a scheduled departure from a port that processes them
            self.cap.commit_processing(trip.legs[-1].destination, trip.arrive_h,
                                       sum(len(queue.items[qi].people) for qi in option.flights))
        for qi in option.households:
            hh = queue.items[qi]
            chain = option.flights.get(qi)
            if chain is None:
                self.itin[hh.id] = ([trip.id], trip.arrive_h, trip.legs[-1].destination)
            else:
                for s, k in chain:
                    self.seats_left[s.id][k] -= len(hh.people)
                    self.service_loads.setdefault((s.id, k), []).append(Boarding(hh.id, hh.people, 0, 0))
                s, k = chain[-1]
                self.itin[hh.id] = ([trip.id, *(service_trip_id(x, j) for x, j in chain)],
                                    s.departure_h(k) + self.service_travel[s.id], s.destination)

    def run_vehicles(self, planner_name: str, order: Callable[[Household], tuple[float | int | str, ...]]) -> Plan:
        """The event loop every dispatch planner shares: the vehicle that is free soonest asks
        :meth:`dispatch_vehicle` for its next trip, until nobody is waiting or every vehicle stands down.

        ``order`` sorts each origin's queue. O(trips × cost of one dispatch).
        """
        queues, left, total = self.households(order)
        self.cb.on_start(total)
        done = len(left)
        self.cb.on_progress(done)
        fleets = self.road_fleets()
        heap: list[tuple[float, int, int]] = []
        pos: dict[tuple[int, int], str] = {}
        for free_h, fi, unit, at in self.vehicles(fleets):
            heap.append((free_h, fi, unit))
            pos[(fi, unit)] = at
        heapq.heapify(heap)
        remaining = sum(len(q.items) for q in queues.values())
        while heap and remaining > 0:
            free_h, fi, unit = heapq.heappop(heap)
            fleet = fleets[fi]
            self.use_fleet(fleet)
            made = self.dispatch_vehicle(fleet, unit, pos[(fi, unit)], free_h, queues)
            if made is None:
                continue  # nothing this vehicle can still do: it stands down
            trip, option, queue = made
            self.record(trip, option, queue)
            remaining -= len(option.households)
            done += len(option.households)
            self.cb.on_progress(done)
            free = self.free_after(fleet, trip)
            if free < fleet.available_until_h:
                pos[(fi, unit)] = trip.legs[-1].destination
                heapq.heappush(heap, (free, fi, unit))
        return self.finish(planner_name, queues, left, total)

    def dispatch_vehicle(
        self, fleet: Fleet, unit: int, at: str, free_h: float, queues: dict[str, Queue]
    ) -> tuple[Trip, Option, Queue] | None:
        """The next trip of vehicle ``unit`` of ``fleet``, free at place ``at`` from ``free_h`` (hours); ``None``
        when it can do nothing more. Each planner decides here; :meth:`run_vehicles` does the rest."""
        raise NotImplementedError

    def fill_and_route(
        self, origin: str, queue: Queue, seats: int, arrive_h: float,
        route: Callable[[str, float, Queue, list[int]], Option | None],
    ) -> Option | None:
        """Fill a vehicle that reaches ``origin`` at ``arrive_h`` from its ``queue`` and route it:
        ``route(origin, ready_h, queue, chosen)`` gives the option for a load ready to leave at ``ready_h``.

        A full vehicle can always cross (it waits at the crossing while its people are processed), so the
        busload is the seats.
        """
        chosen = queue.fill(seats)
        if not chosen:
            return None
        present = max(arrive_h, queue.ready_h(chosen))
        return route(origin, present + self.pol.boarding_h, queue, chosen)

    def finish(self, planner_name: str, queues: dict[str, Queue], left: list[LeftBehind], total: int) -> Plan:
        """Everyone not moved is left behind for lack of capacity; assemble the plan with its KPIs."""
        if self._areas:  # back to the unrestricted view (callers may keep using this run's graph)
            self.use_area(None)
        self.pol = self.base_pol
        for q in queues.values():
            for i, hh in enumerate(q.items):
                if not q.taken[i]:
                    left.append(LeftBehind(hh.id, hh.people, LeftBehindReason.NO_CAPACITY))
        trips = [*self.trips, *self._service_trips()]
        itineraries = tuple(
            Itinerary(hid, tuple(tids), safe, place) for hid, (tids, safe, place) in sorted(self.itin.items())
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

    def _service_trips(self) -> list[Trip]:
        out = []
        for (sid, k), boardings in sorted(self.service_loads.items()):
            shuttle = self.shuttles.get(sid)
            if shuttle is not None:
                out.append(self.shuttle_trip(shuttle, k, tuple(sorted(boardings, key=lambda b: b.household_id))))
                continue
            s = self.sc.service_by_id[sid]
            dep = s.departure_h(k)
            leg = Leg(self.air_link[sid], s.origin, s.destination, dep, dep + self.service_travel[sid])
            ordered = tuple(sorted(boardings, key=lambda b: b.household_id))
            out.append(Trip(service_trip_id(s, k), sid, k, (leg,), ordered))
        return out


def _reached_h(reached: dict[tuple[str, str, int], float], trip_id: str, since: float, b: Boarding) -> float:
    return reached.get((b.household_id, trip_id, b.first_leg), since)


def service_trip_id(s: Timetable, k: int) -> str:
    """Id of departure ``k`` of service ``s`` as a trip: the same in every plan, so re-plans can merge."""
    return f"{s.id}#{k + 1:04d}"


def trip_loads(trip: Trip) -> list[int]:
    """People on board each leg of ``trip``."""
    loads = [0] * len(trip.legs)
    for b in trip.boardings:
        for i in range(b.first_leg, b.last_leg + 1):
            loads[i] += len(b.person_ids)
    return loads
