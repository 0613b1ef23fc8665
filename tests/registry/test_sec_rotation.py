"""Online key rotation (issue 16, item 1) on SQLite and PostgreSQL: a writer importing through the rotation,
a server left open through it, a rotation that dies half-way, a stale writer that seals with the old key."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest
from registry_factory import ru_csv
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from evac.adapters.importers.tabular import read_table
from evac.adapters.store import repository
from evac.adapters.store.audit_chain import verify
from evac.adapters.store.crypto import KEY_FILE, KeyError_, KeyRing
from evac.adapters.store.workspace import WorkspaceError, init_workspace, open_workspace, rotate_keys
from evac.cli.app import app
from evac.services import registry as svc

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from evac.adapters.store.workspace import Store

CITIES = ("Damascus", "Aleppo")


def _rows(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i};Петрова;Мария{prefix}{i};;01.01.19{50 + i % 40};Ж;RU;;;{CITIES[i % 2]};;"
            for i in range(n)]


def _import(store: Store, path: Path, text: str) -> svc.ImportResult:
    path.write_text(text, encoding="utf-8")
    t = read_table(path)
    return svc.import_records(uow=store.uow(), file_name=path.name, sha256=t.sha256, records=t.records,
                              problems=[], rows=t.rows)


def _everyone(store: Store) -> set[str]:
    with store.uow() as uow:
        return {s.record.external_id for s in uow.registry.active()}


def _stale(store: Store, version: int) -> int:
    with store.uow() as uow:
        return uow.registry.stale_count(version)


@pytest.fixture
def ws(tmp_path: Path, backend_env: dict[str, str]) -> Iterator[tuple[Path, Store]]:
    s = init_workspace(tmp_path / "ws", backend_env)
    _import(s, tmp_path / "base.csv", ru_csv())
    _import(s, tmp_path / "more.csv", ru_csv(_rows("B", 40)))
    yield tmp_path / "ws", s
    s.close()


class Writer(threading.Thread):
    """Imports small lists one after another through its own open workspace (a second process, in effect)
    until told to stop; ``done`` counts committed imports, ``ids`` the external ids acknowledged."""

    def __init__(self, store: Store, folder: Path) -> None:
        super().__init__(daemon=True)
        self.store, self.folder = store, folder
        self.stop = threading.Event()
        self.progress = threading.Condition()
        self.done = 0
        self.ids: set[str] = set()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                rows = _rows(f"W{self.done}x", 5)
                _import(self.store, self.folder / f"w{self.done}.csv", ru_csv(rows))
                with self.progress:
                    self.ids |= {r.split(";", 1)[0] for r in rows}
                    self.done += 1
                    self.progress.notify_all()
        except BaseException as exc:  # reported by the test
            self.error = exc
            with self.progress:
                self.progress.notify_all()

    def wait_for(self, n: int) -> None:
        with self.progress:
            # a safety net against a hang, not a timing assertion: a stuck writer fails the test
            assert self.progress.wait_for(lambda: self.done >= n or self.error is not None, timeout=300), \
                "the writer made no progress in 300 s"
        if self.error is not None:
            raise AssertionError(f"the writer failed: {self.error!r}") from self.error


def test_rotation_with_a_writer_running_and_a_server_left_open(ws: tuple[Path, Store], tmp_path: Path,
                                                               backend_env: dict[str, str]) -> None:
    path, rotator = ws
    server = open_workspace(path, backend_env)  # opened before the rotation, never reopened
    writer_store = open_workspace(path, backend_env)
    assert {s.record.external_id for s in svc.find(uow=server.uow(), query="ivanova")} == {"A1", "A4"}
    writer = Writer(writer_store, tmp_path)
    writer.start()
    try:
        writer.wait_for(1)

        def interleave(_: int) -> None:  # after every batch, let the writer commit one more import
            writer.wait_for(writer.done + 1)

        rotate_keys(rotator, backend_env, batch=7, on_batch=interleave)
        writer.wait_for(writer.done + 2)  # and it goes on writing after the rotation
    finally:
        writer.stop.set()
        writer.join(timeout=300)
    assert writer.error is None
    assert server.keys.current.version == 1  # the server has not noticed anything yet
    fresh = open_workspace(path, backend_env)
    try:
        assert list(fresh.keys.keys) == [2]
        everyone = _everyone(fresh)  # every row opens with the new key alone
        assert writer.ids <= everyone and {"A1", "A4", "B0", "B39"} <= everyone
        assert _stale(fresh, 2) == 0
        with Session(fresh.engine) as s:
            assert verify(s, fresh.keys).ok
        # the server left open reads and searches on (it reloads the ring on meeting version 2)
        assert {s.record.external_id for s in svc.find(uow=server.uow(), query="ivanova")} == {"A1", "A4"}
        assert len(_everyone(server)) == len(everyone)
        assert server.keys.current.version == 2
        svc.dedup(uow=fresh.uow())
        assert ("A1", "A4") in {(a.record.external_id, b.record.external_id) for a, b, *_ in
                                svc.dupes(uow=fresh.uow())}
        assert rotate_keys(fresh, backend_env) == len(everyone)  # another rotation works
        assert list(fresh.keys.keys) == [3]
    finally:
        fresh.close()
        server.close()
        writer_store.close()
    r = CliRunner().invoke(app, ["plan", "-w", str(path), "--json", "--no-bound", "--out", str(tmp_path / "out")],
                           env=backend_env)
    assert r.exit_code == 0, r.output


def test_a_writer_that_seals_with_the_old_key_during_rotation_is_read_and_resealed(
        ws: tuple[Path, Store], tmp_path: Path, backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    path, rotator = ws
    old = KeyRing(dict(rotator.keys.masters))  # a copy of version 1 that never reloads
    stale = open_workspace(path, backend_env)
    stale.keys = old
    calls = {"n": 0}

    def stale_write(_: int) -> None:
        calls["n"] += 1
        if calls["n"] == 1:  # a writer that skipped the key_current check seals with version 1
            with monkeypatch.context() as m:
                m.setattr(repository, "write_key", lambda s, ring: ring.current)
                _import(stale, tmp_path / "stale.csv", ru_csv(_rows("S", 3)))

    rotate_keys(rotator, backend_env, batch=5, on_batch=stale_write)
    stale.close()
    assert calls["n"] >= 1
    fresh = open_workspace(path, backend_env)
    try:
        assert list(fresh.keys.keys) == [2]
        assert {"S0", "S1", "S2"} <= _everyone(fresh)
        assert _stale(fresh, 2) == 0
        assert {"S0", "S1", "S2"} <= {s.record.external_id for s in svc.find(uow=fresh.uow(), query="Петрова",
                                                                           limit=1000)}
    finally:
        fresh.close()


def test_rotation_dying_half_way_loses_nothing_and_resumes(ws: tuple[Path, Store], backend_env: dict[str, str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path, store = ws
    before = _everyone(store)
    real = repository.SqlRegistry.reseal_batch
    calls = {"n": 0}

    def boom(self: repository.SqlRegistry, **kw: int) -> tuple[int, int | None]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return real(self, **kw)

    monkeypatch.setattr(repository.SqlRegistry, "reseal_batch", boom)
    with pytest.raises(RuntimeError):
        rotate_keys(store, backend_env, batch=10)
    monkeypatch.undo()
    assert sorted(KeyRing.loads((path / KEY_FILE).read_text(), where="k").masters) == [1, 2]
    again = open_workspace(path, backend_env)  # half re-sealed: both versions open
    try:
        assert _everyone(again) == before
        assert _stale(again, 2) > 0
        assert rotate_keys(again, backend_env) > 0  # resumes with version 2, does not add a third
        assert list(again.keys.keys) == [2] and _stale(again, 2) == 0
        assert _everyone(again) == before
    finally:
        again.close()


def test_rotation_bad_input(ws: tuple[Path, Store], backend_env: dict[str, str]) -> None:
    path, store = ws
    import base64

    with pytest.raises(WorkspaceError, match="EVAC_KEY is set"):
        rotate_keys(store, {**backend_env, "EVAC_KEY": base64.b64encode(b"k" * 32).decode()})
    rotate_keys(store, backend_env)
    old = KeyRing({1: b"x" * 32})
    (path / KEY_FILE).write_text(old.dumps())  # a key file that lacks the version the data names
    with pytest.raises(KeyError_, match="key version 2, which the key ring does not hold"):
        open_workspace(path, backend_env)


def test_rotation_reseals_the_enquiry_desk_calls(ws: tuple[Path, Store], backend_env: dict[str, str]) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from evac.adapters.store.enquiries import OpEnquiryRow, SqlEnquiries
    from evac.services.enquiry import EnquiryDraft

    path, store = ws
    draft = EnquiryDraft(person_id="R0000001", outcome="answered", caller_name="Ольга Сидорова",
                         caller_contact="+79161234567", relation="sister", question="where?", answer="registered",
                         note="")
    with Session(store.engine) as s:
        SqlEnquiries(s, store.keys).add(draft, actor="desk", at=datetime.now(UTC))
        s.commit()
    rotate_keys(store, backend_env)
    fresh = open_workspace(path, backend_env)
    try:
        assert list(fresh.keys.keys) == [2]
        with Session(fresh.engine) as s:
            assert set(s.scalars(select(OpEnquiryRow.key_version))) == {2}
            [got] = SqlEnquiries(s, fresh.keys).list()
        assert (got.caller_name, got.caller_contact) == (draft.caller_name, draft.caller_contact)
    finally:
        fresh.close()
