"""The unaccounted list (crisis cell): who the plan expects to move and no field officer has seen, filtered by
assembly point, status and trip; a check-in takes people off it; field officers may not read it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from web_support import PASSWORD, sign_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from playwright.sync_api import Page
    from web_support import Server


def _auth(client: TestClient, user: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_filters_by_place_status_and_trip_and_a_check_in_takes_people_off(client: TestClient) -> None:
    h = _auth(client, "planner")
    everyone = client.get("/api/v1/unaccounted", params={"limit": 500}, headers=h).json()
    assert everyone and {p["status"] for p in everyone} <= {"registered", "notified", "confirmed", "no_show"}
    at_damascus = client.get("/api/v1/unaccounted", params={"place": "damascus", "limit": 500}, headers=h).json()
    assert at_damascus and {p["place"] for p in at_damascus} == {"damascus"}
    assert [p for p in everyone if p["place"] == "damascus"] == at_damascus
    trip = at_damascus[0]["trip"]
    on_trip = client.get("/api/v1/unaccounted", params={"trip": trip, "limit": 500}, headers=h).json()
    assert on_trip == [p for p in everyone if p["trip"] == trip]
    status = everyone[0]["status"]
    by_status = client.get("/api/v1/unaccounted", params={"status": status, "limit": 500}, headers=h).json()
    assert by_status == [p for p in everyone if p["status"] == status]
    assert "name" not in everyone[0] or everyone[0]["name"] is None  # ids and status only

    household = [p["id"] for p in on_trip if p["household"] == on_trip[0]["household"]]
    officer = {**_auth(client, "officer"), "Idempotency-Key": f"test-{uuid.uuid4()}"}
    r = client.post("/api/v1/checkins", json={"person_ids": household}, headers=officer)
    assert r.status_code == 200, r.text
    after = client.get("/api/v1/unaccounted", params={"trip": trip, "limit": 500}, headers=h).json()
    assert after == [p for p in on_trip if p["id"] not in household]


def test_bad_filters_are_refused_and_officers_may_not_read_the_list(client: TestClient) -> None:
    h = _auth(client, "viewer")
    for params in ({"status": "boarded"}, {"status": "x"}, {"trip": "t" * 61}, {"limit": 0}):
        assert client.get("/api/v1/unaccounted", params=params, headers=h).status_code == 422, params
    assert client.get("/api/v1/unaccounted", headers=_auth(client, "officer")).status_code == 403
    assert client.get("/api/v1/unaccounted").status_code == 401


def test_pages_are_full_and_together_are_the_whole_list(client: TestClient) -> None:
    """The export walks the pages until a short one: a page must be short only at the end of the list."""
    h = _auth(client, "admin")
    whole = client.get("/api/v1/unaccounted", params={"limit": 500}, headers=h).json()
    assert len(whole) > 40
    pages: list[dict[str, object]] = []
    for offset in range(0, len(whole) + 40, 40):
        page = client.get("/api/v1/unaccounted", params={"limit": 40, "offset": offset}, headers=h).json()
        assert len(page) == min(40, max(0, len(whole) - offset)), offset
        pages += page
    assert pages == whole


def test_console_filters_the_list_and_enter_does_not_reload(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/console", "viewer")
    page.wait_for_selector("#unacc-list tbody tr")
    trip = page.inner_text("#unacc-list tbody tr:first-child td:nth-child(4)")
    page.fill("#unacc-trip", trip)
    page.press("#unacc-trip", "Enter")
    page.wait_for_function("t => [...document.querySelectorAll('#unacc-list tbody tr td:nth-child(4)')]"
                           ".every(td => td.textContent === t)", arg=trip)
    assert page.input_value("#unacc-trip") == trip  # the form was not submitted (no reload)
    want = server.api("GET", "/unaccounted", user="viewer", params={"trip": trip, "limit": 500}).json()
    assert page.locator("#unacc-list tbody tr").count() == len(want)
    page.select_option("#unacc-status", "no_show")
    page.wait_for_selector("#unacc-list caption:has-text(': 0')")
