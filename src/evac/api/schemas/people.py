"""People, households, passes and field writes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PersonId = Annotated[str, Field(pattern=r"^R\d{1,10}$", examples=["R0000042"])]


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


class TripWriteIn(FieldWriteIn):
    """A check-in or boarding, optionally for a given trip: the vehicle the officer is loading. Anyone booked
    on another trip, or a pass printed for another trip, is refused (409) instead of recorded on the wrong one."""

    trip: str | None = Field(default=None, min_length=1, max_length=60, pattern=r"^[A-Za-z0-9#'._-]+$",
                             examples=["T00001"], description="The trip checked in for or boarded.")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person_ids: list[PersonId] = Field(min_length=1, max_length=30)
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
