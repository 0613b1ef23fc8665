"""Operations repository and unit of work over SQLAlchemy (SQLite and PostgreSQL, same code).

Implements :class:`evac.services.ops_ports.OpsUnitOfWork`: one session, one transaction, holding the
operations tables and the registry. A unique-key violation (the log's (stream, version), a request key)
or SQLite's "database is locked" becomes :class:`ConcurrentWrite`, which the services retry.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from evac.adapters.plan_io import plan_from_dict, plan_to_dict
from evac.adapters.store import audit_chain
from evac.adapters.store.enquiries import SqlEnquiries
from evac.adapters.store.ops_orm import (
    OpAuditRow,
    OpEventRow,
    OpOutboxRow,
    OpPlanRow,
    OpPrefRow,
    OpRequestRow,
    OpStatusRow,
    OpUserRow,
)
from evac.adapters.store.orm import MetaRow, PersonRow
from evac.adapters.store.repository import SqlRegistry
from evac.core.oplog import (
    SCHEMA_VERSION,
    Meta,
    PersonState,
    Status,
    event_from_data,
    event_to_data,
    stream_of,
)
from evac.services.ops_ports import (
    ActivePlan,
    AuditEntry,
    Clock,
    ConcurrentWrite,
    OutboxItem,
    PersonFacts,
    Role,
    StoredResponse,
    UserRecord,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    from sqlalchemy.engine import Engine

    from evac.adapters.store.crypto import KeyRing
    from evac.core.model import Plan
    from evac.core.oplog import OpEvent

CLOCK_KEY = "ops.clock"
_PLAN_CACHE: dict[tuple[str, int], Plan] = {}  # plans never change once stored: decode each once


def _naive(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t


def _aware(t: datetime | None) -> datetime | None:
    return None if t is None else t.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _pid(key: str) -> int | None:
    digits = key.removeprefix("RH").removeprefix("R")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 10 else None


class SqlOps:
    """Implements :class:`evac.services.ops_ports.OpsRepository`."""

    def __init__(self, session: Session, keys: KeyRing) -> None:
        self.s = session
        self.keys = keys

    # -- the log -------------------------------------------------------------------------------------------
    def append(self, event: OpEvent, *, version: int) -> int:
        m = event.meta
        row = OpEventRow(stream=stream_of(event), version=version, type=event.type.value,
                         schema_version=SCHEMA_VERSION, at=_naive(m.at), recorded_at=_now(), actor=m.actor[:100],
                         device=m.device[:100], idem_key=m.key[:100], data=json.dumps(event_to_data(event)))
        self.s.add(row)
        self.s.flush()  # a concurrent duplicate (stream, version) fails here, inside the use case
        return row.id

    def events(self, *, after: int = 0, limit: int | None = None, types: Sequence[str] | None = None
               ) -> list[tuple[int, OpEvent]]:
        q = select(OpEventRow).where(OpEventRow.id > after).order_by(OpEventRow.id)
        if types is not None:
            q = q.where(OpEventRow.type.in_(list(types)))
        if limit is not None:
            q = q.limit(limit)
        return [(r.id, event_from_data(r.type, r.schema_version, json.loads(r.data),
                                       Meta(r.actor, r.at.replace(tzinfo=UTC), r.device, r.idem_key)))
                for r in self.s.scalars(q)]

    def count_events(self, *, key: str | None = None, stream: str | None = None) -> int:
        q = select(func.count()).select_from(OpEventRow)
        if key is not None:
            q = q.where(OpEventRow.idem_key == key)
        if stream is not None:
            q = q.where(OpEventRow.stream == stream)
        return int(self.s.scalar(q) or 0)

    # -- the projection ------------------------------------------------------------------------------------
    @staticmethod
    def _state(r: OpStatusRow) -> PersonState:
        return PersonState(r.person_id, r.household_id, Status(r.status), r.trip_id, r.place, r.version,
                           _aware(r.updated_at), r.notified, r.merged_into)

    def state(self, person_id: str) -> PersonState | None:
        r = self.s.get(OpStatusRow, person_id)
        return None if r is None else self._state(r)

    def states(self, *, person_ids: Sequence[str] | None = None, place: str | None = None, trip: str | None = None,
               household: str | None = None, statuses: Sequence[str] | None = None, expected: bool = False,
               limit: int = 1000, offset: int = 0) -> list[PersonState]:
        q = select(OpStatusRow)
        if expected:
            q = q.where(or_(OpStatusRow.trip_id.is_not(None), OpStatusRow.status == Status.NO_SHOW.value))
        if person_ids is not None:
            q = q.where(OpStatusRow.person_id.in_(list(person_ids)))
        if place is not None:
            q = q.where(OpStatusRow.place == place)
        if trip is not None:
            q = q.where(OpStatusRow.trip_id == trip)
        if household is not None:
            q = q.where(OpStatusRow.household_id == household)
        if statuses is not None:
            q = q.where(OpStatusRow.status.in_(list(statuses)))
        q = q.order_by(OpStatusRow.person_id).limit(limit).offset(offset)
        return [self._state(r) for r in self.s.scalars(q)]

    def save_state(self, state: PersonState) -> None:
        values = {"household_id": state.household_id, "status": state.status.value, "trip_id": state.trip_id,
                  "place": state.place, "version": state.version,
                  "updated_at": _naive(state.updated_at) if state.updated_at else None,
                  "notified": state.notified, "merged_into": state.merged_into}
        row = self.s.get(OpStatusRow, state.person_id)
        if row is None:
            self.s.add(OpStatusRow(person_id=state.person_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)
        self.s.flush()

    def clear_projection(self) -> None:
        self.s.execute(delete(OpStatusRow))

    def status_counts(self) -> list[tuple[str | None, str, int]]:
        q = select(OpStatusRow.place, OpStatusRow.status, func.count()).where(
            OpStatusRow.merged_into.is_(None)).group_by(OpStatusRow.place, OpStatusRow.status)
        return [(p, s, int(n)) for p, s, n in self.s.execute(q)]

    def unplanned_counts(self) -> list[tuple[str, int]]:
        known = {_pid(p) for p in self.s.scalars(select(OpStatusRow.person_id))}
        counts: dict[str, int] = {}
        for pid, city in self.s.execute(select(PersonRow.id, PersonRow.city).where(PersonRow.merged_into.is_(None))):
            if pid not in known:
                counts[city] = counts.get(city, 0) + 1
        return sorted(counts.items())

    def person_facts(self) -> list[PersonFacts]:
        q = (select(PersonRow.id, PersonRow.household_id, PersonRow.city, PersonRow.eligibility, PersonRow.willingness,
                    PersonRow.category, PersonRow.vulnerabilities)
             .where(PersonRow.merged_into.is_(None)).order_by(PersonRow.id))
        sets: dict[str, frozenset[str]] = {}  # one frozenset per distinct stored list ("child,medical")
        out = []
        for i, h, city, el, will, cat, vul in self.s.execute(q):
            vs = sets.get(vul)
            if vs is None:
                vs = sets[vul] = frozenset(v for v in vul.split(",") if v)
            out.append(PersonFacts(f"R{i:07d}", f"RH{h:07d}" if h is not None else "", city, el, will, cat, vs))
        return out

    def projection(self) -> list[PersonState]:
        # a plain select of the columns, not ORM objects: 25,000 states in ~0.1 s instead of ~1.5 s
        status = {x.value: x for x in Status}
        q = (select(OpStatusRow.person_id, OpStatusRow.household_id, OpStatusRow.status, OpStatusRow.trip_id,
                    OpStatusRow.place, OpStatusRow.version, OpStatusRow.notified)
             .where(OpStatusRow.merged_into.is_(None)))
        return [PersonState(pid, hid, status[st], trip, place, version, None, notified)
                for pid, hid, st, trip, place, version, notified in self.s.execute(q)]

    def last_event_id(self) -> int:
        return int(self.s.scalar(select(func.max(OpEventRow.id))) or 0)

    def home_place(self, person_id: str) -> tuple[str, str] | None:
        n = _pid(person_id)
        if n is None or not person_id.startswith("R") or person_id.startswith("RH"):
            return None
        row = self.s.execute(select(PersonRow.household_id, PersonRow.city).where(PersonRow.id == n)).first()
        if row is None or row[0] is None:
            return None
        return f"RH{row[0]:07d}", row[1]

    def household_members(self, household_id: str) -> list[str]:
        n = _pid(household_id)
        if n is None or not household_id.startswith("RH"):
            return []
        q = select(PersonRow.id).where(PersonRow.household_id == n, PersonRow.merged_into.is_(None))
        return [f"R{i:07d}" for i in self.s.scalars(q.order_by(PersonRow.id))]

    # -- requests ------------------------------------------------------------------------------------------
    def request(self, key: str) -> StoredResponse | None:
        r = self.s.get(OpRequestRow, key)
        return None if r is None else StoredResponse(r.key, r.actor, r.route, r.body_sha256, r.status_code,
                                                     r.response)

    def save_request(self, stored: StoredResponse) -> None:
        self.s.add(OpRequestRow(key=stored.key, actor=stored.actor, route=stored.route[:200],
                                body_sha256=stored.body_sha256, status_code=stored.status_code,
                                response=stored.response, at=_now()))
        self.s.flush()

    # -- plans and the clock -------------------------------------------------------------------------------
    def active_plan(self) -> ActivePlan | None:
        q = select(OpPlanRow.id, OpPlanRow.generation, OpPlanRow.scenario, OpPlanRow.kpis, OpPlanRow.created_at,
                   OpPlanRow.reason).where(OpPlanRow.active.is_(True)).order_by(OpPlanRow.id.desc()).limit(1)
        r = self.s.execute(q).first()
        if r is None:
            return None
        key = (str(self.s.get_bind().engine.url), r.id)
        plan = _PLAN_CACHE.get(key)
        if plan is None:
            text = self.s.scalar(select(OpPlanRow.plan).where(OpPlanRow.id == r.id))
            plan = plan_from_dict(json.loads(text or "{}"))
            if len(_PLAN_CACHE) > 16:
                _PLAN_CACHE.clear()
            _PLAN_CACHE[key] = plan
        return ActivePlan(r.id, r.generation, r.scenario, plan, json.loads(r.kpis), r.created_at.replace(tzinfo=UTC),
                          r.reason)

    def plan(self, plan_id: int) -> Plan | None:
        """A stored plan generation by id (decoded once, like the active plan)."""
        key = (str(self.s.get_bind().engine.url), plan_id)
        plan = _PLAN_CACHE.get(key)
        if plan is None:
            text = self.s.scalar(select(OpPlanRow.plan).where(OpPlanRow.id == plan_id))
            if text is None:
                return None
            plan = plan_from_dict(json.loads(text))
            if len(_PLAN_CACHE) > 16:
                _PLAN_CACHE.clear()
            _PLAN_CACHE[key] = plan
        return plan

    def plan_history(self) -> list[tuple[int, int, str, dict[str, Any], bool]]:
        q = select(OpPlanRow.id, OpPlanRow.generation, OpPlanRow.reason, OpPlanRow.kpis, OpPlanRow.active)
        return [(i, g, r, json.loads(k), bool(a)) for i, g, r, k, a in self.s.execute(q.order_by(OpPlanRow.id))]

    def save_plan(self, *, plan: Plan, scenario: str, reason: str) -> int:
        gen = int(self.s.scalar(select(func.max(OpPlanRow.generation))) or 0) + 1
        self.s.execute(update(OpPlanRow).where(OpPlanRow.active.is_(True)).values(active=False))
        data = plan_to_dict(plan)
        row = OpPlanRow(generation=gen, scenario=scenario[:400], created_at=_now(), reason=reason[:200], active=True,
                        kpis=json.dumps(data.get("kpis") or {}), plan=json.dumps(data))
        self.s.add(row)
        self.s.flush()
        return row.id

    def clock(self) -> Clock | None:
        raw = self.s.scalar(select(MetaRow.value).where(MetaRow.key == CLOCK_KEY))
        if raw is None:
            return None
        d = json.loads(raw)
        return Clock(datetime.fromisoformat(d["real_start"]), float(d["start_h"]), datetime.fromisoformat(d["epoch"]),
                     d["scenario"], d.get("extra", {}))

    def set_clock(self, clock: Clock) -> None:
        value = json.dumps({"real_start": clock.real_start.isoformat(), "start_h": clock.start_h,
                            "epoch": clock.epoch.isoformat(), "scenario": clock.scenario, "extra": clock.extra})
        row = self.s.get(MetaRow, CLOCK_KEY)
        if row is None:
            self.s.add(MetaRow(key=CLOCK_KEY, value=value))
        else:
            row.value = value

    # -- outbox --------------------------------------------------------------------------------------------
    def enqueue(self, *, person_id: str, household_id: str, template: str, language: str,
                context: dict[str, Any]) -> int:
        now = _now()
        row = OpOutboxRow(created_at=now, person_id=person_id, household_id=household_id, template=template,
                          language=language, context=json.dumps(context, ensure_ascii=False), status="pending",
                          attempts=0, next_at=now, last_error="")
        self.s.add(row)
        self.s.flush()
        return row.id

    @staticmethod
    def _item(r: OpOutboxRow) -> OutboxItem:
        return OutboxItem(r.id, r.person_id, r.household_id, r.template, r.language, json.loads(r.context), r.status,
                          r.attempts, r.next_at.replace(tzinfo=UTC), r.last_error, r.channel)

    def due(self, *, now: datetime, limit: int) -> list[OutboxItem]:
        q = select(OpOutboxRow).where(OpOutboxRow.status == "pending", OpOutboxRow.next_at <= _naive(now))
        return [self._item(r) for r in self.s.scalars(q.order_by(OpOutboxRow.id).limit(limit))]

    def mark(self, item_id: int, *, status: str, attempts: int, next_at: datetime, error: str,
             channel: str | None = None) -> None:
        values: dict[str, Any] = {"status": status, "attempts": attempts, "next_at": _naive(next_at),
                                  "last_error": error[:200]}
        if channel is not None:  # a message that never reached a gateway keeps the channel it had
            values["channel"] = channel[:20]
        self.s.execute(update(OpOutboxRow).where(OpOutboxRow.id == item_id).values(**values))

    def outbox(self, *, status: str | None, limit: int, offset: int) -> list[OutboxItem]:
        q = select(OpOutboxRow)
        if status:
            q = q.where(OpOutboxRow.status == status)
        return [self._item(r) for r in self.s.scalars(q.order_by(OpOutboxRow.id).limit(limit).offset(offset))]

    # -- audit ---------------------------------------------------------------------------------------------
    def audit(self, *, actor: str, action: str, subject: str) -> None:
        """Append to the audit hash chain (same transaction as the change or read it records)."""
        audit_chain.append(self.s, self.keys, actor=actor, action=action, subject=subject)

    def audit_log(self, *, actor: str | None, action: str | None, since: datetime | None, limit: int,
                  offset: int, before: int | None = None) -> list[AuditEntry]:
        """Newest first; ``before`` (a seq) pages back from there, ``offset`` skips rows."""
        q = select(OpAuditRow)
        if actor:
            q = q.where(OpAuditRow.actor == actor)
        if action:
            q = q.where(OpAuditRow.action.startswith(action))
        if since:
            q = q.where(OpAuditRow.at >= _naive(since))
        if before is not None:
            q = q.where(OpAuditRow.seq < before)
        q = q.order_by(OpAuditRow.seq.desc(), OpAuditRow.id.desc()).limit(limit).offset(offset)
        return [AuditEntry(r.at.replace(tzinfo=UTC), r.actor, r.action, r.subject, r.seq) for r in self.s.scalars(q)]

    # -- users and preferences -----------------------------------------------------------------------------
    def user(self, username: str) -> UserRecord | None:
        r = self.s.get(OpUserRow, username)
        return None if r is None else UserRecord(r.username, r.password_hash, Role(r.role), r.place, r.active,
                                                 r.language, r.token_version)

    def users(self) -> list[UserRecord]:
        return [UserRecord(r.username, r.password_hash, Role(r.role), r.place, r.active, r.language, r.token_version)
                for r in self.s.scalars(select(OpUserRow).order_by(OpUserRow.username))]

    def save_user(self, user: UserRecord) -> None:
        r = self.s.get(OpUserRow, user.username)
        if r is None:
            self.s.add(OpUserRow(username=user.username, password_hash=user.password_hash, role=user.role.value,
                                 place=user.place, active=user.active, created_at=_now(), language=user.language,
                                 token_version=user.token_version))
        else:
            r.password_hash, r.role, r.place, r.active = user.password_hash, user.role.value, user.place, user.active
            r.language, r.token_version = user.language, user.token_version

    def language(self, person_id: str) -> str | None:
        r = self.s.get(OpPrefRow, person_id)
        return None if r is None else r.language

    def set_language(self, person_id: str, language: str) -> None:
        r = self.s.get(OpPrefRow, person_id)
        if r is None:
            self.s.add(OpPrefRow(person_id=person_id, language=language))
        else:
            r.language = language


def _is_race(exc: BaseException) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


class SqlOpsUnitOfWork:
    """One session, one transaction over operations and registry (``with uow: …; uow.commit()``)."""

    def __init__(self, engine: Engine, keys: KeyRing) -> None:
        self.engine = engine
        self.keys = keys

    def __enter__(self) -> SqlOpsUnitOfWork:
        self.session = Session(self.engine, expire_on_commit=False)
        self.ops = SqlOps(self.session, self.keys)
        self.registry = SqlRegistry(self.session, self.keys)
        self.enquiries = SqlEnquiries(self.session, self.keys)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.session.rollback()
        self.session.close()
        if exc is not None and _is_race(exc):
            raise ConcurrentWrite("another write won the race; retry") from exc

    def commit(self) -> None:
        try:
            self.registry.flush()
            self.session.commit()
        except (IntegrityError, OperationalError) as exc:
            if _is_race(exc):
                raise ConcurrentWrite("another write won the race; retry") from exc
            raise


def ops_uow_factory(store: Any) -> Any:
    """A factory of units of work for an open :class:`~evac.adapters.store.workspace.Store`."""
    return lambda: SqlOpsUnitOfWork(store.engine, store.keys)
