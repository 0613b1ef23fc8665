"""The decision page (``GET /decision``): the latest safe start, clearance against closures, P(all safe).

Counts, place / link / threat ids and names only: no person. Times are UTC datetimes and, for charts, hours
since the operation's start (the active plan's start; re-plans keep it).
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 -- pydantic reads the annotation at runtime
from typing import Literal

from pydantic import BaseModel, Field


class LatestStart(BaseModel):
    at: datetime | None = Field(description="The latest candidate start at which everyone concerned is safe "
                                            "(UTC); null when no candidate from now on is. Overall: the plan "
                                            "clears every closure at the planning quantile AND P(all safe) "
                                            "reaches the threshold (evac.core.decision.latest_safe_start, the "
                                            "rule of `evac simulate` too); per class: the plan test only.")
    h: float | None = Field(description="The same, hours since the operation's start.")
    in_h: float | None = Field(description="Hours from now until then (at the time of this response).")
    too_late: bool = Field(description="No candidate start from now on brings everyone concerned to safety.")
    beyond_range: bool = Field(description="The last candidate is still safe: the latest safe start is at least "
                                           "this, later starts were not assessed.")


class ClassLatest(BaseModel):
    name: str = Field(description="A priority class of the policy (medical, children, …).")
    travelling: int = Field(description="Travellers in the class at the first candidate start.")
    latest_safe_start: LatestStart


class StartRow(BaseModel):
    start: datetime
    start_h: float = Field(description="Hours since the operation's start.")
    clearance_h: float | None = Field(description="Hours from the start to the last traveller safe.")
    last_safe: datetime | None
    last_safe_h: float | None
    travelling: int
    safe: int
    left_behind: int
    all_safe: bool
    slack_h: float | None = Field(description="Least margin (h) between a closure at the planning quantile and "
                                              "the plan's last use of its place or link (negative: too late).")
    binding: str | None = Field(description="The threat id of that closure.")
    binding_name: str | None
    travelling_by_class: dict[str, int]
    safe_by_class: dict[str, int]
    left_behind_by_reason: dict[str, int] = Field(description="People left behind by the planner's reason "
                                                              "(no_open_exit, origin_closed, no_capacity, …).")


class ClosureRow(BaseModel):
    id: str = Field(description="Threat id (``reported-<n>`` for the n-th closure posted in the operation).")
    name: str
    target: str = Field(description="The place or link id.")
    kind: Literal["exit", "route", "origin"]
    reported: bool = Field(description="Posted during the operation (a known time, not a forecast).")
    planning: datetime = Field(description="The closure time the plans respect (the policy's quantile).")
    planning_h: float
    early: datetime = Field(description="5 % quantile of the closure time.")
    early_h: float
    late: datetime = Field(description="95 % quantile of the closure time.")
    late_h: float


class ProbabilityPoint(BaseModel):
    start: datetime
    start_h: float
    runs: int = Field(description="Completed simulated futures behind this point.")
    p_all_safe: float | None = Field(description="Share of runs in which every traveller who showed up was safe.")
    ci_low: float = Field(description="Wilson interval, lower end.")
    ci_high: float = Field(description="Wilson interval, upper end.")


class Probability(BaseModel):
    runs: int = Field(description="Monte Carlo runs per start (kept modest so that the page answers fast).")
    seed: int = Field(description="Base seed: run i draws from SeedSequence([seed, i]), so answers repeat.")
    mode: Literal["as_planned"]
    confidence: float
    threshold: float = Field(description="The probability the page compares against.")
    failed_runs: int = Field(description="Runs that failed inside the simulator (excluded from every number).")
    points: list[ProbabilityPoint] = Field(description="Not monotone in general: a later start can be safer.")
    latest_at_threshold: ProbabilityPoint | None = Field(description="The probability at the latest safe start.")


class DecisionOut(BaseModel):
    status: Literal["ready"]
    now: datetime = Field(description="Now on the operation's clock (scenario time), UTC.")
    now_h: float = Field(description="Now, hours since the operation's start.")
    start: datetime = Field(description="The operation's start (UTC): hour 0 of the charts.")
    utc_offset_min: int = Field(description="The scenario zone's offset from UTC, minutes (for local labels).")
    scenario: str
    plan: int = Field(description="The active plan's id (the result is cached per plan and per hour).")
    generation: int
    planner: str
    quantile: float = Field(description="The closure quantile the plans respect (policy).")
    step_h: float = Field(description="Hours between candidate starts.")
    latest_safe_start: LatestStart = Field(description="For every traveller (eligible, wanting to leave): the "
                                                       "plan test and P(all safe) ≥ threshold.")
    planned_latest_start: LatestStart = Field(description="The latest start passing the plan test alone.")
    rejected: list[ProbabilityPoint] = Field(description="Later starts that pass the plan test but stay under the "
                                                        "threshold, latest first: why the answer is earlier.")
    by_class: list[ClassLatest]
    starts: list[StartRow] = Field(description="Every candidate start from the next full hour, with its clearance.")
    closures: list[ClosureRow] = Field(description="The closures that matter to some candidate start.")
    probability: Probability
    computed_at: datetime
    compute_s: float = Field(description="Seconds the computation took (planning and simulation).")


class DecisionPending(BaseModel):
    status: Literal["computing"]
    started_at: datetime | None
    retry_after_s: float
