"""When must we start? Plan every candidate start and hold its clearance against the closures that matter.

Hurricane decision-support tools compare *clearance time* (how long the evacuation takes) with the
*arrival of danger*. For a war the danger is a set of closures with uncertain dates: each exit (border
crossing, airport, port), each route the plan drives, each town people are collected from. For each start
this module plans, measures the clearance, and lists the relevant closures with their planning time (the
policy's quantile, which the plan respects) and their window (5 % – 95 % of the distribution).

The **latest safe start** is the latest candidate start at which every traveller (eligible and wanting to
leave) is safe in the plan — i.e. before every closure that concerns them, at the planning quantile;
per priority class likewise. Times are hours from the scenario epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evac.core.model import Effect, PlaceKind
from evac.core.model.feasibility import BAND_Q

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.model import Plan, Scenario
    from evac.core.planner.base import Callbacks, Planner

__all__ = ["Assessment", "ClosureWindow", "StartAssessment", "assess", "assess_plans", "plan_starts"]

_EXITS = (PlaceKind.BORDER_CROSSING, PlaceKind.AIRPORT, PlaceKind.PORT)


@dataclass(frozen=True, slots=True)
class ClosureWindow:
    """A closure that matters to some start: ``kind`` is ``exit``, ``route`` or ``origin``."""

    threat_id: str
    name: str
    target: str
    kind: str
    planning_h: float
    early_h: float  # 5 % quantile
    median_h: float
    late_h: float  # 95 % quantile


@dataclass(frozen=True, slots=True)
class StartAssessment:
    """One candidate start. ``slack_h`` is the least margin between a closure (planning quantile) and the
    plan's last use of its place or link, with ``binding`` that closure's threat id (``None``: no used
    element closes)."""

    start_h: float
    travelling: int
    safe: int
    left_behind: int
    clearance_h: float | None
    all_safe: bool
    travelling_by_class: dict[str, int]
    safe_by_class: dict[str, int]
    left_behind_by_reason: dict[str, int]
    relevant: tuple[str, ...]
    slack_h: float | None
    binding: str | None

    @property
    def last_safe_h(self) -> float | None:
        return None if self.clearance_h is None else self.start_h + self.clearance_h

    def class_safe(self, name: str) -> bool:
        return self.safe_by_class.get(name, 0) == self.travelling_by_class.get(name, 0)


@dataclass(frozen=True, slots=True)
class Assessment:
    """All candidate starts, the closures relevant to any of them, and the latest safe starts."""

    quantile: float
    starts: tuple[StartAssessment, ...]
    closures: tuple[ClosureWindow, ...]
    class_names: tuple[str, ...]
    latest_safe_start_h: float | None
    latest_safe_start_by_class_h: dict[str, float | None]


def plan_starts(scenario: Scenario, starts_h: Sequence[float], planner: Planner, *, seed: int = 0,
                callbacks: Callbacks | None = None) -> list[Plan]:
    """One plan per start (hours from the epoch), in the given order. Progress: one unit per start."""
    if callbacks is not None:
        callbacks.on_start(len(starts_h))
    plans = []
    for i, s in enumerate(starts_h):
        plans.append(planner.plan(scenario, start_h=s, seed=seed))
        if callbacks is not None:
            callbacks.on_progress(i + 1)
    if callbacks is not None:
        callbacks.on_end()
    return plans


def assess(scenario: Scenario, starts_h: Sequence[float], planner: Planner, *, seed: int = 0,
           callbacks: Callbacks | None = None) -> Assessment:
    """Plan each start in ``starts_h`` with ``planner`` and assess it (see the module docstring)."""
    return assess_plans(scenario, plan_starts(scenario, starts_h, planner, seed=seed, callbacks=callbacks))


def _last_use(plan: Plan) -> dict[str, float]:
    """Latest time the plan uses each place or link: departures for origins, arrivals otherwise."""
    out: dict[str, float] = {}
    for trip in plan.trips:
        for leg in trip.legs:
            for key, t in ((leg.origin, leg.depart_h), (leg.link_id, leg.arrive_h), (leg.destination, leg.arrive_h)):
                if t > out.get(key, -math.inf):
                    out[key] = t
    return out


def assess_plans(scenario: Scenario, plans: Sequence[Plan]) -> Assessment:
    """Assess plans already made (one per start; their KPIs must be set, as every planner does)."""
    q = scenario.policy.closure_quantile
    origins = {h.location for h in scenario.population.households
               if scenario.population.travellers(h.id)}
    closes = [t for t in scenario.threats if t.effect is Effect.CLOSE]
    first_start = min((p.start_h for p in plans), default=0.0)
    rows: list[StartAssessment] = []
    used_ids: set[str] = set()
    for plan in plans:
        k = plan.kpis
        if k is None:
            raise ValueError(f"plan for start {plan.start_h} h has no KPIs")
        last = _last_use(plan)
        relevant: list[str] = []
        slack: float | None = None
        binding: str | None = None
        for t in closes:
            if t.when.quantile(BAND_Q[1]) <= plan.start_h:
                continue  # closed long before this start: part of the map, not of the decision
            place = scenario.place_by_id.get(t.target)
            if t.target in last or t.target in origins or (place is not None and place.kind in _EXITS):
                relevant.append(t.id)
            if t.target in last:
                margin = scenario.threat_h(t) - last[t.target]
                if slack is None or margin < slack:
                    slack, binding = margin, t.id
        used_ids.update(relevant)
        rows.append(StartAssessment(
            start_h=plan.start_h, travelling=k.travelling, safe=k.safe, left_behind=k.travelling - k.safe,
            clearance_h=k.clearance_h, all_safe=k.safe == k.travelling,
            travelling_by_class=dict(k.travelling_by_class), safe_by_class=dict(k.safe_by_class),
            left_behind_by_reason=dict(k.left_behind_by_reason), relevant=tuple(relevant), slack_h=slack,
            binding=binding,
        ))
    windows = []
    for t in closes:
        if t.id not in used_ids or t.when.quantile(BAND_Q[1]) <= first_start:
            continue
        place = scenario.place_by_id.get(t.target)
        kind = ("origin" if t.target in origins else "exit" if place is not None and place.kind in _EXITS
                else "route")
        windows.append(ClosureWindow(t.id, t.name, t.target, kind, scenario.threat_h(t),
                                     t.when.quantile(BAND_Q[0]), t.when.quantile(0.5), t.when.quantile(BAND_Q[1])))
    windows.sort(key=lambda w: (w.planning_h, w.threat_id))
    names = tuple(c.name for c in scenario.policy.priority_classes)
    safe_starts = [r.start_h for r in rows if r.all_safe]
    by_class = {n: max((r.start_h for r in rows if r.class_safe(n)), default=None) for n in names}
    return Assessment(q, tuple(rows), tuple(windows), names, max(safe_starts, default=None), by_class)
