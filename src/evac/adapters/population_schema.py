"""The population file format as pydantic v2 models: the source of its JSON Schema (``evac schema population``).

Files are read by :func:`evac.adapters.population_io.read_population`, a hand-written validator that keeps a
million-person file fast and reports every problem as ``file:line: path: message``; these models describe
the same format for tools and people, and the tests hold the two to each other (field names, required
fields, enum values). Times do not appear; a birth date is ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``""``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evac.core.model.people import Category, Eligibility, Relation, Script, Sex, Vulnerability, Willingness

BIRTH_PATTERN = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonRecord(_Strict):
    """One person: names in their own script and in Latin letters, and what the planner needs."""

    id: str = Field(min_length=1)
    household_id: str = Field(min_length=1, description="the household (or work crew) they travel with")
    given: str
    family: str
    patronymic: str
    script: Script = Field(description="the script of given, family and patronymic")
    given_latin: str
    family_latin: str
    patronymic_latin: str
    birth: str = Field(pattern=BIRTH_PATTERN, description='YYYY, YYYY-MM, YYYY-MM-DD, or "" when unknown')
    sex: Sex
    nationalities: list[str] = Field(description="ISO 3166-1 alpha-2 codes")
    category: Category
    vulnerabilities: list[Vulnerability]
    willingness: Willingness
    eligibility: Eligibility
    location: str = Field(min_length=1, description="place id where they are")
    relation: Relation = Relation.HEAD
    phone: str = ""
    language: str = "ru"
    registration_seq: int = Field(0, description="order of registration (first come, first served)")


class HouseholdRecord(_Strict):
    """A group that travels together and is never split: a family, or a work crew (its first member leads)."""

    id: str = Field(min_length=1)
    location: str = Field(min_length=1, description="place id where the group waits")
    members: list[str] = Field(min_length=1, description="person ids, each listing this household")


class PopulationFile(_Strict):
    """A whole population file (JSON, one record a line when written by evac)."""

    schema_version: Literal[1]
    people: list[PersonRecord]
    households: list[HouseholdRecord]


def json_schema() -> dict[str, object]:
    """The JSON Schema of population files (``evac schema population``)."""
    return PopulationFile.model_json_schema()
