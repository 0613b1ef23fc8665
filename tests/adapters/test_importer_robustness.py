"""Importer robustness (issue 13): snake_case headers, and one cp1251 line in a UTF-8 file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from evac.adapters.importers.tabular import ImportFormatError, header_key, load_mapping, read_table
from evac.core.model.people import PartialDate

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("header", [
    "external_id,family_name,given_name,birth_date,phone_number,passport_number",
    "External-ID,Family-Name,Given-Name,Birth-Date,Phone Number,PASSPORT_NUMBER",
    "\ufeffEXTERNAL ID,FAMILY  NAME,given  name,birth_date,phone,passport",
])
def test_headers_match_whatever_their_case_spaces_underscores_and_dashes(tmp_path: Path, header: str) -> None:
    f = tmp_path / "list.csv"
    f.write_text(f"{header}\nX1,Ivanova,Anna,1975-03-12,0944 123 456,75 1234567\n", encoding="utf-8")
    t = read_table(f)
    assert set(t.columns.values()) == {"external_id", "family", "given", "birth", "phone", "document"}
    r = t.records[0][1]
    assert (r.external_id, r.family, r.given, r.birth, r.phone) == (
        "X1", "Ivanova", "Anna", PartialDate(1975, 3, 12), "+963944123456")


def test_header_key_and_mapping_use_the_same_normal_form(tmp_path: Path) -> None:
    assert header_key(" Date_of-Birth ") == "date of birth"
    m = tmp_path / "map.yaml"
    m.write_text("columns:\n  Nom_De_Famille: family\n  Prenom: given\n", encoding="utf-8")
    f = tmp_path / "fr.csv"
    f.write_text("nom de famille,PRENOM\nHaddad,Layla\n", encoding="utf-8")
    assert read_table(f, mapping=load_mapping(m)).records[0][1].family == "Haddad"


def test_snake_case_header_without_a_name_column_is_still_refused(tmp_path: Path) -> None:
    f = tmp_path / "noname.csv"
    f.write_text("external_id,birth_date,phone_number\nX1,1975,0944123456\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="no name column"):
        read_table(f)


def _mixed(tmp_path: Path) -> Path:
    head = "id;Фамилия;Имя;Дата рождения\n".encode()
    rows = [
        "A1;Иванова;Анна;12.03.1975\n".encode(),
        "A2;Петрова;Мария;01.07.1980\n".encode("cp1251"),  # pasted from an old list
        "A3;Сидорова;Ольга;05.05.1985\n".encode(),
        b"A4;Smith;Jane;1990\n",
    ]
    f = tmp_path / "mixed.csv"
    f.write_bytes(head + b"".join(rows))
    return f


def test_one_cp1251_line_in_a_utf8_file_is_decoded_alone_and_reported(tmp_path: Path) -> None:
    t = read_table(_mixed(tmp_path))
    assert t.encoding == "utf-8" and t.fallback_lines == (3,)
    assert [r.family for _, r in t.records] == ["Иванова", "Петрова", "Сидорова", "Smith"]
    assert t.decoding == "utf-8 (line 3 read as cp1251)"


def test_whole_cp1251_file_is_still_cp1251_without_per_line_report(tmp_path: Path) -> None:
    f = tmp_path / "old.csv"
    f.write_bytes("id;Фамилия;Имя\nA1;Иванова;Анна\nA2;Петрова;Мария\n".encode("cp1251"))
    t = read_table(f)
    assert (t.encoding, t.fallback_lines, t.decoding) == ("cp1251", (), "cp1251")
    assert t.records[1][1].family == "Петрова"


def test_bom_file_with_a_cp1251_line(tmp_path: Path) -> None:
    f = tmp_path / "bom.csv"
    f.write_bytes(b"\xef\xbb\xbf" + "id;Фамилия;Имя\nA1;Иванова;Анна\n".encode()
                  + "A2;Петрова;Мария\n".encode("cp1251"))
    t = read_table(f)
    assert (t.encoding, t.fallback_lines) == ("utf-8-sig", (3,))
    assert [r.family for _, r in t.records] == ["Иванова", "Петрова"]


def test_line_in_neither_encoding_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "broken.csv"
    # 0x98 is undefined in cp1251 and not valid UTF-8 on its own.
    f.write_bytes("id;Фамилия;Имя\nA1;Иванова;Анна\n".encode() + b"A2;\x98\x98;X\n")
    with pytest.raises(ImportFormatError, match=r"broken.csv:3: neither UTF-8 nor cp1251"):
        read_table(f)
