"""The situation report (``GET /sitrep``): the period's numbers, incidents, closures and next departures.

Counts, trip ids, places and times only, no person: a viewer may read it, and it can leave the crisis cell.
Times are UTC.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 -- pydantic reads the annotation at runtime
from typing import Any, Literal

from pydantic import BaseModel, Field


class Incident(BaseModel):
    kind: Literal["closure", "breakdown", "trip_cancelled"]
    at: datetime = Field(description="When it was recorded (UTC).")
    subject: str = Field(description="The closed place or link id, the vehicle (fleet#unit), or the trip a re-plan "
                                     "dropped with people on board (an incident).")
    detail: str


class ClosureRow(BaseModel):
    target: str = Field(description="The closed place or link id.")
    name: str = Field(description="Its display name.")
    at: datetime = Field(description="When it closes (posted) or is expected to (scenario, at the policy's "
                                     "closure quantile), UTC.")
    source: Literal["posted", "scenario"]
    recorded: datetime | None = Field(None, description="When a posted closure was recorded (UTC).")
    threat: str | None = Field(None, description="The scenario threat's name.")


class Departure(BaseModel):
    trip: str
    vehicle: str = Field(description="fleet#unit")
    from_: str = Field(alias="from", description="Where the trip first picks people up (display name).")
    to: str = Field(description="Where it ends (display name).")
    depart: datetime = Field(description="When it leaves its first pick-up (UTC).")
    people: int


class SitrepOut(BaseModel):
    generated_at: datetime
    period_from: datetime
    period_to: datetime
    hours: float = Field(description="The period before generated_at, and the look-ahead after it (hours).")
    scenario: str
    generation: int = Field(description="The active plan generation (1 before any re-plan).")
    people: int = Field(description="People in the operation (every status).")
    safe: int = Field(description="People recorded arrived safe.")
    unaccounted: int = Field(description="People the plan expects to move whom no field officer has seen.")
    totals: dict[str, int] = Field(description="People per status.")
    by_place: dict[str, dict[str, int]] = Field(description="People per status at each place.")
    activity: dict[str, int] = Field(description="Person events recorded in the period, per kind.")
    incidents: list[Incident]
    closures_posted: list[ClosureRow]
    closures_expected: list[ClosureRow] = Field(description="Scenario closures expected in the next `hours`.")
    next_departures: list[Departure] = Field(description="Trips leaving their first pick-up in the next `hours`.")
    plans: list[dict[str, Any]] = Field(description="Every plan generation with its reason and KPIs.")
