"""Re-importing a list updates its people by external id (issue 13), all or nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
import typer
from registry_factory import ROWS_RU, ru_csv
from typer.testing import CliRunner

from evac.adapters.importers.tabular import read_table
from evac.adapters.store import repository
from evac.adapters.store.workspace import init_workspace
from evac.cli.registry import init_cli, registry_app
from evac.core.model.people import Willingness
from evac.services import registry as svc

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from evac.adapters.store.workspace import Store


@pytest.fixture
def store(tmp_path: Path, backend_env: dict[str, str]) -> Iterator[Store]:
    s = init_workspace(tmp_path / "ws", backend_env)
    yield s
    s.close()


def _import(store: Store, path: Path) -> svc.ImportResult:
    t = read_table(path)
    return svc.import_records(uow=store.uow(), file_name=path.name, sha256=t.sha256, records=t.records,
                              problems=[], rows=t.rows)


def _snapshot(store: Store) -> list[tuple[str, str, str, str, int]]:
    with store.uow() as uow:
        return sorted((s.record.external_id, s.record.display_name, s.record.birth.iso(), s.record.phone,
                       s.household_id) for s in uow.registry.active())


def test_same_file_twice_adds_no_copy(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    first = _import(store, f)
    before = _snapshot(store)
    again = _import(store, f)
    assert (first.imported, first.updated) == (6, 0)
    assert (again.imported, again.updated, again.households) == (0, 6, 0)
    assert _snapshot(store) == before
    assert {s.record.external_id for s in svc.find(uow=store.uow(), query="ivanova")} == {"A1", "A4"}


def test_corrected_list_updates_fields_and_search_and_adds_new_rows(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    _import(store, f)
    with store.uow() as uow:
        hh = uow.registry.by_external_id("A1").household_id
    fixed = [r.replace("A5;Петров;Иван;;;М;RU;;;Aleppo;;", "A5;Петровский;Иван;;1960;М;RU;;;Aleppo;;")
             for r in ROWS_RU]
    f.write_text(ru_csv([*fixed, "A7;Сидорова;Ольга;;1985;Ж;RU;;;Homs;;"]), encoding="utf-8")
    assert not read_table(f).errors
    res = _import(store, f)
    assert (res.imported, res.updated) == (1, 6)
    assert svc.find(uow=store.uow(), query="петров") == []
    [a5] = svc.find(uow=store.uow(), query="петровский")
    assert a5.record.external_id == "A5" and a5.record.birth.iso() == "1960"
    with store.uow() as uow:
        assert uow.registry.count() == 7
        assert uow.registry.by_external_id("A1").household_id == hh  # membership kept


def test_willingness_change_on_reimport_is_kept_in_history(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text("id,surname,name,willingness\nW1,Ivanova,Anna,\n", encoding="utf-8")
    _import(store, f)
    f.write_text("id,surname,name,willingness\nW1,Ivanova,Anna,yes\n", encoding="utf-8")
    _import(store, f)
    with store.uow() as uow:
        assert uow.registry.by_external_id("W1").record.willingness is Willingness.WANTS_TO_LEAVE
        from sqlalchemy import func, select

        from evac.adapters.store.orm import WillingnessRow

        assert uow.session.scalar(select(func.count()).select_from(WillingnessRow)) == 2


def test_reimport_failing_halfway_changes_nothing(store: Store, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [f"C{i};Петрова;Мария;;01.01.1980;Ж;RU;;;Homs;;" for i in range(30)]
    f = tmp_path / "big.csv"
    f.write_text(ru_csv(rows), encoding="utf-8")
    _import(store, f)
    before = _snapshot(store)
    # The corrected list renames everyone and adds ten people; the store fails on the 25th update.
    f.write_text(ru_csv([r.replace("Петрова", "Смирнова") for r in rows]
                        + [f"N{i};Новая;Анна;;;Ж;RU;;;Homs;;" for i in range(10)]), encoding="utf-8")
    monkeypatch.setattr(repository, "BATCH", 10)
    real = repository.SqlRegistry.update_person
    calls = {"n": 0}

    def boom(self: repository.SqlRegistry, **kw: object) -> None:
        calls["n"] += 1
        if calls["n"] == 25:
            raise RuntimeError("power cut")
        real(self, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(repository.SqlRegistry, "update_person", boom)
    with pytest.raises(RuntimeError):
        _import(store, f)
    monkeypatch.undo()
    assert calls["n"] == 25  # two batches were flushed before the failure
    assert _snapshot(store) == before
    assert svc.find(uow=store.uow(), query="смирнова") == []
    assert len(svc.find(uow=store.uow(), query="петрова", limit=100)) == 30


def test_list_imported_twice_before_the_fix_is_refused_with_a_way_out(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    t = read_table(f)
    with store.uow() as uow:  # what the old importer did: a second copy of every row
        for _ in range(2):
            imp = uow.registry.add_import(file_name=f.name, sha256=t.sha256, rows=t.rows, rejected=0)
            hid = uow.registry.add_household(label="x", import_id=imp, city="homs", evidence=())
            for line, rec in t.records:
                uow.registry.add_person(record=rec, line=line, import_id=imp, household_id=hid,
                                        relation=rec.relation or repository.Relation.HEAD,
                                        eligibility=repository.Eligibility.CITIZEN, reason="")
        uow.commit()
    before = _snapshot(store)
    with pytest.raises(svc.RegistryError, match=r"imported twice; merge those copies"):
        _import(store, f)
    assert _snapshot(store) == before


def test_merge_into_itself_says_so(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    _import(store, f)
    with pytest.raises(svc.RegistryError, match="given twice: a record cannot be merged into itself"):
        svc.merge(uow=store.uow(), kept="A1", merged="A1")


def test_cli_reimport_and_merge_same_id(tmp_path: Path) -> None:
    app = typer.Typer()
    app.add_typer(registry_app, name="registry")
    app.command("init")(init_cli)
    runner = CliRunner()
    env = {"EVAC_DATABASE_URL": "", "EVAC_KEY": ""}
    ws = str(tmp_path / "ws")
    assert runner.invoke(app, ["init", ws], env=env).exit_code == 0
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    for expected in ((6, 0), (0, 6)):
        r = runner.invoke(app, ["registry", "import", str(f), "-w", ws, "--json", "--no-dedup"], env=env)
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout)
        assert (out["imported"], out["updated"]) == expected
    r = runner.invoke(app, ["registry", "merge", "A1", "A1", "-w", ws], env=env)
    assert r.exit_code == 2 and "cannot be merged into itself" in r.output and "Traceback" not in r.output
