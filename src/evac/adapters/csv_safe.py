"""CSV that a spreadsheet opens without running anything: formula injection neutralised (OWASP).

A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice and
Google Sheets as a formula (``=HYPERLINK(…)``, ``@SUM(…)``, DDE), so a name typed as ``=cmd|' /C calc'!A0``
in a consular list would run on a border official's machine when they open manifest.csv. Every CSV evac
writes goes through :func:`writer`, which prefixes such a cell with a single quote (the spreadsheet then
shows it as text, quote hidden); evac's own importer strips that quote again (:func:`restore`), so a list
evac wrote reads back unchanged.
"""

from __future__ import annotations

import csv
import os
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, prefixed with ``'`` when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(TRIGGERS) else text


def restore(text: str) -> str:
    """Undo :func:`neutralise` on a cell read back (a quote before a trigger character only)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(TRIGGERS) else text


class SafeWriter:
    """``csv.writer`` whose every cell is :func:`neutralise`-d."""

    def __init__(self, fh: IO[str], **kw: Any) -> None:
        self._w = csv.writer(fh, **kw)

    def writerow(self, row: Iterable[object]) -> None:
        self._w.writerow([neutralise(c) for c in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(fh: IO[str], **kw: Any) -> SafeWriter:
    return SafeWriter(fh, **kw)


def write_private_csv(path: Path, header: Iterable[object], rows: Iterable[Iterable[object]]) -> int:
    """Write a CSV atomically with mode 0600 (it may describe people); returns the rows written."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = writer(fh)
            w.writerow(header)
            for row in rows:
                w.writerow(row)
                n += 1
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n
