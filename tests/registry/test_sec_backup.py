"""`evac backup` / `evac restore` (issue 16, item 5) on SQLite and PostgreSQL: a snapshot taken while a writer
appends events holds every event acknowledged before it started, never the key; the restored workspace's
audit chain verifies and it plans; bad archives, wrong keys and existing targets are refused, and a restore
that fails half-way leaves nothing behind."""

from __future__ import annotations

import base64
import io
import json
import os
import tarfile
import threading
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from registry_factory import ru_csv
from sqlalchemy import create_engine, select, text
from typer.testing import CliRunner

from evac.adapters.importers.tabular import read_table
from evac.adapters.store import backup as bk
from evac.adapters.store.crypto import KEY_FILE, KeyRing
from evac.adapters.store.ops_orm import OpEventRow
from evac.adapters.store.ops_repo import SqlOpsUnitOfWork
from evac.adapters.store.workspace import init_workspace, open_workspace
from evac.cli.app import app
from evac.core.oplog import EventType, Meta, PersonEvent
from evac.services import registry as svc

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from evac.adapters.store.workspace import Store

runner = CliRunner()


@pytest.fixture
def target_env(backend_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """The environment of a second, empty workspace (PostgreSQL: a second database)."""
    if "EVAC_DATABASE_URL" not in backend_env:
        yield dict(backend_env)
        return
    admin = os.environ["EVAC_TEST_DATABASE_URL"]
    name = "evac_r_" + uuid.uuid4().hex[:10]
    eng = create_engine(admin, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {**backend_env, "EVAC_DATABASE_URL": admin.rsplit("/", 1)[0] + "/" + name}
    finally:
        with eng.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        eng.dispose()


@pytest.fixture
def store(tmp_path: Path, backend_env: dict[str, str]) -> Iterator[Store]:
    s = init_workspace(tmp_path / "ws", backend_env)
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    t = read_table(f)
    svc.import_records(uow=s.uow(), file_name=f.name, sha256=t.sha256, records=t.records, problems=[],
                       rows=t.rows, actor="cli:test")
    yield s
    s.close()


class EventWriter(threading.Thread):
    """Appends one ``notified`` event (and its audit entry) per transaction through its own open workspace;
    ``acked`` lists the idempotency keys of committed ones, in order."""

    def __init__(self, store: Store) -> None:
        super().__init__(daemon=True)
        self.store = store
        self.stop = threading.Event()
        self.cond = threading.Condition()
        self.acked: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                k = f"bk-{n}"
                with SqlOpsUnitOfWork(self.store.engine, self.store.keys) as uow:
                    uow.ops.append(PersonEvent(EventType.NOTIFIED, Meta("writer", datetime.now(UTC), key=k),
                                               f"R{n:07d}", "RH0000001"), version=1)
                    uow.ops.audit(actor="writer", action="write:notified", subject=f"R{n:07d}")
                    uow.commit()
                with self.cond:
                    self.acked.append(k)
                    self.cond.notify_all()
        except BaseException as exc:
            self.error = exc
            with self.cond:
                self.cond.notify_all()

    def wait_for(self, n: int) -> None:
        with self.cond:
            # a safety net against a hang, not a timing assertion: a stuck writer fails the test
            assert self.cond.wait_for(lambda: len(self.acked) >= n or self.error is not None, timeout=300), \
                "the writer made no progress in 300 s"
        assert self.error is None, repr(self.error)


def test_backup_under_writes_restores_everything_acknowledged_without_the_key(
        store: Store, tmp_path: Path, backend_env: dict[str, str], target_env: dict[str, str]) -> None:
    writer = EventWriter(open_workspace(store.path, backend_env))
    writer.start()
    try:
        writer.wait_for(5)
        with writer.cond:
            before = list(writer.acked)  # acknowledged before the backup started
        info = bk.backup(store, tmp_path / "snap.tar", actor="cli:test")
        writer.wait_for(len(before) + 3)  # the writer went on during and after it
    finally:
        writer.stop.set()
        writer.join(timeout=300)
        writer.store.close()
    assert info.path.stat().st_mode & 0o777 == 0o600
    if info.backend == "sqlite":
        assert info.events is not None and info.events >= len(before)
    raw = info.path.read_bytes()
    for master in store.keys.masters.values():  # the key is not in the archive, in any spelling
        for form in (master, base64.b64encode(master), base64.urlsafe_b64encode(master), master.hex().encode()):
            assert form not in raw
    key_file = tmp_path / "keys" / "ring.json"
    key_file.parent.mkdir()
    r = runner.invoke(app, ["keys", "export", "-w", str(store.path), "--out", str(key_file)], env=backend_env)
    assert r.exit_code == 0, r.output
    assert key_file.stat().st_mode & 0o777 == 0o600
    r = runner.invoke(app, ["restore", str(info.path), "-w", str(tmp_path / "w2"), "--key", str(key_file),
                            "--json"], env=target_env)
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["audit_ok"] is True
    restored = open_workspace(tmp_path / "w2", target_env)
    try:
        with restored.engine.connect() as conn:
            keys = set(conn.scalars(select(OpEventRow.idem_key)))
        assert set(before) <= keys
        with restored.uow() as uow:
            assert uow.registry.count() == 6
        assert {s.record.external_id for s in svc.find(uow=restored.uow(), query="ivanova")} == {"A1", "A4"}
    finally:
        restored.close()
    r = runner.invoke(app, ["audit", "verify", "-w", str(tmp_path / "w2")], env=target_env)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["plan", "-w", str(tmp_path / "w2"), "--json", "--no-bound", "--out",
                            str(tmp_path / "out")], env=target_env)
    assert r.exit_code == 0, r.output


def test_backup_and_restore_refuse_bad_input(store: Store, tmp_path: Path, backend_env: dict[str, str],
                                             target_env: dict[str, str]) -> None:
    r = runner.invoke(app, ["backup", "-w", str(store.path), "--out", str(tmp_path / "snap.tar"), "--json"],
                      env=backend_env)
    assert r.exit_code == 0, r.output
    snap = tmp_path / "snap.tar"
    assert json.loads(r.output)["file"] == str(snap) and bk.read_manifest(snap)["backend"] in {"sqlite",
                                                                                               "postgresql"}
    r = runner.invoke(app, ["backup", "-w", str(store.path), "--out", str(snap)], env=backend_env)
    assert r.exit_code == 2 and "already exists" in r.output
    with pytest.raises(bk.BackupError, match="already exists"):
        bk.backup(store, snap)
    with pytest.raises(bk.BackupError, match="inside the workspace"):
        bk.backup(store, store.path / "b.tar")
    key = tmp_path / "key.json"
    key.write_text((store.path / KEY_FILE).read_text())
    r = runner.invoke(app, ["keys", "export", "-w", str(store.path), "--out", str(key)], env=backend_env)
    assert r.exit_code == 2 and "already exists" in r.output  # a key file is never overwritten
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "something").write_text("x")
    with pytest.raises(bk.BackupError, match="already exists; evac restores only into a new"):
        bk.restore(snap, occupied, key_file=key, env=target_env)
    env = {k: v for k, v in target_env.items() if k != "EVAC_KEY"}
    with pytest.raises(bk.BackupError, match="holds no key"):
        bk.restore(snap, tmp_path / "w2", env=env)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(KeyRing({1: b"w" * 32}).dumps())
    with pytest.raises(bk.BackupError, match="this key does not open"):
        bk.restore(snap, tmp_path / "w2", key_file=wrong, env=target_env)
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file at all" * 100)
    with pytest.raises(bk.BackupError, match="not an evac backup"):
        bk.restore(junk, tmp_path / "w2", key_file=key, env=target_env)
    r = runner.invoke(app, ["restore", str(junk), "-w", str(tmp_path / "w2"), "--key", str(key)], env=target_env)
    assert r.exit_code == 2 and "not an evac backup" in r.output
    damaged = tmp_path / "damaged.tar"  # one byte of the database changed: the checksum says so
    with tarfile.open(snap) as src, tarfile.open(damaged, "w") as dst:
        for m in src.getmembers():
            data = bytearray(src.extractfile(m).read())  # type: ignore[union-attr]
            if m.name != bk.MANIFEST:
                data[len(data) // 2] ^= 0xFF
            m.size = len(data)
            dst.addfile(m, io.BytesIO(bytes(data)))
    with pytest.raises(bk.BackupError, match="does not match its checksum"):
        bk.restore(damaged, tmp_path / "w2", key_file=key, env=target_env)
    assert not (tmp_path / "w2").exists()  # nothing left behind
    if "EVAC_DATABASE_URL" in backend_env:
        with pytest.raises(bk.BackupError, match="cannot be restored into sqlite"):
            bk.restore(snap, tmp_path / "w3", key_file=key, env={k: v for k, v in target_env.items()
                                                                   if k != "EVAC_DATABASE_URL"})
        with pytest.raises(bk.BackupError, match="already has tables"):  # the source database itself
            bk.restore(snap, tmp_path / "w3", key_file=key, env=backend_env)
    else:
        with pytest.raises(bk.BackupError, match="no such file"):
            bk.restore(tmp_path / "missing.tar", tmp_path / "w3", key_file=key, env=target_env)


def test_restore_failing_half_way_leaves_nothing(store: Store, tmp_path: Path, target_env: dict[str, str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    snap = bk.backup(store, tmp_path / "snap.tar").path
    key = tmp_path / "key.json"
    key.write_text((store.path / KEY_FILE).read_text())
    real = bk._extract

    def half(archive: Path, manifest: dict[str, object], dst: Path) -> None:
        real(archive, manifest, dst)
        raise OSError("disk full")

    monkeypatch.setattr(bk, "_extract", half)
    with pytest.raises(OSError, match="disk full"):
        bk.restore(snap, tmp_path / "w2", key_file=key, env=target_env)
    monkeypatch.undo()
    assert not (tmp_path / "w2").exists()
    if "EVAC_DATABASE_URL" in target_env:
        eng = create_engine(target_env["EVAC_DATABASE_URL"])
        with eng.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar() == 0
        eng.dispose()
    assert bk.restore(snap, tmp_path / "w2", key_file=key, env=target_env).audit.ok  # and then it works


def test_backup_failing_half_way_leaves_no_file(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    out = tmp_path / "b"
    out.mkdir()

    def boom(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(tarfile.TarFile, "add", boom)
    with pytest.raises(OSError, match="disk full"):
        bk.backup(store, out / "snap.tar")
    assert list(out.iterdir()) == []
