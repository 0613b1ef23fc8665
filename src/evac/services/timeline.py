"""People safe over time, against the closures: the series behind the status board's chart.

Three cumulative counts per step of ``step_h`` hours from the operation's start (the first plan's start,
which re-plans keep; the x axis of the chart):

- **planned**: people the *active* plan brings to safety by that time (its itineraries' ``safe_at_h``,
  counting the distinct people each household's boardings carry, as the HTML report does; the last value
  equals the plan's ``safe`` KPI);
- **first**: the same for the *first* plan generation, when re-plans have happened since (what they cost);
- **actual**: people whose ``arrived_safe`` event is in the operation log by that time (a person merged
  into another afterwards is not counted twice); only up to *now* — the future has no actual value.

Closures: the scenario's closing threats at the policy's ``closure_quantile`` (the rule the HTML report
and the planner use; uncertain ones also carry the 5–95 % band of their distribution) and the closures
posted during the operation (``closure`` events, at their ``effective_at``).

Times: hours since the operation's start for charts, and the same moment as a UTC datetime on the operation
clock (:class:`~evac.services.ops_ports.Clock`: real moments, such as an arrival or *now*, map to scenario
time; for a live operation whose epoch is today the two agree). Nothing here names a person: only counts
leave this module.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from evac.core.model.feasibility import band
from evac.core.model.threats import Effect
from evac.core.oplog import ClosureEvent, EventType, MergedEvent, PersonEvent
from evac.services.operations import NoActivePlan

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from evac.core.model import Plan, Scenario
    from evac.services.ops_ports import Clock, OpsUnitOfWork

    UowFactory = Callable[[], OpsUnitOfWork]

MAX_POINTS = 2000
"""At most this many series points: an operation longer than ``MAX_POINTS`` hours gets a coarser step."""
MIN_SPAN_H = 24.0
"""The chart shows at least a day, so a short plan is not stretched across the whole width."""
MARGIN = 1.06
"""The window ends this factor after the last planned arrival (or now), like the HTML report's chart."""


@dataclass(frozen=True, slots=True)
class _Steps:
    """Sorted (hours since start) arrival times of people, one entry per person: cumulative counts by bisect."""

    times: tuple[float, ...]

    def by(self, h: float) -> int:
        return bisect_right(self.times, h + 1e-9)

    @property
    def total(self) -> int:
        return len(self.times)

    @property
    def last(self) -> float | None:
        return self.times[-1] if self.times else None


def safe_times(plan: Plan) -> list[tuple[float, int]]:
    """``(safe_at_h, people)`` per household itinerary of ``plan`` (hours from the epoch): the distinct people
    its boardings carry. Households without trips (already safe, or planned by another means) count as 0."""
    members: dict[str, set[str]] = {}
    for trip in plan.trips:
        for b in trip.boardings:
            members.setdefault(b.household_id, set()).update(b.person_ids)
    return [(it.safe_at_h, len(members.get(it.household_id, ()))) for it in plan.itineraries if it.trip_ids]


def _planned_steps(plan: Plan, start_h: float) -> _Steps:
    times: list[float] = []
    for at_h, n in safe_times(plan):
        times.extend([at_h - start_h] * n)
    return _Steps(tuple(sorted(times)))


def _actual_steps(uow: OpsUnitOfWork, clock: Clock, start_h: float) -> _Steps:
    """Arrival times (hours since start) from the log's ``arrived_safe`` events, minus people merged away."""
    arrived: dict[str, float] = {}
    merged: set[str] = set()
    for _, ev in uow.ops.events(types=[EventType.ARRIVED_SAFE.value, EventType.MERGED.value]):
        if isinstance(ev, MergedEvent):
            (merged.discard if ev.undone else merged.add)(ev.person_id)
        elif isinstance(ev, PersonEvent):
            arrived.setdefault(ev.person_id, clock.hours(ev.meta.at) - start_h)
    return _Steps(tuple(sorted(h for p, h in arrived.items() if p not in merged)))


def _closures(uow: OpsUnitOfWork, scenario: Scenario, clock: Clock, start_h: float) -> list[dict[str, Any]]:
    names = {p.id: p.name for p in scenario.places}
    names.update({lk.id: f"{names.get(lk.a, lk.a)} – {names.get(lk.b, lk.b)}" for lk in scenario.links})
    out: list[dict[str, Any]] = []
    for t in scenario.threats:
        if t.effect is not Effect.CLOSE:
            continue
        at_h = scenario.threat_h(t) - start_h
        window = band(t.when)
        uncertain = window is not None
        band_h = None if window is None else [window[0] - start_h, window[1] - start_h]
        out.append({"id": t.id, "name": t.name, "target": t.target, "target_name": names.get(t.target, t.target),
                    "source": "scenario", "h": at_h, "uncertain": uncertain, "band_h": band_h})
    for n, (_, ev) in enumerate(uow.ops.events(types=[EventType.CLOSURE.value]), start=1):
        if isinstance(ev, ClosureEvent):
            target = names.get(ev.target, ev.target)
            out.append({"id": f"posted-{n}", "name": f"Closure posted: {target}", "target": ev.target,
                        "target_name": target, "source": "operation", "h": clock.hours(ev.effective_at) - start_h,
                        "uncertain": False, "band_h": None})
    for c in out:
        c["in_force_at_start"] = c["h"] <= 0.0
    out.sort(key=lambda c: (c["h"], c["id"]))
    return out


def _step(span_h: float) -> float:
    return float(max(1, math.ceil(span_h / MAX_POINTS)))


def timeline(*, uow_factory: UowFactory, scenario_of: Callable[[str], Scenario], now: datetime) -> dict[str, Any]:
    """The status board's chart data at moment ``now`` (timezone-aware); raises :class:`NoActivePlan`.

    ``scenario_of(ref)`` gives the operation's scenario for its reference; only its places, links, threats,
    policy and epoch are read (a scenario without its population will do). Cost: linear in the active (and
    first) plan's itineraries and in the ``arrived_safe`` / ``merged`` / ``closure`` events.
    """
    with uow_factory() as uow:
        active, clock = uow.ops.active_plan(), uow.ops.clock()
        if active is None or clock is None:
            raise NoActivePlan("no active plan: run `evac ops activate` first")
        start_h = active.plan.start_h
        first = None
        if active.generation > 1:
            history = uow.ops.plan_history()
            first_id = next((pid for pid, gen, _, _, _ in history if gen == 1), None)
            first = uow.ops.plan(first_id) if first_id is not None else None
        planned = _planned_steps(active.plan, start_h)
        first_steps = _planned_steps(first, start_h) if first is not None else None
        actual = _actual_steps(uow, clock, start_h)
        closures = _closures(uow, scenario_of(active.scenario), clock, start_h)
    now_h = clock.hours(now) - start_h
    ends = [x for x in (planned.last, first_steps.last if first_steps else None, actual.last) if x is not None]
    end_h = max(MIN_SPAN_H, max(ends, default=0.0) * MARGIN, now_h * MARGIN if now_h > 0 else 0.0)
    step_h = _step(end_h)
    end_h = math.ceil(end_h / step_h) * step_h
    start = clock.moment(start_h).astimezone(UTC)
    hours = [k * step_h for k in range(round(end_h / step_h) + 1)]
    series = [{"h": h, "at": start + timedelta(hours=h), "planned": planned.by(h),
               "first": first_steps.by(h) if first_steps is not None else None,
               "actual": actual.by(h) if h <= now_h else None} for h in hours]
    for c in closures:
        c["at"] = start + timedelta(hours=c["h"])
    offset = clock.epoch.utcoffset()
    return {"start": start, "now": start + timedelta(hours=now_h), "now_h": now_h, "end_h": end_h, "step_h": step_h,
            "utc_offset_min": round(offset.total_seconds() / 60) if offset is not None else 0,
            "generation": active.generation, "travelling": int(active.kpis.get("travelling") or 0),
            "planned_total": planned.total, "first_total": first_steps.total if first_steps else None,
            "actual_total": actual.total, "series": series, "closures": closures}


__all__ = ["MAX_POINTS", "safe_times", "timeline"]
