"""Places and the links between them. Times are hours; distances kilometres."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from evac.core.errors import ModelError


class PlaceKind(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    ASSEMBLY_POINT = "assembly_point"
    BORDER_CROSSING = "border_crossing"
    AIRPORT = "airport"
    PORT = "port"
    SAFE_HAVEN = "safe_haven"


class Mode(StrEnum):
    ROAD = "road"
    AIR = "air"
    SEA = "sea"


@dataclass(frozen=True, slots=True)
class Place:
    """A point of the network. A person is *safe* on arrival at a place of kind ``safe_haven``.

    ``processing_per_h`` is the number of people a border crossing can process in one hour
    (``None``: not a limit). ``population`` is a census count used only to spread generated people.
    ``capacity`` is the most people a safe haven can receive in all (a shelter; ``None``: no limit).
    ``processing_changes``: the rate changes over time, as ``(from_h, rate_per_h)`` pairs in increasing time:
    from ``from_h`` on the crossing processes ``rate_per_h`` people an hour (``0``: it processes nobody, e.g.
    the post changed hands); ``processing_per_h`` is the rate before the first change. The queue rule with
    a varying rate is :class:`evac.core.model.feasibility.ProcessingProfile`.
    ``region`` is an optional tag (e.g. ``"tunisia"``) that a fleet's ``serves`` may name instead of listing
    places one by one (:func:`evac.core.model.feasibility.serves`).
    """

    id: str
    name: str
    kind: PlaceKind
    lat: float
    lon: float
    country: str
    processing_per_h: float | None = None
    population: int | None = None
    capacity: int | None = None
    region: str | None = None
    processing_changes: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if not -90 <= self.lat <= 90 or not -180 <= self.lon <= 180:
            raise ModelError(f"place {self.id}: coordinates ({self.lat}, {self.lon}) are not on Earth")
        if self.processing_per_h is not None and self.processing_per_h <= 0:
            raise ModelError(f"place {self.id}: processing_per_h must be positive")
        if self.capacity is not None and self.capacity < 0:
            raise ModelError(f"place {self.id}: capacity must not be negative")
        if self.processing_changes:
            if self.processing_per_h is None:
                raise ModelError(f"place {self.id}: processing_changes need a processing_per_h to start from")
            times = [t for t, _ in self.processing_changes]
            if any(not math.isfinite(t) for t in times) or any(b <= a for a, b in pairwise(times)):
                raise ModelError(f"place {self.id}: processing_changes must be at finite, increasing times")
            if any(not (math.isfinite(r) and r >= 0) for _, r in self.processing_changes):
                raise ModelError(f"place {self.id}: a processing rate must be a number >= 0")

    @property
    def peak_processing_per_h(self) -> float | None:
        """The highest rate the place ever processes at (people/hour; ``None``: not a limit). Bounds use it:
        a relaxation of a rate that changes over time."""
        if self.processing_per_h is None:
            return None
        return max([self.processing_per_h, *(r for _, r in self.processing_changes)])

    @property
    def is_safe(self) -> bool:
        return self.kind is PlaceKind.SAFE_HAVEN


@dataclass(frozen=True, slots=True)
class Link:
    """A road, air or sea connection. Roads are two-way unless ``one_way``; air and sea links are one-way.

    ``travel_h`` is the fastest a vehicle can cover it (hours); ``capacity_vehicles_per_h`` limits how many
    vehicles may enter it in one clock hour (``None``: no limit).
    """

    id: str
    a: str
    b: str
    mode: Mode
    travel_h: float
    distance_km: float | None = None
    capacity_vehicles_per_h: float | None = None
    one_way: bool = False

    def __post_init__(self) -> None:
        if self.a == self.b:
            raise ModelError(f"link {self.id} joins {self.a} to itself")
        if not self.travel_h > 0 or math.isinf(self.travel_h):
            raise ModelError(f"link {self.id}: travel_h must be a positive number of hours")
        if self.capacity_vehicles_per_h is not None and self.capacity_vehicles_per_h <= 0:
            raise ModelError(f"link {self.id}: capacity_vehicles_per_h must be positive")

    @property
    def two_way(self) -> bool:
        return self.mode is Mode.ROAD and not self.one_way

    def joins(self, origin: str, destination: str) -> bool:
        """True when a vehicle may travel the link from ``origin`` to ``destination``."""
        if (self.a, self.b) == (origin, destination):
            return True
        return self.two_way and (self.b, self.a) == (origin, destination)
