"""Reduce a scenario to the abstract bus evacuation problem and read its routes back.

When everyone can be saved, the second objective (clearance) is a makespan, and the fleet's routing is
what decides it: which vehicle fetches which busload in which order, and where it unloads. That is the
bus evacuation problem of :mod:`evac.core.planner.busopt`, whose iterated local search minimises the
makespan. The reduction, in hours from the plan start:

- **pickups** are the origins with households waiting; their demand is counted in *busloads as the
  dispatcher will fill them* (whole households first-fit, :func:`busloads`), so a pickup has exactly as
  many loads as trips it needs: ``demand = (loads - 1) * seats + last load``;
- **shelters** are the safe havens reachable by road (capacity: the haven's, else unbounded) and, when
  asked, airports and ports with scheduled departures (capacity: their seats still on offer);
- **depots** are the places where vehicles are when the plan starts, each bus released at its free time;
- **times** are free-flow road times on the closure-aware graph at the start (boarding added to every
  loaded leg); a pickup's **deadline** is its latest useful departure minus boarding.

It leaves out crossing throughput, link capacity, flight timetables and households' ready times. The
routes are therefore only a guide: :class:`~evac.core.planner.opt.guided.GuidedRun` re-times every trip
through the dispatch machinery, which keeps every hard constraint, and falls back to its rule where a
route no longer fits. It applies only when every road fleet has the same seats (the problem has one ``Q``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from evac.core.planner.busopt import BusProblem, BusSolution
    from evac.core.planner.dispatch import Queue
    from evac.core.planner.opt.guided import GuidedRun
    from evac.core.planner.state import VehicleKey

__all__ = ["Reduction", "busloads", "reduce_to_bus_problem"]


@dataclass(frozen=True)
class Reduction:
    """A bus problem and the scenario ids behind its indices (pickups, shelters, buses)."""

    problem: BusProblem
    pickups: tuple[str, ...]
    shelters: tuple[str, ...]
    buses: tuple[VehicleKey, ...]

    def routes(self, solution: BusSolution) -> dict[VehicleKey, list[tuple[str, str]]]:
        """Each vehicle's (origin, exit) trips in driving order."""
        return {self.buses[r.bus]: [(self.pickups[t.pickup], self.shelters[t.shelter]) for t in r.trips]
                for r in solution.routes if r.trips}


def busloads(sizes: Sequence[int], seats: int, scan_limit: int = 500) -> list[int]:
    """People in each busload when ``sizes`` (households in queue order) are taken first-fit, as
    :meth:`Queue.fill` does: each load starts at the first household left and takes every later one that
    still fits, giving up after ``scan_limit`` misses. Households larger than ``seats`` are skipped."""
    n = len(sizes)
    taken = [s > seats for s in sizes]
    head = 0
    loads: list[int] = []
    while True:
        while head < n and taken[head]:
            head += 1
        if head >= n:
            return loads
        free, misses, i = seats, 0, head
        while i < n and free > 0 and misses < scan_limit:
            if not taken[i]:
                if sizes[i] <= free:
                    taken[i] = True
                    free -= sizes[i]
                else:
                    misses += 1
            i += 1
        loads.append(seats - free)


def reduce_to_bus_problem(
    run: GuidedRun, queues: Mapping[str, Queue], *, with_services: bool = True
) -> Reduction | None:
    """The bus problem of ``run``'s state (module docstring); ``None`` when it does not apply (mixed seats,
    no vehicle, nobody to move, or a problem the bus model cannot state)."""
    from evac.core.planner.busopt import BusProblem, BusProblemError  # OR-Tools: imported only when used

    fleets = run.road_fleets()
    seat_set = {f.seats for f in fleets if f.count > 0}
    if len(seat_set) != 1:
        return None
    seats = seat_set.pop()
    g, start, boarding = run.graph, run.start, run.pol.boarding_h
    vehicles = run.vehicles(fleets)
    if not vehicles:
        return None
    # pickups
    pickups: list[str] = []
    demand: list[int] = []
    for origin in sorted(queues):
        loads = busloads([len(h.people) for h in queues[origin].items], seats)
        if loads:
            pickups.append(origin)
            demand.append((len(loads) - 1) * seats + loads[-1])
    if not pickups:
        return None
    # shelters
    shelters = sorted(g.safe)
    capacity = [run.sc.place_by_id[p].capacity for p in shelters]
    total = sum(demand)
    caps = [total if c is None else c for c in capacity]
    if with_services:
        for port in sorted(run.services_at):
            seats_on_offer = sum(
                left for s in run.services_at[port] for k, left in enumerate(run.seats_left[s.id])
                if s.departure_h(k) >= start and run.service_ok(s, s.departure_h(k)))
            if seats_on_offer > 0:
                shelters.append(port)
                caps.append(seats_on_offer)
    # times
    ps = np.full((len(pickups), len(shelters)), np.inf)
    for i, o in enumerate(pickups):
        for j, p in enumerate(shelters):
            ps[i, j] = g.offset_h(o, p, start, sinks=g.safe) + boarding
    sp = np.full((len(shelters), len(pickups)), np.inf)
    for j, p in enumerate(shelters):
        for i, o in enumerate(pickups):
            sp[j, i] = g.offset_h(p, o, start)
    depots = sorted({at for _, _, _, at in vehicles})
    index = {d: k for k, d in enumerate(depots)}
    ordered = sorted(vehicles, key=lambda v: (index[v[3]], v[1], v[2]))
    dp = np.full((len(depots), len(pickups)), np.inf)
    for k, d in enumerate(depots):
        for i, o in enumerate(pickups):
            dp[k, i] = g.offset_h(d, o, start)
    # keep pickups a bus can reach and leave for a shelter; the rest are left to the dispatch rule
    keep = [i for i in range(len(pickups))
            if np.isfinite(ps[i]).any() and (np.isfinite(dp[:, i]).any() or np.isfinite(sp[:, i]).any())]
    if not keep:
        return None
    deadline = tuple(run.deadline.get(pickups[i], -math.inf) - boarding - start for i in keep)
    try:
        problem = BusProblem(
            seats=seats,
            depot_buses=tuple(sum(1 for v in vehicles if v[3] == d) for d in depots),
            demand=tuple(demand[i] for i in keep),
            capacity=tuple(caps),
            depot_to_pickup=dp[:, keep],
            pickup_to_shelter=ps[keep],
            shelter_to_pickup=sp[:, keep],
            release=tuple(max(0.0, v[0] - start) for v in ordered),
            deadline=deadline,
            name=run.sc.id,
        )
    except BusProblemError:
        return None
    return Reduction(problem, tuple(pickups[i] for i in keep), tuple(shelters),
                     tuple((fleets[v[1]].id, v[2]) for v in ordered))
