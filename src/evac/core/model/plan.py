"""Plans: trips with timed legs, who rides them, and what became of every household.

A plan is data, not behaviour: the checker (``evac.core.check``) decides whether it is valid.
Times are hours from the scenario epoch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from evac.core.errors import ModelError

if TYPE_CHECKING:
    from evac.core.model.kpi import KPIs


@dataclass(frozen=True, slots=True)
class Leg:
    """A vehicle moves over ``link_id`` from ``origin`` to ``destination``, leaving at ``depart_h`` and
    arriving at ``arrive_h``. Between legs the vehicle waits where it is (loading, processing at a crossing)."""

    link_id: str
    origin: str
    destination: str
    depart_h: float
    arrive_h: float


@dataclass(frozen=True, slots=True)
class Boarding:
    """Household members ``person_ids`` ride legs ``first_leg`` to ``last_leg`` (inclusive) of a trip:
    they board at the origin of ``first_leg`` and alight at the destination of ``last_leg``."""

    household_id: str
    person_ids: tuple[str, ...]
    first_leg: int
    last_leg: int


@dataclass(frozen=True, slots=True)
class Trip:
    """One run of one vehicle: ``unit`` is the vehicle's index in its fleet, or the departure index of a
    scheduled service. A vehicle's trips follow each other in time and place."""

    id: str
    asset_id: str
    unit: int
    legs: tuple[Leg, ...]
    boardings: tuple[Boarding, ...] = ()

    @property
    def depart_h(self) -> float:
        return self.legs[0].depart_h

    @property
    def arrive_h(self) -> float:
        return self.legs[-1].arrive_h

    @property
    def people(self) -> int:
        return sum(len(b.person_ids) for b in self.boardings)


class LeftBehindReason(StrEnum):
    NO_OPEN_EXIT = "no_open_exit"  # no route from the origin reaches safety before closures
    ORIGIN_CLOSED = "origin_closed"  # the origin closed before a vehicle could collect them
    NO_CAPACITY = "no_capacity"  # vehicles, seats or crossing throughput ran out in time
    HOUSEHOLD_TOO_LARGE = "household_too_large"  # no single vehicle can carry the whole household
    NOT_REACHED = "not_reached"  # a re-plan or a planner limit left them out
    NO_SHOW = "no_show"  # did not come to the pick-up (a re-plan's no-show event)


@dataclass(frozen=True, slots=True)
class LeftBehind:
    """A travelling household the plan does not make safe, and why.

    ``at``/``since_h``: where and since when (hours) it waits when a re-plan left it short of safety — it
    rode the plan's trips from home to ``at`` (those boardings stay in the plan: it is the truth of where
    the people are) and no trip can take it on. ``None``: it waits at home.
    """

    household_id: str
    person_ids: tuple[str, ...]
    reason: LeftBehindReason
    at: str | None = None
    since_h: float | None = None

    def __post_init__(self) -> None:
        if (self.at is None) != (self.since_h is None):
            raise ModelError(f"left behind {self.household_id}: 'at' and 'since_h' go together")


@dataclass(frozen=True, slots=True)
class Itinerary:
    """The trips a household takes in order, and when and where it becomes safe."""

    household_id: str
    trip_ids: tuple[str, ...]
    safe_at_h: float
    safe_place: str


@dataclass(frozen=True, slots=True)
class Bound:
    """What a relaxation proves: no valid plan saves more than ``safe_weighted_max`` weighted people, and
    none clears everyone sooner than ``clearance_h_min`` hours after the start."""

    method: str
    safe_weighted_max: float
    clearance_h_min: float | None


@dataclass(frozen=True)
class Plan:
    scenario_id: str
    planner: str
    start_h: float
    trips: tuple[Trip, ...]
    itineraries: tuple[Itinerary, ...]
    left_behind: tuple[LeftBehind, ...]
    kpis: KPIs | None = None
    bound: Bound | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def with_kpis(self, kpis: KPIs) -> Plan:
        return Plan(self.scenario_id, self.planner, self.start_h, self.trips, self.itineraries,
                    self.left_behind, kpis, self.bound, dict(self.meta))
