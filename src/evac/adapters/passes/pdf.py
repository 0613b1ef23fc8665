"""Printable boarding passes and trip manifests (PDF, fpdf2 with HarfBuzz text shaping), and CSV manifests.

Names are printed in their original script and in Latin: Cyrillic with DejaVu Sans, Arabic with Noto
Naskh Arabic (shaped and laid out right-to-left by HarfBuzz through ``set_text_shaping``). Both fonts are
bundled in ``evac/data/fonts`` with their licences, so no system font is needed. The QR code (segno)
carries the signed pass token, nothing readable.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import segno
from fpdf import FPDF

from evac.adapters import csv_safe

if TYPE_CHECKING:
    from collections.abc import Sequence

FONTS = Path(__file__).resolve().parents[2] / "data" / "fonts"
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")

REDACTION: dict[str, tuple[str, ...]] = {
    # the fields a role may export for border authorities (admin can add --full at the CLI)
    "admin": ("id", "household", "name", "original", "birth", "sex", "status"),
    "planner": ("id", "household", "name", "birth", "sex", "status"),
    "field_officer": ("id", "household", "name", "status"),
    "viewer": ("id", "household", "status"),
}


def qr_png(data: str, *, scale: int = 5) -> bytes:
    buf = io.BytesIO()
    segno.make(data, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def new_document() -> FPDF:
    """An A4 document with the bundled fonts (Cyrillic: DejaVu; Arabic: Noto Naskh, shaped right-to-left)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("dejavu", fname=str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("naskh", fname=str(FONTS / "NotoNaskhArabic-Regular.ttf"))
    pdf.set_fallback_fonts(["naskh"])
    pdf.set_text_shaping(True)
    return pdf


def _line(pdf: FPDF, text: str, *, size: float = 11, h: float = 7) -> None:
    font = "naskh" if _ARABIC.search(text) else "dejavu"
    pdf.set_font(font, size=size)
    pdf.cell(0, h, text, new_x="LMARGIN", new_y="NEXT")


def boarding_passes(passes: Sequence[dict[str, Any]]) -> bytes:
    """One page per pass: trip, assembly point, time, names (original and Latin), QR of the token."""
    pdf = new_document()
    for p in passes:
        pdf.add_page()
        _line(pdf, "BOARDING PASS / ПОСАДОЧНЫЙ ТАЛОН", size=16, h=10)
        _line(pdf, f"Trip {p['trip']}  —  {p.get('place_name', p.get('place', ''))}  —  {p.get('time', '')}")
        _line(pdf, f"Household {p['household']}   Person {p['person']}")
        if p.get("original"):
            _line(pdf, str(p["original"]), size=14, h=9)
        _line(pdf, str(p.get("name", "")), size=14, h=9)
        pdf.image(io.BytesIO(qr_png(str(p["token"]))), w=60)
        _line(pdf, f"valid until {p.get('expires', '')}", size=8)
    return bytes(pdf.output())


def manifest_pdf(trip: dict[str, Any]) -> bytes:
    """The trip's manifest for the driver and the border: seats used against seats, assistance needs first
    (who needs help boarding), then each passenger with where they board, get off and change trip."""
    pdf = new_document()
    pdf.add_page()
    _line(pdf, f"Manifest — trip {trip['id']} ({trip['asset']} #{trip['unit']})", size=14, h=9)
    seats = trip.get("seats")
    used = trip.get("seats_used", trip["people"])
    _line(pdf, f"{trip['origin']} → {trip['destination']}; departs {trip['depart']}; {trip['people']} people; "
               f"seats used {used}" + (f" of {seats}" if seats else ""))
    needs = trip.get("assistance") or {}
    if needs:
        _line(pdf, "Assistance: " + ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in needs.items()), size=10)
    for i, p in enumerate(trip["passengers"], 1):
        help_ = ", ".join(v.replace("_", " ") for v in p.get("vulnerabilities") or ())
        ride = f"{p.get('boards_at', '')} → {p.get('alights_at', '')}"
        if p.get("transfer_to"):
            ride += f", then {p['transfer_to']}"
        _line(pdf, f"{i:3d}. {p['id']}  {p.get('name', '')}  [{p['status']}]  {ride}"
                   + (f"  ** {help_}" if help_ else ""), size=10, h=6)
        if p.get("original"):
            _line(pdf, "      " + str(p["original"]), size=10, h=6)
    return bytes(pdf.output())


def manifest_csv(trip: dict[str, Any], *, role: str) -> str:
    """CSV of the passengers with only the fields ``role``'s redaction profile allows."""
    fields = REDACTION.get(role, REDACTION["viewer"])
    buf = io.StringIO()
    w = csv_safe.writer(buf)  # border officials open it in a spreadsheet: no formula may run
    w.writerow(("trip", *fields))
    for p in trip["passengers"]:
        w.writerow((trip["id"], *(p.get(f, "") for f in fields)))
    return buf.getvalue()
