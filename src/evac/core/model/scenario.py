"""A scenario: the network, the people, the assets, the threats and the policy, at one epoch."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from evac.core.errors import ModelError, UnknownReferenceError
from evac.core.model.assets import Fleet, Service
from evac.core.model.feasibility import ClosureSchedule, serves, service_area
from evac.core.model.network import Link, Mode, Place, PlaceKind
from evac.core.model.threats import Effect, Threat

if TYPE_CHECKING:
    from evac.core.model.people import Population
    from evac.core.model.policy import Policy

_T = TypeVar("_T", Place, Link, Fleet, Service)


@dataclass(frozen=True)
class Scenario:
    """Everything a planner needs. Times inside are hours from ``epoch`` (a timezone-aware datetime)."""

    id: str
    name: str
    country: str
    epoch: datetime
    places: tuple[Place, ...]
    links: tuple[Link, ...]
    fleets: tuple[Fleet, ...]
    services: tuple[Service, ...]
    threats: tuple[Threat, ...]
    policy: Policy
    population: Population
    place_by_id: dict[str, Place] = field(init=False, repr=False, compare=False)
    link_by_id: dict[str, Link] = field(init=False, repr=False, compare=False)
    fleet_by_id: dict[str, Fleet] = field(init=False, repr=False, compare=False)
    service_by_id: dict[str, Service] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.epoch.tzinfo is None:
            raise ModelError("scenario epoch must carry a time zone")
        places = _index("place", self.places)
        links = _index("link", self.links)
        fleets = _index("fleet", self.fleets)
        services = _index("service", self.services)
        shared = sorted(set(fleets) & set(services))
        if shared:
            raise ModelError(f"fleet and service share the id {shared[0]!r}: a trip's asset would be ambiguous")
        for link in self.links:
            for end in (link.a, link.b):
                if end not in places:
                    raise UnknownReferenceError(f"link {link.id}: unknown place {end!r}")
        regions = {p.region for p in self.places if p.region is not None}
        for fleet in self.fleets:
            if fleet.depot not in places:
                raise UnknownReferenceError(f"fleet {fleet.id}: unknown depot {fleet.depot!r}")
            unknown = sorted(x for x in fleet.serves if x not in places and x not in regions)
            if unknown:
                raise UnknownReferenceError(f"fleet {fleet.id}: serves {unknown[0]!r}, neither a place nor a region")
            if fleet.shuttle_to is not None:
                if fleet.shuttle_to not in places:
                    raise UnknownReferenceError(f"fleet {fleet.id}: unknown place {fleet.shuttle_to!r} to shuttle to")
                if not any(lk.mode is fleet.mode and lk.joins(fleet.depot, fleet.shuttle_to) for lk in self.links):
                    raise ModelError(f"fleet {fleet.id}: no {fleet.mode} link from {fleet.depot} to {fleet.shuttle_to}")
            depot = places[fleet.depot]
            if not serves(fleet.serves, depot.id, depot.region):
                raise ModelError(f"fleet {fleet.id}: its depot {fleet.depot} is outside the places it serves")
        for s in self.services:
            for end in (s.origin, s.destination):
                if end not in places:
                    raise UnknownReferenceError(f"service {s.id}: unknown place {end!r}")
            if not any(lk.mode is s.mode and lk.joins(s.origin, s.destination) for lk in self.links):
                raise ModelError(f"service {s.id}: no {s.mode} link from {s.origin} to {s.destination}")
        for t in self.threats:
            if t.target not in places and t.target not in links:
                raise UnknownReferenceError(f"threat {t.id}: unknown place or link {t.target!r}")
        for h in self.population.households:
            if h.location not in places:
                raise UnknownReferenceError(f"household {h.id}: unknown location {h.location!r}")
        object.__setattr__(self, "place_by_id", places)
        object.__setattr__(self, "link_by_id", links)
        object.__setattr__(self, "fleet_by_id", fleets)
        object.__setattr__(self, "service_by_id", services)

    # -- time ---------------------------------------------------------------------------------
    def hours(self, moment: datetime) -> float:
        """Hours from the epoch to ``moment`` (timezone-aware)."""
        if moment.tzinfo is None:
            raise ModelError("times must carry a time zone")
        return (moment - self.epoch).total_seconds() / 3600.0

    def moment(self, hours: float) -> datetime:
        """The instant ``hours`` after the epoch, in the epoch's time zone."""
        return self.epoch + timedelta(hours=hours)

    # -- threats ------------------------------------------------------------------------------
    def closure_schedule(self, quantile: float | None = None) -> ClosureSchedule:
        """The closure schedule plans must respect: every closing threat at the policy's (or the given)
        quantile, reported closures included (:mod:`evac.core.model.feasibility`)."""
        q = self.policy.closure_quantile if quantile is None else quantile
        return ClosureSchedule.from_threats(self.threats, quantile=q)

    def threat_h(self, threat: Threat) -> float:
        """When ``threat`` happens as plans assume it: at the policy's ``closure_quantile`` (hours)."""
        return threat.when.quantile(self.policy.closure_quantile)

    def closure_times(self, quantile: float | None = None) -> dict[str, float]:
        """Earliest closure time of each closed place or link id at the policy's (or given) quantile."""
        return dict(self.closure_schedule(quantile).times)

    def danger_times(self, quantile: float | None = None) -> dict[str, float]:
        """Earliest time each place or link becomes dangerous (a closure for good is also a danger; one that
        ends is not: add a ``danger`` threat to count exposure there)."""
        out = self._effect_times(Effect.DANGER, quantile)
        for k, v in self._effect_times(Effect.CLOSE, quantile).items():
            out[k] = min(out.get(k, math.inf), v)
        return out

    def _effect_times(self, effect: Effect, quantile: float | None) -> dict[str, float]:
        q = self.policy.closure_quantile if quantile is None else quantile
        out: dict[str, float] = {}
        for t in self.threats:
            if t.effect is effect and t.until is None:  # a closure that ends is no danger for good
                out[t.target] = min(out.get(t.target, math.inf), t.when.quantile(q))
        return out

    # -- convenience --------------------------------------------------------------------------
    @property
    def safe_havens(self) -> tuple[Place, ...]:
        return tuple(p for p in self.places if p.kind is PlaceKind.SAFE_HAVEN)

    def service_area(self, fleet: Fleet) -> frozenset[str] | None:
        """Place ids ``fleet`` may use (``None``: all), by the kernel's service-area rule."""
        return service_area(fleet, self.places)

    def road_links(self) -> tuple[Link, ...]:
        return tuple(lk for lk in self.links if lk.mode is Mode.ROAD)

    def with_policy(self, policy: Policy) -> Scenario:
        return replace(self, policy=policy)

    def with_population(self, population: Population) -> Scenario:
        return replace(self, population=population)


def _index(kind: str, items: tuple[_T, ...]) -> dict[str, _T]:
    out: dict[str, _T] = {}
    for item in items:
        if item.id in out:
            raise ModelError(f"two {kind}s share the id {item.id!r}")
        out[item.id] = item
    return out
