"""Geography for the report's map: the vendored country outlines, a projection fitted to the region, clipping.

Country outlines come from the ``world-atlas`` npm package (Natural Earth 1:50m, vendored under
``evac/data/vendor/world-atlas`` with its licence), a quantized TopoJSON topology decoded here.

The projection is equirectangular, scaled by the cosine of the middle latitude: true enough over a few hundred
kilometres, and simple to reason about. Pixel ``x`` grows east and ``y`` south.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evac.core.model import Scenario

Point = tuple[float, float]
Ring = tuple[Point, ...]
GeoBox = tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max

WIDTH_PX = 1000
_MIN_H_PX, _MAX_H_PX = 460, 800


# -- TopoJSON --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Country:
    """A country's polygons (each a tuple of rings, the first the outer one) in (lon, lat) degrees."""

    name: str
    polygons: tuple[tuple[Ring, ...], ...]
    bboxes: tuple[GeoBox, ...]


def decode_topojson(data: dict[str, Any], object_name: str = "countries") -> tuple[Country, ...]:
    """Decode a quantized TopoJSON topology's polygons (the format of ``world-atlas``).

    Arcs are delta-encoded integer positions, scaled by ``transform``; a geometry lists arc indices, where
    ``~i`` (that is, ``-i - 1``) means arc ``i`` reversed, and consecutive arcs of a ring share an end point.
    """
    transform = data.get("transform")
    sx, sy, tx, ty = 1.0, 1.0, 0.0, 0.0
    if isinstance(transform, dict):
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    arcs: list[list[Point]] = []
    for arc in data["arcs"]:
        x = y = 0
        pts: list[Point] = []
        for pos in arc:
            if transform is not None:
                x += pos[0]
                y += pos[1]
                pts.append((x * sx + tx, y * sy + ty))
            else:
                pts.append((float(pos[0]), float(pos[1])))
        arcs.append(pts)

    def ring(indices: list[int]) -> Ring:
        out: list[Point] = []
        for i in indices:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(pts[1:] if out else pts)
        return tuple(out)

    countries: list[Country] = []
    for geom in data["objects"][object_name]["geometries"]:
        kind = geom.get("type")
        if kind == "Polygon":
            polys = [geom["arcs"]]
        elif kind == "MultiPolygon":
            polys = geom["arcs"]
        else:
            continue
        polygons = tuple(tuple(ring(r) for r in poly) for poly in polys)
        polygons = tuple(p for p in polygons if p and len(p[0]) >= 3)
        bboxes = tuple(bbox(p[0]) for p in polygons)
        name = str((geom.get("properties") or {}).get("name", geom.get("id", "")))
        countries.append(Country(name, polygons, bboxes))
    return tuple(countries)


@lru_cache(maxsize=1)
def world_countries() -> tuple[Country, ...]:
    """Natural Earth 1:50m countries from the vendored ``world-atlas`` package (read once, on first use)."""
    path = files("evac.data").joinpath("vendor", "world-atlas", "countries-50m.json")
    return decode_topojson(json.loads(path.read_text(encoding="utf-8")))


def bbox(points: Ring) -> GeoBox:
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def contains(ring: Ring, lon: float, lat: float) -> bool:
    """Even-odd ray casting."""
    inside = False
    n = len(ring)
    for i in range(n):
        (x1, y1), (x2, y2) = ring[i], ring[i - 1]
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


# -- projection --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Projection:
    """Equirectangular: ``x`` grows east, ``y`` south; ``kx = ky·cos(mid latitude)`` pixels per degree."""

    lon_min: float
    lat_max: float
    kx: float
    ky: float
    width: float
    height: float

    def __call__(self, lon: float, lat: float) -> Point:
        return (lon - self.lon_min) * self.kx, (self.lat_max - lat) * self.ky

    def on_map(self, xy: Point, tolerance: float = 1.0) -> bool:
        x, y = xy
        return -tolerance <= x <= self.width + tolerance and -tolerance <= y <= self.height + tolerance

    @property
    def geo_box(self) -> GeoBox:
        lat_min = self.lat_max - self.height / self.ky
        return self.lon_min, lat_min, self.lon_min + self.width / self.kx, self.lat_max


def map_region(scenario: Scenario) -> GeoBox:
    """The box to draw: the crisis country's places, the places near them, and a margin.

    A place is "near" when it lies within a pad of the crisis country's box (a third of its size, at least
    one degree): neighbouring crossings and capitals are in, a flight's far destination is not.
    """
    core = [p for p in scenario.places if p.country == scenario.country] or list(scenario.places)
    if not core:
        return 35.0, 33.0, 37.0, 35.0
    lon0, lat0, lon1, lat1 = bbox(tuple((p.lon, p.lat) for p in core))
    span = max(lon1 - lon0, lat1 - lat0)
    pad = max(1.0, span / 3)
    near = [p for p in scenario.places
            if lon0 - pad <= p.lon <= lon1 + pad and lat0 - pad <= p.lat <= lat1 + pad]
    lon0, lat0, lon1, lat1 = bbox(tuple((p.lon, p.lat) for p in near))
    margin = max(0.3, 0.1 * max(lon1 - lon0, lat1 - lat0))
    return lon0 - margin, lat0 - margin, lon1 + margin, lat1 + margin


def fit_projection(box: GeoBox, width: float = WIDTH_PX) -> Projection:
    """Fit ``box`` into a canvas ``width`` pixels wide, its height following the box's shape (clamped)."""
    lon0, lat0, lon1, lat1 = box
    cos_mid = math.cos(math.radians((lat0 + lat1) / 2))
    geo_w = max(lon1 - lon0, 0.1) * cos_mid
    geo_h = max(lat1 - lat0, 0.1)
    height = min(max(width * geo_h / geo_w, _MIN_H_PX), _MAX_H_PX)
    k = min(width / geo_w, height / geo_h)
    lon_c, lat_c = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    lon_min = lon_c - width / (2 * k * cos_mid)
    return Projection(lon_min, lat_c + height / (2 * k), k * cos_mid, k, width, height)


def clip_ring(points: list[Point], x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    """Sutherland–Hodgman clipping of a closed ring to a rectangle (edges along the rectangle may remain)."""
    pts = points
    for axis, bound, keep_above in ((0, x0, True), (0, x1, False), (1, y0, True), (1, y1, False)):
        if not pts:
            break
        pts = _clip_half_plane(pts, axis, bound, keep_above)
    return pts


def _clip_half_plane(pts: list[Point], axis: int, bound: float, keep_above: bool) -> list[Point]:
    def inside(p: Point) -> bool:
        return p[axis] >= bound if keep_above else p[axis] <= bound

    def cross(p: Point, q: Point) -> Point:
        t = (bound - p[axis]) / (q[axis] - p[axis])
        other = 1 - axis
        v = p[other] + (q[other] - p[other]) * t
        return (bound, v) if axis == 0 else (v, bound)

    out: list[Point] = []
    for i, cur in enumerate(pts):
        prev = pts[i - 1]
        if inside(cur):
            if not inside(prev):
                out.append(cross(prev, cur))
            out.append(cur)
        elif inside(prev):
            out.append(cross(prev, cur))
    return out


def in_country(country: Country, lon: float, lat: float) -> bool:
    for poly, (b0, b1, b2, b3) in zip(country.polygons, country.bboxes, strict=True):
        if b0 <= lon <= b2 and b1 <= lat <= b3 and contains(poly[0], lon, lat):
            return True
    return False


def ring_area(points: list[Point]) -> float:
    return 0.5 * sum(points[i - 1][0] * p[1] - p[0] * points[i - 1][1] for i, p in enumerate(points))
