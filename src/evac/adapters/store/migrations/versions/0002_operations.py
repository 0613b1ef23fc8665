"""Field operations: event log, status projection, idempotent requests, users, plans, outbox, audit.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "op_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("stream", sa.String(60), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("type", sa.String(30), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("device", sa.String(100), nullable=False),
        sa.Column("idem_key", sa.String(100), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.UniqueConstraint("stream", "version", name="uq_op_events_stream_version"),
    )
    op.create_index("ix_op_events_idem_key", "op_events", ["idem_key"])
    op.create_table(
        "op_status",
        sa.Column("person_id", sa.String(20), primary_key=True),
        sa.Column("household_id", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("trip_id", sa.String(60)),
        sa.Column("place", sa.String(100)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("notified", sa.Integer, nullable=False),
        sa.Column("merged_into", sa.String(20)),
    )
    op.create_index("ix_op_status_household_id", "op_status", ["household_id"])
    op.create_index("ix_op_status_trip_id", "op_status", ["trip_id"])
    op.create_index("ix_op_status_place", "op_status", ["place"])
    op.create_table(
        "op_requests",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("route", sa.String(200), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "op_users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("place", sa.String(100)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "op_plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("scenario", sa.String(400), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("kpis", sa.Text, nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
    )
    op.create_index("ix_op_plans_active", "op_plans", ["active"])
    op.create_table(
        "op_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("person_id", sa.String(20), nullable=False),
        sa.Column("household_id", sa.String(20), nullable=False),
        sa.Column("template", sa.String(20), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("context", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", sa.DateTime, nullable=False),
        sa.Column("last_error", sa.String(200), nullable=False),
    )
    op.create_index("ix_op_outbox_due", "op_outbox", ["status", "next_at"])
    op.create_table(
        "op_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("subject", sa.String(400), nullable=False),
    )
    op.create_index("ix_op_audit_at", "op_audit", ["at"])
    op.create_index("ix_op_audit_actor", "op_audit", ["actor"])
    op.create_table(
        "op_prefs",
        sa.Column("person_id", sa.String(20), primary_key=True),
        sa.Column("language", sa.String(5), nullable=False),
    )


def downgrade() -> None:
    for table in ("op_prefs", "op_audit", "op_outbox", "op_plans", "op_users", "op_requests", "op_status",
                  "op_events"):
        op.drop_table(table)
