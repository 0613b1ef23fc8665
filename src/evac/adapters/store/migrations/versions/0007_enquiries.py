"""The relatives' enquiry desk: one row per enquiry, the caller's details sealed.

Who asked (name, phone or e-mail, relation to the person) and what they were told are personal data of the
caller and of the person asked about: they are sealed with the workspace key like registry records
(``sealed``, AES-GCM; ``key_version`` lets key rotation find rows to re-seal). In the clear: when, which
desk officer, which person was asked about (a registry id, or none when nobody matched) and the outcome code.

Revision ID: 0007_enquiries
Revises: 0006_auth
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_enquiries"
down_revision = "0006_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "op_enquiries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False, index=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("person_id", sa.String(20), nullable=True, index=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("op_enquiries")
