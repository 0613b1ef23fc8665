"""The nouns of evac as frozen dataclasses and string enums. Import from here."""

from evac.core.model.assets import Fleet, Service
from evac.core.model.kpi import KPIs
from evac.core.model.network import Link, Mode, Place, PlaceKind
from evac.core.model.people import (
    Category,
    Eligibility,
    Household,
    PartialDate,
    Person,
    Population,
    Relation,
    Script,
    Sex,
    Vulnerability,
    Willingness,
)
from evac.core.model.plan import Boarding, Bound, Itinerary, LeftBehind, LeftBehindReason, Leg, Plan, Trip
from evac.core.model.policy import DEFAULT_CLASSES, Policy, PriorityClass
from evac.core.model.scenario import Scenario
from evac.core.model.threats import Effect, Fixed, LogNormal, Threat, Triangular, Uniform

__all__ = [
    "DEFAULT_CLASSES",
    "Boarding",
    "Bound",
    "Category",
    "Effect",
    "Eligibility",
    "Fixed",
    "Fleet",
    "Household",
    "Itinerary",
    "KPIs",
    "LeftBehind",
    "LeftBehindReason",
    "Leg",
    "Link",
    "LogNormal",
    "Mode",
    "PartialDate",
    "Person",
    "Place",
    "PlaceKind",
    "Plan",
    "Policy",
    "Population",
    "PriorityClass",
    "Relation",
    "Scenario",
    "Script",
    "Service",
    "Sex",
    "Threat",
    "Triangular",
    "Trip",
    "Uniform",
    "Vulnerability",
    "Willingness",
]
