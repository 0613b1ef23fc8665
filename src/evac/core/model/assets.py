"""Transport assets: fleets of vehicles the operation controls, and scheduled services it books seats on."""

from __future__ import annotations

import math
from dataclasses import dataclass

from evac.core.errors import ModelError
from evac.core.model.network import Mode


@dataclass(frozen=True, slots=True)
class Fleet:
    """``count`` identical vehicles with ``seats`` each, starting at ``depot``.

    The vehicles may move from ``available_from_h`` and must finish their last leg by
    ``available_until_h`` (hours from the scenario epoch; ``inf`` when open-ended).

    ``serves``: the service area. Empty: anywhere. Otherwise place ids and region tags
    (:attr:`Place.region <evac.core.model.network.Place.region>`); every leg of the fleet's trips must
    start and end at a place it names or in a region it names (a host-country bus fleet stays on its side
    of the border). The rule itself is :func:`evac.core.model.feasibility.serves`.

    ``boarding_h``: hours a vehicle of this fleet stands at a place while people board it before it leaves
    (a coach 0.5 h, a ferry 6 h); ``unloading_h``: hours it stands after people get off before it moves
    again. ``None``: boarding takes the policy's ``boarding_h`` (a planning habit, not a rule) and unloading
    nothing. When given they are rules the checker keeps (:func:`evac.core.model.feasibility.ready_after`).

    Sea and air fleets (``mode`` sea or air: chartered ferries, aircraft the operation controls) shuttle
    between ``depot`` and ``shuttle_to`` over links of their mode: load at the depot (``boarding_h``),
    cross, unload (``unloading_h``), return, again — a cycle the dispatch planners turn into departures that
    households book like a timetable's, and the checker judges like any vehicle's trips.
    """

    id: str
    name: str
    mode: Mode
    seats: int
    count: int
    depot: str
    available_from_h: float
    available_until_h: float = math.inf
    serves: frozenset[str] = frozenset()
    boarding_h: float | None = None
    unloading_h: float | None = None
    shuttle_to: str | None = None

    def __post_init__(self) -> None:
        if self.seats <= 0:
            raise ModelError(f"fleet {self.id}: seats must be positive")
        if self.count < 0:
            raise ModelError(f"fleet {self.id}: count must not be negative")
        if self.available_until_h <= self.available_from_h:
            raise ModelError(f"fleet {self.id}: availability window is empty")
        if (self.mode is Mode.ROAD) != (self.shuttle_to is None):
            raise ModelError(f"fleet {self.id}: a sea or air fleet shuttles between its depot and shuttle_to; "
                             "a road fleet has no shuttle_to")
        if self.shuttle_to == self.depot:
            raise ModelError(f"fleet {self.id}: shuttle_to must differ from the depot")
        for name, v in (("boarding_h", self.boarding_h), ("unloading_h", self.unloading_h)):
            if v is not None and not (math.isfinite(v) and v >= 0):
                raise ModelError(f"fleet {self.id}: {name} must be a number of hours >= 0")

    @property
    def unload_h(self) -> float:
        """Hours a vehicle stands after people got off before it may move again (0 when not given)."""
        return 0.0 if self.unloading_h is None else self.unloading_h


@dataclass(frozen=True, slots=True)
class Service:
    """A scheduled air or sea service: departure ``k`` leaves ``origin`` at
    ``first_departure_h + k * cadence_h`` with ``seats`` seats for evacuees, for ``departures`` departures.

    Departures run along the link of the service's mode from ``origin`` to ``destination``.
    """

    id: str
    name: str
    mode: Mode
    origin: str
    destination: str
    seats: int
    first_departure_h: float
    cadence_h: float
    departures: int

    def __post_init__(self) -> None:
        if self.mode is Mode.ROAD:
            raise ModelError(f"service {self.id}: scheduled services fly or sail; use a fleet for road")
        if self.seats <= 0:
            raise ModelError(f"service {self.id}: seats must be positive")
        if self.cadence_h <= 0:
            raise ModelError(f"service {self.id}: cadence_h must be positive")
        if self.departures < 0:
            raise ModelError(f"service {self.id}: departures must not be negative")

    def departure_h(self, k: int) -> float:
        """Time of departure ``k`` (0-based), hours from the epoch."""
        return self.first_departure_h + k * self.cadence_h

    def first_index_at_or_after(self, t_h: float) -> int:
        """Index of the first departure leaving at or after ``t_h`` (may be ``>= departures``)."""
        if t_h <= self.first_departure_h:
            return 0
        return math.ceil((t_h - self.first_departure_h) / self.cadence_h - 1e-9)
