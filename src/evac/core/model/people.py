"""People and households: who is there, who travels together, who may and wants to leave."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from evac.core.errors import ModelError

if TYPE_CHECKING:
    from evac.core.model.policy import Policy


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"


class Script(StrEnum):
    """The writing system of a name as it was first recorded."""

    CYRILLIC = "Cyrl"
    ARABIC = "Arab"
    LATIN = "Latn"


class Vulnerability(StrEnum):
    CHILD = "child"
    ELDERLY = "elderly"
    PREGNANT = "pregnant"
    MEDICAL = "medical"
    REDUCED_MOBILITY = "reduced_mobility"


class Willingness(StrEnum):
    WANTS_TO_LEAVE = "wants_to_leave"
    UNDECIDED = "undecided"
    DECLINES = "declines"


class Eligibility(StrEnum):
    CITIZEN = "citizen"
    FAMILY_MEMBER = "family_member"
    PARTNER_NATION = "partner_nation"
    INELIGIBLE = "ineligible"


class Category(StrEnum):
    RESIDENT = "resident"
    DEPENDANT = "dependant"
    DIPLOMAT = "diplomat"
    MILITARY = "military"
    STUDENT = "student"
    RETIREE = "retiree"
    VISITOR = "visitor"


class Relation(StrEnum):
    """A member's relation to the household's reference person (its first member)."""

    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A birth date that may be known only to the year or year and month (consular lists often are)."""

    year: int | None = None
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.month is not None and not 1 <= self.month <= 12:
            raise ModelError(f"month {self.month} is not in 1..12")
        if self.day is not None and (self.month is None or not 1 <= self.day <= 31):
            raise ModelError(f"day {self.day} needs a month and must be in 1..31")
        if self.month is not None and self.year is None:
            raise ModelError("a month without a year is not a date")

    def iso(self) -> str:
        """``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``""`` when unknown."""
        if self.year is None:
            return ""
        out = f"{self.year:04d}"
        if self.month is not None:
            out += f"-{self.month:02d}"
            if self.day is not None:
                out += f"-{self.day:02d}"
        return out

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Inverse of :meth:`iso`."""
        if not text:
            return cls()
        parts = [int(p) for p in text.split("-")]
        return cls(*parts)

    def age_at(self, year: int, month: int = 1) -> int | None:
        """Age in whole years at the given year and month, or ``None`` when the year is unknown."""
        if self.year is None:
            return None
        age = year - self.year
        if self.month is not None and month < self.month:
            age -= 1
        return age


@dataclass(frozen=True, slots=True)
class Person:
    """One person. Names are kept in their original script and in a Latin transliteration.

    ``location`` is the id of the place the person will be collected from (a city or assembly point).
    ``registration_seq`` orders people by when the consulate first recorded them (first-come-first-served).
    """

    id: str
    household_id: str
    given: str
    family: str
    patronymic: str
    script: Script
    given_latin: str
    family_latin: str
    patronymic_latin: str
    birth: PartialDate
    sex: Sex
    nationalities: tuple[str, ...]
    category: Category
    vulnerabilities: frozenset[Vulnerability]
    willingness: Willingness
    eligibility: Eligibility
    location: str
    relation: Relation = Relation.HEAD
    phone: str = ""
    language: str = "ru"
    registration_seq: int = 0

    def __post_init__(self) -> None:
        if not self.id:
            raise ModelError("a person needs an id")
        if not self.household_id:
            raise ModelError(f"person {self.id} needs a household")

    @property
    def travels(self) -> bool:
        """True when the person is both eligible and wants to leave: only they are planned for."""
        return self.eligibility is not Eligibility.INELIGIBLE and self.willingness is Willingness.WANTS_TO_LEAVE

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given_latin, self.family_latin) if p)


@dataclass(frozen=True, slots=True)
class Household:
    """The unit that travels together. Splitting it is a person's decision, never an algorithm's."""

    id: str
    members: tuple[str, ...]
    location: str

    def __post_init__(self) -> None:
        if not self.members:
            raise ModelError(f"household {self.id} has no members")
        if len(set(self.members)) != len(self.members):
            raise ModelError(f"household {self.id} lists a member twice")


@dataclass(frozen=True)
class Population:
    """All people and households of a scenario, with lookups built once."""

    people: tuple[Person, ...]
    households: tuple[Household, ...]
    person_by_id: dict[str, Person] = field(init=False, repr=False, compare=False)
    household_by_id: dict[str, Household] = field(init=False, repr=False, compare=False)
    #: answers of :meth:`travellers` and :meth:`household_facts`, computed on first use (the population is
    #: immutable, so they never go stale; planners ask for them millions of times on a 1M-person scenario)
    _memo: dict[object, object] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        people = {p.id: p for p in self.people}
        if len(people) != len(self.people):
            raise ModelError("two people share an id")
        households = {h.id: h for h in self.households}
        if len(households) != len(self.households):
            raise ModelError("two households share an id")
        for h in self.households:
            for m in h.members:
                person = people.get(m)
                if person is None:
                    raise ModelError(f"household {h.id} lists unknown person {m}")
                if person.household_id != h.id:
                    raise ModelError(f"person {m} is listed by household {h.id} but belongs to {person.household_id}")
        object.__setattr__(self, "person_by_id", people)
        object.__setattr__(self, "household_by_id", households)
        object.__setattr__(self, "_memo", {})

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the memo: worker processes rebuild what they use (it is big on a large scenario)."""
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.__dict__["_memo"] = {}

    def travellers(self, household_id: str) -> tuple[str, ...]:
        """Ids of the household's members who travel (eligible and wanting to leave), in member order."""
        key = ("travellers", household_id)
        found = self._memo.get(key)
        if found is None:
            h = self.household_by_id[household_id]
            found = self._memo[key] = tuple(m for m in h.members if self.person_by_id[m].travels)
        return found  # type: ignore[return-value]

    def household_facts(self, policy: Policy) -> dict[str, tuple[float, int]]:
        """Per household with travellers: (the highest priority weight among its travellers under ``policy``'s
        classes, the smallest registration sequence number among all its members). Computed once per set of
        priority classes."""
        key = ("facts", policy.priority_classes)
        found = self._memo.get(key)
        if found is None:
            facts: dict[str, tuple[float, int]] = {}
            for h in self.households:
                people = self.travellers(h.id)
                if people:
                    facts[h.id] = (max(policy.priority_class(self.person_by_id[p]).weight for p in people),
                                   min(self.person_by_id[m].registration_seq for m in h.members))
            found = self._memo[key] = facts
        return found  # type: ignore[return-value]
