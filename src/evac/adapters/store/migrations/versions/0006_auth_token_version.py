"""Each user's token version: bearer tokens carry it and are refused once it has moved on.

It is bumped on sign-out, deactivation, role change and password change, so that a token issued before
any of these stops working at once (and re-activating a user does not revive old tokens). Existing users
start at 0; tokens issued before this migration carry no version and are refused (sign in again).

Revision ID: 0006_auth
Revises: 0005_sec
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_auth"
down_revision = "0005_sec"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("op_users", sa.Column("token_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("op_users") as batch:
        batch.drop_column("token_version")
