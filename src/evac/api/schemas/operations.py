"""Trips, closures, re-plans, the status board, users, audit, outbox."""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 -- pydantic reads the annotation at runtime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class TripOut(BaseModel):
    id: str
    asset: str
    unit: int
    pickups: list[str]
    dropoffs: list[str] = []
    origin: str = Field(description="Where the vehicle's first leg starts (often its depot, empty).")
    destination: str
    depart: str
    arrive: str
    people: int
    pickup: str = Field(default="", description="Where the trip first takes people on (its first pick-up place).")
    pickup_at: str = Field(default="", description="When it leaves there (scenario time, ISO 8601 with offset).")


class CancelledOut(BaseModel):
    """Why a trip is no longer in the plan (an incident): when, by which plan generation, for what reason."""

    at: str | None
    generation: int
    reason: str
    taken_off: list[str] = Field(default=[], description="People on board when it was dropped (now checked in "
                                                           "for the trip each holds, or none).")
    action: str


class ManifestOut(TripOut):
    passengers: list[dict[str, Any]] = Field(description=(
        "Each person with status (names and assistance needs for the roles that may see them), where they board "
        "(boards_at, boards_time), where they get off (alights_at) and the trip they change to there "
        "(transfer_to, null when this ride takes them to safety)."))
    seats_used: int | None = Field(default=None, description="The most people on board on any leg of the trip.")
    seats: int | None = Field(default=None, description="The vehicle's seats (from the scenario's fleet).")
    assistance: dict[str, int] | None = Field(default=None, description=(
        "People needing assistance by kind (medical, reduced_mobility, pregnant, elderly, child …); names only "
        "for roles that see names."))
    cancelled: CancelledOut | None = Field(default=None, description=(
        "Set when the active plan no longer has this trip (a re-plan dropped it): the trip as it was, its "
        "people where they are now."))


class ClosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: str = Field(min_length=1, max_length=100, description="A place or link id of the scenario.")
    effective_at: AwareDatetime | None = Field(default=None, description="From when it holds (default: now).")


class BreakdownIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset: str = Field(min_length=1, max_length=100, description="A fleet id of the scenario.")
    unit: int = Field(ge=0, le=100_000, description="Which vehicle of the fleet (0-based).")
    repair_h: float | None = Field(default=None, ge=0, le=10_000, allow_inf_nan=False,
                                   description="Hours of repair; null: the vehicle is lost.")
    at: AwareDatetime | None = Field(default=None, description="When it broke down (default: now).")


class RideOut(BaseModel):
    """A household's journey in one plan generation."""

    trip: str = Field(description="Its first ride.")
    trips: list[str] = Field(description="Every ride, in order.")
    place: str = Field(description="The pick-up place id of the first ride.")
    depart: str = Field(description="When that ride leaves the pick-up place (UTC, ISO 8601).")
    safe_place: str
    safe_at: str = Field(description="When the household is safe (UTC, ISO 8601).")


class ChangeOut(BaseModel):
    """One household the re-plan changed: its first ride before and after, and why."""

    household: str
    people: int
    before: RideOut | None = Field(description="Null: it had no seat before.")
    after: RideOut | None = Field(description="Null: it has no seat now (left behind, stranded, no-show).")
    reason: dict[str, Any] = Field(description="code: trip_cut (trip), left_behind (why), stranded (place), "
                                               "no_show, now_planned or moved.")
    cause: dict[str, Any] = Field(description="What triggered the re-plan: kind closure (target), breakdown "
                                              "(asset, unit) or replan.")


class ReplanOut(BaseModel):
    plan: int
    generation: int
    now_h: float
    changed_households: int
    assigned: int
    rebooked: int
    cancelled: int
    onward: int = Field(default=0, description="Households whose first ride stays but whose journey after it "
                                               "changed (another connection, a stop short, a later arrival): told too.")
    stranded: list[str]
    kpis_before: dict[str, Any]
    kpis_after: dict[str, Any]
    closure: str | None = None
    breakdown: str | None = None
    effective_at: str | None = None
    notified: int = Field(default=0, description="Households sent a message (assignment, change, cancellation).")
    changes: list[ChangeOut] = Field(default_factory=list, description=(
        "Who changed and why, household by household (the first 500; changed_households counts them all)."))


class BoardOut(BaseModel):
    by_place: dict[str, dict[str, int]]
    totals: dict[str, int]
    plans: list[dict[str, Any]]
    #: unreviewed likely duplicate pairs (``unresolved_likely``) and the records they leave uncounted
    duplicates: dict[str, int] = {}


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class PasswordChangeIn(BaseModel):
    """A user's own password change: the current password, and the new one (checked by the password rule)."""

    model_config = ConfigDict(extra="forbid")
    old_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    username: str
    role: str
    place: str | None
    language: Literal["en", "ru", "ar"] | None = None


class UserOut(BaseModel):
    username: str
    role: str
    place: str | None
    active: bool
    language: Literal["en", "ru", "ar"] | None = None


class LanguageIn(BaseModel):
    """The caller's interface language: it follows them to every device they sign in on."""

    model_config = ConfigDict(extra="forbid")
    language: Literal["en", "ru", "ar"]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=63)
    password: str = Field(min_length=10, max_length=200)
    role: Literal["admin", "planner", "field_officer", "viewer"]
    place: str | None = Field(default=None, max_length=100)


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["admin", "planner", "field_officer", "viewer"] | None = None
    place: str | None = Field(default=None, max_length=100)
    active: bool | None = None


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    subject: str
    seq: int | None = None  # position in the audit chain; page back with ?before=seq


class OutboxOut(BaseModel):
    id: int
    person_id: str
    household_id: str
    template: str
    language: str
    status: str
    attempts: int
    last_error: str
    channel: str | None = Field(default=None, examples=["smtp"], description=(
        "The gateway the message was last handed to on its way to the household head's phone: 'smtp' "
        "(e-mail-to-SMS gateway or relay) or 'webhook' (SMS gateway). Null: no gateway has tried it yet (it "
        "is chosen at delivery: EVAC_WEBHOOK_URL, else EVAC_SMTP_HOST)."))
