"""The store on SQLite and PostgreSQL: imports all-or-nothing, search, encryption at rest, rotation, merges."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import TYPE_CHECKING, NoReturn

import pytest
from registry_factory import ROWS_RU, ru_csv

from evac.adapters.importers.tabular import read_table
from evac.adapters.store import repository
from evac.adapters.store.crypto import KeyError_
from evac.adapters.store.workspace import DB_FILE, WorkspaceError, init_workspace, open_workspace, rotate_keys
from evac.core.model.people import Eligibility
from evac.services import registry as svc

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from evac.adapters.store.workspace import Store


def _import(store: Store, path: Path, *, accept_valid: bool = False) -> svc.ImportResult:
    t = read_table(path)
    return svc.import_records(uow=store.uow(), file_name=path.name, sha256=t.sha256, records=t.records,
                              problems=[(e.line, e.field, e.reason) for e in t.errors], rows=t.rows,
                              accept_valid=accept_valid)


def _count(store: Store) -> int:
    with store.uow() as uow:
        return uow.registry.count()


@pytest.fixture
def store(tmp_path: Path, backend_env: dict[str, str]) -> Store:
    s = init_workspace(tmp_path / "ws", backend_env)
    yield s
    s.close()


def test_import_households_eligibility_and_find(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    res = _import(store, f)
    assert (res.imported, res.rejected) == (6, 0)
    found = svc.find(uow=store.uow(), query="ivanova")
    assert {s.record.external_id for s in found} == {"A1", "A4"}
    for q in ("Иванова", "IVANOWA", "Ivanova Anna"):
        assert {s.record.external_id for s in svc.find(uow=store.uow(), query=q)} == {"A1", "A4"}
    husband = svc.find(uow=store.uow(), query="Mohammed", city="damascus")
    assert [s.record.external_id for s in husband] == ["A2"]
    assert husband[0].eligibility is Eligibility.FAMILY_MEMBER
    assert husband[0].eligibility_reason == "spouse of citizen A1"
    assert {s.record.external_id for s in svc.find(uow=store.uow(), query="محمد")} == {"A2", "A6"}
    hh = husband[0].household_id
    assert {s.record.external_id for s in svc.find(uow=store.uow(), query="халаби", household=hh)} == {"A2", "A3"}
    assert svc.find(uow=store.uow(), query="ivanova", city="aleppo") == []


def test_bad_rows_reject_the_whole_file(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(ru_csv([*ROWS_RU, "B1;Сидорова;Ольга;;31.02.1980;Ж;RU;;;Homs;;"]), encoding="utf-8")
    with pytest.raises(svc.ImportRejected, match=r"line 8: birth"):
        _import(store, f)
    assert _count(store) == 0
    res = _import(store, f, accept_valid=True)
    assert (res.imported, res.rejected) == (6, 1)


def test_crash_halfway_leaves_the_store_as_it_was(store: Store, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    _import(store, f)
    before = _count(store)
    big = tmp_path / "big.csv"
    big.write_text(ru_csv([f"C{i};Петрова;Мария;;01.01.1980;Ж;RU;;;Homs;;" for i in range(30)]), encoding="utf-8")
    monkeypatch.setattr(repository, "BATCH", 10)  # flush every 10 rows, then fail on the 25th person
    real = repository.SqlRegistry.add_person
    calls = {"n": 0}

    def boom(self: repository.SqlRegistry, **kw: object) -> int:
        calls["n"] += 1
        if calls["n"] == 25:
            raise RuntimeError("power cut")
        return real(self, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(repository.SqlRegistry, "add_person", boom)
    with pytest.raises(RuntimeError):
        _import(store, big)
    monkeypatch.undo()
    assert _count(store) == before
    assert svc.find(uow=store.uow(), query="maria petrova") == []


def test_nothing_sensitive_in_clear(store: Store, tmp_path: Path, backend_env: dict[str, str],
                                    unavailable: Callable[[str], NoReturn]) -> None:
    marker = "Zqxjmarker"
    f = tmp_path / "m.csv"
    f.write_text("id,surname,name,phone,passport,address,city\n"
                 f"M1,{marker}ova,{marker},+963 944 987 654,ZX{marker.upper()}77,{marker} street 5,Homs\n",
                 encoding="utf-8")
    _import(store, f)
    assert [s.record.external_id for s in svc.find(uow=store.uow(), query=marker + "ova")] == ["M1"]
    store.close()
    needles = [marker, marker.lower(), marker.upper(), "944987654", "963944987654"]
    encoded = [n.encode(enc) for n in needles for enc in ("utf-8", "utf-16-le", "utf-16-be")]
    if "EVAC_DATABASE_URL" not in backend_env:
        blob = b"".join(p.read_bytes() for p in (tmp_path / "ws").glob(DB_FILE + "*"))
    else:
        pg_dump = shutil.which("pg_dump") or next(iter(sorted(
            __import__("glob").glob("/usr/lib/postgresql/*/bin/pg_dump"))), None)
        if pg_dump is None:
            unavailable("pg_dump is not installed (apt-get install postgresql-client)")
        url = backend_env["EVAC_DATABASE_URL"].replace("postgresql+psycopg", "postgresql")
        blob = subprocess.run([pg_dump, url], capture_output=True, check=True).stdout
        blob += subprocess.run([pg_dump, "--format=custom", "--compress=0", url], capture_output=True,
                               check=True).stdout
    for n in encoded:
        assert n not in blob.lower() and n not in blob


def test_rotate_keys_keeps_everything(store: Store, tmp_path: Path, backend_env: dict[str, str]) -> None:
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    _import(store, f)
    key_before = (tmp_path / "ws" / "evac.key").read_text()
    assert rotate_keys(store, backend_env) == 6
    assert (tmp_path / "ws" / "evac.key").read_text() != key_before
    reopened = open_workspace(tmp_path / "ws", backend_env)
    try:
        assert reopened.keys.current.version == 2 and list(reopened.keys.keys) == [2]
        assert {s.record.external_id for s in svc.find(uow=reopened.uow(), query="ivanova")} == {"A1", "A4"}
        with reopened.uow() as uow:
            assert {s.record.phone for s in uow.registry.active()} >= {"+963944123456"}
    finally:
        reopened.close()
    (tmp_path / "ws" / "evac.key").write_text(key_before)  # the old key no longer opens the data
    with pytest.raises(KeyError_):
        open_workspace(tmp_path / "ws", backend_env)


def test_merge_unmerge_reversible(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    _import(store, f)
    res = svc.dedup(uow=store.uow())
    pairs = {(a.record.external_id, b.record.external_id): d for a, b, _, d, _ in svc.dupes(uow=store.uow())}
    assert pairs.get(("A1", "A4")) == "match"
    assert res.people == 6
    svc.merge(uow=store.uow(), kept="A1", merged="A4")
    assert [s.record.external_id for s in svc.find(uow=store.uow(), query="ivanova")] == ["A1"]
    with pytest.raises(svc.RegistryError, match="already merged"):
        svc.merge(uow=store.uow(), kept="A1", merged="A4")
    svc.unmerge(uow=store.uow(), merged="A4")
    assert {s.record.external_id for s in svc.find(uow=store.uow(), query="ivanova")} == {"A1", "A4"}
    assert _count(store) == 6
    with pytest.raises(svc.RegistryError, match="not merged"):
        svc.unmerge(uow=store.uow(), merged="A4")
    with pytest.raises(svc.RegistryError, match="no record"):
        svc.merge(uow=store.uow(), kept="A1", merged="nobody")


def test_population_for_the_planner(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    _import(store, f)
    pop = svc.population(uow=store.uow())
    assert len(pop.people) == 6
    assert len({p.household_id for p in pop.people}) == len(pop.households)


def test_open_errors(tmp_path: Path, backend_env: dict[str, str]) -> None:
    with pytest.raises(WorkspaceError, match="no such workspace"):
        open_workspace(tmp_path / "nope", backend_env)
    s = init_workspace(tmp_path / "ws", backend_env)
    s.close()
    os.remove(tmp_path / "ws" / "evac.key")
    with pytest.raises(KeyError_, match="key file missing"):
        open_workspace(tmp_path / "ws", backend_env)
