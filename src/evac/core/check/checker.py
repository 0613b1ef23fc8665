"""The independent plan checker: decides whether a plan keeps every hard constraint of its scenario.

It shares the model with the planners but none of their code, so a planner bug cannot hide behind the
same bug in its own validation. Every violation found is reported (not only the first), each with the
rule it breaks, the trip, household, place or link it concerns, and a message with the numbers, e.g.
``trip T0042 leg 2 (damascus--masnaa): 57 people on board, 50 seats [seats]``. Leg numbers are the
0-based indices that boardings use.

Times are hours from the scenario epoch; comparisons of times allow :data:`TOLERANCE_H`. Closures are
taken at the scenario policy's quantile, computed here from the threats (not by the feasibility kernel the
planners use); a place or link without a closure threat never closes; a closure that ends (``until``) is a
closed spell from its start at the quantile *q* to its end at *1 − q*, during which no leg may leave or
reach the place or be on the link; a closure reported during the
operation (``Threat.reported_h``) does not judge legs that departed before it was known.

Crossing throughput is a queue: everyone who leaves a crossing must have been processed there, at most
``processing_per_h`` people per hour across all vehicles (or the rate in force, when
``processing_changes`` make it vary), between their arrival and their departure (checked by earliest
deadline first, :mod:`evac.core.check.queue`).

Complexity: one pass over trips, legs and boardings, one over households, and sorts of each vehicle's
trips, each household's boardings and each crossing's jobs: O(n log n) in the size of the plan plus
O(people).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from enum import StrEnum
from itertools import pairwise
from typing import TYPE_CHECKING

from evac.core.check.queue import Job, late_windows, late_windows_varying
from evac.core.model.kpi import KPIs
from evac.core.model.kpis import HouseholdRides, kpis_from, leg_loads, population_facts
from evac.core.model.network import PlaceKind
from evac.core.model.threats import Effect
from evac.core.model.tolerance import TOLERANCE_H

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.model.assets import Fleet, Service
    from evac.core.model.kpis import PopulationFacts, Ride
    from evac.core.model.network import Mode
    from evac.core.model.people import Household
    from evac.core.model.plan import Boarding, Itinerary, LeftBehind, Leg, Plan, Trip
    from evac.core.model.scenario import Scenario

__all__ = ["KPI_ABS_TOLERANCE", "KPI_REL_TOLERANCE", "TOLERANCE_H", "CheckReport", "Rule", "Violation",
           "check_plan"]

KPI_REL_TOLERANCE = 1e-6
KPI_ABS_TOLERANCE = 1e-6
"""A declared float KPI matches its recomputed value within this relative or absolute difference."""
_SHOWN = 5  # ids listed in one message before "and N more"


class Rule(StrEnum):
    """The hard constraints a plan must keep. The value appears in brackets at the end of each message."""

    REFERENCE = "reference"  # ids resolve; units, leg indices in range; links join legs in the asset's mode
    LEG_TIME = "leg_time"  # no leg faster than its link; finite times; fleets not before the plan start
    CONTINUITY = "continuity"  # inside a trip, each leg starts where and after the previous one ended
    AVAILABILITY = "availability"  # fleet trips run inside the fleet's availability window
    SERVICE_AREA = "service_area"  # a fleet restricted to places or regions (``serves``) stays inside them
    VEHICLE_OVERLAP = "vehicle_overlap"  # a vehicle's trips start at its depot and follow in time and place
    BOARDING_TIME = "boarding_time"  # a fleet's boarding_h / unloading_h pass before the vehicle moves on
    SERVICE_SCHEDULE = "service_schedule"  # a service trip is one timetabled departure, used once
    SEATS = "seats"  # people on board each leg fit the seats
    CLOSURE = "closure"  # no leg uses a place or link after it closes
    CROSSING_THROUGHPUT = "crossing_throughput"  # each crossing's queue processes people before they leave
    LINK_CAPACITY = "link_capacity"  # fleet vehicles entering a link per clock hour <= its capacity
    SHELTER_CAPACITY = "shelter_capacity"  # people brought to a safe haven in all <= its capacity
    FAMILY_UNITY = "family_unity"  # every boarding carries all of its household's travellers
    ELIGIBILITY = "eligibility"  # nobody who does not travel (ineligible or unwilling) boards
    ITINERARY = "itinerary"  # each household's boardings chain from home to a safe haven, as declared
    ACCOUNTING = "accounting"  # each travelling household is either in an itinerary or left behind, once
    KPI_MISMATCH = "kpi_mismatch"  # KPIs declared by the plan equal the recomputed ones


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken constraint. ``subject`` is the id of the trip, household, place, link or KPI field."""

    rule: Rule
    subject: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class CheckReport:
    """The verdict on a plan: every violation found, and the plan's KPIs recomputed from scratch."""

    violations: tuple[Violation, ...]
    kpis: KPIs

    @property
    def ok(self) -> bool:
        """True when the plan keeps every hard constraint."""
        return not self.violations

    def of(self, rule: Rule) -> tuple[Violation, ...]:
        """The violations of one rule, in the order found."""
        return tuple(v for v in self.violations if v.rule is rule)

    def count_by_rule(self) -> dict[Rule, int]:
        """How many violations each rule has (rules without violations are omitted)."""
        out: dict[Rule, int] = {}
        for v in self.violations:
            out[v.rule] = out.get(v.rule, 0) + 1
        return out


def check_plan(plan: Plan, scenario: Scenario) -> CheckReport:
    """Check ``plan`` against every hard constraint of ``scenario`` and recompute its KPIs.

    Parameters
    ----------
    plan
        Any plan; nothing in it is trusted, and a malformed plan yields violations, never an exception.
    scenario
        The scenario the plan is for.

    Returns
    -------
    CheckReport
        ``ok`` when no rule is broken. ``kpis`` are :func:`evac.core.model.kpis.compute_kpis` of the
        plan; when the plan declares KPIs, every field that differs is a :attr:`Rule.KPI_MISMATCH`.
    """
    facts = population_facts(scenario)
    rides = HouseholdRides(plan, scenario)
    checker = _Checker(plan, scenario, facts, rides)
    checker.check_trips()
    checker.check_vehicles()
    checker.check_crossings()
    checker.check_hourly_limits()
    checker.check_shelters()
    checker.check_households()
    kpis = kpis_from(plan, scenario, facts, rides)
    if plan.kpis is not None:
        checker.check_kpis(plan.kpis, kpis)
    return CheckReport(tuple(checker.violations), kpis)


def _h(x: float) -> str:
    """A time or duration for a message: hours to the microhour, without trailing zeros."""
    if not math.isfinite(x):
        return f"{x} h"
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text} h"


def _closures(scenario: Scenario) -> dict[str, list[tuple[float, float]]]:
    """Per place or link id, ``(known from, closes at)`` of each closing threat at the policy's quantile
    (known from ``-inf`` unless the closure was reported during the operation)."""
    q = scenario.policy.closure_quantile
    out: dict[str, list[tuple[float, float]]] = {}
    for t in scenario.threats:
        if t.effect is Effect.CLOSE and t.until is None:
            known = -math.inf if t.reported_h is None else t.reported_h
            out.setdefault(t.target, []).append((known, t.when.quantile(q)))
    return out


def _closed_spells(scenario: Scenario) -> dict[str, list[tuple[float, float]]]:
    """Per place or link id, the spells ``(from, reopens at)`` of closures that end: from the policy's
    quantile *q* of the start to the *1 − q* quantile of the end (the pessimistic spell); empty spells dropped."""
    q = scenario.policy.closure_quantile
    out: dict[str, list[tuple[float, float]]] = {}
    for t in scenario.threats:
        if t.effect is Effect.CLOSE and t.until is not None:
            start, end = t.when.quantile(q), t.until.quantile(1 - q)
            if end > start:
                out.setdefault(t.target, []).append((start, end))
    return out


def _closes(closure: dict[str, list[tuple[float, float]]], key: str, depart_h: float) -> float | None:
    """When ``key`` closes for a leg that departed at ``depart_h`` (a closure reported after the leg left
    does not count: the leg is history); ``None``: never."""
    times = closure.get(key)
    if times is None:
        return None
    c = min((at for known, at in times if known <= depart_h + TOLERANCE_H), default=math.inf)
    return None if math.isinf(c) else c


def _changes(changes: Sequence[tuple[float, float]]) -> str:
    return ", ".join(f"{r:g} from {_h(t)}" for t, r in changes)


def _ids(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_SHOWN])
    return shown if len(ids) <= _SHOWN else f"{shown} and {len(ids) - _SHOWN} more"


def _leg(trip: Trip, i: int) -> str:
    leg = trip.legs[i]
    return f"trip {trip.id} leg {i} ({leg.origin}--{leg.destination})"


class _Bucket:
    """Vehicles counted entering one link in one clock hour, and the trips that brought them."""

    __slots__ = ("amount", "trip_ids")

    def __init__(self) -> None:
        self.amount = 0
        self.trip_ids: list[str] = []

    def add(self, amount: int, trip_id: str) -> None:
        self.amount += amount
        if not self.trip_ids or self.trip_ids[-1] != trip_id:
            self.trip_ids.append(trip_id)


class _Checker:
    """One check of one plan; the passes append to ``violations`` in a fixed order (deterministic)."""

    def __init__(self, plan: Plan, scenario: Scenario, facts: PopulationFacts, rides: HouseholdRides) -> None:
        self.plan = plan
        self.scenario = scenario
        self.facts = facts
        self.rides = rides
        self.closure = _closures(scenario)
        self.spells = _closed_spells(scenario)
        self.processing = {p.id: p.processing_per_h for p in scenario.places
                           if p.processing_per_h is not None}
        self.safe_havens = frozenset(p.id for p in scenario.places if p.kind is PlaceKind.SAFE_HAVEN)
        self.region = {p.id: p.region for p in scenario.places}
        self.violations: list[Violation] = []
        self.by_vehicle: dict[tuple[str, int], list[Trip]] = {}
        self.departure_used: dict[tuple[str, int], str] = {}
        self.crossing_jobs: dict[str, dict[tuple[float, float, str], int]] = {}  # place -> job -> people
        self.link_entries: dict[tuple[str, int], _Bucket] = {}

    def add(self, rule: Rule, subject: str, text: str) -> None:
        self.violations.append(Violation(rule, subject, f"{text} [{rule}]"))

    # -- trips ------------------------------------------------------------------------------------
    def check_trips(self) -> None:
        """REFERENCE, LEG_TIME, CONTINUITY, AVAILABILITY, SERVICE_SCHEDULE, SEATS, CLOSURE, FAMILY_UNITY,
        ELIGIBILITY per trip; collects vehicles, crossing jobs and hourly link counts for the later passes."""
        fleets = self.scenario.fleet_by_id
        services = self.scenario.service_by_id
        seen: set[str] = set()
        for trip in self.plan.trips:
            if trip.id in seen:
                self.add(Rule.REFERENCE, trip.id, f"trip {trip.id}: another trip has the same id")
            seen.add(trip.id)
            if not trip.legs:
                self.add(Rule.REFERENCE, trip.id, f"trip {trip.id}: has no legs")
                continue
            fleet = fleets.get(trip.asset_id)
            service = None if fleet is not None else services.get(trip.asset_id)
            mode: Mode | None = None
            seats: int | None = None
            if fleet is not None:
                mode, seats = fleet.mode, fleet.seats
            elif service is not None:
                mode, seats = service.mode, service.seats
            else:
                self.add(Rule.REFERENCE, trip.id,
                         f"trip {trip.id}: asset {trip.asset_id!r} is neither a fleet nor a service")
            self._legs(trip, mode, fleet is not None)
            if fleet is not None:
                self._fleet_trip(trip, fleet)
            elif service is not None:
                self._service_trip(trip, service)
            self._boardings(trip)
            self._loads(trip, seats)

    def _legs(self, trip: Trip, mode: Mode | None, by_fleet: bool) -> None:
        links = self.scenario.link_by_id
        places = self.scenario.place_by_id
        closure = self.closure
        prev: Leg | None = None
        for i, leg in enumerate(trip.legs):
            link = links.get(leg.link_id)
            if link is None:
                self.add(Rule.REFERENCE, trip.id, f"{_leg(trip, i)}: unknown link {leg.link_id!r}")
                for end in (leg.origin, leg.destination):
                    if end not in places:
                        self.add(Rule.REFERENCE, trip.id, f"{_leg(trip, i)}: unknown place {end!r}")
            else:
                if not link.joins(leg.origin, leg.destination):
                    way = "" if link.two_way else " one way"
                    self.add(Rule.REFERENCE, trip.id,
                             f"{_leg(trip, i)}: link {link.id} joins {link.a} and {link.b}{way}, "
                             f"not {leg.origin} to {leg.destination}")
                if mode is not None and link.mode is not mode:
                    self.add(Rule.REFERENCE, trip.id,
                             f"{_leg(trip, i)}: link {link.id} is {link.mode}, "
                             f"the trip's asset goes by {mode}")
            d, a = leg.depart_h, leg.arrive_h
            finite = math.isfinite(d) and math.isfinite(a)
            if not finite:
                self.add(Rule.LEG_TIME, trip.id, f"{_leg(trip, i)}: departs {_h(d)} and arrives {_h(a)}; "
                         "times must be finite")
            else:
                need = link.travel_h if link is not None else 0.0
                if a - d < need - TOLERANCE_H:
                    self.add(Rule.LEG_TIME, trip.id, f"{_leg(trip, i)}: takes {_h(a - d)} (departs {_h(d)}, "
                             f"arrives {_h(a)}), faster than the {_h(need)} of link {leg.link_id}")
            if prev is not None:
                if leg.origin != prev.destination:
                    self.add(Rule.CONTINUITY, trip.id,
                             f"{_leg(trip, i)}: starts at {leg.origin}, "
                             f"but leg {i - 1} ended at {prev.destination}")
                if d < prev.arrive_h - TOLERANCE_H:
                    self.add(Rule.CONTINUITY, trip.id,
                             f"{_leg(trip, i)}: departs {_h(d)}, "
                             f"before leg {i - 1} arrives at {_h(prev.arrive_h)}")
            c = _closes(closure, leg.link_id, d)
            if c is not None and a > c + TOLERANCE_H:
                self.add(Rule.CLOSURE, trip.id,
                         f"{_leg(trip, i)}: arrives {_h(a)}, after link {leg.link_id} closes at {_h(c)}")
            c = _closes(closure, leg.origin, d)
            if c is not None and d > c + TOLERANCE_H:
                self.add(Rule.CLOSURE, trip.id,
                         f"{_leg(trip, i)}: departs {_h(d)}, after {leg.origin} closes at {_h(c)}")
            c = _closes(closure, leg.destination, d)
            if c is not None and a > c + TOLERANCE_H:
                self.add(Rule.CLOSURE, trip.id,
                         f"{_leg(trip, i)}: arrives {_h(a)}, after {leg.destination} closes at {_h(c)}")
            if self.spells:
                self._spells(trip, i, leg)
            if by_fleet and finite and link is not None and link.capacity_vehicles_per_h is not None:
                key = (link.id, math.floor(d))
                bucket = self.link_entries.get(key)
                if bucket is None:
                    bucket = self.link_entries[key] = _Bucket()
                bucket.add(1, trip.id)
            prev = leg

    def _spells(self, trip: Trip, i: int, leg: Leg) -> None:
        """CLOSURE by closures that end: no leg leaves or reaches a place, or is on a link, strictly inside
        one of its closed spells (each end with the tolerance: leaving as it closes, or as it reopens, is
        fine)."""
        d, a = leg.depart_h, leg.arrive_h
        for start, end in self.spells.get(leg.origin, ()):
            if start + TOLERANCE_H < d < end - TOLERANCE_H:
                self.add(Rule.CLOSURE, trip.id, f"{_leg(trip, i)}: departs {_h(d)}, while {leg.origin} is "
                         f"closed from {_h(start)} until it reopens at {_h(end)}")
        for start, end in self.spells.get(leg.link_id, ()):
            if a > start + TOLERANCE_H and d < end - TOLERANCE_H:
                self.add(Rule.CLOSURE, trip.id, f"{_leg(trip, i)}: on link {leg.link_id} from {_h(d)} to {_h(a)}, "
                         f"while it is closed from {_h(start)} until it reopens at {_h(end)}")
        for start, end in self.spells.get(leg.destination, ()):
            if start + TOLERANCE_H < a < end - TOLERANCE_H:
                self.add(Rule.CLOSURE, trip.id, f"{_leg(trip, i)}: arrives {_h(a)}, while {leg.destination} is "
                         f"closed from {_h(start)} until it reopens at {_h(end)}")

    def _fleet_trip(self, trip: Trip, fleet: Fleet) -> None:
        d, a = trip.depart_h, trip.arrive_h
        if not 0 <= trip.unit < fleet.count:
            self.add(Rule.REFERENCE, trip.id,
                     f"trip {trip.id}: vehicle {trip.unit} of fleet {fleet.id}, "
                     f"which has {fleet.count} vehicles")
        else:
            self.by_vehicle.setdefault((fleet.id, trip.unit), []).append(trip)
        if d < self.plan.start_h - TOLERANCE_H:
            self.add(Rule.LEG_TIME, trip.id,
                     f"trip {trip.id}: departs {_h(d)}, before the plan starts at {_h(self.plan.start_h)}")
        if d < fleet.available_from_h - TOLERANCE_H:
            self.add(Rule.AVAILABILITY, trip.id, f"trip {trip.id}: departs {_h(d)}, before fleet {fleet.id} "
                     f"is available from {_h(fleet.available_from_h)}")
        if a > fleet.available_until_h + TOLERANCE_H:
            self.add(Rule.AVAILABILITY, trip.id, f"trip {trip.id}: arrives {_h(a)}, after fleet {fleet.id} "
                     f"is available until {_h(fleet.available_until_h)}")
        if fleet.serves:
            self._area(trip, fleet)

    def _area(self, trip: Trip, fleet: Fleet) -> None:
        """SERVICE_AREA: each leg starts and ends at a place named in ``fleet.serves`` or in a region named
        there (one violation per place outside, at its first leg)."""
        area = fleet.serves
        named: set[str] = set()
        for i, leg in enumerate(trip.legs):
            for end in (leg.origin, leg.destination):
                if end in area or end in named:
                    continue
                region = self.region.get(end)
                if region is not None and region in area:
                    continue
                named.add(end)
                where = "" if region is None else f" (region {region})"
                self.add(Rule.SERVICE_AREA, trip.id,
                         f"{_leg(trip, i)}: fleet {fleet.id} serves only {_ids(sorted(area))}, "
                         f"not {end}{where}")

    def _service_trip(self, trip: Trip, service: Service) -> None:
        if len(trip.legs) != 1:
            self.add(Rule.SERVICE_SCHEDULE, trip.id, f"trip {trip.id}: a departure of service {service.id} "
                     f"has exactly one leg, this trip has {len(trip.legs)}")
        else:
            leg = trip.legs[0]
            if (leg.origin, leg.destination) != (service.origin, service.destination):
                self.add(Rule.SERVICE_SCHEDULE, trip.id,
                         f"trip {trip.id}: runs {leg.origin} to {leg.destination}, "
                         f"service {service.id} runs {service.origin} to {service.destination}")
        if not 0 <= trip.unit < service.departures:
            self.add(Rule.REFERENCE, trip.id,
                     f"trip {trip.id}: departure {trip.unit} of service {service.id}, "
                     f"which has {service.departures} departures")
            return
        want = service.departure_h(trip.unit)
        if not abs(trip.depart_h - want) <= TOLERANCE_H:
            self.add(Rule.SERVICE_SCHEDULE, trip.id,
                     f"trip {trip.id}: departs {_h(trip.depart_h)}, "
                     f"but departure {trip.unit} of service {service.id} leaves at {_h(want)}")
        key = (service.id, trip.unit)
        other = self.departure_used.get(key)
        if other is not None:
            self.add(Rule.SERVICE_SCHEDULE, trip.id,
                     f"trip {trip.id}: departure {trip.unit} of service {service.id} is already trip {other}")
        else:
            self.departure_used[key] = trip.id

    def _boardings(self, trip: Trip) -> None:
        n = len(trip.legs)
        travellers_of = self.facts.travellers_by_household
        for b in trip.boardings:
            hid = b.household_id
            if not 0 <= b.first_leg <= b.last_leg < n:
                self.add(Rule.REFERENCE, trip.id,
                         f"trip {trip.id}: household {hid} rides legs {b.first_leg} to {b.last_leg}, "
                         f"but the trip has legs 0 to {n - 1}")
            travellers = travellers_of.get(hid)
            if travellers is None:
                self.add(Rule.REFERENCE, trip.id, f"trip {trip.id}: unknown household {hid!r}")
            elif not b.person_ids:
                self.add(Rule.REFERENCE, trip.id, f"trip {trip.id}: household {hid} boards nobody")
            elif b.person_ids != travellers:  # the common case, all travellers in member order, is valid
                self._people(trip, b, travellers)

    def _people(self, trip: Trip, b: Boarding, travellers: tuple[str, ...]) -> None:
        hid = b.household_id
        person_by_id = self.scenario.population.person_by_id
        seen: set[str] = set()
        for pid in b.person_ids:
            if pid in seen:
                self.add(Rule.REFERENCE, trip.id, f"trip {trip.id}: household {hid} lists person {pid} twice")
                continue
            seen.add(pid)
            person = person_by_id.get(pid)
            if person is None:
                self.add(Rule.REFERENCE, trip.id,
                         f"trip {trip.id}: household {hid} lists unknown person {pid!r}")
            elif person.household_id != hid:
                self.add(Rule.REFERENCE, trip.id, f"trip {trip.id}: person {pid} of household "
                         f"{person.household_id} boards with household {hid}")
            elif not person.travels:
                self.add(Rule.ELIGIBILITY, hid,
                         f"household {hid} on trip {trip.id}: person {pid} boards but does not travel "
                         f"({person.eligibility}, {person.willingness})")
        missing = [m for m in travellers if m not in seen]
        if missing:
            self.add(Rule.FAMILY_UNITY, hid,
                     f"household {hid} on trip {trip.id}: boards without {len(missing)} "
                     f"of its {len(travellers)} travellers ({_ids(missing)})")

    def _loads(self, trip: Trip, seats: int | None) -> None:
        loads = leg_loads(trip)
        for i, people in enumerate(loads):
            if seats is not None and people > seats:
                self.add(Rule.SEATS, trip.id, f"{_leg(trip, i)}: {people} people on board, {seats} seats")
        if any(leg.origin in self.processing for leg in trip.legs):
            self._crossing_jobs(trip, loads)

    def _crossing_jobs(self, trip: Trip, loads: Sequence[int]) -> None:
        """Collect the processing jobs of ``trip`` for :meth:`check_crossings`.

        People on a leg leaving a crossing have been there since the previous leg arrived, if they were on
        it (the same vehicle), else since their previous ride brought them (``plan.start_h`` when it is
        their first ride: they wait at home): one job per (crossing, arrival, departure, trip).
        """
        legs = trip.legs
        n = len(legs)
        boarding_at: dict[int, list[Boarding]] = {}
        for b in trip.boardings:
            if 0 <= b.first_leg <= b.last_leg < n and legs[b.first_leg].origin in self.processing:
                boarding_at.setdefault(b.first_leg, []).append(b)
        for i, leg in enumerate(legs):
            if leg.origin not in self.processing or loads[i] == 0:
                continue
            jobs = self.crossing_jobs.setdefault(leg.origin, {})
            here = boarding_at.get(i, [])
            staying = loads[i] - sum(len(b.person_ids) for b in here)
            if staying > 0 and i > 0:
                key = (legs[i - 1].arrive_h, leg.depart_h, trip.id)
                jobs[key] = jobs.get(key, 0) + staying
            for b in here:
                key = (self._arrived_h(b.household_id, trip.id, leg), leg.depart_h, trip.id)
                jobs[key] = jobs.get(key, 0) + len(b.person_ids)

    def _arrived_h(self, household_id: str, trip_id: str, leg: Leg) -> float:
        """When a household boarding ``leg`` of trip ``trip_id`` got to the leg's origin: the arrival of its
        previous ride, or the plan start when this is its first ride (it waits at home)."""
        rides = self.rides.of(household_id)
        for k, ride in enumerate(rides):
            if ride.trip_id == trip_id and ride.legs[0] is leg:
                return rides[k - 1].arrive_h if k > 0 else self.plan.start_h
        return self.plan.start_h

    # -- vehicles ---------------------------------------------------------------------------------
    def check_vehicles(self) -> None:
        """VEHICLE_OVERLAP: each vehicle's trips, by departure, start at its depot and follow each other."""
        fleets = self.scenario.fleet_by_id
        for (fleet_id, unit), trips in self.by_vehicle.items():
            depot = fleets[fleet_id].depot
            trips.sort(key=lambda t: (t.depart_h, t.arrive_h, t.id))
            first = trips[0]
            if first.legs[0].origin != depot:
                self.add(Rule.VEHICLE_OVERLAP, first.id,
                         f"trip {first.id}: vehicle {fleet_id}#{unit} starts at its depot {depot}, "
                         f"not at {first.legs[0].origin}")
            fleet = fleets[fleet_id]
            if fleet.boarding_h is not None or fleet.unloading_h is not None:
                self._standing(fleet, unit, trips)
            for prev, cur in pairwise(trips):
                where, there = prev.legs[-1].destination, cur.legs[0].origin
                if there != where:
                    self.add(Rule.VEHICLE_OVERLAP, cur.id, f"trip {cur.id}: starts at {there}, but vehicle "
                             f"{fleet_id}#{unit} ended trip {prev.id} at {where}")
                if cur.depart_h < prev.arrive_h - TOLERANCE_H:
                    self.add(Rule.VEHICLE_OVERLAP, cur.id,
                             f"trip {cur.id}: departs {_h(cur.depart_h)}, before vehicle {fleet_id}#{unit} "
                             f"arrives from trip {prev.id} at {_h(prev.arrive_h)}")

    def _standing(self, fleet: Fleet, unit: int, trips: Sequence[Trip]) -> None:
        """BOARDING_TIME: before each departure the vehicle has stood where it is for the fleet's unloading
        time if people got off there, plus its boarding time if people get on. It is there since the end of
        its previous leg (of this trip or its previous one), or since the later of the plan start and the
        fleet's availability for its first departure."""
        board_h = fleet.boarding_h or 0.0
        unload_h = fleet.unloading_h or 0.0
        since = max(self.plan.start_h, fleet.available_from_h)
        got_off = False
        for trip in trips:
            first = {b.first_leg for b in trip.boardings}
            last = {b.last_leg for b in trip.boardings}
            for i, leg in enumerate(trip.legs):
                need = (unload_h if got_off else 0.0) + (board_h if i in first else 0.0)
                if need > 0 and leg.depart_h < since + need - TOLERANCE_H:
                    what = " and ".join(w for w, on in (("unloading", got_off), ("boarding", i in first)) if on)
                    self.add(Rule.BOARDING_TIME, trip.id,
                             f"{_leg(trip, i)}: departs {_h(leg.depart_h)}, but vehicle {fleet.id}#{unit} is at "
                             f"{leg.origin} from {_h(since)} and {what} take {_h(need)} (fleet {fleet.id})")
                since, got_off = leg.arrive_h, i in last

    # -- throughput -------------------------------------------------------------------------------
    def check_crossings(self) -> None:
        """CROSSING_THROUGHPUT: each crossing's jobs are feasible for its queue (:mod:`evac.core.check.queue`).

        One violation per overloaded window: the window, the people who must be processed in it, what the
        crossing can process in it, and how many therefore leave unprocessed.
        """
        for place_id, by_key in sorted(self.crossing_jobs.items()):
            rate = self.processing[place_id]
            if rate is None:
                continue
            jobs = [Job(a, d, n, tid) for (a, d, tid), n in sorted(by_key.items())]
            changes = self.scenario.place_by_id[place_id].processing_changes
            if changes:
                windows = late_windows_varying(jobs, rate, changes)
                how = f"its rate changes over time ({rate:g} per hour, then {_changes(changes)})"
            else:
                windows = late_windows(jobs, rate)
                how = f"it processes {rate:g} per hour"
            for w in windows:
                self.add(Rule.CROSSING_THROUGHPUT, place_id,
                         f"crossing {place_id}, {_h(w.start_h)} to {_h(w.end_h)}: {w.people} people arrive and "
                         f"leave in this window on trips {_ids(w.tags)}; {how}, "
                         f"{w.capacity:.6g} in the window, so "
                         f"{'1 person leaves' if w.late == 1 else f'{w.late} people leave'} unprocessed")

    def check_hourly_limits(self) -> None:
        """LINK_CAPACITY, per clock hour ``floor(depart_h)`` since the epoch."""
        links = self.scenario.link_by_id
        for (link_id, hour), bucket in sorted(self.link_entries.items(), key=lambda kv: kv[0]):
            cap = links[link_id].capacity_vehicles_per_h
            if cap is not None and bucket.amount > cap + 1e-9:
                self.add(Rule.LINK_CAPACITY, link_id,
                         f"link {link_id}, hour {hour} to {hour + 1}: {bucket.amount} vehicles enter "
                         f"on trips {_ids(bucket.trip_ids)}, capacity {cap:g} per hour")

    def check_shelters(self) -> None:
        """SHELTER_CAPACITY: people alighting at a safe haven with a capacity, over the whole plan."""
        capacity = {p.id: p.capacity for p in self.scenario.places if p.capacity is not None}
        if not capacity:
            return
        arrived: dict[str, int] = {}
        for trip in self.plan.trips:
            for b in trip.boardings:
                if 0 <= b.last_leg < len(trip.legs):
                    where = trip.legs[b.last_leg].destination
                    if where in capacity:
                        arrived[where] = arrived.get(where, 0) + len(b.person_ids)
        for place_id, n in sorted(arrived.items()):
            cap = capacity[place_id]
            if n > cap:
                self.add(Rule.SHELTER_CAPACITY, place_id,
                         f"safe haven {place_id}: {n} people brought in, it can receive {cap}")

    # -- households -------------------------------------------------------------------------------
    def check_households(self) -> None:
        """ACCOUNTING for every household and ITINERARY for each one with an itinerary."""
        # One entry per household, and lists only for the rare repeats: a million households must not
        # mean a million small lists.
        households = self.scenario.population.household_by_id
        itinerary: dict[str, Itinerary] = {}
        repeats: dict[str, list[Itinerary]] = {}
        for it in self.plan.itineraries:
            hid = it.household_id
            if hid not in households:
                self.add(Rule.REFERENCE, hid, f"itinerary of unknown household {hid!r}")
            elif hid in itinerary:
                repeats.setdefault(hid, []).append(it)
            else:
                itinerary[hid] = it
        left: dict[str, LeftBehind] = {}
        left_again: dict[str, list[LeftBehind]] = {}
        for lb in self.plan.left_behind:
            hid = lb.household_id
            if hid not in households:
                self.add(Rule.REFERENCE, hid, f"unknown household {hid!r} left behind")
            elif hid in left:
                left_again.setdefault(hid, []).append(lb)
            else:
                left[hid] = lb
        for h in self.scenario.population.households:
            hid = h.id
            first_it, first_lb = itinerary.get(hid), left.get(hid)
            its = () if first_it is None else (first_it, *repeats.get(hid, ()))
            lbs = () if first_lb is None else (first_lb, *left_again.get(hid, ()))
            self._account(h, its, lbs)

    def _account(self, h: Household, its: Sequence[Itinerary], lbs: Sequence[LeftBehind]) -> None:
        hid = h.id
        travellers = self.facts.travellers_by_household[hid]
        if not travellers:
            if its or lbs:
                self.add(Rule.ACCOUNTING, hid, f"household {hid}: nobody in it travels, yet it is listed in "
                         f"{len(its)} itineraries and {len(lbs)} times as left behind")
            return
        if not its and not lbs:
            self.add(Rule.ACCOUNTING, hid, f"household {hid}: {len(travellers)} travellers, neither in an "
                     "itinerary nor left behind")
            return
        rides = self.rides.of(hid)
        if len(its) + len(lbs) > 1:
            self.add(Rule.ACCOUNTING, hid,
                     f"household {hid}: listed in {len(its)} itineraries and {len(lbs)} times "
                     "as left behind; it must appear exactly once")
        for lb in lbs:
            if lb.at is not None:  # stranded on the way: its rides must bring it from home to where it waits
                self._stranded(h, lb, rides)
            elif rides:
                self.add(Rule.ACCOUNTING, hid, f"household {hid}: left behind, yet boards trips "
                         f"{_ids([r.trip_id for r in rides])}")
            if sorted(lb.person_ids) != sorted(travellers):
                self.add(Rule.ACCOUNTING, hid,
                         f"household {hid}: left behind lists {len(lb.person_ids)} people "
                         f"({_ids(lb.person_ids)}), its travellers are {len(travellers)} "
                         f"({_ids(travellers)})")
        if its:
            self._itinerary(h, its[0], rides)

    def _stranded(self, h: Household, lb: LeftBehind, rides: Sequence[Ride]) -> None:
        """A household left behind on the way: its rides chain from home to ``lb.at``, arriving at
        ``lb.since_h``; with no rides it must be waiting at home."""
        hid = h.id
        if not rides:
            if lb.at != h.location:
                self.add(Rule.ACCOUNTING, hid, f"household {hid}: left behind at {lb.at}, but it boards no trip "
                         f"and waits at {h.location}")
            return
        self._chain(h, rides)
        last = rides[-1]
        if last.alight_at != lb.at:
            self.add(Rule.ACCOUNTING, hid, f"household {hid}: left behind at {lb.at}, but trip {last.trip_id} "
                     f"leaves it at {last.alight_at}")
        if lb.since_h is not None and not abs(lb.since_h - last.arrive_h) <= TOLERANCE_H:
            self.add(Rule.ACCOUNTING, hid, f"household {hid}: left behind at {lb.at} since {_h(lb.since_h)}, "
                     f"but trip {last.trip_id} arrives at {_h(last.arrive_h)}")

    def _itinerary(self, h: Household, it: Itinerary, rides: Sequence[Ride]) -> None:
        hid = h.id
        if not rides:
            self.add(Rule.ITINERARY, hid,
                     f"household {hid}: itinerary lists trips {_ids(it.trip_ids)}, "
                     "but the household boards no trip")
            return
        self._chain(h, rides)
        first, last = rides[0], rides[-1]
        if last.alight_at not in self.safe_havens:
            self.add(Rule.ITINERARY, hid, f"household {hid}: last alights from trip {last.trip_id} at "
                     f"{last.alight_at}, which is not a safe haven")
        boarded = (first.trip_id,) if len(rides) == 1 else tuple(r.trip_id for r in rides)
        if boarded != it.trip_ids:
            self.add(Rule.ITINERARY, hid,
                     f"household {hid}: itinerary lists trips ({', '.join(it.trip_ids)}), "
                     f"but by departure the household boards ({', '.join(boarded)})")
        if not abs(it.safe_at_h - last.arrive_h) <= TOLERANCE_H:
            self.add(Rule.ITINERARY, hid,
                     f"household {hid}: itinerary says safe at {_h(it.safe_at_h)}, "
                     f"but trip {last.trip_id} arrives at {_h(last.arrive_h)}")
        if it.safe_place != last.alight_at:
            self.add(Rule.ITINERARY, hid,
                     f"household {hid}: itinerary says safe at {it.safe_place}, "
                     f"but trip {last.trip_id} leaves it at {last.alight_at}")

    def _chain(self, h: Household, rides: Sequence[Ride]) -> None:
        """ITINERARY: the rides start at home, no earlier than the plan, and connect in place and time."""
        hid = h.id
        start_h = self.plan.start_h
        first = rides[0]
        if first.board_at != h.location:
            self.add(Rule.ITINERARY, hid,
                     f"household {hid}: first boards trip {first.trip_id} at {first.board_at}, "
                     f"but it waits at {h.location}")
        if first.scheduled and first.depart_h < start_h - TOLERANCE_H:  # fleets: a LEG_TIME violation
            self.add(Rule.ITINERARY, hid,
                     f"household {hid}: boards trip {first.trip_id} at {_h(first.depart_h)}, "
                     f"before the plan starts at {_h(start_h)}")
        connection_h = self.scenario.policy.min_connection_h
        for prev, cur in pairwise(rides):
            if cur.board_at != prev.alight_at:
                self.add(Rule.ITINERARY, hid, f"household {hid}: alights from trip {prev.trip_id} at "
                         f"{prev.alight_at}, then boards trip {cur.trip_id} at {cur.board_at}")
            if cur.depart_h < prev.arrive_h - TOLERANCE_H:
                self.add(Rule.ITINERARY, hid,
                         f"household {hid}: boards trip {cur.trip_id} at {_h(cur.depart_h)}, "
                         f"before trip {prev.trip_id} brings it to {prev.alight_at} at {_h(prev.arrive_h)}")
            elif cur.scheduled and cur.depart_h < prev.arrive_h + connection_h - TOLERANCE_H:
                self.add(Rule.ITINERARY, hid, f"household {hid}: boards service trip {cur.trip_id} at "
                         f"{_h(cur.depart_h)}, less than the {_h(connection_h)} connection after trip "
                         f"{prev.trip_id} arrives at {_h(prev.arrive_h)}")

    # -- KPIs -------------------------------------------------------------------------------------
    def check_kpis(self, declared: KPIs, actual: KPIs) -> None:
        """KPI_MISMATCH for each field of the declared KPIs that differs from the recomputed value."""
        for f in fields(KPIs):
            mine, theirs = getattr(declared, f.name), getattr(actual, f.name)
            if not _same(mine, theirs):
                self.add(Rule.KPI_MISMATCH, f.name, f"plan KPI {f.name} = {mine!r}, recomputed {theirs!r}")


def _same(a: object, b: object) -> bool:
    """Equal, or (for numbers where either is a float) within the KPI tolerances."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if (isinstance(a, int | float) and isinstance(b, int | float)
            and (isinstance(a, float) or isinstance(b, float))):
        return math.isclose(a, b, rel_tol=KPI_REL_TOLERANCE, abs_tol=KPI_ABS_TOLERANCE)
    return a == b
