"""Write registry records as a consular list (CSV) that ``evac registry import`` reads back.

Used by ``evac generate population --duplicates RATE`` to make a messy synthetic list for
de-duplication trials; the truth (which records are the same person) goes to a separate file. Also the
writer of an import's rejects file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evac.adapters import csv_safe

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from evac.core.registry.records import Record

COLUMNS = ("id", "surname", "first name", "middle name", "surname (latin)", "first name (latin)",
           "patronymic_latin", "birth date", "sex", "nationality", "phone", "passport", "address", "city", "household",
           "relationship", "category", "vulnerabilities", "willingness")


def record_row(r: Record) -> list[str]:
    return [
        r.external_id, r.family, r.given, r.patronymic, r.family_latin, r.given_latin, r.patronymic_latin,
        r.birth.iso(),
        r.sex.value if r.sex else "", ",".join(r.nationalities), r.phone, r.document, r.address, r.city,
        r.household_key, r.relation.value if r.relation else "", r.category.value,
        ";".join(sorted(v.value for v in r.vulnerabilities)), r.willingness.value,
    ]


def write_records_csv(records: Iterable[Record], path: Path) -> int:
    """Write ``records`` as UTF-8 CSV with a header row, formulas neutralised, mode 0600 (atomic replace);
    returns the number of rows."""
    return csv_safe.write_private_csv(path, COLUMNS, (record_row(r) for r in records))


def write_rejects(path: Path, problems: Iterable[tuple[int, str, str]]) -> int:
    """``FILE.rejects.csv``: line, field and reason of every bad field — no value from the row (the reasons
    name none, see :class:`~evac.adapters.importers.tabular.RowError`); mode 0600 all the same."""
    return csv_safe.write_private_csv(path, ("line", "field", "reason"), problems)
