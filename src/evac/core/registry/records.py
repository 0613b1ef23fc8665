"""A registry record: one row of a consular list as evac keeps it, before and after de-duplication.

Unlike :class:`~evac.core.model.Person`, a record may lack almost everything (consular lists are
incomplete): only a name is required. Fields are already cleaned by the importer (phone in E.164,
birth as a :class:`PartialDate`), and the record carries the ``external_id`` of its source row so a
reviewer can find it in the file it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evac.core.errors import ModelError
from evac.core.model.people import (
    Category,
    Eligibility,
    PartialDate,
    Relation,
    Sex,
    Vulnerability,
    Willingness,
)


@dataclass(frozen=True, slots=True)
class Record:
    """One person as listed. ``household_key`` is the source file's household label ("" when none)."""

    external_id: str
    given: str
    family: str
    patronymic: str = ""
    given_latin: str = ""
    family_latin: str = ""
    patronymic_latin: str = ""
    birth: PartialDate = field(default_factory=PartialDate)
    sex: Sex | None = None
    nationalities: tuple[str, ...] = ()
    phone: str = ""
    document: str = ""
    address: str = ""
    city: str = ""
    household_key: str = ""
    relation: Relation | None = None
    category: Category = Category.RESIDENT
    vulnerabilities: frozenset[Vulnerability] = frozenset()
    willingness: Willingness = Willingness.UNDECIDED
    eligibility: Eligibility | None = None

    def __post_init__(self) -> None:
        if not self.external_id:
            raise ModelError("a record needs an external id")
        if not (self.given or self.family or self.given_latin or self.family_latin):
            raise ModelError(f"record {self.external_id} has no name")

    @property
    def display_name(self) -> str:
        parts = (self.given_latin or self.given, self.patronymic_latin or self.patronymic,
                 self.family_latin or self.family)
        return " ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Stored:
    """A record as the store holds it: its row id, household, relation and eligibility decision."""

    id: int
    record: Record
    household_id: int
    relation: Relation
    eligibility: Eligibility
    eligibility_reason: str
    status: str = "registered"
    merged_into: int | None = None
