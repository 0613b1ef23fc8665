"""ORM of field operations (SQLAlchemy 2 ``Mapped[]``); the schema is created by migration 0002.

- ``op_events`` is the append-only log. ``(stream, version)`` is unique: two concurrent writes about one
  person both read version *n* and both try to write *n + 1*; the database keeps one and the other
  retries, so nothing is lost and nothing is applied twice. ``id`` gives the global order for replays.
- ``op_status`` is the projection of the log (one row per person with events), rebuilt by a replay.
- ``op_requests`` remembers every idempotent write: its key, a hash of its body and the response sent.
- ``op_outbox`` holds notifications written in the same transaction as the events that cause them.
- ``op_audit`` records every read of personal data and every change, with actor and time, as a keyed hash
  chain (:mod:`evac.adapters.store.audit_chain`).
- ``op_users`` holds Argon2 hashes only; ``op_plans`` the active plan and its predecessors (JSON, ids only).

Times are naive UTC (as in the registry tables). Nothing here holds a name, phone or document number.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 -- SQLAlchemy resolves Mapped[datetime] at runtime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evac.adapters.store.orm import Base


class OpEventRow(Base):
    __tablename__ = "op_events"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    stream: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    type: Mapped[str] = mapped_column(String(30))
    schema_version: Mapped[int]
    at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    device: Mapped[str] = mapped_column(String(100))
    idem_key: Mapped[str] = mapped_column(String(100), index=True)
    data: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("stream", "version", name="uq_op_events_stream_version"),)


class OpStatusRow(Base):
    __tablename__ = "op_status"
    person_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    household_id: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20))
    trip_id: Mapped[str | None] = mapped_column(String(60), index=True)
    place: Mapped[str | None] = mapped_column(String(100), index=True)
    version: Mapped[int]
    updated_at: Mapped[datetime | None]
    notified: Mapped[int]
    merged_into: Mapped[str | None] = mapped_column(String(20))


class OpRequestRow(Base):
    __tablename__ = "op_requests"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    actor: Mapped[str] = mapped_column(String(100))
    route: Mapped[str] = mapped_column(String(200))
    body_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class OpUserRow(Base):
    __tablename__ = "op_users"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    place: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool]
    created_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(String(5))  # interface language; None: the device decides
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")  # tokens of older versions refused


class OpPlanRow(Base):
    __tablename__ = "op_plans"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    generation: Mapped[int]
    scenario: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(index=True)
    kpis: Mapped[str] = mapped_column(Text)
    plan: Mapped[str] = mapped_column(Text)


class OpOutboxRow(Base):
    __tablename__ = "op_outbox"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    created_at: Mapped[datetime]
    person_id: Mapped[str] = mapped_column(String(20))
    household_id: Mapped[str] = mapped_column(String(20))
    template: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5))
    context: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int]
    next_at: Mapped[datetime]
    last_error: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(20))  # gateway of the last attempt (migration 0004)

    __table_args__ = (Index("ix_op_outbox_due", "status", "next_at"),)


class OpAuditRow(Base):
    __tablename__ = "op_audit"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(400))
    # the hash chain (migration 0005, see audit_chain): position, key version of the MAC, MAC (hex)
    seq: Mapped[int | None] = mapped_column(index=True, unique=True)
    key_version: Mapped[int | None]
    mac: Mapped[str | None] = mapped_column(String(64))


class OpPrefRow(Base):
    __tablename__ = "op_prefs"
    person_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    language: Mapped[str] = mapped_column(String(5))
