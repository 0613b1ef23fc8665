"""The audit log cannot be edited silently (issue 16, item 4), on SQLite and PostgreSQL: CLI reads and changes
audited with the OS user, newest first with paging, `evac audit verify` finding edited, deleted and forged
rows, concurrent appends keeping one chain, and a failed use case leaving no audit row behind."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from registry_factory import ru_csv
from sqlalchemy import text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from evac.adapters.store import audit_chain
from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import init_workspace, open_workspace, rotate_keys
from evac.cli.app import app
from evac.cli.registry import cli_actor
from evac.services import operations as ops
from evac.services import registry as svc

if TYPE_CHECKING:
    from evac.adapters.store.workspace import Store

runner = CliRunner()


def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args), env=env)
    return r.exit_code, r.output


@pytest.fixture
def ws(tmp_path: Path, backend_env: dict[str, str]) -> str:
    """A workspace with a list imported, searched, reviewed and rotated through the CLI."""
    w = str(tmp_path / "ws")
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    assert _cli(backend_env, "init", w)[0] == 0
    assert _cli(backend_env, "registry", "import", str(f), "-w", w, "--json")[0] == 0
    assert _cli(backend_env, "registry", "find", "ivanova", "-w", w, "--json")[0] == 0
    assert _cli(backend_env, "registry", "dupes", "-w", w, "--json")[0] == 0
    assert _cli(backend_env, "keys", "rotate", "-w", w)[0] == 0
    return w


def _log(env: dict[str, str], w: str, *extra: str) -> list[dict[str, object]]:
    code, output = _cli(env, "audit", "-w", w, "--json", *extra)
    assert code == 0, output
    rows: list[dict[str, object]] = json.loads(output)
    return rows


def _verify(env: dict[str, str], w: str) -> tuple[int, dict[str, object]]:
    code, output = _cli(env, "audit", "verify", "-w", w, "--json")
    return code, json.loads(output)


def _sql(store_path: str, env: dict[str, str], sql: str) -> None:
    store = open_workspace(Path(store_path), env)
    try:
        with store.engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        store.close()


def test_cli_reads_and_changes_are_audited_newest_first_and_the_chain_holds(ws: str, backend_env: dict[str, str]
                                                                             ) -> None:
    rows = _log(backend_env, ws)
    actions = [r["action"] for r in rows]
    assert actions[0] == "keys:rotate"  # the newest first
    assert {"write:import", "write:dedup", "read:search", "read:dupes", "keys:rotate"} <= set(actions)
    assert all(r["actor"] == cli_actor() for r in rows)
    search = next(r for r in rows if r["action"] == "read:search")
    assert "ivanova" not in str(search["subject"]).lower() and "2 found" in str(search["subject"])
    seqs = [int(str(r["seq"])) for r in rows]
    assert seqs == sorted(seqs, reverse=True)
    page1 = _log(backend_env, ws, "--limit", "2")
    page2 = _log(backend_env, ws, "--limit", "2", "--before", str(page1[-1]["seq"]))
    assert [r["seq"] for r in page1 + page2] == seqs[:4]
    code, v = _verify(backend_env, ws)
    assert code == 0 and v["ok"] and v["rows"] == len(rows)
    assert _log(backend_env, ws, "--limit", "1")[0]["action"] == "audit:verify"  # verification is audited too


@pytest.mark.parametrize(("tamper", "found"), [
    ("UPDATE op_audit SET subject = 'nothing to see' WHERE seq = 2", "row 2 was edited"),
    ("UPDATE op_audit SET actor = 'someone else' WHERE seq = 1", "row 1 was edited"),
    ("DELETE FROM op_audit WHERE seq = 3", "row 3 is missing"),
    ("DELETE FROM op_audit", "rows 1..5 are missing"),
    ("DELETE FROM op_audit WHERE seq = (SELECT max(seq) FROM op_audit)", "rows 5..5 are missing"),
    ("UPDATE meta SET value = replace(value, '\"seq\": 5', '\"seq\": 4') WHERE key = 'audit_head'",
     "the chain head was edited"),
    ("INSERT INTO op_audit (at, actor, action, subject) VALUES ('2013-01-22 10:00:00', 'x', 'read:person', 'R1')",
     "outside the chain"),
    ("DELETE FROM meta WHERE key = 'audit_head'", "the chain head is missing"),
])
def test_verify_finds_tampering(ws: str, backend_env: dict[str, str], tamper: str, found: str) -> None:
    assert _log(backend_env, ws)[0]["seq"] == 5  # import, dedup, search, dupes, rotate
    _sql(ws, backend_env, tamper)
    code, v = _verify(backend_env, ws)
    assert code == 1 and not v["ok"] and found in str(v["problem"]), v
    code, output = _cli(backend_env, "audit", "verify", "-w", ws)
    assert code == 1 and "BROKEN" in output


def test_rotation_over_a_broken_chain_says_so_in_the_chain(ws: str, backend_env: dict[str, str]) -> None:
    _sql(ws, backend_env, "UPDATE op_audit SET subject = 'rewritten' WHERE seq = 2")
    assert _cli(backend_env, "keys", "rotate", "-w", ws)[0] == 0
    code, v = _verify(backend_env, ws)  # re-MACed under the new key, and the break is an entry of the chain
    assert code == 1 and "records an earlier break" in str(v["problem"]) and "row 2" in str(v["problem"]), v
    note = _log(backend_env, ws, "--action", "audit:broken")[0]
    assert "row 2" in str(note["subject"])


def test_unknown_workspace_is_a_clear_error(tmp_path: Path, backend_env: dict[str, str]) -> None:
    code, output = _cli(backend_env, "audit", "verify", "-w", str(tmp_path / "nope"))
    assert code == 2 and "no such workspace" in output
    code, output = _cli({k: v for k, v in backend_env.items() if k != "EVAC_WORKSPACE"}, "audit", "verify")
    assert code == 2 and "no workspace" in output


def test_concurrent_appends_make_one_chain_and_a_failed_use_case_leaves_no_row(
        tmp_path: Path, backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    store = init_workspace(tmp_path / "ws", backend_env)
    others = [open_workspace(tmp_path / "ws", backend_env) for _ in range(3)]
    errors: list[BaseException] = []

    def work(s: Store, n: int) -> None:
        try:
            for i in range(15):
                ops.record_audit(uow_factory=ops_uow_factory(s), actor=f"t{n}", action="read:test", subject=str(i))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, n)) for n, s in enumerate([store, *others])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(store.engine) as s:
        v = audit_chain.verify(s, store.keys)
    assert v.ok and v.rows == 60 and v.head_seq == 60
    # a use case that fails after its audit entry: neither the entry nor anything else is kept
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    from evac.adapters.importers.tabular import read_table
    from evac.adapters.store.ops_repo import SqlOps

    real = SqlOps.audit

    def audit_then_fail(self: SqlOps, **kw: str) -> None:
        real(self, **kw)
        raise RuntimeError("power cut after the audit entry")

    monkeypatch.setattr(SqlOps, "audit", audit_then_fail)
    t = read_table(f)
    with pytest.raises(RuntimeError):
        svc.import_records(uow=store.uow(), file_name=f.name, sha256=t.sha256, records=t.records, problems=[],
                           rows=t.rows, actor="cli:test")
    monkeypatch.undo()
    with Session(store.engine) as s:
        v = audit_chain.verify(s, store.keys)
    assert v.ok and v.rows == 60
    with store.uow() as uow:
        assert uow.registry.count() == 0
    rotate_keys(store, backend_env)
    with Session(store.engine) as s:
        assert audit_chain.verify(s, store.keys).ok
    for o in [store, *others]:
        o.close()


def test_notification_runs_are_audited(ws: str, backend_env: dict[str, str]) -> None:
    env = {**backend_env, "EVAC_WEBHOOK_URL": "http://127.0.0.1:9/never"}
    code, output = _cli(env, "ops", "notify-run", "-w", ws)
    assert code == 0, output
    row = _log(backend_env, ws, "--action", "notify:")[0]
    assert row["actor"] == cli_actor() and str(row["subject"]).startswith("sent 0")


def test_an_older_workspace_gets_its_audit_rows_chained_on_first_open(tmp_path: Path, backend_env: dict[str, str]
                                                                      ) -> None:
    from alembic import command
    from alembic.config import Config

    from evac.adapters.store.workspace import _MIGRATIONS

    store = init_workspace(tmp_path / "ws", backend_env)
    with store.engine.begin() as conn:  # back to 0004, as an evac of before this change left it
        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
        conn.execute(text("DELETE FROM meta WHERE key = 'audit_head'"))
        conn.execute(text("DELETE FROM op_audit"))
        for i in range(3):
            conn.execute(text("INSERT INTO op_audit (at, actor, action, subject) VALUES (:at, 'old', 'read:x', :s)"),
                         {"at": "2013-01-22 10:00:0" + str(i), "s": f"R000000{i}"})
    store.close()
    again = open_workspace(tmp_path / "ws", backend_env)  # migrates to 0005 and chains the three rows
    try:
        with Session(again.engine) as s:
            v = audit_chain.verify(s, again.keys)
        assert v.ok and v.rows == 3 and v.head_seq == 3
        ops.record_audit(uow_factory=ops_uow_factory(again), actor="new", action="read:y", subject="R1")
        rows = ops.audit_log(uow_factory=ops_uow_factory(again), limit=10)
        assert [(r.seq, r.actor) for r in rows] == [(4, "new"), (3, "old"), (2, "old"), (1, "old")]
    finally:
        again.close()
