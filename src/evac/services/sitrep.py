"""The situation report: the day's numbers, incidents, closures and next departures of a live operation.

A crisis cell sends one to its ministry, its embassy and the host authorities every day (often every shift):
so it names no person. Only counts, trip ids, places, vehicles and times leave this module, which is why a
viewer may read it and why it can be exported to PDF and CSV without redaction.

Numbers come from the same sources as the status board (:func:`evac.services.operations.status_board`: the
event log's status projection), the period's activity from the log's events, the closures from the
scenario's threats at the policy's quantile (the rule the planner uses) and the closures posted during the
operation, the departures from the active plan. Times: the operation clock
(:class:`~evac.services.ops_ports.Clock`), shown in UTC.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from evac.core.model.threats import Effect
from evac.core.oplog import BreakdownEvent, ClosureEvent, EventType, PersonEvent
from evac.services.operations import Invalid, NoActivePlan, status_board

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from evac.core.model import Scenario
    from evac.services.ops_ports import OpsUnitOfWork

    UowFactory = Callable[[], OpsUnitOfWork]

MAX_HOURS = 24.0 * 14
"""The longest period a report covers (hours): a fortnight; longer asks for an archive, not a sitrep."""

FUNNEL = ("registered", "notified", "confirmed", "declined", "checked_in", "boarded", "departed", "arrived_safe",
          "no_show")
"""Statuses in the order people move through them (the status projection's names)."""

UNACCOUNTED = ("registered", "notified", "confirmed", "no_show")
"""Statuses of people the plan expects to move whom no field officer has seen (as ``/unaccounted``)."""


def situation_report(*, uow_factory: UowFactory, scenario_of: Callable[[str], Scenario], now: datetime,
                     hours: float = 24.0, actor: str = "") -> dict[str, Any]:
    """The report for the ``hours`` before ``now`` (timezone-aware), with the closures and departures of the
    ``hours`` after it. Raises :class:`NoActivePlan` before activation and :class:`Invalid` on a period
    outside (0, :data:`MAX_HOURS`]. ``scenario_of(ref)`` gives the operation's scenario (its places, links,
    fleets and threats are read; the population is not). Audited as ``read:sitrep`` when ``actor`` is given.
    """
    if not 0 < hours <= MAX_HOURS:
        raise Invalid(f"hours: a report covers more than 0 and at most {MAX_HOURS:g} hours, not {hours:g}")
    board = status_board(uow_factory=uow_factory)
    with uow_factory() as uow:
        active, clock = uow.ops.active_plan(), uow.ops.clock()
        if active is None or clock is None:
            raise NoActivePlan("no active plan: run `evac ops activate` first")
        since, until = now - timedelta(hours=hours), now + timedelta(hours=hours)
        activity: Counter[str] = Counter()
        incidents: list[dict[str, Any]] = []
        posted: list[dict[str, Any]] = []
        types = [t.value for t in (EventType.CHECKED_IN, EventType.BOARDED, EventType.DEPARTED,
                                   EventType.ARRIVED_SAFE, EventType.NO_SHOW, EventType.CONFIRMED,
                                   EventType.DECLINED, EventType.CLOSURE, EventType.BREAKDOWN,
                                   EventType.REBOOKED)]
        # trips a re-plan dropped with people on board: trip -> (first seen, people, people re-seated)
        cancelled: dict[str, list[Any]] = {}
        scenario = scenario_of(active.scenario)
        names = _names(scenario)

        def op(real: datetime) -> datetime:
            """A real moment on the operation clock (UTC): the time frame of the plan's departures."""
            return clock.moment(clock.hours(real)).astimezone(UTC)

        for _, ev in uow.ops.events(types=types):
            at = ev.meta.at
            if isinstance(ev, ClosureEvent):
                row = {"target": ev.target, "name": names.get(ev.target, ev.target),
                       "at": op(ev.effective_at), "source": "posted", "recorded": op(at)}
                posted.append(row)
                if since <= at <= now:
                    incidents.append({"kind": "closure", "at": op(at), "subject": ev.target,
                                      "detail": f"closed from {op(ev.effective_at):%d %b %H:%M} UTC"})
            elif isinstance(ev, BreakdownEvent):
                if since <= at <= now:
                    repair = "lost" if ev.repair_h is None else f"repair {ev.repair_h:g} h"
                    incidents.append({"kind": "breakdown", "at": op(at),
                                      "subject": f"{ev.asset_id}#{ev.unit}", "detail": repair})
            elif isinstance(ev, PersonEvent) and since <= at <= now:
                if ev.type is EventType.REBOOKED:
                    if ev.note.startswith("incident:"):
                        was = cancelled.setdefault(ev.note.removeprefix("incident:"), [at, 0, 0])
                        was[1] += 1
                        was[2] += ev.trip_id is not None
                    continue
                activity[ev.type.value] += 1
        for trip_id, (at, n, seated) in cancelled.items():
            incidents.append({"kind": "trip_cancelled", "at": op(at), "subject": trip_id,
                              "detail": f"{n} on board taken off; {seated} re-seated, {n - seated} waiting"})
        now_h = clock.hours(now)
        departures = []
        for trip in active.plan.trips:
            first = min((b.first_leg for b in trip.boardings), default=0)  # where people board, not the depot
            if now_h <= trip.legs[first].depart_h <= clock.hours(until):
                origin, destination = trip.legs[first].origin, trip.legs[-1].destination
                departures.append({
                    "trip": trip.id, "vehicle": f"{trip.asset_id}#{trip.unit}",
                    "from": names.get(origin, origin), "to": names.get(destination, destination),
                    "depart": clock.moment(trip.legs[first].depart_h).astimezone(UTC), "people": trip.people})
        departures.sort(key=lambda d: (d["depart"], d["trip"]))
        expected = _expected_closures(scenario, names, now_h, clock.hours(until),
                                      lambda h: clock.moment(h).astimezone(UTC))
        unaccounted = len(uow.ops.states(statuses=UNACCOUNTED, expected=True, limit=10**9))
        if actor:
            uow.ops.audit(actor=actor, action="read:sitrep", subject=f"{hours:g} h")
            uow.commit()
    totals = board["totals"]
    incidents.sort(key=lambda i: (i["at"], i["kind"], i["subject"]))
    return {
        "generated_at": op(now), "period_from": op(since), "period_to": op(now),
        "hours": hours, "scenario": active.scenario, "generation": active.generation,
        "totals": {s: int(totals.get(s, 0)) for s in FUNNEL} | {
            s: int(n) for s, n in totals.items() if s not in FUNNEL},
        "people": int(sum(totals.values())),
        "safe": int(totals.get("arrived_safe", 0)),
        "unaccounted": unaccounted,
        "by_place": {place: {s: int(n) for s, n in row.items()} for place, row in sorted(board["by_place"].items())},
        "activity": {t: activity.get(t, 0) for t in ("confirmed", "declined", "checked_in", "boarded", "departed",
                                                      "arrived_safe", "no_show")},
        "incidents": incidents,
        "closures_posted": sorted(posted, key=lambda c: (c["at"], c["target"])),
        "closures_expected": expected,
        "next_departures": departures,
        "plans": board["plans"],
    }


def _names(scenario: Scenario) -> dict[str, str]:
    names = {p.id: p.name for p in scenario.places}
    names.update({lk.id: f"{names.get(lk.a, lk.a)} – {names.get(lk.b, lk.b)}" for lk in scenario.links})
    return names


def _expected_closures(scenario: Scenario, names: dict[str, str], now_h: float, until_h: float,
                       moment: Callable[[float], datetime]) -> list[dict[str, Any]]:
    """The scenario's closing threats expected (at the policy's quantile) between now and ``until_h``."""
    out = []
    for t in scenario.threats:
        if t.effect is not Effect.CLOSE:
            continue
        at_h = scenario.threat_h(t)
        if now_h <= at_h <= until_h:
            out.append({"target": t.target, "name": names.get(t.target, t.target), "threat": t.name,
                        "at": moment(at_h), "source": "scenario"})
    out.sort(key=lambda c: (c["at"], c["target"]))
    return out


__all__ = ["FUNNEL", "MAX_HOURS", "UNACCOUNTED", "situation_report"]
