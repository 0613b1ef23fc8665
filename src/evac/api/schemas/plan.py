"""The situation map (``GET /plan/geo``): outlines, places, links, closures and the plan's flows over time.

Counts and place / link / threat / asset ids only: no person. Times are UTC datetimes and hours since the
active plan's start (``*_h``). Coordinates are GeoJSON's ``[lon, lat]``, except ``lat``/``lon`` fields and
the Leaflet-style ``bounds``.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 -- pydantic reads the annotation at runtime
from typing import Any, Literal

from pydantic import BaseModel, Field


class Interval(BaseModel):
    """A place or link closed (or dangerous) from ``from`` on, until ``to`` (null: for good)."""

    id: str = Field(description="The threat's id, or posted-<n> for the n-th closure posted in the operation.")
    name: str
    source: Literal["scenario", "operation"]
    from_h: float = Field(description="Hours since the plan's start (negative: before it). For an uncertain "
                                      "threat: at the policy's closure quantile, the planning value.")
    from_: datetime = Field(alias="from", description="The same moment, UTC.")
    to_h: float | None = Field(description="When a closure that ends reopens (hours since the start, at the "
                                           "policy's 1 - closure quantile); null: it holds until the end.")
    to: datetime | None
    uncertain: bool
    band_h: list[float] | None = Field(description="The 5 % and 95 % quantiles of an uncertain time (hours "
                                                   "since the start); null when it is known.")
    band: list[datetime] | None


class ClosureOut(Interval):
    target: str = Field(description="The closed place or link id.")
    target_name: str
    target_kind: Literal["place", "link", "unknown"]


class PlaceGeo(BaseModel):
    id: str
    name: str
    kind: str = Field(description="city, district, assembly_point, border_crossing, airport, port, safe_haven.")
    country: str
    lat: float
    lon: float
    on_map: bool = Field(description="Inside the outlines' box (false: a far destination such as Moscow).")
    processing_per_h: float | None
    picked_up: int = Field(description="People the plan picks up here (boardings starting here).")
    dropped_off: int = Field(description="People the plan sets down here (boardings ending here).")
    closures: list[Interval]
    dangers: list[Interval]


class LinkGeo(BaseModel):
    id: str
    from_: str = Field(alias="from", description="Place id of one end (a).")
    to: str = Field(description="Place id of the other end (b).")
    mode: Literal["road", "air", "sea"]
    two_way: bool
    travel_h: float
    distance_km: float | None
    coordinates: list[list[float]] = Field(description="The line, [[lon, lat], …].")
    people: int = Field(description="People carried over the link in the whole plan (either direction).")
    closures: list[Interval]
    dangers: list[Interval]


class FlowGeo(BaseModel):
    """Legs of the plan with the same link, direction, times and asset, taken together."""

    link: str
    from_: str = Field(alias="from")
    to: str
    mode: Literal["road", "air", "sea"] | None
    asset: str
    asset_name: str
    asset_kind: Literal["fleet", "service", "unknown"] = Field(description="A fleet the operation drives, or a "
                                                                          "scheduled service it books seats on.")
    vehicles: int = Field(description="Vehicles (or departures) on these legs.")
    people: int = Field(description="People aboard them, in all.")
    depart_h: float
    depart: datetime
    arrive_h: float
    arrive: datetime


class SafePoint(BaseModel):
    h: float
    at: datetime
    safe: int = Field(description="People the plan has brought to safety by then (cumulative).")


class PlanGeoOut(BaseModel):
    plan: int = Field(description="The active plan's id.")
    generation: int = Field(description="The active plan generation (1 before any re-plan).")
    scenario: str
    scenario_name: str
    country: str
    start: datetime = Field(description="The active plan's start (UTC): hour 0.")
    end: datetime = Field(description="The end of the timeline (UTC).")
    start_h: float
    end_h: float = Field(description="At least 24 h, and 6 % past the last planned arrival or now, whole hours.")
    step_h: float
    now: datetime = Field(description="Now on the operation clock (UTC).")
    now_h: float
    utc_offset_min: int = Field(description="The scenario zone's offset from UTC, minutes (for local labels).")
    closure_quantile: float
    closure_rule: str = Field(description="How closure times were chosen, in words.")
    bounds: list[list[float]] = Field(description="The box to fit: [[lat_min, lon_min], [lat_max, lon_max]].")
    outline_bounds: list[list[float]] = Field(description="The box the outlines are clipped to (same form).")
    outlines: dict[str, Any] = Field(description="GeoJSON FeatureCollection of country MultiPolygons; properties "
                                                 "name and role (crisis, haven, other). Natural Earth 1:50m "
                                                 "via world-atlas.")
    places: list[PlaceGeo]
    links: list[LinkGeo]
    flows: list[FlowGeo]
    closures: list[ClosureOut] = Field(description="Every closure interval, earliest first.")
    safe: list[SafePoint] = Field(description="Cumulative people safe, one point per distinct arrival time.")
    planned_total: int = Field(description="People the active plan brings to safety.")
