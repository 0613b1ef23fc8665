"""What the bounds and the exact model need to know about a scenario, computed once and checked for validity.

Everything here follows the feasibility kernel (:mod:`evac.core.model.feasibility`), the rules the
checker checks, never a planner's heuristics:

- a movement arc is one direction of a link that some fleet (with vehicles) can drive; a leg leaving its
  tail at ``d`` is allowed iff the kernel's leg rule allows it and some fleet of its mode is still
  available on arrival, i.e. iff ``d <= latest_depart_h`` (plus the kernel's tolerance);
- a scheduled departure is usable iff some link of its mode joining its ends passes the same test at its
  timetabled time and it leaves no earlier than the plan start;
- a household can only be safe when it fits, whole, in the seats of some asset (family unity), and its
  origin can still be left towards safety (:func:`latest_useful_h`);
- a crossing processes at most ``processing_per_h`` people per hour, each between their arrival and their
  departure (the checker's queue, :mod:`evac.core.check.queue`, with its slack :data:`QUEUE_SLACK_H`).

Times are hours from the scenario epoch. Nothing here imports HiGHS.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evac.core.model import Mode, PlaceKind
from evac.core.model.feasibility import in_time
from evac.core.model.tolerance import QUEUE_SLACK_H, TOLERANCE_H

if TYPE_CHECKING:
    from evac.core.model import Fleet, Scenario

TOL = TOLERANCE_H
"""The kernel's slack on time comparisons, hours; a relaxation grants it too so it stays a relaxation."""
QUEUE_TOL = QUEUE_SLACK_H
"""The kernel's slack on a crossing's queue, hours (a job may end this much after its deadline): a
relaxation grants ``rate × QUEUE_TOL`` people of processing more per window."""


@dataclass(frozen=True, slots=True)
class MoveArc:
    """One direction of a link, drivable by fleets of ``mode``. ``cap_per_h`` is the whole number of fleet
    vehicles that may enter the link (both directions together) per clock hour, or ``None``."""

    tail: str
    head: str
    link_id: str
    mode: Mode
    travel_h: float
    latest_depart_h: float
    cap_per_h: int | None


@dataclass(frozen=True, slots=True)
class Departure:
    """One usable timetabled departure of a scheduled service."""

    service_id: str
    k: int
    origin: str
    destination: str
    link_id: str
    depart_h: float
    arrive_h: float
    seats: int


@dataclass(frozen=True, slots=True)
class Traveller:
    """One household as the bounds see it: where it waits, how many travel, their summed class weight."""

    household_id: str
    origin: str
    people: tuple[str, ...]
    weight: float
    class_counts: tuple[int, ...]  # travellers per priority class (policy order)


@dataclass
class Instance:
    """The scenario reduced to what a plan can use from ``start_h`` on (see the module docstring)."""

    start_h: float
    closures: dict[str, float]
    safe: frozenset[str]
    places: tuple[str, ...]
    arcs: tuple[MoveArc, ...]
    departures: tuple[Departure, ...]
    fleets: tuple[Fleet, ...]
    weights: tuple[float, ...]
    travellers: tuple[Traveller, ...]  # households that might be saved
    hopeless: tuple[Traveller, ...]  # households no valid plan can save (proved here)
    processing: dict[str, float] = field(default_factory=dict)  # crossing: people processed per hour
    connection_h: float = 0.0
    latest: dict[str, float] = field(default_factory=dict)  # latest_useful_h per place

    @property
    def travelling_weighted(self) -> float:
        return math.fsum(t.weight for t in self.travellers) + math.fsum(t.weight for t in self.hopeless)

    @property
    def saveable_weighted(self) -> float:
        return math.fsum(t.weight for t in self.travellers)

    @property
    def saveable_people(self) -> int:
        return sum(len(t.people) for t in self.travellers)


def build_instance(scenario: Scenario, start_h: float | None = None) -> Instance:
    """Reduce ``scenario`` for planning from ``start_h`` (default: the policy's start)."""
    pol = scenario.policy
    s = pol.start_h if start_h is None else start_h
    schedule = scenario.closure_schedule()
    closures = dict(schedule.times)
    closes = schedule.closes
    safe = frozenset(p.id for p in scenario.places if p.kind is PlaceKind.SAFE_HAVEN)
    fleets = tuple(f for f in scenario.fleets if f.count > 0 and f.available_until_h > s)
    modes = {f.mode for f in fleets}
    arcs: list[MoveArc] = []
    for link in scenario.links:
        if link.mode not in modes:
            continue
        cap = None if link.capacity_vehicles_per_h is None else math.floor(link.capacity_vehicles_per_h + 1e-9)
        ends = [(link.a, link.b)] + ([(link.b, link.a)] if link.two_way else [])
        for tail, head in ends:
            fleet_end = max(f.available_until_h for f in fleets if f.mode is link.mode)
            latest = min(schedule.latest_departure(tail, link.id, head, link.travel_h),
                         fleet_end - link.travel_h)
            if latest + TOL < s or cap == 0:
                continue
            arcs.append(MoveArc(tail, head, link.id, link.mode, link.travel_h, latest, cap))
    departures: list[Departure] = []
    for sv in scenario.services:
        links = sorted((lk for lk in scenario.links if lk.mode is sv.mode and lk.joins(sv.origin, sv.destination)),
                       key=lambda lk: (lk.travel_h, lk.id))
        for k in range(sv.departures):
            dep = sv.departure_h(k)
            if dep < s - TOL or not in_time(dep, closes(sv.origin)):
                continue
            for lk in links:
                arr = dep + lk.travel_h
                if schedule.leg_open(sv.origin, lk.id, sv.destination, dep, arr):
                    departures.append(Departure(sv.id, k, sv.origin, sv.destination, lk.id, dep, arr, sv.seats))
                    break
    # a rate that changes over time is relaxed to its peak (docs/planner.md): the bound stays valid
    processing = {p.id: float(p.peak_processing_per_h) for p in scenario.places if p.peak_processing_per_h is not None}
    inst = Instance(
        start_h=s, closures=closures, safe=safe, places=tuple(p.id for p in scenario.places), arcs=tuple(arcs),
        departures=tuple(departures), fleets=fleets, weights=tuple(c.weight for c in pol.priority_classes),
        travellers=(), hopeless=(), processing=processing, connection_h=pol.min_connection_h,
    )
    inst.latest = latest_useful_h(inst)
    _split_travellers(scenario, inst)
    return inst


def latest_useful_h(inst: Instance) -> dict[str, float]:
    """Latest time a person can be at each place and still end safe (``-inf``: never; havens: ``inf``).

    Reverse label-setting (max-min Dijkstra) over movement arcs — as if a vehicle were always at hand,
    which only makes the time later, so it stays an upper bound — and over usable departures: a departure
    from ``p`` at ``d`` arriving at ``q`` by ``L(q)`` gives ``L(p) >= d`` (a person at home needs no
    connection time, so it is not subtracted). Valid: a person at ``p`` later than ``L(p)`` cannot leave on
    any allowed leg that leads on to safety.
    """
    best: dict[str, float] = {p: -math.inf for p in inst.places}
    into: dict[str, list[MoveArc]] = {}
    for a in inst.arcs:
        into.setdefault(a.head, []).append(a)
    dep_into: dict[str, list[tuple[float, float, str]]] = {}
    for d in inst.departures:
        dep_into.setdefault(d.destination, []).append((d.arrive_h, d.depart_h, d.origin))
    heap: list[tuple[float, str]] = []
    for p in inst.safe:
        best[p] = math.inf
        heap.append((-math.inf, p))
    heapq.heapify(heap)
    done: set[str] = set()
    while heap:
        neg, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        t = -neg
        for a in into.get(node, ()):
            cand = min(a.latest_depart_h, t - a.travel_h)
            if cand > best[a.tail] and a.tail not in done:
                best[a.tail] = cand
                heapq.heappush(heap, (-cand, a.tail))
        for arrive, depart, origin in dep_into.get(node, ()):
            if arrive <= t + TOL and depart > best[origin] and origin not in done:
                best[origin] = depart
                heapq.heappush(heap, (-depart, origin))
    return best


def earliest_vehicle_h(inst: Instance, fleet: Fleet) -> dict[str, float]:
    """Earliest time a vehicle of ``fleet`` can be at each place (forward Dijkstra from its depot).

    Closures only close, so arriving earlier never hurts and label-setting is exact; legs must depart by
    the arc's ``latest_depart_h`` and arrive by the fleet's ``available_until_h``.
    """
    t0 = max(inst.start_h, fleet.available_from_h)
    best = {fleet.depot: t0}
    out: dict[str, list[MoveArc]] = {}
    for a in inst.arcs:
        if a.mode is fleet.mode:
            out.setdefault(a.tail, []).append(a)
    heap = [(t0, fleet.depot)]
    while heap:
        t, node = heapq.heappop(heap)
        if t > best[node]:
            continue
        for a in out.get(node, ()):
            arr = t + a.travel_h
            ok = t <= a.latest_depart_h + TOL and arr <= fleet.available_until_h + TOL
            if ok and arr < best.get(a.head, math.inf):
                best[a.head] = arr
                heapq.heappush(heap, (arr, a.head))
    return best


def _split_travellers(scenario: Scenario, inst: Instance) -> None:
    """Sort households into those that might be saved and those no valid plan can save.

    A household is hopeless when (a) it is larger than every asset's seats (it must board whole), or
    (b) its origin cannot be left towards safety in time: no usable departure leaves from the origin, and
    no vehicle can be at the origin by ``L(origin)`` (or ``L(origin)`` is before the start).
    """
    pol = scenario.policy
    pop = scenario.population
    index = {c.name: i for i, c in enumerate(pol.priority_classes)}
    max_seats = max([f.seats for f in inst.fleets] + [d.seats for d in inst.departures], default=0)
    vehicle_at: dict[str, float] = {}
    for f in inst.fleets:
        for p, t in earliest_vehicle_h(inst, f).items():
            vehicle_at[p] = min(vehicle_at.get(p, math.inf), t)
    flight_from = {d.origin for d in inst.departures
                   if d.arrive_h <= inst.latest.get(d.destination, -math.inf) + TOL}
    ok_origin: dict[str, bool] = {}
    keep: list[Traveller] = []
    lost: list[Traveller] = []
    for h in pop.households:
        people = pop.travellers(h.id)
        if not people:
            continue
        counts = [0] * len(index)
        for pid in people:
            counts[index[pol.priority_class(pop.person_by_id[pid]).name]] += 1
        weight = math.fsum(n * w for n, w in zip(counts, inst.weights, strict=True))
        tr = Traveller(h.id, h.location, people, weight, tuple(counts))
        o = h.location
        if o not in ok_origin:
            latest = inst.latest.get(o, -math.inf)
            by_road = latest + TOL >= max(inst.start_h, vehicle_at.get(o, math.inf))
            ok_origin[o] = by_road or o in flight_from
        (keep if ok_origin[o] and len(people) <= max_seats else lost).append(tr)
    inst.travellers = tuple(keep)
    inst.hopeless = tuple(lost)
