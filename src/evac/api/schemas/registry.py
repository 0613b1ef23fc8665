"""The duplicate review queue, merges and unmerges."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evac.api.schemas.people import PersonId  # noqa: TC001 -- pydantic reads the annotation at runtime


class DupeSide(BaseModel):
    id: str
    external_id: str
    household: str
    city: str
    name: str | None = None
    original: str | None = None
    birth: str | None = None
    sex: str | None = None


class DupeOut(BaseModel):
    a: DupeSide
    b: DupeSide
    score: float
    decision: str
    evidence: list[str]


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kept: PersonId
    merged: PersonId


class UnmergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    merged: PersonId


class MergeOut(BaseModel):
    result: Literal["merged", "unmerged"]
    kept: str
    merged: str


class DupeSummaryOut(BaseModel):
    """Pairs per band under the place filter (``total`` pages the queue), the assembly points with pairs, and
    what planning assumes until review: ``unresolved_likely`` pairs, ``planned_once`` records set aside."""

    total: int
    likely: int
    review: int
    places: dict[str, int]
    unresolved_likely: int
    planned_once: int


class AcceptLikelyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    place: str | None = Field(default=None, min_length=1, max_length=100,
                              description="Only pairs with a record in this city (the queue's place filter).")


class MergePair(BaseModel):
    kept: str
    merged: str


class AcceptLikelyOut(BaseModel):
    result: Literal["accepted"]
    pairs: int
    people: int
    merged: int
    merges: list[MergePair]
