"""GET /sitrep: the day's numbers, incidents, closures and next departures as JSON, CSV and PDF — counts and
trip ids only, never a person; a viewer may read it, a field officer may not; the period is bounded."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ops_client import key
from pypdf import PdfReader

from evac.adapters.reports.sitrep import COLUMNS, sitrep_csv
from evac.adapters.store.ops_repo import ops_uow_factory

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store


def _check_in_first_household(client: TestClient, h: dict) -> tuple[list[str], dict]:
    trips = client.get("/api/v1/trips", headers=h["officer"]).json()
    trip = client.get(f"/api/v1/trips/{trips[0]['id']}", headers=h["officer"]).json()
    token = client.get(f"/api/v1/people/{trip['passengers'][0]['id']}/pass", headers=h["officer"]).json()["token"]
    r = client.post("/api/v1/checkins", json={"pass": token, "whole_household": True},
                    headers={**h["officer"], "Idempotency-Key": key()})
    assert r.status_code == 200, r.text
    return [x["person"] for x in r.json()["results"]], trip


def test_sitrep_counts_the_period_and_names_nobody(api: tuple[TestClient, dict, Store]) -> None:
    client, h, store = api
    checked, trip = _check_in_first_household(client, h)
    trips = client.get("/api/v1/trips", headers=h["planner"], params={"limit": 500}).json()
    last = max((t for t in trips if t["people"]), key=lambda t: t["depart"])
    r = client.post("/api/v1/breakdowns", json={"asset": last["asset"], "unit": last["unit"], "repair_h": 3.0},
                    headers={**h["planner"], "Idempotency-Key": key()})
    assert r.status_code == 200, r.text

    rep = client.get("/api/v1/sitrep", headers=h["viewer"])
    assert rep.status_code == 200, rep.text
    s = rep.json()
    board = client.get("/api/v1/status-board", headers=h["viewer"]).json()
    assert s["people"] == sum(board["totals"].values())
    assert s["totals"]["checked_in"] == board["totals"]["checked_in"] == len(checked)
    assert s["activity"]["checked_in"] == len(checked)
    unseen = client.get("/api/v1/unaccounted", headers=h["viewer"], params={"limit": 500}).json()
    assert s["unaccounted"] == len(unseen) > 0, "the same definition as the unaccounted list"
    assert [i["kind"] for i in s["incidents"]] == ["breakdown"]
    assert s["incidents"][0]["subject"] == f"{last['asset']}#{last['unit']}"
    assert s["generation"] == 2 and [p["generation"] for p in s["plans"]] == [1, 2]
    departs = [d["depart"] for d in s["next_departures"]]
    assert departs == sorted(departs)
    start, end = datetime.fromisoformat(s["generated_at"]), datetime.fromisoformat(s["period_to"])
    assert all(start <= datetime.fromisoformat(d) for d in departs), "only trips still to leave"
    assert end >= start
    names = [p["name"] for p in trip["passengers"] if p.get("name")]
    assert names and not [n for n in names if n in rep.text], "a sitrep names nobody"

    as_csv = client.get("/api/v1/sitrep", headers=h["viewer"], params={"format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert tuple(rows[0]) == COLUMNS
    assert ["numbers", "people", "", "", str(s["people"]), ""] in rows
    assert any(r[0] == "incident" and r[1] == "breakdown" for r in rows)

    as_pdf = client.get("/api/v1/sitrep", headers=h["planner"], params={"format": "pdf", "hours": 48})
    assert as_pdf.status_code == 200 and as_pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(as_pdf.content)).pages)
    assert "Situation report" in text and "Next departures" in text and "breakdown" in text

    with ops_uow_factory(store)() as uow:
        reads = uow.ops.audit_log(actor="viewer", action="read:sitrep", since=None, limit=10, offset=0)
    assert len(reads) == 2


def test_sitrep_refuses_field_officers_and_bad_periods(api: tuple[TestClient, dict, Store]) -> None:
    client, h, _ = api
    assert client.get("/api/v1/sitrep", headers=h["officer"]).status_code == 403
    assert client.get("/api/v1/sitrep").status_code == 401
    for hours in ("0", "-5", "100000", "soon"):
        r = client.get("/api/v1/sitrep", headers=h["planner"], params={"hours": hours})
        assert r.status_code == 422, (hours, r.text)
    assert client.get("/api/v1/sitrep", headers=h["planner"], params={"format": "xlsx"}).status_code == 422


def test_sitrep_csv_neutralises_formulas() -> None:
    now = datetime(2013, 1, 22, 8, tzinfo=UTC)
    report = {
        "generated_at": now, "period_from": now, "period_to": now, "hours": 24.0, "scenario": "s",
        "generation": 1, "people": 1, "safe": 0, "unaccounted": 1, "totals": {"registered": 1}, "by_place": {},
        "activity": {}, "incidents": [], "closures_posted": [], "plans": [],
        "closures_expected": [{"target": "=HYPERLINK(\"x\")", "name": "+1", "at": now, "threat": "@SUM(A1)",
                               "source": "scenario"}],
        "next_departures": [{"trip": "-T1", "vehicle": "bus#0", "from": "a", "to": "b", "depart": now,
                             "people": 3}],
    }
    rows = list(csv.reader(io.StringIO(sitrep_csv(report))))
    cells = [c for r in rows for c in r]
    assert "'=HYPERLINK(\"x\")" in cells and "'+1" in cells and "'@SUM(A1)" in cells and "'-T1" in cells
    assert not [c for c in cells if c and c[0] in "=+-@"]
