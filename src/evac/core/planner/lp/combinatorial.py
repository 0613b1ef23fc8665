"""Cheap combinatorial bounds, valid for every plan the checker accepts (proofs in docs/planner.md).

- **Who can be saved at all**: households too large for every asset, or whose origin cannot be left
  towards safety in time, are lost in every plan (:mod:`evac.core.planner.lp.instance`).
- **Haven-entry throughput**: every safe person's last leg enters a safe haven. People leaving a crossing
  by ``d`` were processed there between the earliest time anyone can reach it and ``d``, at most its rate
  per hour; scheduled departures carry at most their seats; fleet legs
  from other places at most ``seats`` per traversal, and one vehicle traverses such arcs at most once per
  shortest such arc's travel time. Summed up to time ``T`` this caps the people safe by ``T``.
- **Earliest arrival**: nobody from an origin is safe before the earliest time a vehicle can be there
  (or a departure leaves it) plus the fastest time-dependent route to a haven.
- **Seat hours**: every saveable person rides fleet vehicles at least the road time from their origin to
  the nearest haven or place with a scheduled departure; a vehicle's legs follow each other in time, so the
  fleets offer at most ``seats × vehicles × hours`` of riding by the clearance.

All times are hours from the epoch; clearance values are hours after the start.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

from evac.core.model import Bound
from evac.core.planner.lp.instance import QUEUE_TOL, TOL, build_instance, earliest_vehicle_h

if TYPE_CHECKING:
    from evac.core.model import Scenario
    from evac.core.planner.lp.instance import Instance, MoveArc

__all__ = ["bound_from_instance", "combinatorial_bound", "earliest_safe_h", "entry_capacity"]


def combinatorial_bound(scenario: Scenario, *, start_h: float | None = None) -> Bound:
    """Combinatorial upper bound on weighted people safe and lower bound on clearance (hours after start).

    Runs in O((places + links + departures) log) per origin; no LP. ``clearance_h_min`` is ``None`` when
    the bound proves that not every traveller can be saved.
    """
    return bound_from_instance(build_instance(scenario, start_h))


def bound_from_instance(inst: Instance) -> Bound:
    """:func:`combinatorial_bound` on an already reduced instance."""
    people = inst.saveable_people
    if people == 0:
        return Bound("combinatorial", 0.0, 0.0 if not inst.hopeless else None)
    weighted = inst.saveable_weighted
    total_cap = entry_capacity(inst, math.inf)
    if total_cap < people:
        n = max(0, math.floor(total_cap + 1e-9))
        weighted = min(weighted, _top_weights(inst, n))
    if weighted < inst.saveable_weighted * (1 - 1e-9) or inst.hopeless:
        return Bound("combinatorial", weighted, None)
    # clearance: the last of everyone is safe no earlier than any origin's earliest arrival, nor before the
    # haven entries can have carried everyone
    earliest = earliest_safe_h(inst)
    c1 = max((earliest.get(t.origin, math.inf) for t in inst.travellers), default=inst.start_h) - inst.start_h
    first_at = earliest_person_h(inst)
    lo, hi = 0.0, 1.0
    while entry_capacity(inst, inst.start_h + hi, first_at) < people and hi < 1e7:
        lo, hi = hi, hi * 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if entry_capacity(inst, inst.start_h + mid, first_at) >= people:
            hi = mid
        else:
            lo = mid
    return Bound("combinatorial", weighted, max(c1, lo, seat_hours_clearance(inst), 0.0))


def seat_hours_clearance(inst: Instance) -> float:
    """Hours after the start before which the fleets cannot have given every saveable person their ride.

    A person from origin ``o`` rides fleet legs for at least ``D(o)``, the shortest road (fleet arc) time from
    ``o`` to a safe haven or a place with a usable scheduled departure (closures ignored: they only
    lengthen it). Every leg carries at most its vehicle's seats and lasts at least its travel time less the
    checker's slack, and a vehicle's legs follow each other after its start (docs/planner.md §3, *Fleet
    hours*), so by ``s + T`` fleet ``f`` offers at most ``seats_f × count_f × (min(s + T, until_f) − start_f)``
    seat-hours. The least ``T`` that covers ``Σ n_o D(o)`` (less the slack) bounds the clearance.
    """
    exits = set(inst.safe) | {d.origin for d in inst.departures}
    into: dict[str, list[MoveArc]] = {}
    for a in inst.arcs:
        into.setdefault(a.head, []).append(a)
    dist = dict.fromkeys(exits, 0.0)
    heap = [(0.0, p) for p in sorted(exits)]
    while heap:  # reverse Dijkstra from every exit
        t, node = heapq.heappop(heap)
        if t > dist[node]:
            continue
        for a in into.get(node, ()):
            if t + a.travel_h < dist.get(a.tail, math.inf):
                dist[a.tail] = t + a.travel_h
                heapq.heappush(heap, (t + a.travel_h, a.tail))
    people_at: dict[str, int] = {}
    for tr in inst.travellers:
        people_at[tr.origin] = people_at.get(tr.origin, 0) + len(tr.people)
    if any(math.isinf(dist.get(o, math.inf)) for o in people_at):
        return 0.0  # someone saveable has no fleet road to an exit: not this bound's case
    slack = sum(people_at.values()) * len(inst.places) * 2 * TOL
    need = math.fsum(n * dist[o] for o, n in people_at.items()) - slack
    if need <= 0:
        return 0.0
    s = inst.start_h
    starts = [(f.seats * f.count, max(s, f.available_from_h) - TOL, f.available_until_h + TOL) for f in inst.fleets]

    def offered(T: float) -> float:
        return math.fsum(k * max(0.0, min(s + T + TOL, end) - begin) for k, begin, end in starts)

    if offered(1e7) < need:
        return 0.0  # not everyone can ride in time: the weighted bound's business, not the clearance's
    lo, hi = 0.0, 1.0
    while offered(hi) < need:
        lo, hi = hi, hi * 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if offered(mid) >= need:
            hi = mid
        else:
            lo = mid
    return lo


def _top_weights(inst: Instance, n: int) -> float:
    """The largest total weight ``n`` saveable people can have (heaviest classes first)."""
    by_class = [0] * len(inst.weights)
    for t in inst.travellers:
        for k, c in enumerate(t.class_counts):
            by_class[k] += c
    total = 0.0
    for k in sorted(range(len(inst.weights)), key=lambda k: -inst.weights[k]):
        take = min(n, by_class[k])
        total += take * inst.weights[k]
        n -= take
        if n == 0:
            break
    return total


def entry_capacity(inst: Instance, until_h: float, first_at: dict[str, float] | None = None) -> float:
    """Most people that can arrive at safe havens by ``until_h`` (absolute hours), any valid plan.

    The sum of three caps on the last legs of safe people: legs leaving a crossing (rate × the hours from
    the earliest anyone can be there to the last such leg's departure: everyone on them is processed in
    between), legs of scheduled departures into havens (seats), and fleet legs into
    havens from uncapped places (vehicles × seats × traversals). ``first_at`` (from :func:`earliest_person_h`)
    is the earliest time anyone can be at each place: no leg with people leaves a place before it.
    """
    s = inst.start_h
    first_at = earliest_person_h(inst) if first_at is None else first_at
    total = 0.0
    entries = [a for a in inst.arcs if a.head in inst.safe]
    by_tail: dict[str, list[MoveArc]] = {}
    for a in entries:
        by_tail.setdefault(a.tail, []).append(a)
    uncapped: list[MoveArc] = []
    for p, arcs in by_tail.items():
        rate = inst.processing.get(p)
        if rate is None:
            uncapped.extend(arcs)
            continue
        last_dep = max(min(a.latest_depart_h, until_h - a.travel_h) for a in arcs)
        if math.isinf(last_dep):
            return math.inf
        begin = max(s, first_at.get(p, math.inf))
        if last_dep + TOL >= begin:
            total += rate * (last_dep + TOL + QUEUE_TOL - begin)
    for d in inst.departures:
        if d.destination in inst.safe and d.arrive_h <= until_h + TOL and d.depart_h + TOL >= first_at.get(
                d.origin, math.inf):
            total += d.seats
    for f in inst.fleets:
        arcs = [a for a in uncapped if a.mode is f.mode]
        if not arcs:
            continue
        reach = earliest_vehicle_h(inst, f)
        first = min((max(reach[a.tail], first_at.get(a.tail, math.inf)) + a.travel_h for a in arcs
                     if a.tail in reach), default=math.inf)
        end = min(until_h, f.available_until_h, max(a.latest_depart_h + a.travel_h for a in arcs))
        if first > end + TOL:
            continue
        if math.isinf(end):
            return math.inf
        shortest = min(a.travel_h for a in arcs)
        traversals = 1 + math.floor((end - first + TOL) / shortest)
        total += f.count * f.seats * traversals
    return total


def earliest_safe_h(inst: Instance) -> dict[str, float]:
    """For each origin with travellers, the earliest time any of them can reach a safe haven.

    A time-dependent Dijkstra from the origin: movement arcs may be taken at any time a person is at their
    tail (as if a vehicle were always there) except at the origin itself, where a vehicle must first arrive;
    departures may be taken when they leave at or after the arrival (connection times ignored). Dropping
    these requirements only makes arrivals earlier, so the result bounds every plan from below.
    """
    return {o: min((t for p, t in _reach_from(inst, [o]).items() if p in inst.safe and p != o), default=math.inf)
            for o in sorted({t.origin for t in inst.travellers})}


def earliest_person_h(inst: Instance) -> dict[str, float]:
    """Earliest time any traveller can be at each place (the same relaxed Dijkstra, from every origin)."""
    return _reach_from(inst, sorted({t.origin for t in inst.travellers}))


def _reach_from(inst: Instance, origins: list[str]) -> dict[str, float]:
    vehicle_at: dict[str, float] = {}
    for f in inst.fleets:
        for p, t in earliest_vehicle_h(inst, f).items():
            vehicle_at[p] = min(vehicle_at.get(p, math.inf), t)
    out_arcs: dict[str, list[MoveArc]] = {}
    for a in inst.arcs:
        out_arcs.setdefault(a.tail, []).append(a)
    out_deps: dict[str, list[tuple[float, float, str]]] = {}
    for d in inst.departures:
        out_deps.setdefault(d.origin, []).append((d.depart_h, d.arrive_h, d.destination))
    home = set(origins)
    best = {o: inst.start_h for o in origins}
    heap = [(inst.start_h, o, True) for o in origins]
    heapq.heapify(heap)
    while heap:
        t, node, at_home = heapq.heappop(heap)
        if t > best[node] and not at_home:
            continue
        if node in inst.safe and not at_home:
            continue  # people get off at a haven; its arcs would only lead on
        ready = max(t, vehicle_at.get(node, math.inf)) if at_home else t
        for a in out_arcs.get(node, ()):
            if ready <= a.latest_depart_h + TOL:
                arr = ready + a.travel_h
                if arr < best.get(a.head, math.inf):
                    best[a.head] = arr
                    heapq.heappush(heap, (arr, a.head, False))
        for dep, arr, dest in out_deps.get(node, ()):
            if dep + TOL >= t and arr < best.get(dest, math.inf):
                best[dest] = arr
                heapq.heappush(heap, (arr, dest, False))
    del home
    return best
