"""The duplicate review queue, merges and unmerges."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

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
