"""Reading lists: encodings, headers, mappings, dates, phones, and errors that name file, line and field."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from registry_factory import ru_csv

from evac.adapters.importers.tabular import ImportFormatError, load_mapping, parse_date, parse_phone, read_table
from evac.core.model.people import PartialDate, Relation, Sex

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
def test_encodings_and_russian_headers(tmp_path: Path, encoding: str) -> None:
    f = tmp_path / "list.csv"
    f.write_bytes(ru_csv()[:ru_csv().index("A6")].encode(encoding))
    t = read_table(f)
    assert t.encoding == encoding and not t.errors
    first = t.records[0][1]
    assert (first.family, first.birth, first.sex, first.phone) == ("Иванова", PartialDate(1975, 3, 12), Sex.FEMALE,
                                                                  "+963944123456")
    third = t.records[2][1]
    assert third.birth == PartialDate(2005, 6) and third.relation is Relation.CHILD and third.nationalities == (
        "RU", "SY")
    assert t.records[4][1].birth == PartialDate()


def test_header_below_a_title_and_mapping_file(tmp_path: Path) -> None:
    f = tmp_path / "list.csv"
    f.write_text("Consulate list Jan 2013,,\nRef,Nom,Prenom,Naissance\nX1,Ivanova,Anna,1975\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="no header line"):
        read_table(f)
    m = tmp_path / "map.yaml"
    m.write_text("columns:\n  Ref: external_id\n  Nom: family\n  Prenom: given\n  Naissance: birth\n")
    t = read_table(f, mapping=load_mapping(m))
    assert t.header_line == 2 and t.records[0][1].external_id == "X1" and t.records[0][1].birth == PartialDate(1975)
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  Ref: shoe_size\n")
    with pytest.raises(ImportFormatError, match=r"bad.yaml: columns.Ref: unknown field 'shoe_size'"):
        load_mapping(bad)


def test_xlsx(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["ID", "Surname", "First name", "Date of birth", "Phone"])
    ws.append(["X1", "Ivanova", "Anna", dt.datetime(1975, 3, 12), "+963 944 123 456"])
    ws.append(["X2", "Petrova", "Olga", "1980", None])
    f = tmp_path / "list.xlsx"
    wb.save(f)
    t = read_table(f)
    assert [r.birth for _, r in t.records] == [PartialDate(1975, 3, 12), PartialDate(1980)]


def test_row_errors_name_line_and_field(tmp_path: Path) -> None:
    f = tmp_path / "list.csv"
    f.write_text("id,surname,name,birth date,phone,sex\nX1,Ivanova,Anna,31.02.1975,12,Q\nX1,Petrova,Olga,,,\n"
                 "X1,Sidorova,Olga,,,\n", encoding="utf-8")
    t = read_table(f)
    got = {(e.line, e.field) for e in t.errors}
    assert got == {(2, "birth"), (2, "phone"), (2, "sex"), (4, "external_id")}
    assert len(t.records) == 1


def test_values() -> None:
    assert parse_date("05.1980") == PartialDate(1980, 5)
    assert parse_date("1980-05-07") == PartialDate(1980, 5, 7)
    with pytest.raises(ValueError, match="not a date"):
        parse_date("yesterday")
    assert parse_phone("0944 123 456", "SY") == "+963944123456"
    assert parse_phone("+7 916 123-45-67", "SY") == "+79161234567"


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="No such file"):
        read_table(tmp_path / "missing.csv")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(ImportFormatError, match="unknown file type"):
        read_table(tmp_path / "x.pdf")
    f = tmp_path / "x.xlsx"
    f.write_bytes(b"not a zip")
    with pytest.raises(ImportFormatError, match="not a readable XLSX"):
        read_table(f)
