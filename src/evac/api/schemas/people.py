"""People, households, passes and field writes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PersonId = Annotated[str, Field(pattern=r"^R\d{1,10}$", examples=["R0000042"])]
HouseholdId = Annotated[str, Field(pattern=r"^RH\d{1,10}$", examples=["RH0000007"])]


class PersonOut(BaseModel):
    id: str
    household: str
    status: str
    trip: str | None = None
    place: str | None = None
    updated_at: str | None = None
    name: str | None = None
    original: str | None = None
    birth: str | None = None
    sex: str | None = None
    vulnerabilities: list[str] | None = None
    score: float | None = None  # search only: how well the person matches the query (higher is better)


class HouseholdOut(BaseModel):
    id: str
    members: list[PersonOut]


class PassOut(BaseModel):
    person: str
    household: str
    trip: str
    token: str
    expires: str


class LanguageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: Literal["ru", "en", "ar"]


class FieldWriteIn(BaseModel):
    """Who: a scanned pass token, or person ids found by search (at most 30, one household's worth)."""

    model_config = ConfigDict(extra="forbid")
    pass_token: str | None = Field(default=None, alias="pass", max_length=400)
    person_ids: list[PersonId] | None = Field(default=None, max_length=30)
    whole_household: bool = Field(default=False, description="With a pass: act on every member on the trip.")
    household: HouseholdId | None = Field(default=None, description=(
        "A whole household: every member holding a seat (on `trip` when given); a household with no seat is "
        "refused (409) and nobody is recorded."))


class TripWriteIn(FieldWriteIn):
    """A check-in or boarding, optionally for a given trip: the vehicle the officer is loading. Anyone booked
    on another trip, or a pass printed for another trip, is refused (409) instead of recorded on the wrong one."""

    trip: str | None = Field(default=None, min_length=1, max_length=60, pattern=r"^[A-Za-z0-9#'._-]+$",
                             examples=["T00001"], description="The trip checked in for or boarded.")


class ReplyIn(BaseModel):
    """A call-forward answer for people, or for a whole household (its members holding a seat)."""

    model_config = ConfigDict(extra="forbid")
    person_ids: list[PersonId] = Field(default=[], max_length=30)
    household: HouseholdId | None = None
    answer: Literal["confirmed", "declined"]


class ResultItem(BaseModel):
    person: str
    status: str
    trip: str | None = None
    result: Literal["recorded", "already"]


class WriteOut(BaseModel):
    event: str
    key: str
    recorded: int
    results: list[ResultItem]


class WalkInMemberIn(BaseModel):
    """One person of a walk-in household, as the officer reads it from their document."""

    model_config = ConfigDict(extra="forbid")
    given: str = Field(min_length=1, max_length=100, description="Given name in the document's script.")
    family: str = Field(min_length=1, max_length=100, description="Family name in the document's script.")
    patronymic: str = Field(default="", max_length=100)
    given_latin: str = Field(default="", max_length=100)
    family_latin: str = Field(default="", max_length=100)
    birth: str = Field(default="", pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", examples=["1984-03-02", "1984"])
    sex: Literal["F", "M"] | None = None
    nationalities: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(default=[], max_length=5,
                                                                               examples=[["RU", "SY"]])
    phone: str = Field(default="", max_length=30)
    document: str = Field(default="", max_length=40)
    relation: Literal["head", "spouse", "child", "parent", "other"] = "head"
    vulnerabilities: list[Literal["child", "elderly", "pregnant", "medical", "reduced_mobility"]] = Field(
        default=[], max_length=5)


class WalkInIn(BaseModel):
    """A household nobody listed, registered at an assembly point (a field officer's own)."""

    model_config = ConfigDict(extra="forbid")
    place: str = Field(min_length=1, max_length=100, description="The assembly point (a place id).")
    members: list[WalkInMemberIn] = Field(min_length=1, max_length=20)


class WalkInOut(BaseModel):
    household: str
    people: list[str]
    travellers: list[str] = Field(description="Members who may travel (eligible), booked or waiting.")
    place: str
    trip: str | None = Field(description="The trip they were booked on; null: none (see `waiting`).")
    waiting: bool = Field(description="True: no trip from here had free seats; listed as waiting for a re-plan.")
    plan: int | None
    key: str
    status: str


class PersonEditIn(BaseModel):
    """Fields to correct; those left out stay as they are ("" clears a phone or document)."""

    model_config = ConfigDict(extra="forbid")
    phone: str | None = Field(None, max_length=40, description="Any format; stored as E.164.")
    document: str | None = Field(None, max_length=40, description="Passport or ID number.")
    willingness: Literal["wants_to_leave", "undecided", "declines"] | None = Field(
        None, description="Reaches the plan at the next re-plan.")


class PersonEditOut(PersonOut):
    changed: list[str] = Field(description="The fields that changed (none when the values were already so).")
