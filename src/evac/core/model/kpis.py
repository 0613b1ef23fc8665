"""The definition of a plan's KPIs: one function every planner and the checker share.

The numbers are recomputed from the plan and the scenario alone, never taken from a planner's own
bookkeeping, so two planners are compared on the same ruler. Times are hours from the scenario epoch,
exposure is in person-hours, utilisation is a fraction in [0, 1] for a plan that respects seats.

Conventions a caller must know (the KPIs' docstring in :mod:`evac.core.model.kpi` gives the meaning):

- *safe* people are the travellers (eligible and wanting to leave) of every household that has an
  itinerary ending at a safe haven (one definition of safe for planners and checker: an itinerary that ends
  at a transit point, say an island port, makes nobody safe). People a boarding lists but who do not travel
  are never counted safe. A household listed in several itineraries counts once; itineraries of unknown
  households count nothing. Whether the
  itinerary is valid is the checker's business (:func:`evac.core.check.check_plan`), not this module's.
- *exposure* follows each household with an itinerary from ``plan.start_h`` to its ``safe_at_h``: waiting
  at its location until its first vehicle leaves, on every leg it rides, waiting in the vehicle at
  intermediate stops and at transfer places. Each stretch counts from the moment its place or link becomes
  dangerous (:meth:`Scenario.danger_times`, which includes closures). Left-behind people count **no**
  exposure: the plan does not say where they wait, and charging them would reward planners that simply
  leave dangerous households out of the plan.
- *seat utilisation* covers legs of fleet vehicles only (scheduled services are booked, not driven).
- ``left_behind_by_reason`` and both ``*_by_class`` dictionaries list every reason and every class,
  zeros included, in enum or policy order, so two KPI records always have the same keys.
- Sums are exactly rounded (:func:`math.fsum`), so the KPIs do not depend on the order of the plan's lists.

Complexity: one pass over the people, one over the trips and boardings, one over the itineraries, and a
sort of each household's boardings: O(n log n) overall. The indexes hold integers rather than an object
per boarding, so that a million-person plan does not keep waking Python's cyclic garbage collector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from evac.core.model.kpi import KPIs
from evac.core.model.people import Eligibility, Willingness
from evac.core.model.plan import LeftBehindReason

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from evac.core.model.people import Category, Vulnerability
    from evac.core.model.plan import Leg, Plan, Trip
    from evac.core.model.scenario import Scenario

__all__ = ["HouseholdRides", "PopulationFacts", "Ride", "compute_kpis", "kpis_from", "leg_loads",
           "population_facts"]


@dataclass(frozen=True, slots=True)
class PopulationFacts:
    """What the KPIs need from the population, computed once per scenario in one pass over the people.

    ``traveller_class`` maps each traveller's id to their priority-class index (into ``class_names`` and
    ``weights``, i.e. ``policy.priority_classes``); people who do not travel are absent.
    ``travellers_by_household`` maps every household id to its travelling members, in member order (as
    ``Population.travellers``), built once because the checker needs them per boarding and per household.
    """

    registered: int
    eligible: int
    willing: int
    travelling: int
    travelling_weighted: float
    travelling_by_class: tuple[int, ...]
    weights: tuple[float, ...]
    class_names: tuple[str, ...]
    traveller_class: dict[str, int]
    travellers_by_household: dict[str, tuple[str, ...]]


def population_facts(scenario: Scenario) -> PopulationFacts:
    """Count the population and resolve each traveller's priority class, in O(people).

    A person's class depends only on their category and vulnerabilities, so it is resolved once per
    distinct (category, vulnerabilities) pair rather than once per person.
    """
    policy = scenario.policy
    names = tuple(c.name for c in policy.priority_classes)
    weights = tuple(c.weight for c in policy.priority_classes)
    index = {name: i for i, name in enumerate(names)}
    cache: dict[tuple[Category, frozenset[Vulnerability]], int] = {}
    traveller_class: dict[str, int] = {}
    eligible = willing = 0
    by_class = [0] * len(names)
    ineligible, wants = Eligibility.INELIGIBLE, Willingness.WANTS_TO_LEAVE
    for p in scenario.population.people:
        if p.eligibility is not ineligible:
            eligible += 1
        if p.willingness is wants:
            willing += 1
        if p.travels:
            key = (p.category, p.vulnerabilities)
            k = cache.get(key)
            if k is None:
                k = cache[key] = index[policy.priority_class(p).name]
            traveller_class[p.id] = k
            by_class[k] += 1
    travellers = {h.id: tuple([m for m in h.members if m in traveller_class])
                  for h in scenario.population.households}
    return PopulationFacts(
        registered=len(scenario.population.people), eligible=eligible, willing=willing,
        travelling=len(traveller_class),
        travelling_weighted=math.fsum(n * w for n, w in zip(by_class, weights, strict=True)),
        travelling_by_class=tuple(by_class), weights=weights, class_names=names,
        traveller_class=traveller_class, travellers_by_household=travellers,
    )


class Ride(NamedTuple):
    """One boarding seen from the household: the legs it rides, in order.

    ``scheduled`` is true on a scheduled service (a connection to it needs ``policy.min_connection_h``).
    A named tuple rather than a frozen dataclass: rides are built on demand, hundreds of thousands at a
    time, and a tuple is several times cheaper to build.
    """

    household_id: str
    trip_id: str
    person_ids: tuple[str, ...]
    legs: tuple[Leg, ...]
    scheduled: bool

    @property
    def depart_h(self) -> float:
        return self.legs[0].depart_h

    @property
    def arrive_h(self) -> float:
        return self.legs[-1].arrive_h

    @property
    def board_at(self) -> str:
        return self.legs[0].origin

    @property
    def alight_at(self) -> str:
        return self.legs[-1].destination


class HouseholdRides:
    """Every household's boardings, in order of departure (then arrival, then trip id).

    Built in one pass over the trips. Boardings whose leg indices do not fit their trip, and trips without
    legs, are left out: the checker reports them as reference errors. Households are keyed by the id the
    boarding names, known or not. Each boarding is held as one integer (trip index × stride + boarding
    index); :meth:`of` builds the :class:`Ride` objects on demand.
    """

    __slots__ = ("_first", "_more", "_scheduled", "_stride", "_trips")

    def __init__(self, plan: Plan, scenario: Scenario) -> None:
        trips = plan.trips
        fleets, services = scenario.fleet_by_id, scenario.service_by_id
        stride = max((len(t.boardings) for t in trips), default=0) + 1
        first: dict[str, int] = {}
        more: dict[str, list[int]] = {}
        for ti, trip in enumerate(trips):
            n = len(trip.legs)
            if n == 0:
                continue
            base = ti * stride
            for bi, b in enumerate(trip.boardings):
                if not 0 <= b.first_leg <= b.last_leg < n:
                    continue
                hid = b.household_id
                if hid not in first:
                    first[hid] = base + bi
                elif hid in more:
                    more[hid].append(base + bi)
                else:
                    more[hid] = [first[hid], base + bi]
        self._trips = trips
        self._stride = stride
        self._first = first
        self._more = more
        self._scheduled = frozenset(t.asset_id for t in trips
                                    if t.asset_id in services and t.asset_id not in fleets)
        for codes in more.values():
            codes.sort(key=self._key)

    def _key(self, code: int) -> tuple[float, float, str]:
        trip = self._trips[code // self._stride]
        b = trip.boardings[code % self._stride]
        return (trip.legs[b.first_leg].depart_h, trip.legs[b.last_leg].arrive_h, trip.id)

    def _ride(self, code: int) -> Ride:
        trip = self._trips[code // self._stride]
        b = trip.boardings[code % self._stride]
        return Ride(b.household_id, trip.id, b.person_ids, trip.legs[b.first_leg:b.last_leg + 1],
                    trip.asset_id in self._scheduled)

    def __contains__(self, household_id: object) -> bool:
        return household_id in self._first

    def household_ids(self) -> list[str]:
        """Ids of every household that boards, in order of first appearance in the plan."""
        return list(self._first)

    def of(self, household_id: str) -> list[Ride]:
        """The household's rides in order of departure; empty when it boards nothing."""
        codes = self._more.get(household_id)
        if codes is not None:
            return [self._ride(c) for c in codes]
        code = self._first.get(household_id)
        return [] if code is None else [self._ride(code)]


def leg_loads(trip: Trip) -> list[int]:
    """People on board each leg of ``trip`` (boardings with impossible leg indices are ignored).

    A difference array over the legs: O(legs + boardings).
    """
    n = len(trip.legs)
    delta = [0] * (n + 1)
    for b in trip.boardings:
        if 0 <= b.first_leg <= b.last_leg < n:
            k = len(b.person_ids)
            delta[b.first_leg] += k
            delta[b.last_leg + 1] -= k
    loads: list[int] = []
    running = 0
    for i in range(n):
        running += delta[i]
        loads.append(running)
    return loads


def _total(values: Sequence[float]) -> float:
    """An exactly rounded sum (order-independent, so KPIs do not depend on the plan's order); a plain
    sum when malformed times make it infinite or undefined."""
    try:
        return math.fsum(values)
    except (ValueError, OverflowError):
        return sum(values)


def _overlap_h(a: float, b: float, danger_h: float, lo: float, hi: float) -> float:
    """Hours of [a, b] that lie inside [lo, hi] and at or after ``danger_h``."""
    start = max(a, lo, danger_h)
    end = min(b, hi)
    return end - start if end > start else 0.0


def _exposure_h(location: str, rides: Sequence[Ride], start_h: float, safe_h: float,
                danger: Mapping[str, float]) -> float:
    """Hours one member of a household spends under danger between ``start_h`` and ``safe_h``.

    The household is at ``location`` until its first leg departs, then alternately on a link and at a
    place (in the vehicle at an intermediate stop, or on the ground at a transfer) until ``safe_h``.
    """
    total = 0.0
    t = start_h
    place = location
    for ride in rides:
        for leg in ride.legs:
            z = danger.get(place)
            if z is not None:
                total += _overlap_h(t, leg.depart_h, z, start_h, safe_h)
            z = danger.get(leg.link_id)
            if z is not None:
                total += _overlap_h(leg.depart_h, leg.arrive_h, z, start_h, safe_h)
            t = leg.arrive_h
            place = leg.destination
    z = danger.get(place)
    if z is not None:
        total += _overlap_h(t, safe_h, z, start_h, safe_h)
    return total


def _safe_part(plan: Plan, scenario: Scenario, facts: PopulationFacts, rides: HouseholdRides,
               ) -> tuple[int, float, list[int], float | None, float]:
    """Safe people, their weight and classes, the last safe time and the exposure, from the itineraries."""
    danger = scenario.danger_times()
    households = scenario.population.household_by_id
    traveller_class = facts.traveller_class
    travellers = facts.travellers_by_household
    start_h = plan.start_h
    weights = facts.weights
    by_class = [0] * len(weights)
    safe = 0
    exposure_terms: list[float] = []
    last_safe: float | None = None
    seen: set[str] = set()
    places = scenario.place_by_id
    for it in plan.itineraries:
        hid = it.household_id
        h = households.get(hid)
        place = places.get(it.safe_place)
        if h is None or hid in seen or place is None or not place.is_safe:
            continue  # an itinerary that ends anywhere but a safe haven makes nobody safe
        seen.add(hid)
        members = travellers[hid]
        n = len(members)
        if n == 0:
            continue
        for m in members:
            by_class[traveller_class[m]] += 1
        safe += n
        if last_safe is None or it.safe_at_h > last_safe:
            last_safe = it.safe_at_h
        exposure = _exposure_h(h.location, rides.of(hid), start_h, it.safe_at_h, danger)
        if exposure:
            exposure_terms.append(n * exposure)
    safe_weighted = math.fsum(n * w for n, w in zip(by_class, weights, strict=True))
    return safe, safe_weighted, by_class, last_safe, _total(exposure_terms)


def _seat_utilisation(plan: Plan, scenario: Scenario) -> float:
    """Occupied over offered seat-hours on fleet legs; 0 when no fleet leg runs."""
    fleets = scenario.fleet_by_id
    occupied: list[float] = []
    offered: list[float] = []
    for trip in plan.trips:
        fleet = fleets.get(trip.asset_id)
        if fleet is None or not trip.legs:
            continue
        for leg, people in zip(trip.legs, leg_loads(trip), strict=True):
            hours = leg.arrive_h - leg.depart_h
            if not math.isfinite(hours):  # a malformed leg (the checker reports it) offers no seat-hours
                continue
            occupied.append(people * hours)
            offered.append(fleet.seats * hours)
    den = _total(offered)
    return _total(occupied) / den if den > 0 else 0.0


def kpis_from(plan: Plan, scenario: Scenario, facts: PopulationFacts, rides: HouseholdRides) -> KPIs:
    """:func:`compute_kpis` with the population facts and rides already built (the checker shares them)."""
    safe, safe_weighted, safe_by_class, last_safe, exposure = _safe_part(plan, scenario, facts, rides)
    reasons: dict[str, int] = {str(r): 0 for r in LeftBehindReason}
    left_behind = 0
    for lb in plan.left_behind:
        k = len(lb.person_ids)
        left_behind += k
        key = str(lb.reason)
        reasons[key] = reasons.get(key, 0) + k
    names = facts.class_names
    return KPIs(
        registered=facts.registered,
        eligible=facts.eligible,
        willing=facts.willing,
        travelling=facts.travelling,
        travelling_weighted=facts.travelling_weighted,
        safe=safe,
        safe_weighted=safe_weighted,
        clearance_h=None if last_safe is None else last_safe - plan.start_h,
        left_behind=left_behind,
        exposure_person_h=exposure,
        seat_utilisation=_seat_utilisation(plan, scenario),
        trips=len(plan.trips),
        safe_by_class=dict(zip(names, safe_by_class, strict=True)),
        travelling_by_class=dict(zip(names, facts.travelling_by_class, strict=True)),
        left_behind_by_reason=reasons,
    )


def compute_kpis(plan: Plan, scenario: Scenario) -> KPIs:
    """The KPIs of ``plan`` in ``scenario``, recomputed from scratch; deterministic.

    Parameters
    ----------
    plan
        Any plan, valid or not: unknown ids and impossible boardings are skipped, never raised on.
    scenario
        The scenario the plan was made for; danger times use its policy's quantile.

    Returns
    -------
    KPIs
        Counts of people, hours (``clearance_h`` from ``plan.start_h``), person-hours of exposure and a
        seat-utilisation fraction. See the module docstring for the conventions.
    """
    return kpis_from(plan, scenario, population_facts(scenario), HouseholdRides(plan, scenario))
