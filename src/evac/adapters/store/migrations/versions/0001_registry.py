"""The registry: imports, households, people (sealed), blind-index tokens, willingness history,
duplicate candidates, merges, meta.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_name", sa.String(400), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "households",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id")),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("external_id", sa.String(100), nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id")),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("household_id", sa.Integer, sa.ForeignKey("households.id")),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("birth", sa.String(10), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("nationalities", sa.String(100), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("vulnerabilities", sa.String(200), nullable=False),
        sa.Column("willingness", sa.String(20), nullable=False),
        sa.Column("eligibility", sa.String(20), nullable=False),
        sa.Column("eligibility_reason", sa.String(200), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("merged_into", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_people_external_id", "people", ["external_id"])
    op.create_index("ix_people_city", "people", ["city"])
    op.create_table(
        "tokens",
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), primary_key=True),
        sa.Column("kind", sa.String(2), primary_key=True),
        sa.Column("token", sa.LargeBinary(16), primary_key=True),
    )
    op.create_index("ix_tokens_lookup", "tokens", ["kind", "token"])
    op.create_table(
        "willingness_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("willingness", sa.String(20), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_willingness_history_person_id", "willingness_history", ["person_id"])
    op.create_table(
        "dupe_candidates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("b", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
    )
    op.create_index("ix_candidates_pair", "dupe_candidates", ["a", "b"], unique=True)
    op.create_table(
        "merges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kept", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("merged", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("undone_at", sa.DateTime),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("meta", "merges", "dupe_candidates", "willingness_history", "tokens", "people",
                  "households", "imports"):
        op.drop_table(table)
