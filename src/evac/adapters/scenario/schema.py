"""The scenario file format as pydantic v2 models: the single source of the JSON Schema.

Instants are ISO-8601 strings with a time zone; durations are hours (fields ending ``_h``);
distances kilometres; coordinates WGS84 decimal degrees. See ``docs/scenario.md``.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from evac.core.model import Category, Effect, Mode, PlaceKind, Vulnerability

Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]

MAX_VEHICLES = 100_000
"""Most vehicles in one fleet: planners give every vehicle its own state, so a fleet of a hundred million is
a typing error (or an attack), not an operation. Kabul 2021 moved 120,000 people with a few hundred aircraft."""
MAX_SEATS = 10_000
"""Most seats in one vehicle or one scheduled departure (the largest ferries carry a few thousand)."""
MAX_DEPARTURES = 100_000
"""Most departures of one scheduled service (one an hour for eleven years)."""
MAX_PEOPLE = 10_000_000
"""Most people a generated population may have (the XL benchmark has a million)."""
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code")]
Hours = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RateChangeIn(_Strict):
    """From ``from`` on, the crossing processes ``per_h`` people an hour (0: nobody)."""

    from_: AwareDatetime = Field(alias="from")
    per_h: float = Field(ge=0, allow_inf_nan=False, description="people processed per hour from then on")


class PlaceIn(_Strict):
    id: Id
    name: str = Field(min_length=1)
    kind: PlaceKind
    lat: float = Field(ge=-90, le=90, description="latitude, decimal degrees")
    lon: float = Field(ge=-180, le=180, description="longitude, decimal degrees")
    country: Country
    population: int | None = Field(None, ge=0, description="census count; spreads generated people")
    processing_per_h: float | None = Field(None, gt=0, description="people a crossing processes per hour")
    capacity: int | None = Field(None, ge=0, description="most people a safe haven can receive in all")
    region: Id | None = Field(None, description="a region tag a fleet's `serves` may name")
    processing_changes: list[RateChangeIn] = Field(
        default_factory=list, description="later processing rates, in time order (needs processing_per_h)")

    @model_validator(mode="after")
    def _rates(self) -> Self:
        if self.processing_changes and self.processing_per_h is None:
            raise ValueError("processing_changes need a processing_per_h (the rate before the first change)")
        times = [c.from_ for c in self.processing_changes]
        if any(b <= a for a, b in itertools.pairwise(times)):
            raise ValueError("processing_changes must be in increasing time order")
        return self


class LinkIn(_Strict):
    id: Id
    from_: Id = Field(alias="from")
    to: Id
    mode: Mode
    travel_h: Hours = Field(description="fastest travel time, hours")
    distance_km: float | None = Field(None, gt=0)
    capacity_vehicles_per_h: float | None = Field(None, gt=0, description="vehicles entering per hour")
    one_way: bool = False

    @model_validator(mode="after")
    def _two_ends(self) -> Self:
        if self.from_ == self.to:
            raise ValueError(f"the link joins {self.to!r} to itself: from and to must differ")
        return self


class FleetIn(_Strict):
    id: Id
    name: str = ""
    mode: Mode = Field(Mode.ROAD, description="road: buses; sea or air: vessels or aircraft that shuttle")
    seats: int = Field(gt=0, le=MAX_SEATS, description="seats per vehicle")
    count: int = Field(ge=0, le=MAX_VEHICLES, description="number of vehicles")
    depot: Id
    available_from: AwareDatetime
    available_until: AwareDatetime | None = None
    serves: list[Id] = Field(default_factory=list,
                             description="place ids or region tags the fleet may use; empty: anywhere")
    boarding_h: float | None = Field(None, ge=0, allow_inf_nan=False,
                                     description="hours people take to board a vehicle (default: the policy's)")
    unloading_h: float | None = Field(None, ge=0, allow_inf_nan=False,
                                      description="hours people take to get off before the vehicle moves on")
    shuttle_to: Id | None = Field(None, description="sea and air fleets: the place they shuttle to from depot")

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.available_until is not None and self.available_until <= self.available_from:
            raise ValueError("available_until must be after available_from")
        if self.mode is not Mode.ROAD and self.shuttle_to is None:
            raise ValueError(f"a {self.mode} fleet needs shuttle_to: the place it shuttles to from its depot")
        if self.mode is Mode.ROAD and self.shuttle_to is not None:
            raise ValueError("shuttle_to is for sea and air fleets; a road fleet goes where it is sent")
        return self


class ServiceIn(_Strict):
    id: Id
    name: str = ""
    mode: Literal[Mode.AIR, Mode.SEA]
    origin: Id
    destination: Id
    seats: int = Field(gt=0, le=MAX_SEATS, description="seats for evacuees per departure")
    first_departure: AwareDatetime
    cadence_h: Hours = Field(description="hours between departures")
    departures: int = Field(ge=0, le=MAX_DEPARTURES, description="number of departures")


class UniformIn(_Strict):
    earliest: AwareDatetime
    latest: AwareDatetime

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.latest < self.earliest:
            raise ValueError("earliest must not be after latest")
        return self


class TriangularIn(_Strict):
    earliest: AwareDatetime
    mode: AwareDatetime
    latest: AwareDatetime

    @model_validator(mode="after")
    def _order(self) -> Self:
        if not self.earliest <= self.mode <= self.latest:
            raise ValueError("needs earliest <= mode <= latest")
        return self


class LogNormalIn(_Strict):
    after: AwareDatetime
    median_h: Hours = Field(description="median delay after `after`, hours")
    sigma: float = Field(ge=0, allow_inf_nan=False, description="log-space standard deviation")


class WhenIn(_Strict):
    """Exactly one of the four ways to say when a threat happens."""

    fixed: AwareDatetime | None = None
    uniform: UniformIn | None = None
    triangular: TriangularIn | None = None
    lognormal: LogNormalIn | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [k for k in ("fixed", "uniform", "triangular", "lognormal") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of fixed, uniform, triangular, lognormal")
        return self


class ThreatIn(_Strict):
    id: Id
    name: str = ""
    target: Id = Field(description="a place id or a link id")
    effect: Effect
    when: WhenIn
    until: WhenIn | None = Field(None, description="when a closure ends (the place or link reopens)")

    @model_validator(mode="after")
    def _ends(self) -> Self:
        if self.until is not None and self.effect is not Effect.CLOSE:
            raise ValueError("only a closure can end: 'until' needs effect close")
        return self


class PriorityClassIn(_Strict):
    name: str = Field(min_length=1)
    weight: float = Field(gt=0, allow_inf_nan=False)
    vulnerabilities: list[Vulnerability] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)


def _default_classes() -> list[PriorityClassIn]:
    return [
        PriorityClassIn(name="medical", weight=4,
                        vulnerabilities=[Vulnerability.MEDICAL, Vulnerability.PREGNANT,
                                         Vulnerability.REDUCED_MOBILITY]),
        PriorityClassIn(name="children", weight=3, vulnerabilities=[Vulnerability.CHILD]),
        PriorityClassIn(name="elderly", weight=2, vulnerabilities=[Vulnerability.ELDERLY]),
        PriorityClassIn(name="general", weight=1),
    ]


class PolicyIn(_Strict):
    closure_quantile: float = Field(0.1, ge=0, le=1)
    boarding_h: float = Field(0.5, ge=0, allow_inf_nan=False)
    min_connection_h: float = Field(1.0, ge=0, allow_inf_nan=False)
    family_unity: Literal[True] = True
    partner_nations: list[Country] = Field(default_factory=list)
    priority_classes: list[PriorityClassIn] = Field(default_factory=_default_classes, min_length=1)


class GeneratorIn(_Strict):
    size: int = Field(25_000, ge=0, le=MAX_PEOPLE, description="people")
    seed: int = 0
    diplomats_at: Id | None = None
    military_at: list[Id] = Field(default_factory=list)


class SiteIn(_Strict):
    at: Id = Field(description="place id where the crews wait")
    people: int = Field(ge=0, le=MAX_PEOPLE, description="people at this site")


class TeamsIn(_Strict):
    """Work crews that move together (each boards whole, like a household): see core/population/teams.py."""

    sites: list[SiteIn] = Field(min_length=1)
    team_min: int = Field(ge=1, description="fewest people in a crew")
    team_max: int = Field(ge=1, description="most people in a crew (no more than a vehicle's seats)")
    nationality: Country
    seed: int = 0
    language: str = Field("zh", min_length=2, max_length=8)

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.team_max < self.team_min:
            raise ValueError(f"team_max {self.team_max} is below team_min {self.team_min}")
        return self


class PopulationIn(_Strict):
    generator: GeneratorIn | None = None
    teams: TeamsIn | None = None
    file: str | None = Field(None, description="population JSON, relative to the scenario file")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if sum(x is not None for x in (self.generator, self.teams, self.file)) != 1:
            raise ValueError("give exactly one of generator, teams or file")
        return self


class ScenarioFile(_Strict):
    """A whole scenario file (YAML or JSON)."""

    schema_version: Literal[1] = 1
    id: Id
    name: str = Field(min_length=1)
    country: Country
    epoch: AwareDatetime = Field(description="time zero; every time inside evac is hours from here")
    start: AwareDatetime | None = Field(None, description="default start of the operation")
    population: PopulationIn
    places: list[PlaceIn] = Field(min_length=1)
    links: list[LinkIn] = Field(default_factory=list)
    fleets: list[FleetIn] = Field(default_factory=list)
    services: list[ServiceIn] = Field(default_factory=list)
    threats: list[ThreatIn] = Field(default_factory=list)
    policy: PolicyIn = Field(default_factory=PolicyIn)


def json_schema() -> dict[str, object]:
    """The JSON Schema of scenario files (``evac schema scenario``)."""
    return ScenarioFile.model_json_schema(by_alias=True)
