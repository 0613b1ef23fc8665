"""``evac users add``: the password from the environment (never an argument), role, place, language."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import init_workspace, open_workspace
from evac.cli.app import app
from evac.services.users import get_user

if TYPE_CHECKING:
    from pathlib import Path


def _env(ws: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"EVAC_DATABASE_URL", "EVAC_KEY"}}
    return {**env, "EVAC_WORKSPACE": str(ws), "PW": "a-long-enough-password", "COLUMNS": "200"}


def _user(ws: Path, name: str):  # type: ignore[no-untyped-def]
    store = open_workspace(ws, _env(ws))
    try:
        return get_user(uow=ops_uow_factory(store)(), username=name)
    finally:
        store.close()


def test_add_a_field_officer_with_a_language(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    init_workspace(ws, _env(ws)).close()
    r = CliRunner().invoke(app, ["users", "add", "amina", "--role", "field_officer", "--place", "damascus",
                                 "--language", "ar", "--password-env", "PW"], env=_env(ws))
    assert r.exit_code == 0, r.output
    u = _user(ws, "amina")
    assert u is not None and (u.role.value, u.place, u.language) == ("field_officer", "damascus", "ar")
    assert "a-long-enough-password" not in u.password_hash


def test_unknown_language_is_refused_and_no_user_is_made(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    init_workspace(ws, _env(ws)).close()
    r = CliRunner().invoke(app, ["users", "add", "boris", "--role", "planner", "--language", "fr",
                                 "--password-env", "PW"], env=_env(ws))
    assert r.exit_code == 2
    assert "language 'fr': choose from en, ru, ar" in r.output
    assert _user(ws, "boris") is None
