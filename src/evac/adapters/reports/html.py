"""One self-contained HTML report of a plan: KPIs, a map of the network and the flows, a chart, the trips.

The file makes no request of any kind (no CDN, no web fonts, no scripts): CSS is inline and the map and the
chart are inline SVG drawn in Python, so the report can be mailed, opened offline and printed. Everything
that comes from the scenario is untrusted text; the template autoescapes and the SVG writer escapes too.

Times are shown in the scenario's own zone (``Scenario.moment``); the plan's times are hours from the epoch.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from evac.adapters.reports.html_chart import Closure, render_chart, tz_name
from evac.adapters.reports.html_map import render_map
from evac.core.model import Effect, Eligibility, KPIs, LeftBehindReason, Willingness

if TYPE_CHECKING:
    from evac.core.model import Plan, Scenario

MAX_TRIP_ROWS = 2000
_DEFAULT_HORIZON_H = 168.0
_REASON_LABELS = {
    LeftBehindReason.NO_OPEN_EXIT: "no open exit",
    LeftBehindReason.ORIGIN_CLOSED: "origin closed",
    LeftBehindReason.NO_CAPACITY: "no capacity in time",
    LeftBehindReason.HOUSEHOLD_TOO_LARGE: "household too large for any vehicle",
    LeftBehindReason.NOT_REACHED: "not reached",
}
_UNIT_SUFFIXES = {"_s": "s", "_ms": "ms", "_h": "h", "_mb": "MB", "_mib": "MiB", "_kb": "kB", "_gb": "GB",
                  "_pct": "%"}


@dataclass(frozen=True, slots=True)
class KpiRow:
    label: str
    value: str
    note: str = ""


def render_report(
    scenario: Scenario,
    plan: Plan,
    *,
    title: str | None = None,
    generated_at: datetime | None = None,
) -> str:
    """Render ``plan`` for ``scenario`` as one self-contained HTML document.

    Parameters
    ----------
    scenario
        The scenario the plan was made for (its names, coordinates, threats and population).
    plan
        The plan. Its ``kpis`` are shown when set; otherwise counts are derived from the plan itself and the
        report says so. A plan without trips renders too.
    title
        The page title; by default "Evacuation plan — <scenario name>".
    generated_at
        When the report was made (shown in the footer); now, in UTC, by default.

    Returns
    -------
    str
        The HTML text, UTF-8 ready. Every place, threat and asset name in it is escaped.
    """
    return _environment().get_template("report.html.j2").render(
        **report_context(scenario, plan, title=title, generated_at=generated_at))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The template environment, built on first use: autoescaping on, undefined names are errors."""
    return Environment(loader=PackageLoader("evac.adapters.reports", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def report_context(
    scenario: Scenario, plan: Plan, *, title: str | None = None, generated_at: datetime | None = None
) -> dict[str, Any]:
    """Everything the template shows, as display-ready strings and prebuilt SVG."""
    generated = generated_at or datetime.now(UTC)
    names = {p.id: p.name for p in scenario.places}
    people_of = _people_by_itinerary(plan)
    derived = plan.kpis is None
    kpis = plan.kpis if plan.kpis is not None else _kpis_from_plan(scenario, plan, people_of)
    horizon_end = _horizon_end(plan)
    start = scenario.moment(plan.start_h)

    q = scenario.policy.closure_quantile
    closures = [Closure(f"{t.name} ({names.get(t.target, t.target)})", t.when.quantile(q))
                for t in scenario.threats if t.effect is Effect.CLOSE]
    chart = render_chart(
        start_h=plan.start_h,
        safe_events=[(it.safe_at_h, people_of.get(it.household_id, 0)) for it in plan.itineraries],
        travelling=kpis.travelling, closures=closures, moment=scenario.moment, tz_label=tz_name(start))
    figure = render_map(scenario, plan, horizon_end_h=horizon_end)

    trips = sorted(plan.trips, key=lambda t: (t.depart_h if t.legs else math.inf, t.id))
    assets = {**{f.id: f.name for f in scenario.fleets}, **{s.id: s.name for s in scenario.services}}
    trip_rows = [
        {
            "id": t.id, "asset": assets.get(t.asset_id, t.asset_id), "unit": t.unit,
            "origin": names.get(t.legs[0].origin, t.legs[0].origin) if t.legs else "—",
            "destination": names.get(t.legs[-1].destination, t.legs[-1].destination) if t.legs else "—",
            "depart": _short(scenario.moment(t.depart_h)) if t.legs else "—",
            "arrive": _short(scenario.moment(t.arrive_h)) if t.legs else "—",
            "people": t.people,
        }
        for t in trips[:MAX_TRIP_ROWS]
    ]
    return {
        "title": title or f"Evacuation plan — {scenario.name}",
        "scenario": scenario,
        "plan": plan,
        "start": _long(start),
        "tz": tz_name(start),
        "generated": f"{_long(generated)} {tz_name(generated)}",
        "derived": derived,
        "cards": _cards(scenario, plan, kpis),
        "kpi_rows": _kpi_rows(scenario, plan, kpis),
        "class_rows": _class_rows(scenario, kpis),
        "reason_rows": [(_reason_label(r), f"{n:,}") for r, n in sorted(kpis.left_behind_by_reason.items(),
                                                                          key=lambda kv: -kv[1]) if n],
        "bound_rows": _bound_rows(plan, kpis),
        "meta_rows": [(_meta_label(k), _meta_value(v)) for k, v in plan.meta.items()],
        "map_svg": figure.svg,
        "legend": figure.legend,
        "off_map": figure.off_map,
        "chart_svg": chart.svg,
        "threat_rows": _threat_rows(scenario, plan, horizon_end),
        "trip_rows": trip_rows,
        "trip_total": len(plan.trips),
        "trip_limit": MAX_TRIP_ROWS,
        "left_table": _left_behind_table(scenario, plan),
    }


# -- numbers ------------------------------------------------------------------------------------------


def _people_by_itinerary(plan: Plan) -> dict[str, int]:
    """People of each household that reach safety: the distinct people its boardings carry."""
    trip_by_id = {t.id: t for t in plan.trips}
    out: dict[str, int] = {}
    for it in plan.itineraries:
        ids: set[str] = set()
        for tid in it.trip_ids:
            trip = trip_by_id.get(tid)
            if trip is not None:
                for b in trip.boardings:
                    if b.household_id == it.household_id:
                        ids.update(b.person_ids)
        out[it.household_id] = len(ids)
    return out


def _kpis_from_plan(scenario: Scenario, plan: Plan, people_of: dict[str, int]) -> KPIs:
    """Counts that can be read off a plan without the checker (exposure and utilisation are left unknown)."""
    pop = scenario.population
    policy = scenario.policy
    travellers = [p for p in pop.people if p.travels]
    by_class = Counter(policy.priority_class(p).name for p in travellers)
    trip_by_id = {t.id: t for t in plan.trips}
    safe_ids: set[str] = set()
    for it in plan.itineraries:
        for tid in it.trip_ids:
            trip = trip_by_id.get(tid)
            for b in trip.boardings if trip else ():
                if b.household_id == it.household_id:
                    safe_ids.update(b.person_ids)
    safe_people = [pop.person_by_id[i] for i in safe_ids if i in pop.person_by_id]
    safe_class = Counter(policy.priority_class(p).name for p in safe_people)
    weight = {c.name: c.weight for c in policy.priority_classes}
    reasons: Counter[str] = Counter()
    for lb in plan.left_behind:
        reasons[str(lb.reason)] += len(lb.person_ids)
    last = max((it.safe_at_h for it in plan.itineraries if people_of.get(it.household_id)), default=None)
    return KPIs(
        registered=len(pop.people),
        eligible=sum(1 for p in pop.people if p.eligibility is not Eligibility.INELIGIBLE),
        willing=sum(1 for p in pop.people if p.willingness is Willingness.WANTS_TO_LEAVE),
        travelling=len(travellers),
        travelling_weighted=sum(weight[c] * n for c, n in by_class.items()),
        safe=len(safe_people),
        safe_weighted=sum(weight[c] * n for c, n in safe_class.items()),
        clearance_h=None if last is None else last - plan.start_h,
        left_behind=sum(reasons.values()),
        exposure_person_h=math.nan,
        seat_utilisation=math.nan,
        trips=len(plan.trips),
        safe_by_class=dict(safe_class),
        travelling_by_class=dict(by_class),
        left_behind_by_reason=dict(reasons),
    )


def _horizon_end(plan: Plan) -> float:
    ends = [t.arrive_h for t in plan.trips if t.legs] + [it.safe_at_h for it in plan.itineraries]
    return max(ends, default=plan.start_h + _DEFAULT_HORIZON_H)


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "—"


def _num(x: float, digits: int = 1, suffix: str = "") -> str:
    return "not computed" if math.isnan(x) else f"{x:,.{digits}f}{suffix}"


def _cards(scenario: Scenario, plan: Plan, k: KPIs) -> list[KpiRow]:
    clearance = "—" if k.clearance_h is None else f"{k.clearance_h:,.1f} h"
    when = "" if k.clearance_h is None else f"done {_short(scenario.moment(plan.start_h + k.clearance_h))}"
    return [
        KpiRow("travelling", f"{k.travelling:,}", f"of {k.registered:,} registered"),
        KpiRow("safe", f"{k.safe:,}", f"{_pct(k.safe, k.travelling)} of those travelling"),
        KpiRow("clearance time", clearance, when),
        KpiRow("left behind", f"{k.left_behind:,}", _pct(k.left_behind, k.travelling)),
    ]


def _kpi_rows(scenario: Scenario, plan: Plan, k: KPIs) -> list[KpiRow]:
    rows = [
        KpiRow("Registered", f"{k.registered:,}", "people in the population"),
        KpiRow("Eligible", f"{k.eligible:,}", _pct(k.eligible, k.registered) + " of registered"),
        KpiRow("Willing", f"{k.willing:,}", _pct(k.willing, k.registered) + " of registered want to leave"),
        KpiRow("Travelling", f"{k.travelling:,}", "eligible and willing: the people the plan is for"),
        KpiRow("Safe", f"{k.safe:,}", _pct(k.safe, k.travelling) + " of travelling"),
        KpiRow("Safe, weighted", f"{k.safe_weighted:,.1f}",
               f"of {k.travelling_weighted:,.1f} weighted travelling "
               f"({_pct(k.safe_weighted, k.travelling_weighted)})"),
    ]
    if k.clearance_h is None:
        rows.append(KpiRow("Clearance time", "—", "nobody reaches safety"))
    else:
        rows.append(KpiRow("Clearance time", f"{k.clearance_h:,.1f} h",
                           f"last person safe {_long(scenario.moment(plan.start_h + k.clearance_h))}"))
    rows.append(KpiRow("Left behind", f"{k.left_behind:,}",
                       f"{_pct(k.left_behind, k.travelling)} of travelling"))
    unaccounted = k.travelling - k.safe - k.left_behind
    if unaccounted > 0:
        rows.append(KpiRow("Not accounted for", f"{unaccounted:,}",
                           "travelling, but neither safe nor listed as left behind by the plan"))
    rows += [
        KpiRow("Exposure", _num(k.exposure_person_h), "person-hours under threat, from the start until safe"),
        KpiRow("Seat utilisation", _num(100 * k.seat_utilisation, suffix=" %"),
               "occupied over offered seat-hours on fleet legs"),
        KpiRow("Trips", f"{k.trips:,}", ""),
    ]
    return rows


def _class_rows(scenario: Scenario, k: KPIs) -> list[tuple[str, str, str, str, str]]:
    """Priority class, weight, travelling, safe, share safe: in policy order, then any other class."""
    order = [c.name for c in scenario.policy.priority_classes]
    order += sorted((set(k.travelling_by_class) | set(k.safe_by_class)) - set(order))
    weight = {c.name: f"{c.weight:g}" for c in scenario.policy.priority_classes}
    rows = []
    for name in order:
        trav, safe = k.travelling_by_class.get(name, 0), k.safe_by_class.get(name, 0)
        if trav or safe:
            rows.append((name, weight.get(name, "—"), f"{trav:,}", f"{safe:,}", _pct(safe, trav)))
    return rows


def _bound_rows(plan: Plan, k: KPIs) -> list[tuple[str, str, str, str]]:
    """Quantity, what the relaxation proves, what the plan achieves, and the gap between them."""
    b = plan.bound
    if b is None:
        return []
    gap = (b.safe_weighted_max - k.safe_weighted) / b.safe_weighted_max if b.safe_weighted_max > 0 else 0.0
    rows = [("safe, weighted (at most)", f"{b.safe_weighted_max:,.1f}", f"{k.safe_weighted:,.1f}",
             f"{100 * gap:.2f} %")]
    if b.clearance_h_min is not None:
        plan_h, gap_h = "—", "—"
        if k.clearance_h is not None:
            plan_h = f"{k.clearance_h:,.1f} h"
            if k.clearance_h > 0:
                gap_h = f"{100 * (k.clearance_h - b.clearance_h_min) / k.clearance_h:.2f} %"
        rows.append(("clearance time (at least)", f"{b.clearance_h_min:,.1f} h", plan_h, gap_h))
    return rows


def _reason_label(reason: str) -> str:
    try:
        return _REASON_LABELS[LeftBehindReason(reason)]
    except ValueError:
        return reason.replace("_", " ")


def _meta_label(key: str) -> str:
    for suffix, unit in _UNIT_SUFFIXES.items():
        if key.endswith(suffix):
            return f"{key[: -len(suffix)].replace('_', ' ')} ({unit})"
    return key.replace("_", " ")


def _meta_value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _threat_rows(scenario: Scenario, plan: Plan, horizon_end: float) -> list[dict[str, str]]:
    q = scenario.policy.closure_quantile
    names = {p.id: p.name for p in scenario.places}
    names.update({lk.id: _link_name(scenario, lk.id) for lk in scenario.links})
    rows = []
    for t in sorted(scenario.threats, key=lambda t: (t.when.quantile(q), t.id)):
        at = t.when.quantile(q)
        status = ("before the start" if at <= plan.start_h
                  else "during the plan" if at <= horizon_end else "after the plan")
        rows.append({"name": t.name, "target": names.get(t.target, t.target), "effect": str(t.effect),
                     "when": _medium(scenario.moment(at)), "status": status,
                     "cls": {"before the start": "closed", "during the plan": "closing"}.get(status, "open")})
    return rows


def _link_name(scenario: Scenario, link_id: str) -> str:
    lk = scenario.link_by_id[link_id]
    a, b = scenario.place_by_id[lk.a].name, scenario.place_by_id[lk.b].name
    return f"{a} – {b} ({lk.mode})"


def _left_behind_table(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    """People left behind by origin (rows) and reason (columns), largest origins first."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for lb in plan.left_behind:
        h = scenario.population.household_by_id.get(lb.household_id)
        place = scenario.place_by_id.get(h.location) if h is not None else None
        origin = place.name if place is not None else "unknown"
        counts[origin][str(lb.reason)] += len(lb.person_ids)
    order = [str(r) for r in _REASON_LABELS]
    reasons = sorted({r for c in counts.values() for r in c},
                     key=lambda r: (order.index(r) if r in order else len(order), r))
    rows = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    return {
        "reasons": [_reason_label(r) for r in reasons],
        "rows": [(origin, [f"{c.get(r, 0):,}" for r in reasons], f"{sum(c.values()):,}")
                 for origin, c in rows],
        "totals": [f"{sum(c.get(r, 0) for c in counts.values()):,}" for r in reasons],
        "total": f"{sum(sum(c.values()) for c in counts.values()):,}",
    }


def _long(moment: datetime) -> str:
    return moment.strftime("%a %d %b %Y, %H:%M")


def _medium(moment: datetime) -> str:
    return moment.strftime("%d %b %Y %H:%M")


def _short(moment: datetime) -> str:
    return moment.strftime("%d %b %H:%M")
