"""Field operations: activate a plan, record what happens (idempotently), re-plan on a closure, read views.

Every write is one transaction that appends events, updates the status projection, writes the outbox
messages the events cause, records the request (``Idempotency-Key`` → response, through
:func:`evac.services.idempotency.idempotent`) and the audit entry; a crash anywhere before the commit
leaves nothing, after it everything. A replayed key returns the stored response and writes nothing.
Two concurrent writes about one person race on the log's (stream, version) key: the loser gets
:class:`ConcurrentWrite` from the store and the use case runs again from scratch, now seeing the
winner's event (a second scan of a pass then answers ``already`` and writes nothing).

Ids only cross this layer's edges in events and the outbox (``R0000042``, ``RH0000007``); names are read
from the registry for the views that need them, and each such read is audited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from evac.core.errors import EvacError
from evac.core.oplog import (
    BreakdownEvent,
    ClosureEvent,
    EventType,
    Meta,
    PersonEvent,
    PersonState,
    Status,
    TransitionError,
    apply,
    initial,
)
from evac.core.planner.events import Boarded, Breakdown, Closure, EventConflict, NoShow
from evac.core.planner.replan import replan_result
from evac.services.idempotency import KeyReused, idempotent, retrying
from evac.services.ops_ports import Role
from evac.services.replan_view import in_words, who_changed

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from evac.core.model import Plan, Scenario
    from evac.core.planner.events import Event
    from evac.core.registry.search import Brief
    from evac.services.ops_ports import Clock, OpsUnitOfWork

    UowFactory = Callable[[], OpsUnitOfWork]

CLOCK_SKEW_S = 300.0  # a device's clock may run this far ahead of the server's
DOCUMENTS = ("passport", "children_birth_certificates", "marriage_certificate")
_CHAIN = (Status.CHECKED_IN, Status.BOARDED, Status.DEPARTED, Status.ARRIVED_SAFE)
_TARGET = {EventType.CHECKED_IN: Status.CHECKED_IN, EventType.BOARDED: Status.BOARDED,
           EventType.DEPARTED: Status.DEPARTED, EventType.ARRIVED_SAFE: Status.ARRIVED_SAFE,
           EventType.NO_SHOW: Status.NO_SHOW, EventType.CONFIRMED: Status.CONFIRMED,
           EventType.DECLINED: Status.DECLINED}


class OpsError(EvacError):
    """A request cannot be done as asked (HTTP 409 at the API edge)."""


class NotFound(OpsError):
    """No such person, household or trip — or none the caller may see (HTTP 404)."""


class NoActivePlan(OpsError):
    """The workspace has no active plan: run ``evac ops activate`` first (HTTP 409)."""


class Invalid(OpsError):
    """The request names something the scenario does not know (HTTP 422)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: user name, role, assembly point (field officers) and device id (from a header)."""

    username: str
    role: Role
    place: str | None = None
    device: str = ""

    @property
    def scoped(self) -> bool:
        return self.role is Role.FIELD_OFFICER


def person_key(registry_id: int) -> str:
    return f"R{registry_id:07d}"


def household_key(registry_id: int) -> str:
    return f"RH{registry_id:07d}"


def registry_id(key: str) -> int:
    digits = key.removeprefix("RH").removeprefix("R")
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 10):
        raise NotFound(f"{key!r} is not a person or household id")
    return int(digits)


# -- state and scope ------------------------------------------------------------------------------------
def _state(uow: OpsUnitOfWork, pid: str) -> PersonState:
    st = uow.ops.state(pid)
    if st is not None and (st.place is not None or st.trip_id is not None):
        return st
    home = uow.ops.home_place(pid)
    if st is not None:  # events that carry no place (a merge undone): the person is still at home
        return replace(st, place=home[1]) if home is not None else st
    if home is None:
        raise NotFound(f"no person {pid}")
    hid, city = home
    s0 = initial(pid, hid)
    return PersonState(s0.person_id, s0.household_id, place=city)


def _visible(actor: Actor, st: PersonState) -> bool:
    return not actor.scoped or (actor.place is not None and st.place == actor.place)


def _scoped_state(uow: OpsUnitOfWork, actor: Actor, pid: str, *, arriving: bool = False) -> PersonState:
    """The person's state if ``actor`` may act on them: their assembly point's officer — or, for an arrival
    (``arriving``), the officer at the place where the person's trip sets them down (the haven)."""
    st = _state(uow, pid)
    if not _visible(actor, st) and not (arriving and _drops_at(uow, st, actor.place)):
        raise NotFound(f"no person {pid} at your assembly point")
    return st


def _drops_at(uow: OpsUnitOfWork, st: PersonState, place: str | None) -> bool:
    """Whether the active plan's trip of ``st`` sets its household down at ``place``."""
    active = uow.ops.active_plan()
    if place is None or st.trip_id is None or active is None:
        return False
    trip = next((t for t in active.plan.trips if t.id == st.trip_id), None)
    return trip is not None and any(trip.legs[b.last_leg].destination == place for b in trip.boardings
                                    if b.household_id == st.household_id)


def seated_members(uow: OpsUnitOfWork, actor: Actor, *, household_id: str, trip_id: str | None) -> list[str]:
    """Members of ``household_id`` holding a seat (on ``trip_id`` when given): whom a household action covers.

    Members without a seat (e.g. an ineligible spouse) are left out; a household none of whose members has
    a seat is refused with :class:`OpsError` naming what to do, so nobody is recorded on no vehicle."""
    members = uow.ops.household_members(household_id)
    states = [_state(uow, pid) for pid in members]
    if not states or not any(_visible(actor, s) or _drops_at(uow, s, actor.place) for s in states):
        raise NotFound(f"no household {household_id}" + (" at your assembly point" if actor.scoped else ""))
    seated = [s.person_id for s in states if s.merged_into is None and s.trip_id is not None
              and (trip_id is None or s.trip_id == trip_id)]
    if not seated:
        where = f"trip {trip_id}" if trip_id is not None else "any trip"
        raise OpsError(f"household {household_id} has no seat on {where}: nobody was recorded (re-plan, or "
                       "register them as a walk-in)")
    return seated


def _already(kind: EventType, st: PersonState) -> bool:
    target = _TARGET.get(kind)
    if target is None:
        return False
    if st.status is target:
        return True
    return target in _CHAIN and st.status in _CHAIN and _CHAIN.index(st.status) > _CHAIN.index(target)


# -- idempotent person writes ---------------------------------------------------------------------------
def record(*, uow_factory: UowFactory, actor: Actor, key: str, route: str, body_sha256: str, kind: EventType,
           person_ids: Sequence[str], now: datetime, trip_id: str | None = None,
           household_id: str | None = None) -> tuple[dict[str, Any], bool]:
    """Record ``kind`` for each person, all or nothing; returns (response, replayed).

    ``household_id`` (instead of, or besides, ``person_ids``): every member of that household who holds a
    seat — on ``trip_id`` when given, else on any trip — resolved inside the transaction, so the whole
    family is recorded together; a household with no seat is refused (:class:`OpsError`, nothing written).
    People already at or past the target status answer ``already`` and get no event (a second scan of
    a pass is harmless). Raises :class:`NotFound` (unknown, or outside a field officer's assembly point;
    an arrival may also be recorded by the officer at the trip's drop-off), :class:`TransitionError`
    (impossible for someone; nothing is written) or :class:`KeyReused`.
    """
    def write(uow: OpsUnitOfWork) -> dict[str, Any]:
        results: list[dict[str, Any]] = []
        ids = list(person_ids)
        if household_id is not None:
            ids += seated_members(uow, actor, household_id=household_id, trip_id=trip_id)
        if not ids:
            raise Invalid("nobody to record: give a pass, person ids or a household")
        for pid in dict.fromkeys(ids):
            st = _scoped_state(uow, actor, pid, arriving=kind is EventType.ARRIVED_SAFE)
            if _already(kind, st):
                results.append({"person": pid, "status": st.status.value, "trip": st.trip_id, "result": "already"})
                continue
            if kind in (EventType.CHECKED_IN, EventType.BOARDED) and st.trip_id is None and st.merged_into is None:
                raise TransitionError(f"{pid} has no seat on any trip: re-plan (or register them as a walk-in) "
                                      "before checking them in; nothing was recorded")
            ev = PersonEvent(kind, Meta(actor.username, now, actor.device, key), pid, st.household_id, trip_id,
                             st.place)
            new = apply(st, ev)
            uow.ops.append(ev, version=new.version)
            uow.ops.save_state(new)
            results.append({"person": pid, "status": new.status.value, "trip": new.trip_id, "result": "recorded"})
        uow.ops.audit(actor=actor.username, action=f"write:{kind.value}",
                      subject=",".join(r["person"] for r in results))
        return {"event": kind.value, "key": key, "results": results,
                "recorded": sum(1 for r in results if r["result"] == "recorded")}

    return idempotent(write, uow_factory=uow_factory, key=key, actor=actor.username, route=route,
                      body_sha256=body_sha256)


def trip_people(*, uow_factory: UowFactory, actor: Actor, trip_id: str, status: Status) -> list[str]:
    """People on ``trip_id`` (per the projection) whose status is ``status``, for departure and arrival."""
    with uow_factory() as uow:
        _trip_for(uow, actor, trip_id)
        return [s.person_id for s in uow.ops.states(trip=trip_id, statuses=[status.value], limit=100_000)]


# -- plans ----------------------------------------------------------------------------------------------
def _first_rides(plan: Plan) -> dict[str, tuple[str, str, float, tuple[str, ...]]]:
    """household -> (trip, pick-up place, pick-up time h, travellers) of its first trip in ``plan``."""
    by_trip = {t.id: t for t in plan.trips}
    out: dict[str, tuple[str, str, float, tuple[str, ...]]] = {}
    for it in plan.itineraries:
        if not it.trip_ids:
            continue
        trip = by_trip.get(it.trip_ids[0])
        if trip is None:
            continue
        b = next((b for b in trip.boardings if b.household_id == it.household_id), None)
        if b is None:
            continue
        leg = trip.legs[b.first_leg]
        out[it.household_id] = (trip.id, leg.origin, leg.depart_h, b.person_ids)
    return out


def _apply_plan(uow: OpsUnitOfWork, *, plan: Plan, clock: Clock, place_names: dict[str, str], actor: str,
                key: str, now: datetime) -> dict[str, int]:
    """Assign or rebook everyone whose first trip differs from the projection; queue their messages."""
    from evac.services.notifications import enqueue_household

    rides = _first_rides(plan)
    counts = {"assigned": 0, "rebooked": 0, "cancelled": 0}
    planned: set[str] = set()
    alive = {t.id for t in plan.trips}
    for hid, (trip, place, dep_h, people) in sorted(rides.items()):
        planned.update(people)
        moved = False
        had_trip = False
        for pid in people:
            st = _state(uow, pid)
            # on board a trip the plan still runs, on the road or safe: never moved. On board a trip the plan
            # dropped (an incident): moved to the new trip, which takes them back to checked in (core.oplog)
            incident = st.status is Status.BOARDED and st.trip_id is not None and st.trip_id not in alive
            if st.merged_into is not None or (st.status in (Status.BOARDED, Status.DEPARTED, Status.ARRIVED_SAFE)
                                              and not incident):
                continue
            if st.trip_id == trip and st.place == place:
                continue
            had_trip = had_trip or st.trip_id is not None
            kind = EventType.REBOOKED if st.trip_id is not None else EventType.ASSIGNED
            note = f"incident:{st.trip_id}" if incident else "plan"
            ev = PersonEvent(kind, Meta(actor, now, "", key), pid, st.household_id, trip, place, note)
            new = apply(st, ev)
            uow.ops.append(ev, version=new.version)
            uow.ops.save_state(new)
            moved = True
        if moved:
            template = "change" if had_trip else "assignment"
            counts["rebooked" if had_trip else "assigned"] += 1
            enqueue_household(uow, household_id=hid, people=people, template=template, context={
                "trip": trip, "place": place, "place_name": place_names.get(place, place),
                "time": clock.moment(dep_h).strftime("%Y-%m-%d %H:%M %z"), "documents": list(DOCUMENTS)})
    # households that had a trip and have none now
    gone: dict[str, list[PersonState]] = {}
    for st in uow.ops.states(statuses=[s.value for s in (Status.REGISTERED, Status.NOTIFIED, Status.CONFIRMED,
                                                          Status.CHECKED_IN, Status.NO_SHOW, Status.DECLINED,
                                                          Status.BOARDED)],
                             limit=1_000_000):
        if st.status is Status.BOARDED and st.trip_id in alive:
            continue  # on board a trip that still runs
        if st.trip_id is not None and st.person_id not in planned and st.merged_into is None:
            gone.setdefault(st.household_id, []).append(st)
    for hid, states in sorted(gone.items()):
        for st in states:
            note = f"incident:{st.trip_id}" if st.status is Status.BOARDED else "plan"
            ev = PersonEvent(EventType.REBOOKED, Meta(actor, now, "", key), st.person_id, hid, None, st.place,
                             note)
            new = apply(st, ev)
            uow.ops.append(ev, version=new.version)
            uow.ops.save_state(new)
        counts["cancelled"] += 1
        enqueue_household(uow, household_id=hid, people=tuple(s.person_id for s in states), template="cancellation",
                          context={"place": states[0].place or "", "place_name": place_names.get(states[0].place or "",
                                                                                            states[0].place or "")})
    return counts


def activate(*, uow_factory: UowFactory, plan: Plan, scenario: Scenario, scenario_ref: str, clock: Clock,
             actor: str, now: datetime) -> dict[str, Any]:
    """Make ``plan`` the operation's plan: store it, set the clock, assign people, queue call-forwards.

    The plan is checked independently first, whoever made it: one that breaks a hard constraint raises
    :class:`~evac.services.planning.PlanRejected` and nothing is written.
    """
    from evac.services.planning import check

    check(plan, scenario)
    names = {p.id: p.name for p in scenario.places}
    key = f"activate-{now.isoformat()}"

    def run() -> dict[str, Any]:
        uow = uow_factory()
        with uow:
            plan_id = uow.ops.save_plan(plan=plan, scenario=scenario_ref, reason="activated")
            uow.ops.set_clock(clock)
            counts = _apply_plan(uow, plan=plan, clock=clock, place_names=names, actor=actor, key=key, now=now)
            uow.ops.audit(actor=actor, action="plan:activate", subject=f"plan {plan_id}")
            uow.commit()
        return {"plan": plan_id, "trips": len(plan.trips), **counts}

    return retrying(run)


def _core_events(uow: OpsUnitOfWork, plan: Plan, clock: Clock, now_h: float) -> list[Event]:
    """The field facts a re-plan must respect, from the log and the projection."""
    events: list[Event] = []
    for _, ev in uow.ops.events():
        if isinstance(ev, ClosureEvent):
            events.append(Closure(clock.hours(ev.effective_at), ev.target))
        elif ev.type is EventType.BREAKDOWN:
            events.append(Breakdown(clock.hours(ev.meta.at), ev.asset_id, ev.unit, ev.repair_h))  # type: ignore[union-attr]
    by_trip = {t.id: t for t in plan.trips}
    states = uow.ops.states(statuses=[Status.BOARDED.value, Status.DEPARTED.value, Status.NO_SHOW.value],
                            limit=1_000_000)
    boarded: dict[str, tuple[str, float]] = {}
    no_show: dict[str, float] = {}
    for st in states:
        h = min(clock.hours(st.updated_at), now_h) if st.updated_at else now_h
        if st.status is Status.NO_SHOW:
            no_show[st.household_id] = h
        elif st.trip_id in by_trip:
            trip = by_trip[st.trip_id]
            b = next((b for b in trip.boardings if b.household_id == st.household_id), None)
            if b is not None:
                boarded[st.household_id] = (trip.id, min(h, trip.legs[b.first_leg].depart_h))
    events.extend(Boarded(h, hid, tid) for hid, (tid, h) in sorted(boarded.items()))
    events.extend(NoShow(h, hid) for hid, h in sorted(no_show.items()) if hid not in boarded)
    return events


def replan_in(uow: OpsUnitOfWork, *, scenario: Scenario, actor: str, key: str, now: datetime,
              reason: str, cause: dict[str, Any] | None = None) -> dict[str, Any]:
    """Re-plan inside an open unit of work (the caller commits): keep the past, rebook the changed.

    Raises :class:`OpsError` (nothing may be committed) when the facts contradict the plan or the new plan
    fails the independent check."""
    active = uow.ops.active_plan()
    clock = uow.ops.clock()
    if active is None or clock is None:
        raise NoActivePlan("no active plan: run `evac ops activate` first")
    now_h = clock.hours(now)
    events = _core_events(uow, active.plan, clock, now_h)
    from evac.services.planning import PlanRejected, check

    try:
        res = replan_result(scenario, active.plan, events, now_h)
        check(res.plan, res.scenario)  # nobody is rebooked onto a plan the independent checker refuses
    except (EventConflict, PlanRejected) as exc:
        raise OpsError(f"re-plan refused: {in_words(str(exc), clock)}") from None
    plan_id = uow.ops.save_plan(plan=res.plan, scenario=active.scenario, reason=reason)
    names = {p.id: p.name for p in scenario.places}
    counts = _apply_plan(uow, plan=res.plan, clock=clock, place_names=names, actor=actor, key=key, now=now)
    counts["onward"] = _notify_onward(uow, old=active.plan, new=res.plan, changed=res.changed, clock=clock,
                                      place_names=names)
    uow.ops.audit(actor=actor, action="plan:replan", subject=f"plan {plan_id} ({reason})")
    kb, ka = active.kpis, res.plan.kpis
    changes = who_changed(active.plan, res.plan, res.changed, cause=cause or {"kind": "replan"}, clock=clock)
    return {"plan": plan_id, "generation": active.generation + 1, "now_h": round(now_h, 3),
            "changed_households": len(res.changed), "stranded": list(res.stranded), **counts,
            "notified": counts["assigned"] + counts["rebooked"] + counts["cancelled"] + counts["onward"],
            "changes": changes,
            "kpis_before": _kpi_summary(kb), "kpis_after": _kpi_summary(asdict(ka) if ka else {})}


def _notify_onward(uow: OpsUnitOfWork, *, old: Plan, new: Plan, changed: Sequence[str], clock: Clock,
                   place_names: dict[str, str]) -> int:
    """Tell households whose first ride the re-plan kept but whose journey after it changed (another onward
    vehicle, a stop short of the haven, another safe place or a later arrival): :func:`_apply_plan` only
    looks at the first ride, and a family must not learn at the border that its connection is gone.
    Returns how many households were told; their first ride (what the message names) is unchanged."""
    from evac.services.notifications import enqueue_household

    before, after = _first_rides(old), _first_rides(new)
    old_it = {it.household_id: it for it in old.itineraries}
    new_it = {it.household_id: it for it in new.itineraries}
    told = 0
    for hid in sorted(changed):
        b, a, ob, nb = before.get(hid), after.get(hid), old_it.get(hid), new_it.get(hid)
        if b is None or a is None or ob is None or nb is None or b[:3] != a[:3]:
            continue  # no ride before or after, or another first ride: _apply_plan has told them
        if (ob.trip_ids, ob.safe_place) == (nb.trip_ids, nb.safe_place) and abs(ob.safe_at_h - nb.safe_at_h) < 0.25:
            continue  # nothing a family would act on (a quarter of an hour either way)
        people = [pid for pid in a[3] if (st := _state(uow, pid)).merged_into is None
                  and st.status not in (Status.ARRIVED_SAFE, Status.DECLINED)]
        if not people:
            continue
        trip, place, dep_h = a[0], a[1], a[2]
        enqueue_household(uow, household_id=hid, people=tuple(people), template="change", context={
            "trip": trip, "place": place, "place_name": place_names.get(place, place),
            "time": clock.moment(dep_h).strftime("%Y-%m-%d %H:%M %z"), "documents": list(DOCUMENTS)})
        told += 1
    return told


def _kpi_summary(k: dict[str, Any]) -> dict[str, Any]:
    return {f: k.get(f) for f in ("travelling", "safe", "left_behind", "clearance_h", "trips")}


def post_closure(*, uow_factory: UowFactory, scenario: Scenario, actor: Actor, key: str, route: str,
                 body_sha256: str, target: str, effective_at: datetime, now: datetime) -> tuple[dict[str, Any], bool]:
    """Record a closure and re-plan in the same transaction (idempotent on ``key``)."""
    if target not in scenario.place_by_id and target not in scenario.link_by_id:
        raise Invalid(f"no place or link {target!r} in scenario {scenario.id}")

    def write(uow: OpsUnitOfWork) -> dict[str, Any]:
        ev = ClosureEvent(Meta(actor.username, now, actor.device, key), target, effective_at)
        uow.ops.append(ev, version=uow.ops.count_events(stream="operation") + 1)
        return {"closure": target, "effective_at": effective_at.isoformat(),
                **replan_in(uow, scenario=scenario, actor=actor.username, key=key, now=now,
                            reason=f"closure of {target}", cause={"kind": "closure", "target": target})}

    return idempotent(write, uow_factory=uow_factory, key=key, actor=actor.username, route=route,
                      body_sha256=body_sha256)


def post_breakdown(*, uow_factory: UowFactory, scenario: Scenario, actor: Actor, key: str, route: str,
                   body_sha256: str, asset_id: str, unit: int, repair_h: float | None, at: datetime,
                   now: datetime) -> tuple[dict[str, Any], bool]:
    """Record that vehicle ``unit`` of fleet ``asset_id`` broke down at ``at`` (``repair_h`` hours of repair,
    ``None``: lost) and re-plan in the same transaction, keeping the past (idempotent on ``key``)."""
    fleet = scenario.fleet_by_id.get(asset_id)
    if fleet is None:
        raise Invalid(f"no fleet {asset_id!r} in scenario {scenario.id}")
    if not 0 <= unit < fleet.count:
        raise Invalid(f"fleet {asset_id} has vehicles 0 to {fleet.count - 1}, not {unit}")
    if (at - now).total_seconds() > CLOCK_SKEW_S:
        raise Invalid("a breakdown is a fact: it cannot be reported for a time still to come")

    def write(uow: OpsUnitOfWork) -> dict[str, Any]:
        ev = BreakdownEvent(Meta(actor.username, at, actor.device, key), asset_id, unit, repair_h)
        uow.ops.append(ev, version=uow.ops.count_events(stream="operation") + 1)
        lost = "lost" if repair_h is None else f"repair {repair_h:g} h"
        return {"breakdown": f"{asset_id}#{unit}", "effective_at": at.isoformat(),
                **replan_in(uow, scenario=scenario, actor=actor.username, key=key, now=now,
                            reason=f"breakdown of {asset_id}#{unit} ({lost})",
                            cause={"kind": "breakdown", "asset": asset_id, "unit": unit})}

    return idempotent(write, uow_factory=uow_factory, key=key, actor=actor.username, route=route,
                      body_sha256=body_sha256)


# -- reads ----------------------------------------------------------------------------------------------
def _trip_for(uow: OpsUnitOfWork, actor: Actor, trip_id: str) -> tuple[Plan, Any]:
    active = uow.ops.active_plan()
    if active is None:
        raise NoActivePlan("no active plan: run `evac ops activate` first")
    trip = next((t for t in active.plan.trips if t.id == trip_id), None)
    if trip is None or not _serves(actor, trip):
        raise NotFound(f"no trip {trip_id}" + (" from your assembly point" if actor.scoped else ""))
    return active.plan, trip


def _pickups(trip: Any) -> set[str]:
    return {trip.legs[b.first_leg].origin for b in trip.boardings} or {trip.legs[0].origin}


def _dropoffs(trip: Any) -> set[str]:
    return {trip.legs[b.last_leg].destination for b in trip.boardings} or {trip.legs[-1].destination}


def _serves(actor: Actor, trip: Any) -> bool:
    """A field officer's trips: those picking up at their assembly point, and those setting people down there
    (the officer at a haven receives them and records their arrival)."""
    return not actor.scoped or actor.place in _pickups(trip) or actor.place in _dropoffs(trip)


def person_view(uow: OpsUnitOfWork, st: PersonState, *, names: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": st.person_id, "household": st.household_id, "status": st.status.value,
                           "trip": st.trip_id, "place": st.place, "updated_at":
                           st.updated_at.isoformat() if st.updated_at else None}
    if names:
        rec = uow.registry.get(registry_id(st.person_id)).record
        out.update(name=rec.display_name, original=" ".join(x for x in (rec.given, rec.patronymic, rec.family) if x),
                   birth=rec.birth.iso(), sex=rec.sex.value if rec.sex else "",
                   vulnerabilities=sorted(v.value for v in rec.vulnerabilities))
    return out


def search(*, uow_factory: UowFactory, actor: Actor, query: str, limit: int = 20, offset: int = 0
           ) -> list[dict[str, Any]]:
    """The page of :func:`search_page`."""
    return search_page(uow_factory=uow_factory, actor=actor, query=query, limit=limit, offset=offset)[0]


def search_page(*, uow_factory: UowFactory, actor: Actor, query: str, limit: int = 20, offset: int = 0
                ) -> tuple[list[dict[str, Any]], int]:
    """People ranked by how well they match ``query`` (name words in any script, optionally a birth date or
    year; :func:`evac.services.registry.search_in`), each with birth date, household, trip and score; and how
    many matched in all. A field officer's assembly point scopes the search **before** anything is capped,
    so the total and every page hold only people the officer may see. Audited (the ids shown)."""
    from evac.core.registry.search import parse
    from evac.services.registry import search_in

    if not parse(query).words:
        raise Invalid("the query has no name to search for")
    with uow_factory() as uow:

        def visible(found: Sequence[Brief]) -> list[Brief]:
            """The candidates at the officer's assembly point: where the operation last placed them, else home."""
            at: dict[str, str | None] = {}
            keys = [person_key(b.id) for b in found]
            for n in range(0, len(keys), 1000):
                for st in uow.ops.states(person_ids=keys[n:n + 1000], limit=1000):
                    at[st.person_id] = st.place
            return [b for b in found if (at.get(person_key(b.id)) or b.city) == actor.place]

        res = search_in(uow, query=query, limit=limit, offset=offset, visible=visible if actor.scoped else None)
        page = [{**person_view(uow, _state(uow, person_key(s.id)), names=True), "score": round(score, 4)}
                for s, score in res.hits]
        uow.ops.audit(actor=actor.username, action="read:search", subject=",".join(p["id"] for p in page))
        uow.commit()
        return page, res.total


def person(*, uow_factory: UowFactory, actor: Actor, person_id: str) -> dict[str, Any]:
    with uow_factory() as uow:
        view = person_view(uow, _scoped_state(uow, actor, person_id), names=True)
        uow.ops.audit(actor=actor.username, action="read:person", subject=person_id)
        uow.commit()
        return view


def household(*, uow_factory: UowFactory, actor: Actor, household_id: str) -> dict[str, Any]:
    with uow_factory() as uow:
        members = uow.ops.household_members(household_id)
        states = [_state(uow, pid) for pid in members]
        if not states or not all(_visible(actor, s) for s in states):
            raise NotFound(f"no household {household_id}" + (" at your assembly point" if actor.scoped else ""))
        view = {"id": household_id, "members": [person_view(uow, s, names=True) for s in states]}
        uow.ops.audit(actor=actor.username, action="read:household", subject=household_id)
        uow.commit()
        return view


def trips(*, uow_factory: UowFactory, actor: Actor, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    with uow_factory() as uow:
        active = uow.ops.active_plan()
        clock = uow.ops.clock()
        if active is None or clock is None:
            raise NoActivePlan("no active plan: run `evac ops activate` first")
        rows = [t for t in active.plan.trips if _serves(actor, t)]
        return [_trip_summary(t, clock) for t in rows[offset:offset + limit]]


def _first_pickup(t: Any) -> tuple[str, float]:
    """(place, hour) where the trip first takes people on: the earliest leg any boarding starts on. A bus from
    a Damascus depot that collects a Qamishli family picks up in Qamishli; its depot is only ``origin``."""
    first = min((b.first_leg for b in t.boardings), default=0)
    leg = t.legs[first]
    return leg.origin, leg.depart_h


def _trip_summary(t: Any, clock: Clock) -> dict[str, Any]:
    pickup, pickup_h = _first_pickup(t)
    return {"id": t.id, "asset": t.asset_id, "unit": t.unit, "pickups": sorted(_pickups(t)),
            "dropoffs": sorted(_dropoffs(t)),
            "origin": t.legs[0].origin, "destination": t.legs[-1].destination,
            "depart": clock.moment(t.depart_h).isoformat(), "arrive": clock.moment(t.arrive_h).isoformat(),
            "people": t.people, "pickup": pickup, "pickup_at": clock.moment(pickup_h).isoformat()}


def manifest(*, uow_factory: UowFactory, actor: Actor, trip_id: str, names: bool = True,
             scenario_of: Callable[[str], Scenario] | None = None) -> dict[str, Any]:
    """A trip with its passengers and their statuses (names only when ``names``; audited).

    A trip an earlier plan generation had and the active one has not is an **incident**, never a 404: the
    answer is that trip as it was, with ``cancelled`` (when, by which generation, why) and its passengers
    where they are now (status, current trip and place) — see :func:`cancelled_trip`."""
    with uow_factory() as uow:
        try:
            _, trip = _trip_for(uow, actor, trip_id)
        except NotFound:
            gone = cancelled_trip(uow, actor, trip_id, names=names)
            if gone is None:
                raise
            uow.ops.audit(actor=actor.username, action="read:manifest" if names else "read:manifest-redacted",
                          subject=trip_id)
            uow.commit()
            return gone
        clock = uow.ops.clock()
        active = uow.ops.active_plan()
        assert clock is not None and active is not None
        onward = {it.household_id: it.trip_ids for it in active.plan.itineraries}
        people = []
        needs: dict[str, int] = {}
        # seats used: the most people on board on any leg
        peak = max((sum(len(b.person_ids) for b in trip.boardings if b.first_leg <= i <= b.last_leg)
                    for i in range(len(trip.legs))), default=0)
        for b in trip.boardings:
            rides = onward.get(b.household_id, ())
            at = rides.index(trip.id) if trip.id in rides else -1
            ride = {"boards_at": trip.legs[b.first_leg].origin,
                    "boards_time": clock.moment(trip.legs[b.first_leg].depart_h).isoformat(),
                    "alights_at": trip.legs[b.last_leg].destination,
                    "transfer_to": rides[at + 1] if 0 <= at < len(rides) - 1 else None}
            for pid in b.person_ids:
                view = person_view(uow, _state(uow, pid), names=names)
                for v in view.get("vulnerabilities") or ():
                    needs[v] = needs.get(v, 0) + 1
                people.append({**view, **ride})
        uow.ops.audit(actor=actor.username, action="read:manifest" if names else "read:manifest-redacted",
                      subject=trip_id)
        uow.commit()
        fleet = scenario_of(clock.scenario).fleet_by_id.get(trip.asset_id) if scenario_of is not None else None
        return {**_trip_summary(trip, clock), "passengers": people, "cancelled": None,
                "seats_used": peak, "seats": fleet.seats if fleet is not None else None,
                "assistance": dict(sorted(needs.items()))}


def cancelled_trip(uow: OpsUnitOfWork, actor: Actor, trip_id: str, *, names: bool) -> dict[str, Any] | None:
    """The incident of a trip the re-plans dropped: the last generation that had it, as it was, with
    ``cancelled`` = {at (UTC, when the generation without it was made), generation, reason (e.g. "closure of
    damascus--masnaa"), taken_off: who was on board when it was dropped, action: what the officer must do};
    passengers are
    the people it carried, each where they are now. ``None`` when no generation ever had the trip (or the
    field officer's assembly point was not on it)."""
    clock = uow.ops.clock()
    if clock is None:
        return None
    history = uow.ops.plan_history()  # (id, generation, reason, kpis, active) in id order
    for n in range(len(history) - 1, 0, -1):
        plan = uow.ops.plan(history[n - 1][0])
        trip = next((t for t in plan.trips if t.id == trip_id), None) if plan is not None else None
        if trip is None:
            continue
        if not _serves(actor, trip):
            return None
        _, gen, reason, _, _ = history[n]
        at = next((a.at for a in uow.ops.audit_log(actor=None, action="plan:", since=None, limit=100_000, offset=0)
                   if a.subject.startswith(f"plan {history[n][0]} ")), None)
        people = [person_view(uow, _state(uow, pid), names=names) for b in trip.boardings for pid in b.person_ids]
        note = f"incident:{trip_id}"
        off = sorted({ev.person_id for _, ev in uow.ops.events(types=[EventType.REBOOKED.value])
                      if isinstance(ev, PersonEvent) and ev.note == note})
        action = ("nobody travels on this trip any more: take the people who were on board off the vehicle; "
                  "they are checked in for the trip each one now holds (listed) — board them there — or wait at "
                  "the assembly point if none" if off else
                  "nobody was on board: its people hold the trips listed (or wait for a re-plan if none)")
        return {**_trip_summary(trip, clock), "passengers": people, "cancelled": {
            "at": at.isoformat() if at is not None else None, "generation": gen, "reason": reason,
            "taken_off": off, "action": action}}
    return None


def status_board(*, uow_factory: UowFactory) -> dict[str, Any]:
    """Counts by place and status (people with no event yet count as registered at home), plan KPIs.

    A person whose only events carry no place (a merge, undone) counts at home, not at "unknown"; records
    set aside as unreviewed likely duplicates of another (:func:`evac.services.registry.collapse_in`) are not
    counted: one person listed twice is one person registered. ``duplicates`` says how many such pairs wait.
    """
    from evac.services.registry import collapse_in

    with uow_factory() as uow:
        board: dict[str, dict[str, int]] = {}
        placeless: list[str] = []
        for place, status, n in uow.ops.status_counts():
            if place is None:
                placeless.append(status)
                continue
            board.setdefault(place, {})[status] = n
        for place, n in uow.ops.unplanned_counts():
            row = board.setdefault(place, {})
            row["registered"] = row.get("registered", 0) + n

        def count(place: str, status: str, n: int) -> None:
            row = board.setdefault(place, {})
            row[status] = row.get(status, 0) + n
            if row[status] == 0:
                del row[status]
            if not row:
                del board[place]

        if placeless:  # only events without a place so far (a merge, undone): still at home, as _state says
            for st in uow.ops.states(statuses=placeless, limit=10_000_000):
                if st.place is None and st.merged_into is None:
                    home = uow.ops.home_place(st.person_id)
                    count(home[1] if home is not None else "unknown", st.status.value, 1)
        # unreviewed likely duplicates are one person until reviewed: count the record that stands for them
        col, recs = collapse_in(uow)
        for rid in col.kept_for:
            seen = uow.ops.state(person_key(rid))
            if seen is None:
                count(recs[rid].record.city, Status.REGISTERED.value, -1)
            elif seen.merged_into is None:
                count(seen.place or recs[rid].record.city, seen.status.value, -1)
        totals: dict[str, int] = {}
        for row in board.values():
            for s, n in row.items():
                totals[s] = totals.get(s, 0) + n
        history = [{"plan": pid, "generation": g, "reason": r, "active": a, "kpis": _kpi_summary(k)}
                   for pid, g, r, k, a in uow.ops.plan_history()]
        return {"by_place": board, "totals": totals, "plans": history,
                "duplicates": {"unresolved_likely": col.pairs, "planned_once": col.hidden}}


def unaccounted(*, uow_factory: UowFactory, actor: Actor, place: str | None = None, status: str | None = None,
                trip: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """People the plan expects to move whose whereabouts are unknown (not seen by a field officer), optionally
    only those at one assembly point, in one of the unaccounted statuses, or booked on one trip."""
    statuses = [Status.REGISTERED.value, Status.NOTIFIED.value, Status.CONFIRMED.value, Status.NO_SHOW.value]
    if status is not None:
        if status not in statuses:
            raise Invalid(f"status {status!r}: choose from {', '.join(statuses)}")
        statuses = [status]
    with uow_factory() as uow:
        rows = uow.ops.states(place=place, trip=trip, statuses=statuses, expected=True, limit=limit, offset=offset)
        out = [person_view(uow, s, names=False) for s in rows]
        uow.ops.audit(actor=actor.username, action="read:unaccounted", subject=f"{len(out)} people")
        uow.commit()
        return out


__all__ = ["Actor", "Invalid", "KeyReused", "NoActivePlan", "NotFound", "OpsError", "TransitionError", "activate",
           "household", "manifest", "person", "post_breakdown", "post_closure", "record", "replan_in", "retrying",
           "search", "search_page", "status_board", "trips", "unaccounted"]


def household_on_trip(*, uow_factory: UowFactory, household_id: str, trip_id: str) -> list[str]:
    """Members of a household booked on ``trip_id`` (for a whole-household scan of one pass)."""
    with uow_factory() as uow:
        return [s.person_id for s in uow.ops.states(household=household_id, trip=trip_id)]


def pass_data(*, uow_factory: UowFactory, actor: Actor, person_ids: Sequence[str]) -> list[dict[str, Any]]:
    """What a boarding pass prints for each person (names included; audited). People without a trip are
    refused: a pass without a trip cannot be checked in."""
    with uow_factory() as uow:
        active, clock = uow.ops.active_plan(), uow.ops.clock()
        if active is None or clock is None:
            raise NoActivePlan("no active plan: run `evac ops activate` first")
        rides = _first_rides(active.plan)
        out = []
        for pid in person_ids:
            st = _scoped_state(uow, actor, pid)
            ride = rides.get(st.household_id)
            if st.trip_id is None or ride is None or ride[0] != st.trip_id:
                raise OpsError(f"person {pid} has no trip in the active plan")
            view = person_view(uow, st, names=True)
            out.append({**view, "person": pid, "trip": st.trip_id, "place": ride[1],
                        "time": clock.moment(ride[2]).strftime("%Y-%m-%d %H:%M %z")})
        uow.ops.audit(actor=actor.username, action="read:pass", subject=",".join(person_ids))
        uow.commit()
        return out


def set_language(*, uow_factory: UowFactory, actor: Actor, person_id: str, language: str) -> None:
    def run() -> None:
        with uow_factory() as uow:
            _scoped_state(uow, actor, person_id)
            uow.ops.set_language(person_id, language)
            uow.ops.audit(actor=actor.username, action="write:language", subject=f"{person_id}={language}")
            uow.commit()

    retrying(run)


def outbox(*, uow_factory: UowFactory, status: str | None, limit: int, offset: int) -> list[Any]:
    with uow_factory() as uow:
        return uow.ops.outbox(status=status, limit=limit, offset=offset)


def audit_log(*, uow_factory: UowFactory, actor: str | None = None, action: str | None = None,
              since: datetime | None = None, limit: int = 100, offset: int = 0,
              before: int | None = None) -> list[Any]:
    """The audit log, newest first; ``before`` (a chain seq) pages back from there."""
    with uow_factory() as uow:
        return uow.ops.audit_log(actor=actor, action=action, since=since, limit=limit, offset=offset,
                                 before=before)


def record_audit(*, uow_factory: UowFactory, actor: str, action: str, subject: str) -> None:
    """One audit entry in its own transaction (a CLI run — notification delivery — whose work commits in
    several transactions of its own)."""
    def run() -> None:
        with uow_factory() as uow:
            uow.ops.audit(actor=actor, action=action, subject=subject)
            uow.commit()

    retrying(run)


def replan(*, uow_factory: UowFactory, scenario: Scenario, actor: Actor, now: datetime) -> dict[str, Any]:
    """Re-plan now (no new fact: e.g. after no-shows and breakdowns); one transaction."""
    def run() -> dict[str, Any]:
        with uow_factory() as uow:
            out = replan_in(uow, scenario=scenario, actor=actor.username, key=f"replan-{now.isoformat()}", now=now,
                            reason="re-plan")
            uow.commit()
            return out

    return retrying(run)


def verify_projection(*, uow_factory: UowFactory) -> list[str]:
    """Replay the log from scratch and return the people whose stored status differs (empty: identical)."""
    from evac.core.oplog import fold

    with uow_factory() as uow:
        replayed = fold(ev for _, ev in uow.ops.events()).people
        stored = {s.person_id: s for s in uow.ops.states(limit=10_000_000)}
    return sorted(p for p in replayed.keys() | stored.keys() if replayed.get(p) != stored.get(p))
