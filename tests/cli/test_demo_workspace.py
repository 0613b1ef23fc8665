"""``evac demo --workspace W``: one command makes a live operation to open in the browser."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from evac.adapters.passes.tokens import Argon2Hasher
from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import open_workspace
from evac.cli.app import app
from evac.cli.demo_workspace import DEMO_USERS
from evac.services import registry as reg
from evac.services.operations import status_board
from evac.services.users import authenticate

if TYPE_CHECKING:
    from pathlib import Path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"EVAC_DATABASE_URL", "EVAC_KEY", "EVAC_WORKSPACE"}}
    return {**env, "EVAC_ARGON2_TIME_COST": "1", "EVAC_ARGON2_MEMORY_KIB": "8192", "COLUMNS": "200"}


def test_demo_workspace_is_a_live_operation_with_one_user_per_role(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    r = CliRunner().invoke(app, ["demo", "--workspace", str(ws), "--size", "400"], env=_env())
    assert r.exit_code == 0, r.output
    assert "evac serve --workspace" in r.output
    passwords = dict(re.findall(r"│ (\S+)\s+│ \S+\s+│ \S+\s+│ (\S+)\s+│", r.output))
    assert set(passwords) == set(DEMO_USERS)
    assert not list(ws.glob("*.csv")), "the plain-text list must not stay in the workspace"
    store = open_workspace(ws, _env())
    try:
        uow = ops_uow_factory(store)
        for name, password in passwords.items():
            user = authenticate(uow=uow(), hasher=Argon2Hasher(), username=name, password=password)
            assert user is not None and user.role.value == DEMO_USERS[name][0]
            assert user.place == DEMO_USERS[name][1]
        board = status_board(uow_factory=uow)
        assert board["plans"] and board["plans"][0]["active"]
        assert board["plans"][0]["kpis"]["trips"] > 0
        # the likely matches were merged: the board counts people, not records (no more than 3 % listed twice)
        with store.uow() as u:
            records, active = u.registry.count(), len(u.registry.active())
        assert records > 400 and active < records
        assert 400 * 0.98 <= sum(board["totals"].values()) <= 400 * 1.01
        assert board["duplicates"]["unresolved_likely"] == 0
        assert all(d == "review" for *_, d, _ in reg.dupes(uow=store.uow()))  # only the unsure pairs wait
        assert "likely matches accepted" in r.output
    finally:
        store.close()


def test_demo_workspace_refuses_a_folder_in_use_and_changes_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.txt").write_text("keep me")
    r = CliRunner().invoke(app, ["demo", "--workspace", str(ws), "--size", "50"], env=_env())
    assert r.exit_code == 2
    assert "already exists and is not empty" in r.output
    assert sorted(p.name for p in ws.iterdir()) == ["notes.txt"]
    assert (ws / "notes.txt").read_text() == "keep me"
