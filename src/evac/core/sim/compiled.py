"""A plan and its scenario turned into flat lists and arrays, once, so that each simulated run is a lean walk.

A Monte Carlo run must not touch ``Person`` objects or rebuild dictionaries: :class:`SimContext` indexes the
scenario (places and links as integer *elements*, the closure threats, the households that must be safe and
the undecided households that may decide to leave), and :class:`CompiledPlan` indexes one plan (legs, trips,
vehicles, each household's rides). Both are built once per start and shipped once per worker. Times are
hours from the scenario epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from evac.core.model import Effect, Eligibility, PlaceKind, Willingness
from evac.core.model.feasibility import ProcessingProfile, ready_after
from evac.core.model.kpis import population_facts

if TYPE_CHECKING:
    from evac.core.model import Plan, Scenario
    from evac.core.model.threats import Fixed, LogNormal, Triangular, Uniform

    Distribution = Fixed | Uniform | Triangular | LogNormal

__all__ = ["CompiledPlan", "SimContext", "compile_plan"]


@dataclass(frozen=True, eq=False)
class SimContext:
    """What every run of one scenario shares, whatever the plan.

    Households are numbered globally: ``0 .. n_target-1`` are the households with at least one traveller
    (eligible and wanting to leave at the start: the people the plan is for), then ``n_target ..`` the
    households with no traveller but an eligible undecided member (*potential late deciders*).
    ``hh_class`` holds, per household, the people in each priority class (columns in policy order).
    """

    scenario_id: str
    elements: tuple[str, ...]
    element_index: dict[str, int]
    is_crossing: tuple[bool, ...]  # per element: a place of kind border_crossing
    threat_elem: tuple[int, ...]  # closure threats only
    threat_when: tuple[Distribution, ...]
    threat_names: tuple[str, ...]
    class_names: tuple[str, ...]
    hh_ids: tuple[str, ...]
    hh_index: dict[str, int]
    hh_people: npt.NDArray[np.int64]  # per household
    hh_class: npt.NDArray[np.int64]  # (n_households, n_classes)
    hh_origin: tuple[int, ...]  # element of the household's location
    n_target: int
    min_connection_h: float
    threat_until: tuple[Distribution | None, ...] = ()  # per closure threat: when it ends (None: never)

    @property
    def n_households(self) -> int:
        return len(self.hh_ids)

    @classmethod
    def of(cls, scenario: Scenario) -> SimContext:
        """Index ``scenario`` in O(people + places + links + threats)."""
        elements = tuple(p.id for p in scenario.places) + tuple(lk.id for lk in scenario.links)
        index = {e: i for i, e in enumerate(elements)}
        crossing = tuple(p.kind is PlaceKind.BORDER_CROSSING for p in scenario.places) + (False,) * len(
            scenario.links)
        closes = [t for t in scenario.threats if t.effect is Effect.CLOSE]
        facts = population_facts(scenario)
        n_classes = len(facts.class_names)
        pop = scenario.population
        class_index = {c.name: i for i, c in enumerate(scenario.policy.priority_classes)}
        target: list[tuple[str, list[int], int]] = []
        undecided: list[tuple[str, list[int], int]] = []
        for h in pop.households:
            counts = [0] * n_classes
            n = 0
            for m in h.members:
                k = facts.traveller_class.get(m)
                if k is not None:
                    counts[k] += 1
                    n += 1
            if n:
                target.append((h.id, counts, index[h.location]))
                continue
            for m in h.members:
                p = pop.person_by_id[m]
                if p.eligibility is not Eligibility.INELIGIBLE and p.willingness is Willingness.UNDECIDED:
                    counts[class_index[scenario.policy.priority_class(p).name]] += 1
                    n += 1
            if n:
                undecided.append((h.id, counts, index[h.location]))
        rows = target + undecided
        hh_class = np.array([r[1] for r in rows], dtype=np.int64).reshape(len(rows), n_classes)
        return cls(
            scenario_id=scenario.id, elements=elements, element_index=index, is_crossing=crossing,
            threat_elem=tuple(index[t.target] for t in closes), threat_when=tuple(t.when for t in closes),
            threat_until=tuple(t.until for t in closes),
            threat_names=tuple(t.name for t in closes), class_names=facts.class_names,
            hh_ids=tuple(r[0] for r in rows), hh_index={r[0]: i for i, r in enumerate(rows)},
            hh_people=hh_class.sum(axis=1), hh_class=hh_class, hh_origin=tuple(r[2] for r in rows),
            n_target=len(target), min_connection_h=scenario.policy.min_connection_h,
        )


@dataclass(frozen=True, eq=False)
class CompiledPlan:
    """One plan as flat lists (Python lists: the run loop indexes them one at a time, faster than numpy).

    Legs of all trips are numbered globally in trip order; ``trip_first_leg[t]`` and ``trip_n_legs[t]``
    locate a trip's legs. Fleet trips belong to a vehicle (``vehicle_trips``, in time order); service trips
    have ``trip_service >= 0`` and ``trip_departure`` (the departure index). ``leg_min_dwell`` is the part of
    the planned wait before a leg that cannot be squeezed out by a late arrival: loading at a pick-up, and at
    a crossing the processing of the people who stay on board (``people / processing_per_h`` hours, the
    checker's queue rule for one vehicle; see :mod:`evac.core.sim.engine` for what is not modelled).
    Each planned household (global index ``plan_hh``) rides ``ride_*[hh_ride_start[i]:hh_ride_start[i+1]]``
    in order.
    """

    start_h: float
    leg_origin: list[int]
    leg_dest: list[int]
    leg_link: list[int]
    leg_depart: list[float]
    leg_arrive: list[float]
    leg_min_dwell: list[float]
    leg_crossing: list[bool]
    trip_ids: tuple[str, ...]
    trip_first_leg: list[int]
    trip_n_legs: list[int]
    trip_service: list[int]
    trip_departure: list[int]
    trip_seats: list[int]
    trip_safe_end: list[bool]  # the trip's last leg ends at a safe haven
    vehicle_keys: tuple[tuple[str, int], ...]
    vehicle_trips: tuple[tuple[int, ...], ...]
    service_ids: tuple[str, ...]
    service_seats: list[int]
    service_first_h: list[float]
    service_cadence_h: list[float]
    service_departures: list[int]
    service_travel_h: list[float]
    service_elems: list[tuple[int, int, int]]  # origin, link, destination
    plan_hh: list[int]
    hh_ride_start: list[int]
    ride_trip: list[int]
    ride_first_leg: list[int]  # global leg index
    ride_last_leg: list[int]  # global leg index
    ride_people: list[int]
    leg_load: npt.NDArray[np.int64]  # planned people on board each leg
    pickups_at: dict[int, list[int]]  # element -> global legs of fleet trips ending safe that leave it
    planned_safe_h: list[float]

    @property
    def n_legs(self) -> int:
        return len(self.leg_depart)


def _service_travel(scenario: Scenario) -> dict[str, tuple[float, str]]:
    out: dict[str, tuple[float, str]] = {}
    for s in scenario.services:
        link = min((lk for lk in scenario.links if lk.mode is s.mode and lk.joins(s.origin, s.destination)),
                   key=lambda lk: (lk.travel_h, lk.id))
        out[s.id] = (link.travel_h, link.id)
    return out


def compile_plan(plan: Plan, scenario: Scenario, ctx: SimContext) -> CompiledPlan:
    """Index ``plan`` (made for ``scenario``; ``ctx`` from the same population) in O(legs + boardings).

    Households the plan boards but ``ctx`` does not know (not travellers) are ignored, like the KPIs do.
    """
    idx = ctx.element_index
    fleets, services = scenario.fleet_by_id, scenario.service_by_id
    safe = {p.id for p in scenario.places if p.kind is PlaceKind.SAFE_HAVEN}
    boarding_h = scenario.policy.boarding_h
    rate = {p.id: p.processing_per_h for p in scenario.places if p.processing_per_h is not None}
    profile = {p.id: pr for p in scenario.places if (pr := ProcessingProfile.of(p)) is not None}
    lo: list[int] = []
    ld: list[int] = []
    ll: list[int] = []
    dep: list[float] = []
    arr: list[float] = []
    dwell: list[float] = []
    cross: list[bool] = []
    t_first: list[int] = []
    t_n: list[int] = []
    t_srv: list[int] = []
    t_k: list[int] = []
    t_seats: list[int] = []
    t_safe: list[bool] = []
    service_ids = tuple(s.id for s in scenario.services)
    service_pos = {s: i for i, s in enumerate(service_ids)}
    by_vehicle: dict[tuple[str, int], list[int]] = {}
    rides: dict[int, list[tuple[float, int, int, int, int]]] = {}
    loads: list[int] = []
    for ti, trip in enumerate(plan.trips):
        first = len(dep)
        pick = {b.first_leg for b in trip.boardings}
        drop = {b.last_leg for b in trip.boardings}
        fleet = fleets.get(trip.asset_id)
        staying = [0] * len(trip.legs)  # people on board since the previous leg
        for b in trip.boardings:
            g = ctx.hh_index.get(b.household_id)
            if g is not None and 0 <= b.first_leg <= b.last_leg < len(trip.legs):
                for li in range(b.first_leg + 1, b.last_leg + 1):
                    staying[li] += int(ctx.hh_people[g])
        prev_arrive: float | None = None
        for li, leg in enumerate(trip.legs):
            lo.append(idx[leg.origin])
            ld.append(idx[leg.destination])
            ll.append(idx[leg.link_id])
            dep.append(leg.depart_h)
            arr.append(leg.arrive_h)
            gap = leg.depart_h - prev_arrive if prev_arrive is not None else math.inf
            need = boarding_h if li in pick else 0.0
            if fleet is not None:  # the fleet's own boarding and unloading times (feasibility.ready_after)
                need = ready_after(0.0, alighted=li - 1 in drop, boards=li in pick, fleet=fleet,
                                   default_boarding_h=boarding_h)
            r = rate.get(leg.origin)
            pr = profile.get(leg.origin)
            if pr is not None and staying[li] and prev_arrive is not None:
                # the rate varies: the processing time of the people on board from the planned arrival
                need = max(need, pr.finish(prev_arrive, staying[li]) - prev_arrive)
            elif r is not None and r > 0 and staying[li]:
                need = max(need, staying[li] / r)
            dwell.append(min(gap, need))
            cross.append(ctx.is_crossing[idx[leg.origin]])
            prev_arrive = leg.arrive_h
        trip_load = [0] * (len(trip.legs) + 1)
        for b in trip.boardings:
            g = ctx.hh_index.get(b.household_id)
            if g is None or not 0 <= b.first_leg <= b.last_leg < len(trip.legs):
                continue
            n = int(ctx.hh_people[g])
            trip_load[b.first_leg] += n
            trip_load[b.last_leg + 1] -= n
            rides.setdefault(g, []).append((trip.legs[b.first_leg].depart_h, ti, first + b.first_leg,
                                            first + b.last_leg, n))
        running = 0
        for li in range(len(trip.legs)):
            running += trip_load[li]
            loads.append(running)
        t_first.append(first)
        t_n.append(len(trip.legs))
        is_fleet = trip.asset_id in fleets
        if is_fleet:
            t_srv.append(-1)
            t_k.append(-1)
            t_seats.append(fleets[trip.asset_id].seats)
            by_vehicle.setdefault((trip.asset_id, trip.unit), []).append(ti)
        else:
            s = services[trip.asset_id]
            t_srv.append(service_pos[s.id])
            t_k.append(trip.unit)
            t_seats.append(s.seats)
        t_safe.append(bool(trip.legs) and trip.legs[-1].destination in safe)
    vehicle_keys = tuple(sorted(by_vehicle))
    vehicle_trips = tuple(tuple(sorted(by_vehicle[v], key=lambda t: (dep[t_first[t]], t))) for v in vehicle_keys)
    pickups: dict[int, list[int]] = {}
    for ti in range(len(t_first)):
        if t_srv[ti] >= 0 or not t_safe[ti]:
            continue
        for g in range(t_first[ti], t_first[ti] + t_n[ti]):
            pickups.setdefault(lo[g], []).append(g)
    for legs in pickups.values():
        legs.sort(key=lambda g: (dep[g], g))
    travel = _service_travel(scenario)
    safe_at = {it.household_id: it.safe_at_h for it in plan.itineraries}
    plan_hh = sorted(rides)
    start: list[int] = [0]
    r_trip: list[int] = []
    r_first: list[int] = []
    r_last: list[int] = []
    r_people: list[int] = []
    planned_safe: list[float] = []
    for g in plan_hh:
        for _, ti, a, z, n in sorted(rides[g]):
            r_trip.append(ti)
            r_first.append(a)
            r_last.append(z)
            r_people.append(n)
        start.append(len(r_trip))
        planned_safe.append(safe_at.get(ctx.hh_ids[g], math.inf))
    return CompiledPlan(
        start_h=plan.start_h, leg_origin=lo, leg_dest=ld, leg_link=ll, leg_depart=dep, leg_arrive=arr,
        leg_min_dwell=dwell, leg_crossing=cross, trip_ids=tuple(t.id for t in plan.trips), trip_first_leg=t_first,
        trip_n_legs=t_n, trip_service=t_srv, trip_departure=t_k, trip_seats=t_seats, trip_safe_end=t_safe,
        vehicle_keys=vehicle_keys, vehicle_trips=vehicle_trips, service_ids=service_ids,
        service_seats=[s.seats for s in scenario.services],
        service_first_h=[s.first_departure_h for s in scenario.services],
        service_cadence_h=[s.cadence_h for s in scenario.services],
        service_departures=[s.departures for s in scenario.services],
        service_travel_h=[travel[s.id][0] for s in scenario.services],
        service_elems=[(idx[s.origin], idx[travel[s.id][1]], idx[s.destination]) for s in scenario.services],
        plan_hh=plan_hh, hh_ride_start=start, ride_trip=r_trip, ride_first_leg=r_first, ride_last_leg=r_last,
        ride_people=r_people, leg_load=np.array(loads, dtype=np.int64), pickups_at=pickups,
        planned_safe_h=planned_safe,
    )
