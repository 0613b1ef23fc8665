"""The channel of each outbox message: the gateway that last tried to deliver it (``smtp``, ``webhook``).

Every message goes to the household head's phone; which gateway carries it is decided at delivery by the
dispatcher's configuration (``EVAC_WEBHOOK_URL``, else ``EVAC_SMTP_HOST``), so a message nobody has tried yet
has none (NULL). Rows delivered before this revision get theirs back from their ``notified`` event, whose note
is ``<gateway>:<template>:<outbox id>``, or from the last error of a failed attempt (``<gateway>: <reason>``).
``delivery_failed`` notes are not used: they name the configured gateway even when the message never reached
it (no phone number).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GATEWAYS = ("smtp", "webhook")


def upgrade() -> None:
    op.add_column("op_outbox", sa.Column("channel", sa.String(20), nullable=True))
    conn = op.get_bind()
    found: dict[int, str] = {}
    for (data,) in conn.execute(sa.text("SELECT data FROM op_events WHERE type = 'notified'")):
        parts = str(json.loads(data).get("note") or "").split(":")
        if len(parts) == 3 and parts[0] in GATEWAYS and parts[2].isdigit():
            found[int(parts[2])] = parts[0]
    for gw in GATEWAYS:
        conn.execute(sa.text("UPDATE op_outbox SET channel = :gw WHERE channel IS NULL AND last_error LIKE :p"),
                     {"gw": gw, "p": f"{gw}:%"})
    for item_id, gw in found.items():
        conn.execute(sa.text("UPDATE op_outbox SET channel = :gw WHERE id = :id"), {"gw": gw, "id": item_id})


def downgrade() -> None:
    with op.batch_alter_table("op_outbox") as batch:
        batch.drop_column("channel")
