"""What a re-plan changed, as the crisis cell reads it: who, from which trip to which, and why.

:func:`who_changed` compares the old and the new plan for the households the re-plan reports as changed
(:func:`evac.core.planner.replan.replan_result`'s ``changed``: a different vehicle, pick-up or drop-off
place or time, safe place or time, or being left behind) and gives, per household, its first ride before
and after (trip, pick-up place, departure time) and a reason code the console translates:

================ =================================================================================
``trip_cut``     one of its trips was cut short or dropped by the new facts (``trip`` names it, ``dropped``
                 says which)
``left_behind``  the new plan cannot take it (``why``: the planner's reason, e.g. ``no_open_exit``)
``stranded``     a cut trip left it on the way and no new trip reaches it (``place``)
``no_show``      it was reported as a no-show
``now_planned``  it had no seat before and has one now
``moved``        same facts, another ride (earlier, later or another vehicle)
================ =================================================================================

``cause`` says what triggered the re-plan (``{"kind": "closure", "target": "homs"}``, a breakdown, or a
plain re-plan). Ids only (households, trips, places): the console shows display names for places; no
person is named. :func:`in_words` turns the "N h" hours-from-epoch of the planner's messages into dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.model import Plan
    from evac.services.ops_ports import Clock

MAX_LISTED = 500
"""At most this many households are listed (``changes_total`` gives the full count): a closure on a big
operation can move thousands, and the console shows the list, not an export."""


@dataclass(frozen=True, slots=True)
class _Journey:
    trips: tuple[str, ...]  # every ride, in order
    place: str  # pick-up place of the first ride
    depart_h: float  # its departure (hours from the epoch)
    safe_place: str
    safe_at_h: float


def _journeys(plan: Plan) -> dict[str, _Journey]:
    """household -> its journey in ``plan`` (households without a ride are absent)."""
    by_id = {t.id: t for t in plan.trips}
    out: dict[str, _Journey] = {}
    for it in plan.itineraries:
        if not it.trip_ids:
            continue
        t = by_id.get(it.trip_ids[0])
        b = None if t is None else next((b for b in t.boardings if b.household_id == it.household_id), None)
        if t is None or b is None:
            continue
        leg = t.legs[b.first_leg]
        out[it.household_id] = _Journey(tuple(it.trip_ids), leg.origin, leg.depart_h, it.safe_place, it.safe_at_h)
    return out


def _people(plan: Plan) -> dict[str, int]:
    n: dict[str, set[str]] = {}
    for t in plan.trips:
        for b in t.boardings:
            n.setdefault(b.household_id, set()).update(b.person_ids)
    for lb in plan.left_behind:
        n.setdefault(lb.household_id, set()).update(lb.person_ids)
    return {h: len(p) for h, p in n.items()}


def who_changed(old: Plan, new: Plan, changed: Sequence[str], *, cause: dict[str, Any], clock: Clock,
                limit: int = MAX_LISTED) -> list[dict[str, Any]]:
    """One entry per changed household (at most ``limit``, in household order): ``household``, ``people``,
    ``before`` and ``after`` (each the journey: first ``trip`` and all ``trips``, pick-up ``place`` and
    ``depart``, ``safe_place`` and ``safe_at``, times in UTC ISO; ``None`` without a ride), ``reason`` (a code
    of the module docstring) with its details, and ``cause``."""
    before, after = _journeys(old), _journeys(new)
    left_old = {lb.household_id: lb for lb in old.left_behind}
    left_new = {lb.household_id: lb for lb in new.left_behind}
    meta = new.meta.get("replan", {}) if isinstance(new.meta, dict) else {}
    cut = set(meta.get("cut_trips", ()))
    kept_ids = {t.id for t in new.trips}
    stranded = {s["household"]: s for s in meta.get("stranded", ())}
    no_show = set(meta.get("no_show", ()))
    people = {**_people(old), **_people(new)}

    def utc(h: float) -> str:
        return clock.moment(h).astimezone(UTC).isoformat()

    def ride(j: _Journey | None) -> dict[str, Any] | None:
        if j is None:
            return None
        return {"trip": j.trips[0], "trips": list(j.trips), "place": j.place, "depart": utc(j.depart_h),
                "safe_place": j.safe_place, "safe_at": utc(j.safe_at_h)}

    out: list[dict[str, Any]] = []
    for hid in list(changed)[:limit]:
        b, a = before.get(hid), after.get(hid)
        reason: dict[str, Any]
        if hid in no_show:
            reason = {"code": "no_show"}
        elif hid in stranded:
            reason = {"code": "stranded", "place": stranded[hid].get("place")}
        elif hid in left_new and hid not in left_old:
            reason = {"code": "left_behind", "why": left_new[hid].reason.value}
        elif b is not None and (gone := next((t for t in b.trips if t in cut or t not in kept_ids), None)):
            reason = {"code": "trip_cut", "trip": gone, "dropped": gone not in kept_ids}
        elif b is None:
            reason = {"code": "now_planned"}
        else:
            reason = {"code": "moved"}
        out.append({"household": hid, "people": people.get(hid, 0), "before": ride(b), "after": ride(a),
                    "reason": reason, "cause": cause})
    return out


_HOURS = re.compile(r"\b(at|for|now \()\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?) h\b")


def in_words(message: str, clock: Clock) -> str:
    """``message`` with each "at 30 h" / "for -38.5 h" / "now (12 h" — hours from the scenario epoch, the
    planner's own unit — written as the moment in the scenario's zone ("at Tue 22 Jan 2013 12:00 UTC+02:00"),
    so nobody in the crisis cell has to convert internal hours. Durations ("repair 6 h") are left alone."""
    def date(m: re.Match[str]) -> str:
        at = clock.moment(float(m.group(2)))
        off = at.utcoffset()
        minutes = 0 if off is None else round(off.total_seconds() / 60)
        zone = f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        return f"{m.group(1)}{'' if m.group(1).endswith('(') else ' '}{at:%a %d %b %Y %H:%M} {zone}"

    return _HOURS.sub(date, message)


__all__ = ["MAX_LISTED", "in_words", "who_changed"]
