"""``evac users passwd`` / ``deactivate`` / ``activate`` and migration 0006 (token versions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from ops_client import PASSWORD, clean_env, login, make_client
from typer.testing import CliRunner

from evac.adapters.passes.tokens import Argon2Hasher
from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import _MIGRATIONS, make_engine, migrate
from evac.cli.app import app
from evac.services.users import get_user

if TYPE_CHECKING:
    from pathlib import Path

    from evac.adapters.store.workspace import Store

NEW = "Tartus-ferry-leaves-at-nine"


def _env(store: Store) -> dict[str, str]:
    return {**clean_env(), "EVAC_WORKSPACE": str(store.path), "COLUMNS": "200"}


def test_passwd_from_stdin_ends_old_sessions(sqlite_store: Store) -> None:
    client = make_client(sqlite_store)
    old = login(client, "officer")
    r = CliRunner().invoke(app, ["users", "passwd", "officer", "--password-stdin"], input=NEW + "\n",
                           env=_env(sqlite_store))
    assert r.exit_code == 0, r.output
    assert NEW not in r.output
    assert client.get("/api/v1/me", headers=old).status_code == 401
    login(client, "officer", NEW)
    user = get_user(uow=ops_uow_factory(sqlite_store)(), username="officer")
    assert user is not None and Argon2Hasher().verify(user.password_hash, NEW)


def test_passwd_prompts_twice_and_refuses_a_mismatch(sqlite_store: Store) -> None:
    r = CliRunner().invoke(app, ["users", "passwd", "viewer"], input=f"{NEW}\n{NEW}x\n{NEW}\n{NEW}\n",
                           env=_env(sqlite_store))
    assert r.exit_code == 0, r.output
    assert "do not match" in r.output
    login(make_client(sqlite_store), "viewer", NEW)


def test_passwd_refuses_weak_passwords_and_unknown_users(sqlite_store: Store) -> None:
    r = CliRunner().invoke(app, ["users", "passwd", "viewer", "--password-stdin"], input="password12\n",
                           env=_env(sqlite_store))
    assert r.exit_code == 2
    assert "common password" in r.output
    login(make_client(sqlite_store), "viewer")  # unchanged
    r = CliRunner().invoke(app, ["users", "passwd", "nobody", "--password-stdin"], input=NEW + "\n",
                           env=_env(sqlite_store))
    assert r.exit_code == 2 and "no user 'nobody'" in r.output


def test_deactivate_and_activate_from_the_cli(sqlite_store: Store) -> None:
    client = make_client(sqlite_store)
    old = login(client, "planner")
    r = CliRunner().invoke(app, ["users", "deactivate", "planner"], env=_env(sqlite_store))
    assert r.exit_code == 0, r.output
    assert client.post("/api/v1/auth/login", json={"username": "planner", "password": PASSWORD}).status_code == 401
    assert CliRunner().invoke(app, ["users", "activate", "planner"], env=_env(sqlite_store)).exit_code == 0
    assert client.get("/api/v1/me", headers=old).status_code == 401
    login(client, "planner")
    r = CliRunner().invoke(app, ["users", "deactivate", "ghost"], env=_env(sqlite_store))
    assert r.exit_code == 2 and "no user 'ghost'" in r.output


def _config(conn: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def test_migration_adds_token_version_and_keeps_users(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0004")
        conn.execute(sa.text("INSERT INTO op_users (username, password_hash, role, place, active, created_at) "
                             "VALUES ('amina', 'h', 'field_officer', 'damascus', 1, :at)"), {"at": datetime.now(UTC)})
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT username, token_version FROM op_users")).all()
        assert [tuple(r) for r in rows] == [("amina", 0)]
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0004")
    with engine.connect() as conn:
        assert "token_version" not in {c["name"] for c in sa.inspect(conn).get_columns("op_users")}
        assert conn.execute(sa.text("SELECT count(*) FROM op_users")).scalar_one() == 1
    engine.dispose()
