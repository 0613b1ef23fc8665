"""Upgrading a workspace made by an older evac keeps every row: 0002 → head adds the users' language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from evac.adapters.store.workspace import _MIGRATIONS, make_engine, migrate

if TYPE_CHECKING:
    from pathlib import Path


def _config(conn: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def test_upgrade_from_0002_keeps_users_and_adds_no_language(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0002")
        conn.execute(sa.text("INSERT INTO op_users (username, password_hash, role, place, active, created_at) "
                             "VALUES ('amina', 'h', 'field_officer', 'damascus', 1, :at)"), {"at": datetime.now(UTC)})
    migrate(engine)
    migrate(engine)  # idempotent
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT username, role, place, language FROM op_users")).all()
        assert [tuple(r) for r in rows] == [("amina", "field_officer", "damascus", None)]
        head = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert head >= "0003"
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0002")
    with engine.connect() as conn:
        cols = {c["name"] for c in sa.inspect(conn).get_columns("op_users")}
        assert "language" not in cols
        assert conn.execute(sa.text("SELECT count(*) FROM op_users")).scalar_one() == 1
    engine.dispose()
