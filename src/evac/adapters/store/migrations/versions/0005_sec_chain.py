"""Data at rest: household labels sealed, the audit log chained.

- ``households.sealed``: the source's household label ("Семья Петровых") sealed like a person's fields
  (AES-GCM, associated data ``household:<id>``); the clear ``label`` column is emptied by the first open
  with the key (a migration holds no key, so it cannot seal).
- ``op_audit.seq``, ``key_version``, ``mac``: the keyed hash chain (``evac.adapters.store.audit_chain``);
  rows written before this revision are chained by that same first open.

Revision ID: 0005_sec
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_sec"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("households", sa.Column("sealed", sa.LargeBinary, nullable=True))
    op.add_column("op_audit", sa.Column("seq", sa.Integer, nullable=True))
    op.add_column("op_audit", sa.Column("key_version", sa.Integer, nullable=True))
    op.add_column("op_audit", sa.Column("mac", sa.String(64), nullable=True))
    op.create_index("ix_op_audit_seq", "op_audit", ["seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_op_audit_seq", table_name="op_audit")
    with op.batch_alter_table("op_audit") as batch:
        batch.drop_column("mac")
        batch.drop_column("key_version")
        batch.drop_column("seq")
    # Not a batch (copy-and-rename) on SQLite: people reference households, and with foreign keys enforced
    # SQLite refuses to drop the old table inside the migration's transaction. A plain DROP COLUMN (SQLite
    # 3.35+, PostgreSQL) leaves the table and its references in place.
    op.execute("ALTER TABLE households DROP COLUMN sealed")
