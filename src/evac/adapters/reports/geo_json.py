"""The active plan's situation as plain JSON for the console's Leaflet map (``GET /api/v1/plan/geo``).

What the map needs, and nothing about any person: the country outlines around the scenario (GeoJSON, from
the same vendored ``world-atlas`` the report's SVG map reads, :mod:`evac.adapters.reports.html_geo`), the
places and links with the intervals in which they are closed or dangerous, the plan's vehicle movements
aggregated per link, direction, time and asset (people aboard and vehicles; counts only), and the cumulative
number of people the plan brings to safety over time.

**Times** are hours since the active plan's start (``h``; negative: before it) and, beside each, the same
moment as an ISO-8601 UTC string. A closure is an interval ``[from, to)``; ``to`` is null unless the threat
ends (``until``: it reopens then, at the ``1 − closure_quantile`` quantile, as plans assume); a posted closure
never reopens.

**Closure times** follow the rule of the HTML report, the status board's chart and the planner: an uncertain
threat (uniform, triangular, log-normal) closes at its ``policy.closure_quantile`` (the planning value; the
Syria scenario plans at the 10 % quantile, i.e. as if the closure came early), and carries the 5–95 % window
of its distribution beside it. Closures posted during the operation (``closure`` events) close at their
``effective_at``, known and fixed.

Coordinates are GeoJSON's ``[lon, lat]`` everywhere except ``lat``/``lon`` fields and the Leaflet-style
``bounds`` (``[[lat_min, lon_min], [lat_max, lon_max]]``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from evac.adapters.reports.html_geo import (
    Country,
    GeoBox,
    Point,
    clip_ring,
    contains,
    map_region,
    ring_area,
    world_countries,
)
from evac.adapters.reports.html_map import _holding, flows_by_link  # the report's rules: same tint, same flows
from evac.core.model import PlaceKind
from evac.core.model.feasibility import band as band_of
from evac.core.model.threats import Effect
from evac.services.timeline import MARGIN, MIN_SPAN_H, safe_times

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from evac.core.model import Plan, Scenario

OUTLINE_PAD = 0.75
"""Outlines reach this fraction of the fitted box's larger side beyond it (at least 4°), then are clipped."""
_DIGITS = 3  # ~100 m: finer than Natural Earth 1:50m itself


def network_scenario(ref: str) -> Scenario:
    """The operation's scenario file without people (the map reads places, links, threats, assets, policy):
    0.06 s once per process, where the registry's 25,000 people cost over a second. Cached per reference for
    the life of the process (as the board chart's copy): an edited scenario file needs a restart."""
    return _network(ref)


@lru_cache(maxsize=4)
def _network(ref: str) -> Scenario:
    from evac.adapters.scenario.loader import build_scenario, read_scenario_file, resolve_scenario_path
    from evac.core.model import Population

    path = resolve_scenario_path(ref)
    model, _ = read_scenario_file(path)
    return build_scenario(model, base_dir=path.parent, population=Population((), ()))


# -- outlines --------------------------------------------------------------------------------------------


def outline_box(scenario: Scenario) -> GeoBox:
    """The box the outlines are clipped to: the fitted region plus a wide pad (so the map can be panned)."""
    lon0, lat0, lon1, lat1 = map_region(scenario)
    pad = max(4.0, OUTLINE_PAD * max(lon1 - lon0, lat1 - lat0))
    box = (max(lon0 - pad, -180.0), max(lat0 - pad, -85.0), min(lon1 + pad, 180.0), min(lat1 + pad, 85.0))
    lon0, lat0, lon1, lat1 = (round(v, _DIGITS) for v in box)  # rounded like the points: those on it stay in
    return lon0, lat0, lon1, lat1


def outlines(scenario: Scenario) -> dict[str, Any]:
    """Country outlines inside :func:`outline_box` as a GeoJSON FeatureCollection of MultiPolygons.

    Each feature's ``properties`` are ``name``, ``role`` — ``crisis`` (holds the crisis country's places),
    ``haven`` (holds a safe haven) or ``other`` — and ``label``: where to write the name (``[lon, lat]``, the
    centroid of its largest part inside the fitted box; null when too small there). Rings are clipped to the
    box (so edges along it remain), closed, rounded to 0.001°. Cached per box and roles: built once per
    scenario.
    """
    box = outline_box(scenario)
    crisis = tuple((p.lon, p.lat) for p in scenario.places if p.country == scenario.country
                   and p.kind not in (PlaceKind.BORDER_CROSSING, PlaceKind.SAFE_HAVEN))
    havens = tuple((p.lon, p.lat) for p in scenario.places if p.kind is PlaceKind.SAFE_HAVEN
                   and box[0] <= p.lon <= box[2] and box[1] <= p.lat <= box[3])
    return _outlines(box, map_region(scenario), crisis, havens)


@lru_cache(maxsize=8)
def _outlines(box: GeoBox, fitted: GeoBox, crisis: tuple[Point, ...], havens: tuple[Point, ...]) -> dict[str, Any]:
    lon0, lat0, lon1, lat1 = box
    features: list[dict[str, Any]] = []
    visible = []
    for country in world_countries():
        polygons: list[list[list[list[float]]]] = []
        for poly, (b0, b1, b2, b3) in zip(country.polygons, country.bboxes, strict=True):
            if b2 < lon0 or b0 > lon1 or b3 < lat0 or b1 > lat1:
                continue
            rings = [_ring(clip_ring(list(r), lon0, lat0, lon1, lat1)) for r in poly]
            if rings and rings[0]:
                polygons.append([r for r in rings if r])
        if polygons:
            visible.append((country, polygons))
    countries = [c for c, _ in visible]
    in_crisis = _holding(countries, list(crisis))
    in_haven = _holding(countries, list(havens))
    for country, polygons in visible:
        role = "crisis" if country.name in in_crisis else "haven" if country.name in in_haven else "other"
        features.append({"type": "Feature", "properties": {"name": country.name, "role": role,
                                                            "label": _label_point(country, fitted)},
                         "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    return {"type": "FeatureCollection", "features": features}


LABEL_MIN_DEG2 = 0.4
"""A country's part inside the fitted box smaller than this (square degrees) gets no name on the map."""


def _label_point(country: Country, box: GeoBox) -> list[float] | None:
    """The centroid of the country's largest part inside ``box`` when it lies in that part, else None."""
    best: tuple[float, Point, tuple[Point, ...]] | None = None
    for poly in country.polygons:
        pts = clip_ring(list(poly[0]), *box)
        if len(pts) < 3:
            continue
        area = ring_area(pts)
        if abs(area) < LABEL_MIN_DEG2 or (best is not None and abs(area) <= best[0]):
            continue
        cx = sum((pts[i - 1][0] + p[0]) * (pts[i - 1][0] * p[1] - p[0] * pts[i - 1][1])
                 for i, p in enumerate(pts)) / (6 * area)
        cy = sum((pts[i - 1][1] + p[1]) * (pts[i - 1][0] * p[1] - p[0] * pts[i - 1][1])
                 for i, p in enumerate(pts)) / (6 * area)
        best = (abs(area), (cx, cy), poly[0])
    if best is None or not contains(best[2], *best[1]):
        return None
    return [round(best[1][0], _DIGITS), round(best[1][1], _DIGITS)]


def _ring(points: list[Point]) -> list[list[float]]:
    """A clipped ring rounded and closed for GeoJSON (consecutive duplicates dropped); [] when degenerate."""
    out: list[list[float]] = []
    for lon, lat in points:
        p = [round(lon, _DIGITS), round(lat, _DIGITS)]
        if not out or p != out[-1]:
            out.append(p)
    if len(out) >= 2 and out[0] == out[-1]:
        out.pop()
    if len(out) < 3:
        return []
    return [*out, out[0]]


# -- the situation ---------------------------------------------------------------------------------------


class _Times:
    """Hours since the plan start ↔ ISO-8601 UTC, for one plan start."""

    def __init__(self, start_at: datetime, start_h: float) -> None:
        self.start_at = start_at.astimezone(UTC)
        self.start_h = start_h

    def rel(self, scenario_h: float) -> float:
        return round(scenario_h - self.start_h, 4)

    def iso(self, rel_h: float) -> str:
        return (self.start_at + timedelta(hours=rel_h)).isoformat().replace("+00:00", "Z")


def _intervals(scenario: Scenario, posted: Sequence[tuple[float, str]], times: _Times
               ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """(closures, dangers) by target id: each a list of intervals, earliest first."""
    closures: dict[str, list[dict[str, Any]]] = defaultdict(list)
    dangers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for t in scenario.threats:
        h = times.rel(scenario.threat_h(t))
        window = band_of(t.when)
        uncertain = window is not None
        band = None if window is None else [times.rel(window[0]), times.rel(window[1])]
        # a closure that ends reopens at the 1 - q quantile of its end, as plans assume (docs/scenario.md)
        to_h = None if t.until is None else times.rel(t.until.quantile(1 - scenario.policy.closure_quantile))
        item = {"id": t.id, "name": t.name, "source": "scenario", "from_h": h, "from": times.iso(h),
                "to_h": to_h, "to": None if to_h is None else times.iso(to_h), "uncertain": uncertain, "band_h": band,
                "band": [times.iso(b) for b in band] if band else None}
        (closures if t.effect is Effect.CLOSE else dangers)[t.target].append(item)
    for n, (at_h, target) in enumerate(posted, start=1):
        h = times.rel(at_h)
        closures[target].append({"id": f"posted-{n}", "name": f"Closure posted: {target}", "source": "operation",
                                 "from_h": h, "from": times.iso(h), "to_h": None, "to": None, "uncertain": False,
                                 "band_h": None, "band": None})
    for d in (closures, dangers):
        for items in d.values():
            items.sort(key=lambda c: (c["from_h"], c["id"]))
    return closures, dangers


def _flows(scenario: Scenario, plan: Plan, times: _Times) -> list[dict[str, Any]]:
    """Legs aggregated per (link, direction, depart, arrive, asset): vehicles and people aboard."""
    agg: dict[tuple[str, str, str, float, float, str], list[int]] = {}
    for trip in plan.trips:
        for i, leg in enumerate(trip.legs):
            aboard = sum(len(b.person_ids) for b in trip.boardings if b.first_leg <= i <= b.last_leg)
            k = (leg.link_id, leg.origin, leg.destination, round(leg.depart_h, 4), round(leg.arrive_h, 4),
                 trip.asset_id)
            v = agg.setdefault(k, [0, 0])
            v[0] += 1
            v[1] += aboard
    out = []
    for (link, a, b, dep, arr, asset), (vehicles, people) in sorted(agg.items(), key=lambda kv: (kv[0][3], kv[0])):
        fleet = scenario.fleet_by_id.get(asset)
        service = scenario.service_by_id.get(asset)
        named = fleet or service
        lk = scenario.link_by_id.get(link)
        d, r = times.rel(dep), times.rel(arr)
        out.append({"link": link, "from": a, "to": b, "mode": str(lk.mode) if lk else None, "asset": asset,
                    "asset_name": named.name if named else asset,
                    "asset_kind": "fleet" if fleet else "service" if service else "unknown",
                    "vehicles": vehicles, "people": people, "depart_h": d, "depart": times.iso(d),
                    "arrive_h": r, "arrive": times.iso(r)})
    return out


def situation(scenario: Scenario, plan: Plan, *, start_at: datetime, posted: Sequence[tuple[float, str]],
              now_h: float) -> dict[str, Any]:
    """The map's data for ``plan`` on ``scenario`` (counts and ids only).

    Parameters
    ----------
    start_at
        The moment of ``plan.start_h`` (timezone-aware): hour 0 of every ``*_h`` field.
    posted
        Closures posted during the operation: ``(scenario hour, place or link id)`` in posting order.
    now_h
        *Now* on the operation clock, in scenario hours.

    The timeline runs from hour 0 to the status board chart's end: at least a day, and 6 % past the last
    planned arrival (or *now*), in whole hours. Cost: linear in the plan's legs; outlines are cached.
    """
    times = _Times(start_at, plan.start_h)
    closures, dangers = _intervals(scenario, posted, times)
    total, _ = flows_by_link(plan)
    picked: dict[str, int] = defaultdict(int)
    arrived: dict[str, int] = defaultdict(int)
    for trip in plan.trips:
        for b in trip.boardings:
            picked[trip.legs[b.first_leg].origin] += len(b.person_ids)
            arrived[trip.legs[b.last_leg].destination] += len(b.person_ids)
    box = map_region(scenario)
    obox = outline_box(scenario)
    places = [{"id": p.id, "name": p.name, "kind": str(p.kind), "country": p.country, "lat": p.lat, "lon": p.lon,
               "on_map": obox[0] <= p.lon <= obox[2] and obox[1] <= p.lat <= obox[3],
               "processing_per_h": p.processing_per_h, "picked_up": picked.get(p.id, 0),
               "dropped_off": arrived.get(p.id, 0),
               "closures": closures.get(p.id, []), "dangers": dangers.get(p.id, [])} for p in scenario.places]
    pos = {p.id: [p.lon, p.lat] for p in scenario.places}
    links = [{"id": lk.id, "from": lk.a, "to": lk.b, "mode": str(lk.mode), "two_way": lk.two_way,
              "travel_h": lk.travel_h, "distance_km": lk.distance_km, "coordinates": [pos[lk.a], pos[lk.b]],
              "people": total.get(lk.id, 0), "closures": closures.get(lk.id, []), "dangers": dangers.get(lk.id, [])}
             for lk in scenario.links]
    names = {p.id: p.name for p in scenario.places}
    names.update({lk.id: f"{names[lk.a]} – {names[lk.b]}" for lk in scenario.links})
    kinds = {**{p.id: "place" for p in scenario.places}, **{lk.id: "link" for lk in scenario.links}}
    flat = sorted(({**c, "target": tid, "target_name": names.get(tid, tid), "target_kind": kinds.get(tid, "unknown")}
                   for tid, items in closures.items() for c in items), key=lambda c: (c["from_h"], c["id"]))

    steps: dict[float, int] = defaultdict(int)
    for at_h, n in safe_times(plan):
        if n:
            steps[times.rel(at_h)] += n
    safe, acc = [], 0
    for h in sorted(steps):
        acc += steps[h]
        safe.append({"h": h, "at": times.iso(h), "safe": acc})
    flows = _flows(scenario, plan, times)
    now_rel = times.rel(now_h)
    last = max([f["arrive_h"] for f in flows] + [s["h"] for s in safe], default=0.0)
    end_h = float(math.ceil(max(MIN_SPAN_H, last * MARGIN, now_rel * MARGIN if now_rel > 0 else 0.0)))
    offset = start_at.utcoffset()
    q = scenario.policy.closure_quantile
    return {
        "scenario": scenario.id, "scenario_name": scenario.name, "country": scenario.country,
        "start": times.iso(0.0), "end": times.iso(end_h), "start_h": 0.0, "end_h": end_h, "step_h": 1.0,
        "now": times.iso(now_rel), "now_h": now_rel,
        "utc_offset_min": round(offset.total_seconds() / 60) if offset is not None else 0,
        "closure_quantile": q,
        "closure_rule": f"uncertain closures at the policy's {q:g} quantile (the planning value, as the plan and "
                        "the report assume), with their 5–95 % window; posted closures at their effective time",
        "bounds": [[box[1], box[0]], [box[3], box[2]]],
        "outline_bounds": [[obox[1], obox[0]], [obox[3], obox[2]]],
        "outlines": outlines(scenario),
        "places": places, "links": links, "flows": flows, "closures": flat,
        "safe": safe, "planned_total": acc,
    }


__all__ = ["network_scenario", "outline_box", "outlines", "situation"]
