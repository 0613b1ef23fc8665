"""Policy: whom to move first, whether families stay together, and the timing rules a plan obeys."""

from __future__ import annotations

from dataclasses import dataclass, field

from evac.core.errors import ModelError
from evac.core.model.people import Category, Person, Vulnerability


@dataclass(frozen=True, slots=True)
class PriorityClass:
    """A person belongs to the first class (in policy order) that lists one of their vulnerabilities or
    their category; a class listing neither catches everyone. ``weight`` scales a safe person's value."""

    name: str
    weight: float
    vulnerabilities: frozenset[Vulnerability] = frozenset()
    categories: frozenset[Category] = frozenset()

    def __post_init__(self) -> None:
        if self.weight <= 0:
            raise ModelError(f"priority class {self.name}: weight must be positive")

    def matches(self, person: Person) -> bool:
        return self.matches_facts(person.vulnerabilities, person.category)

    def matches_facts(self, vulnerabilities: frozenset[Vulnerability], category: Category) -> bool:
        """:meth:`matches` on the two facts it reads: for callers that hold a registry row, not a Person."""
        if not self.vulnerabilities and not self.categories:
            return True
        return bool(self.vulnerabilities & vulnerabilities) or category in self.categories


DEFAULT_CLASSES = (
    PriorityClass(
        "medical", 4.0, frozenset({Vulnerability.MEDICAL, Vulnerability.PREGNANT, Vulnerability.REDUCED_MOBILITY})
    ),
    PriorityClass("children", 3.0, frozenset({Vulnerability.CHILD})),
    PriorityClass("elderly", 2.0, frozenset({Vulnerability.ELDERLY})),
    PriorityClass("general", 1.0),
)


@dataclass(frozen=True, slots=True)
class Policy:
    """Rules of the operation.

    - ``start_h``: first moment any vehicle may move (hours from the epoch).
    - ``closure_quantile``: a plan must respect the closure times at this quantile of each threat's
      distribution (0.1 means "assume the route closes early: 9 in 10 futures close later").
    - ``boarding_h``: time to load a vehicle at a pick-up.
    - ``min_connection_h``: least time between arriving at an airport or port and departing on a service.
    - ``family_unity``: households are never split (always true in evac; kept explicit for the record).
    """

    priority_classes: tuple[PriorityClass, ...] = DEFAULT_CLASSES
    start_h: float = 0.0
    closure_quantile: float = 0.1
    boarding_h: float = 0.5
    min_connection_h: float = 1.0
    family_unity: bool = True
    partner_nations: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.priority_classes:
            raise ModelError("policy needs at least one priority class")
        names = [c.name for c in self.priority_classes]
        if len(set(names)) != len(names):
            raise ModelError("priority class names must be unique")
        if not 0 <= self.closure_quantile <= 1:
            raise ModelError("closure_quantile must be in [0, 1]")
        if self.boarding_h < 0 or self.min_connection_h < 0:
            raise ModelError("boarding_h and min_connection_h must not be negative")

    def priority_class(self, person: Person) -> PriorityClass:
        return self.class_for(person.vulnerabilities, person.category)

    def class_for(self, vulnerabilities: frozenset[Vulnerability], category: Category) -> PriorityClass:
        """The first class (in policy order) matching these facts; the last class when none does."""
        for c in self.priority_classes:
            if c.matches_facts(vulnerabilities, category):
                return c
        return self.priority_classes[-1]
