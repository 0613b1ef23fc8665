"""The situation report (:mod:`evac.services.sitrep`) as CSV for spreadsheets and as a one-to-two page PDF.

The CSV is long-format: one row per number or event, ``section,item,place,time,count,detail`` — a
spreadsheet can filter and pivot it, and a script can read it without knowing the layout. Every cell that
a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return first) gets a leading
quote, as OWASP advises for CSV exports. The PDF uses the bundled fonts of the passes (Cyrillic and Arabic
place names render), and fpdf2's tables.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from fpdf.fonts import FontFace

from evac.adapters.csv_safe import neutralise
from evac.adapters.passes.pdf import new_document

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from fpdf import FPDF

COLUMNS = ("section", "item", "place", "time", "count", "detail")


def _when(at: datetime | None) -> str:
    return "" if at is None else f"{at:%Y-%m-%d %H:%M} UTC"


def _short(at: datetime) -> str:
    return f"{at:%d %b %H:%M}"


def sitrep_rows(report: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """The report flattened to ``COLUMNS`` rows (strings), in the order a reader scans it."""
    rows: list[tuple[str, str, str, str, str, str]] = []

    def add(section: str, item: str, place: str = "", at: datetime | None = None, count: object = "",
            detail: str = "") -> None:
        rows.append((section, item, place, _when(at), "" if count is None else str(count), detail))

    add("report", "generated", at=report["generated_at"], detail=f"scenario {report['scenario']}, "
        f"plan generation {report['generation']}")
    add("report", "period from", at=report["period_from"], count=report["hours"], detail="hours")
    add("numbers", "people", count=report["people"])
    add("numbers", "safe", count=report["safe"])
    add("numbers", "unaccounted", count=report["unaccounted"])
    for status, n in report["totals"].items():
        add("status", status, count=n)
    for place, row in report["by_place"].items():
        for status, n in sorted(row.items()):
            add("status by place", status, place=place, count=n)
    for kind, n in report["activity"].items():
        add("last period", kind, count=n)
    for i in report["incidents"]:
        add("incident", i["kind"], place=i["subject"], at=i["at"], detail=i["detail"])
    for c in report["closures_posted"]:
        add("closure posted", c["name"], place=c["target"], at=c["at"], detail=f"recorded {_when(c['recorded'])}")
    for c in report["closures_expected"]:
        add("closure expected", c["name"], place=c["target"], at=c["at"], detail=c["threat"])
    for d in report["next_departures"]:
        add("next departure", d["trip"], place=d["from"], at=d["depart"], count=d["people"],
            detail=f"{d['vehicle']} to {d['to']}")
    for p in report["plans"]:
        k = p["kpis"]
        add("plan", f"generation {p['generation']}{' (active)' if p['active'] else ''}", count=k.get("safe"),
            detail=f"{p['reason']}; travelling {k.get('travelling')}, left behind {k.get('left_behind')}")
    return rows


def sitrep_csv(report: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for row in sitrep_rows(report):
        w.writerow(tuple(neutralise(v) for v in row))
    return buf.getvalue()


def sitrep_pdf(report: dict[str, Any]) -> bytes:
    """The report on A4: headline numbers, the period's activity and incidents, closures, departures."""
    pdf = new_document()
    pdf.add_page()
    pdf.set_font("dejavu", size=15)
    pdf.cell(0, 9, "Situation report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", size=9)
    pdf.cell(0, 6, f"{_when(report['period_from'])} – {_when(report['period_to'])} · scenario "
             f"{report['scenario']} · plan generation {report['generation']}", new_x="LMARGIN", new_y="NEXT")
    _table(pdf, "Numbers", ("people", "safe", "unaccounted", "boarded", "departed", "no-show"),
           [(report["people"], report["safe"], report["unaccounted"], report["totals"].get("boarded", 0),
             report["totals"].get("departed", 0), report["totals"].get("no_show", 0))])
    _table(pdf, f"Last {report['hours']:g} hours", tuple(k.replace("_", " ") for k in report["activity"]),
           [tuple(report["activity"].values())])
    _table(pdf, "Incidents", ("time (UTC)", "kind", "subject", "detail"),
           [(_short(i["at"]), i["kind"], i["subject"], i["detail"]) for i in report["incidents"]], (2, 2, 3, 5))
    _table(pdf, "Closures", ("from (UTC)", "what", "source"),
           [(_short(c["at"]), c["name"], c["source"])
            for c in sorted([*report["closures_posted"], *report["closures_expected"]], key=lambda c: c["at"])],
           (2, 7, 2))
    _table(pdf, "Next departures", ("time (UTC)", "trip", "vehicle", "from", "to", "people"),
           [(_short(d["depart"]), d["trip"], d["vehicle"], d["from"], d["to"], d["people"])
            for d in report["next_departures"]], (2, 1.5, 3.5, 3, 3, 1.2))
    statuses = [s for s in report["totals"] if any(s in row for row in report["by_place"].values())]
    _table(pdf, "By assembly point", ("place", *(s.replace("_", " ") for s in statuses)),
           [(place, *(row.get(s, 0) for s in statuses)) for place, row in report["by_place"].items()])
    return bytes(pdf.output())


def _table(pdf: FPDF, title: str, header: Sequence[str], rows: Iterable[Sequence[object]],
           widths: Sequence[float] | None = None) -> None:
    rows = list(rows)
    pdf.ln(3)
    pdf.set_font("dejavu", size=11)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", size=7 if len(header) > 6 else 8)
    if not rows:
        pdf.cell(0, 5, "none", new_x="LMARGIN", new_y="NEXT")
        return
    with pdf.table(headings_style=FontFace(fill_color=(230, 230, 230)),
                   line_height=5, first_row_as_headings=True,
                   col_widths=tuple(widths) if widths is not None else None) as table:
        table.row([str(h) for h in header])
        for r in rows:
            table.row(["" if v is None else str(v) for v in r])
