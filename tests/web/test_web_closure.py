"""Closure and re-plan as the console uses them: who changed and why (API), errors in words, nothing half
written when a re-plan fails, and the form in a browser (pick from the list, confirm, UTC, the result)."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from web_support import ARTIFACTS, PASSWORD, Server, clean_env, sign_in

from evac.adapters.store.workspace import open_workspace
from evac.core.planner.events import EventConflict
from evac.server import create_app
from evac.services.ops_ports import Clock
from evac.services.replan_view import in_words
from evac.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Page

REASONS = {"trip_cut", "left_behind", "stranded", "no_show", "now_planned", "moved"}


@pytest.fixture
def fresh(web_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    ws = tmp_path / "ws"
    shutil.copytree(web_template, ws)
    store = open_workspace(ws, clean_env())
    settings = Settings(workspace=ws, argon2_time_cost=1, argon2_memory_kib=8192, login_max_failures=50)
    with TestClient(create_app(settings, store=store)) as c:
        yield c
    store.close()


def _h(c: TestClient, user: str = "planner") -> dict[str, str]:
    r = c.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}", "Idempotency-Key": f"test-{uuid.uuid4().hex}"}


def _trips_by_household(c: TestClient) -> dict[str, str]:
    """household -> the trip its people are booked on (their first ride), from the status fold."""
    store = c.app.state.ctx.store  # type: ignore[attr-defined]
    with store.uow() as uow:
        assert uow.ops is not None
        return {s.household_id: s.trip_id for s in uow.ops.states(limit=10**6) if s.trip_id}


def test_a_closure_says_who_changed_and_why(fresh: TestClient) -> None:
    before = _trips_by_household(fresh)
    r = fresh.post("/api/v1/closures", json={"target": "masnaa"}, headers=_h(fresh))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    after = _trips_by_household(fresh)
    assert out["changed_households"] == len(out["changes"]) > 0
    assert out["notified"] == out["assigned"] + out["rebooked"] + out["cancelled"] + out["onward"] > 0
    for ch in out["changes"]:
        hid = ch["household"]
        assert ch["reason"]["code"] in REASONS and ch["cause"] == {"kind": "closure", "target": "masnaa"}
        assert ch["people"] > 0
        # the list tells the truth about the stored plans, before and after
        assert (ch["before"] or {}).get("trip") == before.get(hid)
        assert (ch["after"] or {}).get("trip") == after.get(hid)
        if ch["reason"]["code"] == "trip_cut":
            assert ch["reason"]["trip"] in ch["before"]["trips"]  # dropped, or cut short before their part
        assert ch["after"] != ch["before"]  # something a person would notice: rides, times or places
        if ch["after"] is not None:
            assert datetime.fromisoformat(ch["after"]["depart"]).tzinfo is not None
    assert "R0" not in r.text.replace('"R', "").replace("RH0", "")  # households only, no person id or name
    # a family whose first ride stays but whose journey after it changed is told too (issue 12)
    onward = {ch["household"] for ch in out["changes"] if ch["before"] and ch["after"]
              and ch["before"]["trip"] == ch["after"]["trip"] and ch["before"]["depart"] == ch["after"]["depart"]
              and ch["before"]["place"] == ch["after"]["place"]}
    assert onward, "masnaa's closure changes some households' onward journeys only"
    assert out["onward"] == len(onward)
    told = {m["household_id"] for m in fresh.get("/api/v1/outbox", headers=_h(fresh), params={"limit": 500}).json()
            if m["template"] == "change"}
    assert onward <= told


def test_a_second_replan_with_nothing_new_changes_nobody(fresh: TestClient) -> None:
    assert fresh.post("/api/v1/closures", json={"target": "masnaa"}, headers=_h(fresh)).status_code == 200
    again = fresh.post("/api/v1/replans", headers=_h(fresh))
    assert again.status_code == 200, again.text
    assert again.json()["changes"] == [] and again.json()["notified"] == 0


def test_an_unknown_target_is_refused_and_nothing_is_written(fresh: TestClient) -> None:
    board = fresh.get("/api/v1/status-board", headers=_h(fresh)).json()
    r = fresh.post("/api/v1/closures", json={"target": "atlantis"}, headers=_h(fresh))
    assert r.status_code == 422 and "no place or link 'atlantis'" in r.json()["detail"]
    assert fresh.get("/api/v1/status-board", headers=_h(fresh)).json()["plans"] == board["plans"]


def test_a_failed_replan_leaves_no_closure_and_no_plan(fresh: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import evac.services.operations as ops

    def refuse(*args: Any, **kw: Any) -> Any:
        raise EventConflict("household RH0000001 boarded trip T00001 at 30 h: reported for 40.5 h, after now (12 h)")

    monkeypatch.setattr(ops, "replan_result", refuse)
    board = fresh.get("/api/v1/status-board", headers=_h(fresh)).json()
    store = fresh.app.state.ctx.store  # type: ignore[attr-defined]
    with store.uow() as uow:
        events_before = uow.ops.count_events() if uow.ops is not None else 0
    r = fresh.post("/api/v1/closures", json={"target": "masnaa"}, headers=_h(fresh))
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert " h:" not in detail and "30 h" not in detail and "40.5 h" not in detail  # words, not internal hours
    assert "at Wed 23 Jan 2013 06:00 UTC+02:00" in detail and "now (Tue 22 Jan 2013 12:00" in detail
    assert fresh.get("/api/v1/status-board", headers=_h(fresh)).json()["plans"] == board["plans"]
    with store.uow() as uow:
        assert (uow.ops.count_events() if uow.ops is not None else 0) == events_before


def test_hours_become_dates_but_durations_stay() -> None:
    clock = Clock(datetime.now(UTC), 0.0, datetime(2013, 1, 22, tzinfo=timezone(timedelta(hours=2))), "x")
    msg = "breakdown of coach#0 at -38.5 h (repair 6 h): reported for 30 h, after now (12 h)"
    out = in_words(msg, clock)
    assert "-38.5 h" not in out and "at Sun 20 Jan 2013 09:30 UTC+02:00" in out
    assert "repair 6 h" in out and "for Wed 23 Jan 2013 06:00 UTC+02:00" in out
    assert "now (Tue 22 Jan 2013 12:00 UTC+02:00)" in out


# -- the form in a browser --------------------------------------------------------------------------------------
def test_the_closure_form_picks_confirms_and_shows_who_changed(page: Page, replan_server: Server) -> None:
    sign_in(page, replan_server.url, "/console", "planner")
    page.wait_for_selector("#target option[value=masnaa]", state="attached")
    page.select_option("#target", "masnaa")
    assert "Masnaa" in page.inner_text("#target-name")
    when = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
    page.fill("#effective", when.strftime("%Y-%m-%dT%H:%M"))
    assert "UTC" in page.inner_text("label[for=effective]")
    page.click("#closure-form button[type=submit]")
    confirm = page.locator("#closure-confirm")
    confirm.wait_for()
    text = confirm.inner_text()
    assert "Masnaa" in text and when.strftime("%H:%M") in text and "UTC" in text
    assert page.locator("#kpis table").count() == 0  # nothing posted before the confirmation
    page.click("#closure-confirm-yes")
    page.wait_for_selector("#closure-result[data-state=ok]")
    result = page.inner_text("#closure-result")
    assert "re-booked" in result and "notified" in result
    rows = page.locator("#closure-changes tbody tr")
    assert rows.count() > 0
    first = rows.first.inner_text()
    assert "→" in first or "->" in first
    page.wait_for_selector("#plans tbody tr:nth-child(2)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#closure").screenshot(path=str(ARTIFACTS / "console-closure-result.png"))


def test_the_closure_form_can_be_cancelled_and_shows_errors_in_words(page: Page, replan_server: Server) -> None:
    sign_in(page, replan_server.url, "/console", "planner")
    page.wait_for_selector("#target option[value=masnaa]", state="attached")
    # a place clicked on the situation map becomes the target, its name shown beside the list
    page.wait_for_selector("#map[data-state=ready]")
    page.click(".leaflet-container [data-place=homs]")
    page.wait_for_function("document.getElementById('target').value === 'homs'")
    assert "Homs" in page.inner_text("#target-name")
    page.click("#closure-form button[type=submit]")
    assert "Homs" in page.inner_text("#closure-confirm-text")
    page.click("#closure-confirm-no")
    page.wait_for_selector("#closure-confirm", state="hidden")
    assert page.locator("#closure-result[data-state=ok]").count() == 0
    r = replan_server.api("GET", "/status-board", "planner").json()
    assert len(r["plans"]) == 1  # nothing was posted
