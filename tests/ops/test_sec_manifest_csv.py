"""CSV exports neutralise formulas (issue 16, item 3): manifest.csv from the API, the consular-list writer and
the rejects file, with names a spreadsheet would otherwise run."""

from __future__ import annotations

import csv
import io
import stat
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from evac.adapters import csv_safe
from evac.adapters.importers.export import write_records_csv, write_rejects
from evac.adapters.importers.tabular import read_table
from evac.adapters.passes.pdf import manifest_csv

if TYPE_CHECKING:
    from pathlib import Path

    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store

EVIL = ["=HYPERLINK(\"http://x\",\"y\")", "+79161234567", "-2+3", "@SUM(A1:A9)", "\tTab", "\rCarriage",
        "=cmd|' /C calc'!A0"]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("value", EVIL)
def test_a_formula_cell_gets_a_quote(value: str) -> None:
    assert csv_safe.neutralise(value) == "'" + value
    assert csv_safe.restore(csv_safe.neutralise(value)) == value


@pytest.mark.parametrize("value", ["Ivanova", "'Ali", "Abd-al-Rahman", "", "O'Neil", "1975-03-12", "R0000001"])
def test_harmless_cells_are_left_alone(value: str) -> None:
    assert csv_safe.neutralise(value) == value
    assert csv_safe.restore(value) == value
    assert csv_safe.neutralise(None) == ""


def test_manifest_csv_neutralises_every_field() -> None:
    trip = {"id": "=T1", "passengers": [{"id": "R1", "household": "RH1", "name": n, "original": n, "birth": "-1",
                                         "sex": "F", "status": "@x"} for n in EVIL]}
    rows = _cells(manifest_csv(trip, role="admin"))
    assert rows[0] == ["trip", "id", "household", "name", "original", "birth", "sex", "status"]
    for row, name in zip(rows[1:], EVIL, strict=True):
        assert row[0] == "'=T1" and row[3] == row[4] == "'" + name and row[5] == "'-1" and row[7] == "'@x"
    for row in rows[1:]:
        assert not any(cell.startswith(csv_safe.TRIGGERS) for cell in row)


def test_manifest_csv_from_the_api_with_a_formula_name(api: tuple[TestClient, dict, Store]) -> None:
    client, h, store = api
    trip = client.get("/api/v1/trips", headers=h["officer"]).json()[0]["id"]
    pid = client.get(f"/api/v1/trips/{trip}", headers=h["officer"]).json()["passengers"][0]["id"]
    with store.uow() as uow:  # the consular list had a formula for a name
        st = uow.registry.get(int(pid[1:]))
        rec = replace(st.record, given="=HYPERLINK(\"http://evil\",\"x\")", given_latin="@SUM(1)", family="",
                      family_latin="")
        uow.registry.update_person(person_id=st.id, record=rec, line=1, import_id=None)
        uow.commit()
    body = client.get(f"/api/v1/trips/{trip}/manifest.csv", headers=h["admin"]).text
    rows = _cells(body)
    assert any(c.startswith("'=HYPERLINK") for r in rows for c in r), body[:400]
    assert not any(c.startswith(csv_safe.TRIGGERS) for r in rows for c in r)


def test_a_written_list_is_neutralised_private_and_reads_back_unchanged(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id;surname;first name;phone;city\n" + "".join(
        f"E{i};{name};Anna;+963 944 12{i:02d} 45;Homs\n".replace(";" + name + ";", f";\"{name}\";")
        for i, name in enumerate(["=Evil", "@Bad", "-Minus", "Plain"])), encoding="utf-8")
    records = [r for _, r in read_table(src).records]
    out = tmp_path / "out.csv"
    assert write_records_csv(records, out) == 4
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = _cells(out.read_text(encoding="utf-8"))
    assert not any(c.startswith(csv_safe.TRIGGERS) for r in rows for c in r)
    assert [r[1] for r in rows[1:]] == ["'=Evil", "'@Bad", "'-Minus", "Plain"]
    again = [r for _, r in read_table(out).records]
    assert [(r.family, r.phone) for r in again] == [(r.family, r.phone) for r in records]


def test_rejects_file_is_neutralised(tmp_path: Path) -> None:
    out = tmp_path / "x.rejects.csv"
    write_rejects(out, [(3, "=field", "-reason")])
    assert _cells(out.read_text()) == [["line", "field", "reason"], ["3", "'=field", "'-reason"]]
