"""Walk-in (go-show) registration: a household nobody listed turns up at an assembly point.

A field officer registers it from the field page; one idempotent transaction then

1. adds the household and its people to the registry through the registry repository (names, phone and
   document sealed like every other record; eligibility decided by the same rule as an import; willingness
   "wants to leave" — they came);
2. books the travellers (eligible members) onto a trip of the active plan that picks up at that assembly point,
   has not left, ends at a safe haven and has a free seat for all of them on every leg they ride — the earliest
   such trip. **Minimal change**: that trip gains one boarding, nobody else moves, no other trip changes. With no
   such trip the household is listed in the plan as left behind for lack of capacity, *waiting* at the assembly
   point, for the next re-plan to pick up;
3. checks the new plan with the independent checker against the scenario with the walk-ins in it, stores it as a
   new plan generation, records an ``assigned`` event per booked traveller, the request (Idempotency-Key → the
   answer) and an audit entry.

Anything failing on the way (a bad record, the checker, the store) rolls all of it back: no half-registered
household, no booking without a person. A replay of the same key answers the first answer and adds nobody.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from evac.core.model import Boarding, Household, Itinerary, LeftBehind, LeftBehindReason, Population
from evac.core.model.kpis import compute_kpis
from evac.core.model.people import Category, PartialDate, Person, Script, Sex, Willingness
from evac.core.oplog import EventType, Meta, PersonEvent, Status, apply, initial
from evac.core.registry.eligibility import decide
from evac.core.registry.names import script_of
from evac.services.idempotency import idempotent
from evac.services.operations import Invalid, NoActivePlan, OpsError, household_key, person_key

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from evac.core.model import Leg, Plan, Scenario, Trip
    from evac.core.model.people import Eligibility, Relation
    from evac.core.registry.records import Record
    from evac.services.operations import Actor
    from evac.services.ops_ports import OpsUnitOfWork

__all__ = ["WalkInMember", "register_walk_in"]


@dataclass(frozen=True, slots=True)
class WalkInMember:
    """One person of a walk-in household as the officer typed it, and their relation to the first member."""

    record: Record
    relation: Relation


def register_walk_in(*, uow_factory: Callable[[], OpsUnitOfWork], scenario: Scenario, actor: Actor, key: str,
                     route: str, body_sha256: str, place: str, members: Sequence[WalkInMember], now: datetime
                     ) -> tuple[dict[str, Any], bool]:
    """Register a walk-in household at ``place`` and book it (see the module docstring); returns (answer,
    replayed). ``scenario``: the operation's scenario with the registry's population as it is now.

    Raises :class:`~evac.services.operations.Invalid` (422) for an unknown place, a place that is not the field
    officer's, or an empty household; :class:`~evac.services.operations.NoActivePlan` (409) before activation;
    :class:`~evac.services.planning.PlanRejected` if the booked plan fails the checker (nothing is written)."""
    if place not in scenario.place_by_id:
        raise Invalid(f"place: no place {place!r} in scenario {scenario.id}")
    if actor.scoped and place != actor.place:
        raise Invalid(f"place: a field officer registers walk-ins at their own assembly point ({actor.place}), "
                      f"not at {place}")
    if not members:
        raise Invalid("members: a walk-in household needs at least one person")
    tag = hashlib.sha256(key.encode()).hexdigest()[:20]  # stable per request: the source of the records

    def write(uow: OpsUnitOfWork) -> dict[str, Any]:
        from evac.services.planning import PlanRejected, check

        active, clock = uow.ops.active_plan(), uow.ops.clock()
        if active is None or clock is None:
            raise NoActivePlan("no active plan: run `evac ops activate` first")
        records = [replace(m.record, external_id=f"walk-in:{tag}:{i}", city=place,
                           willingness=Willingness.WANTS_TO_LEAVE) for i, m in enumerate(members)]
        relations = [m.relation for m in members]
        hid_n = uow.registry.add_household(label=f"walk-in at {place}", import_id=None, city=place,
                                           evidence=(f"walk-in registered by {actor.username}",))
        hid = household_key(hid_n)
        people: list[Person] = []
        for rec, rel, (elig, why) in zip(records, relations, decide(records, relations), strict=True):
            pid_n = uow.registry.add_person(record=rec, line=0, import_id=None, household_id=hid_n, relation=rel,
                                            eligibility=elig, reason=why)
            people.append(_person(person_key(pid_n), hid, rec, rel, elig, place, pid_n))
        travellers = tuple(p.id for p in people if p.travels)
        pop = scenario.population
        sc = scenario.with_population(Population((*pop.people, *people),
                                                 (*pop.households, Household(hid, tuple(p.id for p in people),
                                                                             place))))
        now_h = clock.hours(now)
        trip: Trip | None = None
        plan_id: int | None = None
        if travellers:
            # the earliest trip with free seats whose booking the independent checker accepts (a seat is not
            # enough: e.g. a border crossing may have no processing capacity left in that trip's window)
            plan = None
            for candidate in _free_trips(uow, active.plan, sc, place=place, seats=len(travellers), now_h=now_h):
                booked = _booked(active.plan, sc, hid, travellers, candidate, place=place, now_h=now_h)
                try:
                    check(booked, sc)
                except PlanRejected:
                    continue
                plan, trip = booked, candidate
                break
            if plan is None:  # no trip can take them: listed as waiting at the assembly point
                plan = _booked(active.plan, sc, hid, travellers, None, place=place, now_h=now_h)
                try:
                    check(plan, sc)
                except PlanRejected as exc:
                    raise OpsError(f"walk-in refused, nothing was registered: {exc}") from None
            what = f"walk-in {hid} on {trip.id}" if trip is not None else f"walk-in {hid} waiting at {place}"
            plan_id = uow.ops.save_plan(plan=plan, scenario=active.scenario, reason=what)
            if trip is not None:
                for pid in travellers:
                    ev = PersonEvent(EventType.ASSIGNED, Meta(actor.username, now, actor.device, key), pid, hid,
                                     trip.id, place, "walk-in")
                    st = apply(replace(initial(pid, hid), place=place), ev)
                    uow.ops.append(ev, version=st.version)
                    uow.ops.save_state(st)
        uow.ops.audit(actor=actor.username, action="write:walk-in",
                      subject=f"{hid}: {','.join(p.id for p in people)}"
                              + (f" on {trip.id}" if trip is not None else ""))
        return {"household": hid, "people": [p.id for p in people], "travellers": list(travellers),
                "place": place, "trip": trip.id if trip is not None else None,
                "waiting": bool(travellers) and trip is None, "plan": plan_id, "key": key,
                "status": Status.REGISTERED.value}

    return idempotent(write, uow_factory=uow_factory, key=key, actor=actor.username, route=route,
                      body_sha256=body_sha256)


def _person(pid: str, hid: str, r: Record, rel: Relation, elig: Eligibility, place: str, seq: int) -> Person:
    """The planner's view of a registered record (as :func:`evac.services.registry.population` builds it)."""
    return Person(
        id=pid, household_id=hid, given=r.given, family=r.family, patronymic=r.patronymic,
        script=Script(script_of(r.family or r.given)), given_latin=r.given_latin or r.given,
        family_latin=r.family_latin or r.family, patronymic_latin=r.patronymic_latin,
        birth=r.birth if r.birth.year else PartialDate(), sex=r.sex or Sex.FEMALE, nationalities=r.nationalities,
        category=r.category or Category.RESIDENT, vulnerabilities=r.vulnerabilities, willingness=r.willingness,
        eligibility=elig, location=place, relation=rel, phone=r.phone, registration_seq=seq)


def _free_trips(uow: OpsUnitOfWork, plan: Plan, sc: Scenario, *, place: str, seats: int, now_h: float
                ) -> list[Trip]:
    """Fleet trips picking up at ``place`` after ``now_h`` (and not recorded as departed) that end at a safe
    haven with ``seats`` free on every leg from there on, earliest arrival at safety first."""
    found: list[tuple[float, str, Trip]] = []
    for trip in plan.trips:
        fleet = sc.fleet_by_id.get(trip.asset_id)
        if fleet is None or not trip.legs or not sc.place_by_id[trip.legs[-1].destination].is_safe:
            continue
        first = _pickup_leg(trip, place, now_h)
        if first is None:
            continue
        aboard = max(sum(len(b.person_ids) for b in trip.boardings if b.first_leg <= j <= b.last_leg)
                     for j in range(first, len(trip.legs)))
        if fleet.seats - aboard < seats:
            continue
        if uow.ops.states(trip=trip.id, statuses=[Status.DEPARTED.value, Status.ARRIVED_SAFE.value], limit=1):
            continue  # the field says it has left, whatever the plan's clock says
        found.append((trip.arrive_h, trip.id, trip))
    return [t for _, _, t in sorted(found, key=lambda x: (x[0], x[1]))]


def _pickup_leg(trip: Trip, place: str, now_h: float) -> int | None:
    """The leg on which a walk-in at ``place`` boards ``trip``: its last departure from there not yet gone (the
    shortest ride: a vehicle passing through empty on its way out is not boarded for the whole tour)."""
    legs = [i for i, leg in enumerate(trip.legs) if leg.origin == place and leg.depart_h >= now_h]
    return legs[-1] if legs else None


def _booked(plan: Plan, sc: Scenario, hid: str, travellers: tuple[str, ...], trip: Trip | None, *, place: str,
            now_h: float) -> Plan:
    """``plan`` with the walk-in household on ``trip`` (one more boarding, nothing else changed), or listed as
    waiting at ``place`` for lack of capacity when ``trip`` is ``None``."""
    if trip is None:
        waiting = LeftBehind(hid, travellers, LeftBehindReason.NO_CAPACITY)
        new = replace(plan, left_behind=tuple(sorted((*plan.left_behind, waiting), key=lambda lb: lb.household_id)),
                      kpis=None)
    else:
        first = _pickup_leg(trip, place, now_h)
        assert first is not None
        legs = _with_processing(trip, sc, first=first, people=len(travellers))
        on = replace(trip, legs=legs, boardings=(*trip.boardings, Boarding(hid, travellers, first, len(legs) - 1)))
        # the households already on it keep their seats; where a crossing now takes a minute longer, their
        # arrival at safety moves with the vehicle (a later ride that no longer connects fails the checker)
        its = [replace(i, safe_at_h=legs[_last_leg(trip, i.household_id)].arrive_h)
               if i.trip_ids and i.trip_ids[-1] == trip.id else i for i in plan.itineraries]
        it = Itinerary(hid, (trip.id,), legs[-1].arrive_h, legs[-1].destination)
        new = replace(plan, trips=tuple(on if t.id == trip.id else t for t in plan.trips),
                      itineraries=tuple(sorted((*its, it), key=lambda i: i.household_id)), kpis=None)
    new = replace(new, meta={**plan.meta, "walk_in": {"household": hid, "trip": trip.id if trip else None}})
    return new.with_kpis(compute_kpis(new, sc))


def _last_leg(trip: Trip, household_id: str) -> int:
    return next(b.last_leg for b in trip.boardings if b.household_id == household_id)


def _with_processing(trip: Trip, sc: Scenario, *, first: int, people: int) -> tuple[Leg, ...]:
    """``trip``'s legs with the departure from every border crossing after the walk-ins' pick-up (leg ``first``)
    put back by the time the crossing needs to process ``people`` more (whole minutes; later legs follow).

    The planner times a vehicle's stop at a crossing to the people on board, so more people need a longer
    stop; nobody changes vehicle, only that vehicle's clock after the crossing moves."""
    out: list[Leg] = []
    delay_h = 0.0
    for i, leg in enumerate(trip.legs):
        rate = sc.place_by_id[leg.origin].processing_per_h
        if i > first and rate:
            delay_h += math.ceil(people / rate * 60.0) / 60.0
        out.append(leg if delay_h == 0 else replace(leg, depart_h=leg.depart_h + delay_h,
                                                    arrive_h=leg.arrive_h + delay_h))
    return tuple(out)
