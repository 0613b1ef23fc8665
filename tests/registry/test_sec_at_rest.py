"""Data at rest (issue 16, item 2) on SQLite and PostgreSQL: household labels sealed, rejects without personal
data, private file modes, and `evac init` refusing to write a new key for a database that has data."""

from __future__ import annotations

import shutil
import stat
import subprocess
from typing import TYPE_CHECKING, NoReturn

import pytest
from registry_factory import ru_csv
from sqlalchemy import text
from typer.testing import CliRunner

from evac.adapters.importers.tabular import read_table
from evac.adapters.store import crypto
from evac.adapters.store.crypto import KEY_FILE
from evac.adapters.store.workspace import (
    DB_FILE,
    WorkspaceError,
    init_workspace,
    make_engine,
    open_workspace,
)
from evac.adapters.store.workspace import database_url as url
from evac.cli.app import app
from evac.services import registry as svc

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from evac.adapters.store.workspace import Store

runner = CliRunner()
MARK = "Qzvmarker"
LABEL = f"Семья {MARK}ых"


def _raw(ws: Path, env: dict[str, str], unavailable: Callable[[str], NoReturn]) -> bytes:
    """Every byte of the stored data: the SQLite files, or a plain and a custom pg_dump."""
    if "EVAC_DATABASE_URL" not in env:
        return b"".join(p.read_bytes() for p in ws.glob(DB_FILE + "*"))
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        unavailable("pg_dump is not installed")
    url = env["EVAC_DATABASE_URL"].replace("postgresql+psycopg", "postgresql")
    return (subprocess.run([pg_dump, url], capture_output=True, check=True).stdout
            + subprocess.run([pg_dump, "--format=custom", "--compress=0", url], capture_output=True,
                             check=True).stdout)


def _absent(needle: str, blob: bytes) -> bool:
    return all(n.encode(e) not in blob for n in (needle, needle.lower(), needle.upper())
               for e in ("utf-8", "utf-16-le", "utf-16-be"))


def _import_labelled(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "l.csv"
    f.write_text(ru_csv([f"L1;Петрова;Ольга;;01.01.1980;Ж;RU;;;Homs;{LABEL};head",
                         f"L2;Петров;Иван;;01.01.1978;М;RU;;;Homs;{LABEL};spouse",
                         f"L3;Сидоров;Пётр;;01.01.1960;М;RU;;;Aleppo;{LABEL}-2;head"]), encoding="utf-8")
    svc.import_records(uow=store.uow(), file_name=f.name, sha256="0" * 64, records=read_table(f).records,
                       problems=[], rows=3)


def test_household_label_is_sealed(tmp_path: Path, backend_env: dict[str, str],
                                   unavailable: Callable[[str], NoReturn]) -> None:
    store = init_workspace(tmp_path / "ws", backend_env)
    try:
        _import_labelled(store, tmp_path)
        with store.uow() as uow:
            hid = uow.registry.get(uow.registry.by_external_id("L1").id).household_id
            assert uow.registry.household_label(hid) == LABEL
    finally:
        store.close()
    assert _absent(MARK, _raw(tmp_path / "ws", backend_env, unavailable))


def test_clear_labels_of_an_older_workspace_are_sealed_on_open_all_or_nothing(
        tmp_path: Path, backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    store = init_workspace(tmp_path / "ws", backend_env)
    _import_labelled(store, tmp_path)
    with store.engine.begin() as conn:  # as an evac before 0005 left them
        conn.execute(text("UPDATE households SET label = :l, sealed = NULL"), {"l": LABEL})
    store.close()
    calls = {"n": 0}
    real = crypto.DataKey.seal

    def boom(self: crypto.DataKey, payload: dict[str, object], *, aad: bytes) -> bytes:
        if aad.startswith(b"household:"):
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("power cut")
        return real(self, payload, aad=aad)

    monkeypatch.setattr(crypto.DataKey, "seal", boom)
    with pytest.raises(WorkspaceError, match="RuntimeError"):
        open_workspace(tmp_path / "ws", backend_env)
    monkeypatch.undo()
    with make_engine(url(tmp_path / "ws", backend_env)).connect() as conn:  # nothing half-sealed
        rows = conn.execute(text("SELECT label, sealed FROM households")).all()
    assert len(rows) == 2 and all(label.startswith(LABEL) and sealed is None for label, sealed in rows)
    again = open_workspace(tmp_path / "ws", backend_env)
    try:
        with again.engine.connect() as conn:
            rows = conn.execute(text("SELECT label, sealed FROM households")).all()
        assert rows and all(label == "" and sealed for label, sealed in rows)
        with again.uow() as uow:
            hid = uow.registry.by_external_id("L1").household_id
            assert uow.registry.household_label(hid) == LABEL
    finally:
        again.close()


def test_rejects_hold_no_personal_data(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    assert runner.invoke(app, ["init", ws]).exit_code == 0
    f = tmp_path / "bad.csv"
    f.write_text(ru_csv(["A1;Иванова;Анна;;12.03.1975;Ж;RU;;;Damascus;;",
                         f"B1;{MARK};Ольга;;31.02.1980;X;RU;+963 1;;Homs;;",
                         "B2;Петрова;Мария;;1980;Ж;RU;12;;Homs;;nephew"]), encoding="utf-8")
    r = runner.invoke(app, ["registry", "import", str(f), "-w", ws])
    assert r.exit_code == 2 and "line 3: birth" in r.output and _absent(MARK, r.output.encode())
    assert "31.02.1980" not in r.output
    r = runner.invoke(app, ["registry", "import", str(f), "-w", ws, "--accept-valid", "--json"])
    assert r.exit_code == 0, r.output
    rejects = tmp_path / "bad.csv.rejects.csv"
    body = rejects.read_text()
    assert body.splitlines()[0] == "line,field,reason"
    assert {tuple(line.split(",")[:2]) for line in body.splitlines()[1:]} >= {
        ("3", "birth"), ("3", "sex"), ("3", "phone"), ("4", "phone"), ("4", "relation")}
    for value in (MARK, "31.02.1980", "963", "nephew", "Петрова", "Ольга"):
        assert value not in body
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600


def test_workspace_files_are_private_and_a_looser_mode_is_refused(tmp_path: Path, backend_env: dict[str, str]
                                                                  ) -> None:
    ws = tmp_path / "ws"
    store = init_workspace(ws, backend_env)
    _import_labelled(store, tmp_path)  # writes: SQLite makes its -wal and -shm files
    files = [p for p in ws.iterdir()]
    assert ws / KEY_FILE in files
    if "EVAC_DATABASE_URL" not in backend_env:
        assert {ws / DB_FILE, ws / f"{DB_FILE}-wal"} <= set(files)
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {p.name: "0o600" for p in files}
    assert stat.S_IMODE(ws.stat().st_mode) == 0o700
    store.close()
    loose = ws / (KEY_FILE if "EVAC_DATABASE_URL" in backend_env else DB_FILE)
    loose.chmod(0o644)
    with pytest.raises(WorkspaceError, match=rf"{loose.name}: mode 0644 lets other accounts.*chmod 600"):
        open_workspace(ws, backend_env)
    r = runner.invoke(app, ["registry", "find", "x", "-w", str(ws)], env=backend_env)
    assert r.exit_code == 2 and "mode 0644" in r.output
    r = runner.invoke(app, ["init", str(ws), "--fix-permissions"], env=backend_env)
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
    open_workspace(ws, backend_env).close()


def test_init_refuses_to_write_a_new_key_for_a_database_with_data(tmp_path: Path, backend_env: dict[str, str]
                                                                  ) -> None:
    ws = tmp_path / "ws"
    store = init_workspace(ws, backend_env)
    _import_labelled(store, tmp_path)
    store.close()
    (ws / KEY_FILE).unlink()
    with pytest.raises(WorkspaceError, match=r"the database exists but .*evac.key is missing.*will not write"):
        init_workspace(ws, backend_env)
    assert not (ws / KEY_FILE).exists()
    r = runner.invoke(app, ["init", str(ws)], env=backend_env)
    assert r.exit_code == 2 and "will not write a new key" in r.output
    assert not (ws / KEY_FILE).exists()
