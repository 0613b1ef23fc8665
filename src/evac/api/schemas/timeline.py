"""The status board's chart: people safe over time against closures (``GET /status-board/timeline``).

Counts only, no person. Times are UTC datetimes and, for charts, hours since the operation's start (the
first plan's start; re-plans keep it).
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 -- pydantic reads the annotation at runtime
from typing import Literal

from pydantic import BaseModel, Field


class TimelinePoint(BaseModel):
    h: float = Field(description="Hours since the operation's start.")
    at: datetime = Field(description="The same moment, UTC.")
    planned: int = Field(description="People the active plan has brought to safety by then (cumulative).")
    first: int | None = Field(description="The same for the first plan generation; null until a re-plan.")
    actual: int | None = Field(description="People recorded arrived safe by then (cumulative); null after now.")


class ClosureMark(BaseModel):
    id: str = Field(description="The threat's id, or posted-<n> for the n-th closure posted in the operation.")
    name: str
    target: str = Field(description="The closed place or link id.")
    target_name: str
    source: Literal["scenario", "operation"]
    h: float = Field(description="When it closes, hours since the start (negative: before the start). For an "
                                 "uncertain threat: at the policy's closure quantile, as the plan assumes.")
    at: datetime
    uncertain: bool
    band_h: list[float] | None = Field(description="5 % and 95 % quantiles of an uncertain closure time (hours "
                                                   "since the start); null when the time is known.")
    in_force_at_start: bool


class TimelineOut(BaseModel):
    start: datetime = Field(description="The operation's start (UTC): hour 0 of the series.")
    now: datetime = Field(description="Now on the operation clock (UTC), the same time frame as the series.")
    now_h: float = Field(description="Now, hours since the start.")
    end_h: float = Field(description="The last point of the series, hours since the start.")
    step_h: float = Field(description="Hours between points (1 unless the operation is very long).")
    utc_offset_min: int = Field(description="The scenario zone's offset from UTC, minutes (for local labels).")
    generation: int = Field(description="The active plan generation (1 before any re-plan).")
    travelling: int = Field(description="People the active plan is for (eligible and willing).")
    planned_total: int = Field(description="People the active plan brings to safety (its safe KPI).")
    first_total: int | None = Field(description="The same for the first generation; null until a re-plan.")
    actual_total: int = Field(description="People recorded arrived safe so far.")
    series: list[TimelinePoint]
    closures: list[ClosureMark]
