"""The report's map: country outlines, the network by status at the plan start, and the flows of people.

Everything is drawn in Python as inline SVG, so the report needs no script and no network. Country outlines
(:mod:`evac.adapters.reports.html_geo`) are clipped to the map box.

The map is fitted to the crisis country's places and the places near them (neighbouring crossings and safe
havens). Places far away (a flight's destination such as Moscow) would squash the map, so they are drawn as
an arrow and a label at the map's edge instead.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evac.adapters.reports.html_geo import (
    Country,
    Point,
    Projection,
    Ring,
    clip_ring,
    contains,
    fit_projection,
    in_country,
    map_region,
    ring_area,
    world_countries,
)
from evac.adapters.reports.html_svg import Box, el, group, num, path_d, raw, text_width
from evac.core.model import Mode, PlaceKind

if TYPE_CHECKING:
    from markupsafe import Markup

    from evac.core.model import Link, Place, Plan, Scenario
_EDGE_INSET_PX = 20
_MAX_FLOW_PX = 18.0
_MIN_FLOW_PX = 1.5

ROAD_COLOURS = {"open": "#3c7a3c", "closing": "#e08a00", "closed": "#c62828"}
ROAD_LABELS = {
    "open": "road open throughout the plan",
    "closing": "road closes during the plan",
    "closed": "road already closed at the start",
}
_MODE_STYLE = {Mode.AIR: ("#1f5fa8", "7 5"), Mode.SEA: ("#0f7f86", "2 4")}
_KIND_LABELS = {
    PlaceKind.CITY: "city",
    PlaceKind.DISTRICT: "district",
    PlaceKind.ASSEMBLY_POINT: "assembly point",
    PlaceKind.BORDER_CROSSING: "border crossing",
    PlaceKind.AIRPORT: "airport",
    PlaceKind.PORT: "port",
    PlaceKind.SAFE_HAVEN: "safe haven",
}
_LABEL_PRIORITY = {
    PlaceKind.SAFE_HAVEN: 0, PlaceKind.CITY: 1, PlaceKind.BORDER_CROSSING: 2, PlaceKind.AIRPORT: 3,
    PlaceKind.PORT: 4, PlaceKind.ASSEMBLY_POINT: 5, PlaceKind.DISTRICT: 6,
}


# -- the figure ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LegendItem:
    symbol: Markup
    label: str


@dataclass(frozen=True, slots=True)
class MapFigure:
    svg: Markup
    legend: tuple[LegendItem, ...]
    off_map: tuple[str, ...]  # names of places drawn at the edge


@dataclass
class _Ctx:
    """Drawing state shared by the layers: the projection and the boxes labels must avoid."""

    proj: Projection
    occupied: list[Box] = field(default_factory=list)
    country_labels: list[tuple[Country, Ring]] = field(default_factory=list)


def place_symbol(kind: PlaceKind, x: float, y: float) -> Markup:
    """The marker of a place kind, centred on (x, y)."""
    if kind is PlaceKind.CITY:
        return el("circle", {"cx": x, "cy": y, "r": 5.5, "class_": "pl-city"})
    if kind is PlaceKind.DISTRICT:
        return el("circle", {"cx": x, "cy": y, "r": 3.5, "class_": "pl-district"})
    if kind is PlaceKind.ASSEMBLY_POINT:
        return el("circle", {"cx": x, "cy": y, "r": 4, "class_": "pl-assembly"})
    if kind is PlaceKind.BORDER_CROSSING:
        d = 6.0
        return el("path", {"d": path_d([(x, y - d), (x + d, y), (x, y + d), (x - d, y)], closed=True),
                           "class_": "pl-border"})
    if kind is PlaceKind.AIRPORT:
        return el("path", {"d": path_d([(x, y - 7), (x + 6.5, y + 5), (x - 6.5, y + 5)], closed=True),
                           "class_": "pl-airport"})
    if kind is PlaceKind.PORT:
        return el("rect", {"x": x - 5, "y": y - 5, "width": 10, "height": 10, "class_": "pl-port"})
    star = [(x + r * math.sin(math.pi * i / 5), y - r * math.cos(math.pi * i / 5))
            for i, r in zip(range(10), [8.5, 3.6] * 5, strict=True)]
    return el("path", {"d": path_d(star, closed=True), "class_": "pl-haven"})


def _legend_svg(*children: Markup) -> Markup:
    return el("svg", {"width": 30, "height": 18, "viewBox": "0 0 30 18", "aria-hidden": "true"}, *children)


def _legend_ring(status: str) -> Markup:
    return _legend_svg(el("circle", {"cx": 15, "cy": 9, "r": 7, "class_": f"pl-ring pl-{status}"}))


def _legend_area(cls: str) -> Markup:
    return _legend_svg(el("rect", {"x": 3, "y": 3, "width": 24, "height": 12, "class_": cls}))


def _line_legend(colour: str, dash: str | None = None, width: float = 2.5) -> Markup:
    return _legend_svg(el("line", {"x1": 2, "y1": 9, "x2": 28, "y2": 9, "stroke": colour,
                                   "stroke_width": width, "stroke_dasharray": dash}))


def flows_by_link(plan: Plan) -> tuple[dict[str, int], dict[tuple[str, str, str], int]]:
    """People carried over each link (sum over legs of the people on board), in total and by direction."""
    total: dict[str, int] = defaultdict(int)
    directed: dict[tuple[str, str, str], int] = defaultdict(int)
    for trip in plan.trips:
        for i, leg in enumerate(trip.legs):
            aboard = sum(len(b.person_ids) for b in trip.boardings if b.first_leg <= i <= b.last_leg)
            total[leg.link_id] += aboard
            directed[(leg.link_id, leg.origin, leg.destination)] += aboard
    return dict(total), dict(directed)


def _status(closure_h: float | None, start_h: float, horizon_end_h: float) -> str:
    if closure_h is None or closure_h > horizon_end_h:
        return "open"
    return "closed" if closure_h <= start_h else "closing"


def _edge_anchor(proj: Projection, target: Point) -> tuple[Point, str]:
    """Where the ray from the map's centre towards an off-map point leaves the (inset) map, and which edge."""
    cx, cy = proj.width / 2, proj.height / 2
    dx, dy = target[0] - cx, target[1] - cy
    inset = _EDGE_INSET_PX
    half_w, half_h = cx - inset, cy - inset
    tx = half_w / abs(dx) if dx else math.inf
    ty = half_h / abs(dy) if dy else math.inf
    t = min(tx, ty)
    edge = ("right" if dx > 0 else "left") if tx < ty else ("bottom" if dy > 0 else "top")
    return (cx + dx * t, cy + dy * t), edge


@dataclass(frozen=True, slots=True)
class _OffMap:
    """Off-map places whose edge anchors fall close together share one anchor and one label."""

    place_ids: tuple[str, ...]
    at: Point
    side: str
    arrow: str


def _off_map_groups(proj: Projection, xy: dict[str, Point], ids: set[str]) -> list[_OffMap]:
    found = sorted(((pid, *_edge_anchor(proj, xy[pid])) for pid in ids),
                   key=lambda a: (a[2], a[1][0] + a[1][1], a[0]))
    clusters: list[list[tuple[str, Point, str]]] = []
    for pid, at, side in found:
        last = clusters[-1][-1] if clusters else None
        if last is not None and last[2] == side and math.dist(last[1], at) < 110:
            clusters[-1].append((pid, at, side))
        else:
            clusters.append([(pid, at, side)])
    out: list[_OffMap] = []
    cx, cy = proj.width / 2, proj.height / 2
    for c in clusters:
        ax = sum(a[1][0] for a in c) / len(c)
        ay = sum(a[1][1] for a in c) / len(c)
        out.append(_OffMap(tuple(a[0] for a in c), (ax, ay), c[0][2], _arrow(ax - cx, ay - cy)))
    return out


def _off_map_mark(ctx: _Ctx, scenario: Scenario, g: _OffMap, closures: dict[str, float],
                  travelling: dict[str, int]) -> Markup:
    """A dot where the links leave the map and a label naming the places beyond, placed inside the edge."""
    proj = ctx.proj
    ax, ay = g.at
    text = f"{g.arrow} {', '.join(scenario.place_by_id[pid].name for pid in g.place_ids)} (off map)"
    w = text_width(text, 12)
    lx = min(max(ax, w / 2 + 6), proj.width - w / 2 - 6)
    ly = {"top": ay + 22, "bottom": ay - 12, "left": ay - 10, "right": ay - 10}[g.side]
    if g.side == "left":
        lx = ax + w / 2 + 4
    elif g.side == "right":
        lx = ax - w / 2 - 4
    ctx.occupied.append(Box(lx - w / 2, ly - 11, lx + w / 2, ly + 3))
    tips = "\n\n".join(_place_tip(scenario, scenario.place_by_id[pid], closures, travelling)
                        for pid in g.place_ids)
    return el("g", {"class_": "offmap"}, el("title", None, tips),
              el("circle", {"cx": ax, "cy": ay, "r": 3, "class_": "offmap-dot"}),
              el("text", {"x": lx, "y": ly, "text_anchor": "middle", "class_": "lbl lbl-off"}, text))


def _arrow(dx: float, dy: float) -> str:
    arrows = "→↘↓↙←↖↑↗"
    return arrows[round(math.atan2(dy, dx) / (math.pi / 4)) % 8]


def _link_d(a: Point, b: Point, mode: Mode) -> str:
    if mode is Mode.ROAD:
        return path_d([a, b])
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    dx, dy = b[0] - a[0], b[1] - a[1]
    cx, cy = mx - dy * 0.15, my + dx * 0.15
    return f"M{num(a[0])},{num(a[1])}Q{num(cx)},{num(cy)} {num(b[0])},{num(b[1])}"


def _place_label(ctx: _Ctx, place: Place, x: float, y: float, extra: str = "") -> Markup:
    big = place.kind in (PlaceKind.CITY, PlaceKind.SAFE_HAVEN)
    font = 13.0 if big else 11.5
    text = place.name + extra
    w = text_width(text, font)
    candidates = [(9.0, 4.5, "start"), (-9.0, 4.5, "end"), (0.0, -10.0, "middle"), (0.0, 19.0, "middle"),
                  (9.0, -7.0, "start"), (9.0, 15.0, "start"), (-9.0, -7.0, "end"), (-9.0, 15.0, "end")]
    chosen: tuple[float, float, str, Box] | None = None
    for dx, dy, anchor in candidates:
        x0 = x + dx - (w if anchor == "end" else w / 2 if anchor == "middle" else 0)
        box = Box(x0, y + dy - font * 0.85, x0 + w, y + dy + font * 0.25)
        if box.inside(ctx.proj.width, ctx.proj.height) and not any(box.overlaps(o) for o in ctx.occupied):
            chosen = (dx, dy, anchor, box)
            break
    if chosen is None:
        dx, dy, anchor = (9.0, 4.5, "start") if x < ctx.proj.width - w - 12 else (-9.0, 4.5, "end")
        x0 = x + dx - (w if anchor == "end" else 0)
        chosen = (dx, dy, anchor, Box(x0, y + dy - font * 0.85, x0 + w, y + dy + font * 0.25))
    dx, dy, anchor, box = chosen
    ctx.occupied.append(box)
    cls = "lbl lbl-big" if big else "lbl"
    if place.kind is PlaceKind.SAFE_HAVEN:
        cls += " lbl-haven"
    return el("text", {"x": x + dx, "y": y + dy, "text_anchor": anchor, "class_": cls}, text)


def _country_layer(ctx: _Ctx, crisis_points: list[Point], haven_points: list[Point]) -> list[Markup]:
    """Outlines of the countries inside the map box, clipped to it; the crisis country and the countries
    holding a safe haven are tinted."""
    proj = ctx.proj
    g_lon0, g_lat0, g_lon1, g_lat1 = proj.geo_box
    m = 4.0
    visible: list[tuple[Country, list[list[Point]], Ring | None]] = []
    for country in world_countries():
        rings_px: list[list[Point]] = []
        best: tuple[float, Ring] | None = None
        for poly, (b0, b1, b2, b3) in zip(country.polygons, country.bboxes, strict=True):
            if b2 < g_lon0 or b0 > g_lon1 or b3 < g_lat0 or b1 > g_lat1:
                continue
            for k, ring in enumerate(poly):
                pts = [proj(lon, lat) for lon, lat in ring]
                clipped = clip_ring(pts, -m, -m, proj.width + m, proj.height + m)
                if len(clipped) >= 3:
                    rings_px.append(clipped)
                    area = abs(ring_area(clipped))
                    if k == 0 and (best is None or area > best[0]):
                        best = (area, ring)
        if rings_px:
            visible.append((country, rings_px, None if best is None else best[1]))
    countries = [c for c, _, _ in visible]
    crisis = _holding(countries, crisis_points)
    havens = _holding(countries, haven_points)
    paths: list[Markup] = []
    for country, rings_px, label_ring in visible:
        cls = ("country crisis" if country.name in crisis
               else "country haven" if country.name in havens else "country")
        d = "".join(path_d(r, closed=True) for r in rings_px)
        paths.append(el("path", {"d": d, "class_": cls}, el("title", None, country.name)))
        if label_ring is not None:
            ctx.country_labels.append((country, label_ring))
    return paths


def _holding(countries: list[Country], points: list[Point], tolerance_deg: float = 0.06) -> set[str]:
    """Names of the countries holding the points. A point inside no outline (a coastal city such as Beirut
    may fall just offshore of a 1:50m coast) goes to a country within ``tolerance_deg`` of it."""
    out: set[str] = set()
    t = tolerance_deg
    for lon, lat in points:
        found = {c.name for c in countries if in_country(c, lon, lat)}
        if not found:
            probes = [(lon + t, lat), (lon - t, lat), (lon, lat + t), (lon, lat - t)]
            found = {c.name for c in countries if any(in_country(c, x, y) for x, y in probes)}
        out |= found
    return out


def _country_labels(ctx: _Ctx) -> list[Markup]:
    out: list[Markup] = []
    proj = ctx.proj
    for country, ring in ctx.country_labels:
        pts = clip_ring([proj(lon, lat) for lon, lat in ring], 0, 0, proj.width, proj.height)
        area = ring_area(pts) if len(pts) >= 3 else 0.0
        if abs(area) < 6000:
            continue
        cx = sum((pts[i - 1][0] + p[0]) * (pts[i - 1][0] * p[1] - p[0] * pts[i - 1][1])
                 for i, p in enumerate(pts)) / (6 * area)
        cy = sum((pts[i - 1][1] + p[1]) * (pts[i - 1][0] * p[1] - p[0] * pts[i - 1][1])
                 for i, p in enumerate(pts)) / (6 * area)
        lon = proj.lon_min + cx / proj.kx
        lat = proj.lat_max - cy / proj.ky
        if not contains(ring, lon, lat):
            continue
        text = country.name.upper()
        w = 0.8 * 11 * len(text)
        box = Box(cx - w / 2, cy - 10, cx + w / 2, cy + 4)
        if not box.inside(proj.width, proj.height) or any(box.overlaps(o) for o in ctx.occupied):
            continue
        ctx.occupied.append(box)
        out.append(el("text", {"x": cx, "y": cy, "class_": "lbl-country", "text_anchor": "middle"}, text))
    return out


def _scale_bar(proj: Projection) -> Markup:
    px_per_km = proj.ky / 111.32
    km = next((k for k in (10, 20, 25, 50, 100, 200, 250, 500, 1000) if k * px_per_km >= 90), 1000)
    w = km * px_per_km
    x, y = 16.0, proj.height - 16
    return group([
        el("rect", {"x": x - 6, "y": y - 20, "width": w + 12, "height": 28, "class_": "scale-bg"}),
        el("path", {"d": f"M{num(x)},{num(y - 5)}V{num(y)}H{num(x + w)}V{num(y - 5)}", "class_": "scale"}),
        el("text", {"x": x + w / 2, "y": y - 8, "text_anchor": "middle", "class_": "scale-lbl"}, f"{km} km"),
    ])


def render_map(scenario: Scenario, plan: Plan, *, horizon_end_h: float) -> MapFigure:
    """Draw the network, its status at ``plan.start_h`` and the plan's flows of people as one SVG."""
    proj = fit_projection(map_region(scenario))
    ctx = _Ctx(proj)
    closures = scenario.closure_times()
    start = plan.start_h
    pop = scenario.population
    travelling: dict[str, int] = defaultdict(int)
    for hh in pop.households:
        travelling[hh.location] += len(pop.travellers(hh.id))

    xy = {p.id: proj(p.lon, p.lat) for p in scenario.places}
    on_map = {pid for pid, pt in xy.items() if proj.on_map(pt)}
    linked_off = {end for lk in scenario.links for end in (lk.a, lk.b)
                  if end not in on_map and ({lk.a, lk.b} - {end}) & on_map}
    groups = _off_map_groups(proj, xy, linked_off)
    anchors: dict[str, Point] = {pid: g.at for g in groups for pid in g.place_ids}
    pos = {**{pid: xy[pid] for pid in on_map}, **anchors}

    crisis = [(p.lon, p.lat) for p in scenario.places if p.country == scenario.country and p.id in on_map
              and p.kind not in (PlaceKind.BORDER_CROSSING, PlaceKind.SAFE_HAVEN)]
    havens = [(p.lon, p.lat) for p in scenario.places if p.kind is PlaceKind.SAFE_HAVEN and p.id in on_map]
    countries = _country_layer(ctx, crisis, havens)

    total, directed = flows_by_link(plan)
    peak = max(total.values(), default=0)
    names = {p.id: p.name for p in scenario.places}
    flows: list[Markup] = []
    links: list[Markup] = []
    statuses_seen: set[str] = set()
    modes_seen: set[Mode] = set()
    for lk in scenario.links:
        if lk.a not in pos or lk.b not in pos:
            continue
        d = _link_d(pos[lk.a], pos[lk.b], lk.mode)
        people = total.get(lk.id, 0)
        if people > 0 and peak > 0:
            width = max(_MIN_FLOW_PX, _MAX_FLOW_PX * people / peak)
            parts = [f"{names.get(o, o)} → {names.get(de, de)}: {n:,} people"
                     for (lid, o, de), n in sorted(directed.items()) if lid == lk.id and n]
            flows.append(el("path", {"d": d, "class_": "flow", "stroke_width": width},
                            el("title", None, f"People carried on {lk.id}: {people:,}\n" + "\n".join(parts))))
        off = lk.a in anchors or lk.b in anchors
        marker = "url(#evac-arrow)" if lk.b in anchors or (lk.a in anchors and lk.two_way) else None
        tip = _link_tip(scenario, lk, names, closures.get(lk.id), people)
        if lk.mode is Mode.ROAD:
            status = _status(closures.get(lk.id), start, horizon_end_h)
            statuses_seen.add(status)
            links.append(el("path", {"d": d, "class_": f"road road-{status}", "marker_end": marker},
                            el("title", None, tip)))
        else:
            modes_seen.add(lk.mode)
            colour, dash = _MODE_STYLE[lk.mode]
            links.append(el("path", {"d": d, "class_": f"svc svc-{lk.mode}", "stroke": colour,
                                     "stroke_dasharray": dash, "marker_end": marker if off else None},
                            el("title", None, tip)))

    # symbols first reserve their space, then labels avoid them
    symbols: list[Markup] = []
    rings: list[Markup] = []
    for p in scenario.places:
        if p.id not in on_map:
            continue
        x, y = xy[p.id]
        ctx.occupied.append(Box(x - 6, y - 7, x + 6, y + 6))
        status = _status(closures.get(p.id), start, horizon_end_h)
        if status != "open":
            rings.append(el("circle", {"cx": x, "cy": y, "r": 10, "class_": f"pl-ring pl-{status}"}))
        tip = _place_tip(scenario, p, closures, travelling)
        symbols.append(el("g", {"class_": "place"}, el("title", None, tip), place_symbol(p.kind, x, y)))
    edge = [_off_map_mark(ctx, scenario, g, closures, travelling) for g in groups]
    labels: list[Markup] = []
    for p in sorted((p for p in scenario.places if p.id in on_map),
                    key=lambda p: (_LABEL_PRIORITY[p.kind], -(p.population or 0), p.name)):
        labels.append(_place_label(ctx, p, *xy[p.id]))
    country_labels = _country_labels(ctx)

    defs = raw('<defs><marker id="evac-arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" '
               'markerHeight="7" orient="auto-start-reverse">'
               '<path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>')
    w, h = proj.width, proj.height
    svg = el("svg", {"class_": "map", "viewBox": f"0 0 {num(w)} {num(h)}", "role": "img",
                     "aria-label": f"Map of the network of {scenario.name}"},
             defs,
             el("rect", {"x": 0, "y": 0, "width": w, "height": h, "class_": "sea"}),
             group(countries, {"class_": "countries"}),
             group(country_labels),
             group(flows, {"class_": "flows"}),
             group(links, {"class_": "links"}),
             group(rings), group(symbols), group(labels), group(edge),
             _scale_bar(proj))
    return MapFigure(svg, _legend(scenario, statuses_seen, modes_seen, peak, bool(anchors), on_map, closures,
                                  start, horizon_end_h),
                     tuple(scenario.place_by_id[pid].name for g in groups for pid in g.place_ids))


def _legend(scenario: Scenario, statuses: set[str], modes: set[Mode], peak: int, off_map: bool,
            on_map: set[str], closures: dict[str, float], start: float, end: float) -> tuple[LegendItem, ...]:
    items: list[LegendItem] = []
    kinds = [k for k in PlaceKind if any(p.kind is k for p in scenario.places)]
    for k in kinds:
        items.append(LegendItem(_legend_svg(place_symbol(k, 15, 9)), _KIND_LABELS[k]))
    for status in ("open", "closing", "closed"):
        if status in statuses or status == "open":
            items.append(LegendItem(_line_legend(ROAD_COLOURS[status]), ROAD_LABELS[status]))
    for mode in (Mode.AIR, Mode.SEA):
        if mode in modes:
            colour, dash = _MODE_STYLE[mode]
            items.append(LegendItem(_line_legend(colour, dash, 2), f"{mode} service"))
    place_status = {_status(closures.get(pid), start, end) for pid in on_map}
    if "closing" in place_status:
        items.append(LegendItem(_legend_ring("closing"), "place closes during the plan"))
    if "closed" in place_status:
        items.append(LegendItem(_legend_ring("closed"), "place already closed at the start"))
    if peak:
        items.append(LegendItem(_legend_svg(el("line", {"x1": 2, "y1": 9, "x2": 28, "y2": 9, "class_": "flow",
                                                        "stroke_width": 10})),
                                f"people carried (width ∝ people; widest {peak:,})"))
    items.append(LegendItem(_legend_area("country crisis"), "crisis country"))
    items.append(LegendItem(_legend_area("country haven"), "country with a safe haven"))
    if off_map:
        arrow = el("line", {"x1": 2, "y1": 9, "x2": 24, "y2": 9, "stroke": "#555", "stroke_width": 1.5,
                            "marker_end": "url(#evac-arrow)"})
        items.append(LegendItem(_legend_svg(arrow), "to a place beyond the map"))
    return tuple(items)


def _link_tip(scenario: Scenario, lk: Link, names: dict[str, str], closure_h: float | None,
              people: int) -> str:
    arrow = "↔" if lk.two_way else "→"
    lines = [f"{names[lk.a]} {arrow} {names[lk.b]} ({lk.mode}, {lk.travel_h:g} h"
             + (f", {lk.distance_km:g} km)" if lk.distance_km is not None else ")")]
    for s in scenario.services:
        if s.mode is lk.mode and lk.joins(s.origin, s.destination):
            lines.append(f"{s.name}: {s.departures} departures, every {s.cadence_h:g} h, {s.seats} seats")
    if closure_h is not None:
        lines.append(f"closes {scenario.moment(closure_h):%d %b %Y %H:%M}")
    lines.append(f"people carried: {people:,}")
    return "\n".join(lines)


def _place_tip(scenario: Scenario, p: Place, closures: dict[str, float], travelling: dict[str, int]) -> str:
    lines = [f"{p.name} ({_KIND_LABELS[p.kind]}, {p.country})", f"{p.lat:.4f}, {p.lon:.4f}"]
    if travelling.get(p.id):
        lines.append(f"people travelling from here: {travelling[p.id]:,}")
    if p.processing_per_h:
        lines.append(f"processes {p.processing_per_h:,.0f} people/h")
    if p.id in closures:
        lines.append(f"closes {scenario.moment(closures[p.id]):%d %b %Y %H:%M}")
    return "\n".join(lines)
