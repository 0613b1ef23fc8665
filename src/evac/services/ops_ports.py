"""What the operations, users and notifications services need from outside: narrow Protocols.

The store adapter (:mod:`evac.adapters.store.ops_repo`) implements :class:`OpsUnitOfWork`; the
notification adapters implement :class:`Sender` and :class:`Renderer`; the API's Argon2 hasher
implements :class:`PasswordHasher`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime  # noqa: TC003 -- dataclass field types are read by tooling
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from evac.core.errors import EvacError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    from evac.core.model import Plan
    from evac.core.oplog import OpEvent, PersonState
    from evac.services.ports import RegistryRepository


class ConcurrentWrite(EvacError):
    """Another transaction wrote the same stream version or request key first: retry the use case."""


class DeliveryError(EvacError):
    """A message could not be handed to the gateway (it is retried with backoff)."""


class Role(StrEnum):
    ADMIN = "admin"
    PLANNER = "planner"
    FIELD_OFFICER = "field_officer"
    VIEWER = "viewer"


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user of evac (staff, not an evacuee). ``place``: the assembly point of a field officer."""

    username: str
    password_hash: str
    role: Role
    place: str | None = None
    active: bool = True
    language: str | None = None  # interface language (en, ru, ar); None: the device's choice
    token_version: int = 0  # bearer tokens carry it; bumped on sign-out, deactivation, role or password change


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """What an idempotent write answered the first time (JSON text), and a hash of the body it answered."""

    key: str
    actor: str
    route: str
    body_sha256: str
    status_code: int
    response: str


@dataclass(frozen=True, slots=True)
class ActivePlan:
    id: int
    generation: int
    scenario: str
    plan: Plan
    kpis: dict[str, Any]
    created_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    person_id: str
    household_id: str
    template: str
    language: str
    context: dict[str, Any]
    status: str = "pending"
    attempts: int = 0
    next_at: datetime | None = None
    last_error: str = ""
    channel: str | None = None  # the gateway (Sender.name) of the last delivery attempt; None: not tried yet


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """The registry's plain (unsealed) facts about one person that the operation's funnel counts by: no name,
    no contact. ``person_id``/``household_id`` are operation ids (``R0000042``); the rest are the enum
    values stored in the registry (eligibility, willingness, category, vulnerabilities) and the home city."""

    person_id: str
    household_id: str
    city: str
    eligibility: str
    willingness: str
    category: str
    vulnerabilities: frozenset[str]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    subject: str
    seq: int | None = None  # position in the audit chain (page back with ``before``)


@dataclass(frozen=True, slots=True)
class Clock:
    """The operation clock: real moment ``real_start`` is scenario hour ``start_h``; ``epoch`` is the
    scenario's hour 0 (ISO text). Scenario hours now = start_h + elapsed real hours."""

    real_start: datetime
    start_h: float
    epoch: datetime
    scenario: str
    extra: dict[str, Any] = field(default_factory=dict)

    def hours(self, real: datetime) -> float:
        return self.start_h + (real - self.real_start).total_seconds() / 3600.0

    def moment(self, h: float) -> datetime:
        """Scenario time of hour ``h`` (in the epoch's zone): what plans, passes and messages show."""
        from datetime import timedelta

        return self.epoch + timedelta(hours=h)


class OpsRepository(Protocol):
    # -- the log and its projection
    def append(self, event: OpEvent, *, version: int) -> int: ...
    def events(self, *, after: int = 0, limit: int | None = None, types: Sequence[str] | None = None
               ) -> list[tuple[int, OpEvent]]: ...
    def count_events(self, *, key: str | None = None, stream: str | None = None) -> int: ...
    def household_members(self, household_id: str) -> list[str]: ...
    def state(self, person_id: str) -> PersonState | None: ...
    def states(self, *, person_ids: Sequence[str] | None = None, place: str | None = None,
               trip: str | None = None, household: str | None = None, statuses: Sequence[str] | None = None,
               expected: bool = False, limit: int = 1000, offset: int = 0) -> list[PersonState]:
        """People's states in id order; ``expected``: only those the plan expects to move (booked on a trip)
        or who did not show (the filter is in the query, so pages are full)."""
        ...
    def save_state(self, state: PersonState) -> None: ...
    def clear_projection(self) -> None: ...
    def status_counts(self) -> list[tuple[str | None, str, int]]: ...
    def unplanned_counts(self) -> list[tuple[str, int]]: ...
    def home_place(self, person_id: str) -> tuple[str, str] | None: ...
    def person_facts(self) -> list[PersonFacts]:
        """Every registry person not merged into another, in id order (the de-duplicated roster)."""
        ...
    def projection(self) -> list[PersonState]:
        """Every person's folded state that is not merged away (``updated_at`` left out: counts only)."""
        ...
    def last_event_id(self) -> int:
        """The id of the newest event in the log (0: none): it grows with every write, so it versions views."""
        ...
    # -- idempotent requests
    def request(self, key: str) -> StoredResponse | None: ...
    def save_request(self, stored: StoredResponse) -> None: ...
    # -- plans and the clock
    def active_plan(self) -> ActivePlan | None: ...
    def plan(self, plan_id: int) -> Plan | None: ...
    def plan_history(self) -> list[tuple[int, int, str, dict[str, Any], bool]]: ...
    def save_plan(self, *, plan: Plan, scenario: str, reason: str) -> int: ...
    def clock(self) -> Clock | None: ...
    def set_clock(self, clock: Clock) -> None: ...
    # -- outbox
    def enqueue(self, *, person_id: str, household_id: str, template: str, language: str,
                context: dict[str, Any]) -> int: ...
    def due(self, *, now: datetime, limit: int) -> list[OutboxItem]: ...
    def mark(self, item_id: int, *, status: str, attempts: int, next_at: datetime, error: str,
             channel: str | None = None) -> None: ...
    def outbox(self, *, status: str | None, limit: int, offset: int) -> list[OutboxItem]: ...
    # -- audit
    def audit(self, *, actor: str, action: str, subject: str) -> None: ...
    def audit_log(self, *, actor: str | None, action: str | None, since: datetime | None, limit: int,
                  offset: int, before: int | None = None) -> list[AuditEntry]: ...
    # -- users and preferences
    def user(self, username: str) -> UserRecord | None: ...
    def users(self) -> list[UserRecord]: ...
    def save_user(self, user: UserRecord) -> None: ...
    def language(self, person_id: str) -> str | None: ...
    def set_language(self, person_id: str, language: str) -> None: ...


class OpsUnitOfWork(Protocol):
    """One transaction over the operation tables and the registry; commit raises :class:`ConcurrentWrite`
    when another transaction won a race (the caller retries)."""

    @property
    def ops(self) -> OpsRepository: ...

    @property
    def registry(self) -> RegistryRepository: ...

    def __enter__(self) -> OpsUnitOfWork: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def commit(self) -> None: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...


class Sender(Protocol):
    """Hands one message to a gateway; raises :class:`DeliveryError` on failure."""

    name: str

    def send(self, *, to: str, subject: str, body: str) -> None: ...


class Renderer(Protocol):
    """Renders template ``name`` in ``language`` with ``context`` into (subject, body)."""

    def render(self, name: str, language: str, context: dict[str, Any]) -> tuple[str, str]: ...
