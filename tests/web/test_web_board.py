"""The status board's chart: ``GET /status-board/timeline`` (roles, content against the plan and the log, no
active plan) and the chart in a real browser (planner and viewer see the closure markers; it follows a
re-plan). API tests use the ASGI client on copies of the built operation; browser tests a real server."""

from __future__ import annotations

import re
import shutil
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from web_support import (
    PASSWORD,
    Server,
    axe_violations,
    clean_env,
    post_closure,
    shot,
    sign_in,
    start_server,
    stop_server,
)

from evac.adapters.scenario.loader import build_scenario, read_scenario_file, resolve_scenario_path
from evac.adapters.store.workspace import init_workspace, open_workspace
from evac.core.model import Effect, Fixed, Population
from evac.server import create_app
from evac.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Page

TIMELINE = "/api/v1/status-board/timeline"


def _client(ws: Path) -> Iterator[TestClient]:
    store = open_workspace(ws, clean_env())
    settings = Settings(workspace=ws, argon2_time_cost=1, argon2_memory_kib=8192, login_max_failures=50)
    with TestClient(create_app(settings, store=store)) as c:
        yield c
    store.close()


def _h(c: TestClient, user: str) -> dict[str, str]:
    r = c.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(scope="module")
def client(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Read-only tests share one copy of the built operation."""
    ws = tmp_path_factory.mktemp("web-board") / "ws"
    shutil.copytree(web_template, ws)
    yield from _client(ws)


@pytest.fixture
def fresh(web_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    """A copy of its own: the test writes arrivals, closures or merges."""
    ws = tmp_path / "ws"
    shutil.copytree(web_template, ws)
    yield from _client(ws)


def _write(c: TestClient, h: dict[str, str], path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    r = c.post(f"/api/v1{path}", json=body, headers={**h, "Idempotency-Key": f"test-{uuid.uuid4().hex}"})
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


# -- the API -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("user", "code"), [("admin", 200), ("planner", 200), ("viewer", 200), ("officer", 403)])
def test_timeline_is_for_the_crisis_cell_only(client: TestClient, user: str, code: int) -> None:
    r = client.get(TIMELINE, headers=_h(client, user))
    assert r.status_code == code, r.text
    if code == 403:
        assert "field_officer" in r.json()["detail"]
    assert client.get(TIMELINE).status_code == 401
    assert client.get(TIMELINE, headers={"Authorization": "Bearer forged"}).status_code == 401


def test_timeline_follows_the_active_plan_and_the_scenario(client: TestClient) -> None:
    h = _h(client, "viewer")
    d = client.get(TIMELINE, headers=h).json()
    kpis = next(p for p in client.get("/api/v1/status-board", headers=h).json()["plans"] if p["active"])["kpis"]
    # planned: cumulative, ends at the plan's own count of people safe
    assert d["planned_total"] == kpis["safe"] > 0
    assert d["travelling"] == kpis["travelling"]
    planned = [p["planned"] for p in d["series"]]
    assert planned == sorted(planned) and planned[-1] == d["planned_total"] and planned[0] == 0
    # hourly from the start, covering the clearance time, times in UTC
    hours = [p["h"] for p in d["series"]]
    assert hours[0] == 0 and d["step_h"] == 1 and hours == [float(k) for k in range(len(hours))]
    assert hours[-1] == d["end_h"] >= kpis["clearance_h"]
    assert d["series"][0]["at"] == d["start"] and d["start"].endswith("Z")
    assert d["utc_offset_min"] == 120  # Damascus, January 2013
    # nothing re-planned yet, nobody arrived; no actual value after now
    assert d["generation"] == 1 and d["first_total"] is None and d["actual_total"] == 0
    assert all(p["first"] is None for p in d["series"])
    assert [p["actual"] for p in d["series"] if p["h"] <= d["now_h"]] == [0]
    assert all(p["actual"] is None for p in d["series"] if p["h"] > d["now_h"])
    # closures: every closing threat of the scenario, at the policy's quantile (the HTML report's rule)
    path = resolve_scenario_path("syria-2013")
    sc = build_scenario(read_scenario_file(path)[0], base_dir=path.parent, population=Population((), ()))
    q = sc.policy.closure_quantile
    start_h = sc.policy.start_h
    want = {t.id: t for t in sc.threats if t.effect is Effect.CLOSE}
    got = {c["id"]: c for c in d["closures"]}
    assert set(got) == set(want)
    for tid, t in want.items():
        c = got[tid]
        assert c["source"] == "scenario" and c["h"] == pytest.approx(t.when.quantile(q) - start_h)
        assert c["uncertain"] is (not isinstance(t.when, Fixed))
        assert (c["band_h"] is not None) is c["uncertain"]
        assert c["in_force_at_start"] is (c["h"] <= 0)
        if c["band_h"]:
            assert c["band_h"][0] <= c["h"] <= c["band_h"][1]
    assert any(c["in_force_at_start"] for c in d["closures"]) and any(c["uncertain"] for c in d["closures"])
    assert not re.search(r"\bRH?\d{7}\b", client.get(TIMELINE, headers=h).text)  # counts only, no person


def test_actual_rises_after_an_arrival_and_a_merge_is_not_counted_twice(fresh: TestClient) -> None:
    h = _h(fresh, "admin")
    before = fresh.get(TIMELINE, headers=h).json()
    trip = fresh.get("/api/v1/trips", headers=h, params={"limit": 500}).json()[0]
    people = [p["id"] for p in fresh.get(f"/api/v1/trips/{trip['id']}", headers=h).json()["passengers"]]
    _write(fresh, h, "/checkins", {"person_ids": people})
    _write(fresh, h, "/boardings", {"person_ids": people})
    _write(fresh, h, f"/trips/{trip['id']}/departure")
    assert fresh.get(TIMELINE, headers=h).json()["actual_total"] == 0  # on the road is not safe
    arrived = _write(fresh, h, f"/trips/{trip['id']}/arrival")
    assert arrived["recorded"] == len(people) > 0
    after = fresh.get(TIMELINE, headers=h).json()
    assert before["actual_total"] == 0 and after["actual_total"] == len(people)
    seen = [p["actual"] for p in after["series"] if p["actual"] is not None]
    assert seen[-1] <= len(people) and after["planned_total"] == before["planned_total"]
    # a merged duplicate is the same human: the timeline counts them once
    other = next(p for p in fresh.get("/api/v1/trips", headers=h, params={"limit": 500}).json()
                 if p["id"] != trip["id"])
    kept = fresh.get(f"/api/v1/trips/{other['id']}", headers=h).json()["passengers"][0]["id"]
    _write(fresh, h, "/registry/merges", {"kept": kept, "merged": people[0]})
    assert fresh.get(TIMELINE, headers=h).json()["actual_total"] == len(people) - 1
    _write(fresh, h, "/registry/unmerges", {"merged": people[0]})
    assert fresh.get(TIMELINE, headers=h).json()["actual_total"] == len(people)


def test_a_posted_closure_and_the_first_plan_show_what_the_replan_cost(fresh: TestClient) -> None:
    h = _h(fresh, "planner")
    before = fresh.get(TIMELINE, headers=h).json()
    _write(fresh, h, "/closures", {"target": "masnaa"})
    d = fresh.get(TIMELINE, headers=h).json()
    assert d["generation"] == 2 and d["first_total"] == before["planned_total"]
    assert [p["first"] for p in d["series"]][-1] == before["planned_total"]
    posted = [c for c in d["closures"] if c["source"] == "operation"]
    assert len(posted) == 1 and posted[0]["target"] == "masnaa" and posted[0]["id"] == "posted-1"
    assert 0 <= posted[0]["h"] <= d["now_h"] + 0.01 and not posted[0]["in_force_at_start"]
    kpis = next(p for p in fresh.get("/api/v1/status-board", headers=h).json()["plans"] if p["active"])["kpis"]
    assert d["planned_total"] == kpis["safe"]


def test_no_active_plan_is_a_clear_409(tmp_path: Path) -> None:
    from ops_factory import HASHER

    from evac.adapters.store.ops_repo import ops_uow_factory
    from evac.services.ops_ports import Role
    from evac.services.users import add_user

    store = init_workspace(tmp_path / "ws", clean_env())
    add_user(uow=ops_uow_factory(store)(), hasher=HASHER, username="admin", password=PASSWORD, role=Role.ADMIN)
    store.close()
    for c in _client(tmp_path / "ws"):
        r = c.get(TIMELINE, headers=_h(c, "admin"))
        assert r.status_code == 409
        assert "no active plan" in r.json()["detail"] and "evac ops activate" in r.json()["detail"]


# -- the browser ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def closed_server(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own on which a planner has closed Masnaa (a re-plan moves households)."""
    ws = tmp_path_factory.mktemp("web-board-server") / "ws"
    shutil.copytree(web_template, ws)
    s = start_server(ws)
    r = s.api("POST", "/closures", "planner", json={"target": "masnaa"},
              headers={"Idempotency-Key": f"test-{uuid.uuid4().hex}"})
    assert r.status_code == 200, r.text
    yield s
    stop_server(s)


@pytest.mark.parametrize("user", ["planner", "viewer"])
def test_board_chart_shows_planned_actual_and_closures(page: Page, closed_server: Server, user: str) -> None:
    d = closed_server.api("GET", "/status-board/timeline", user).json()
    sign_in(page, closed_server.url, "/console", user)
    page.wait_for_selector("#board-chart[data-loaded=true]")
    chart = page.locator("#safe-chart")
    assert chart.get_attribute("role") == "img"
    assert chart.get_attribute("data-planned-total") == str(d["planned_total"])
    assert chart.get_attribute("data-generation") == "2"
    markers = int(chart.get_attribute("data-closures") or 0)
    assert markers >= 1 and page.locator("#safe-chart line.tl-closure").count() == markers
    assert "Masnaa" in " ".join(page.locator("#safe-chart text.tl-closure-lbl").all_text_contents())
    label = chart.get_attribute("aria-label") or ""
    assert f"{d['planned_total']:,}" in label and "closures marked" in label
    for cls in ("tl-planned", "tl-first", "tl-actual", "tl-now", "tl-travelling"):
        assert page.locator(f"#safe-chart .{cls}").count() == 1, cls
    assert page.locator("#safe-chart-legend li").count() == 7
    # the table alternative: the closures all listed, the series in rows
    page.click("#safe-chart-data summary")
    assert page.locator("#safe-chart-closures tbody tr").count() == len(d["closures"])
    assert page.locator("#safe-chart-series tbody tr").count() == len(d["series"])
    assert page.inner_text("#board-error") == ""
    assert axe_violations(page, "#board") == []  # the chart, its legend and the opened tables
    if user == "planner":
        shot(page, "console-board")


def test_board_chart_follows_a_replan_from_the_console(page: Page, web_template: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(web_template, ws)
    s = start_server(ws)
    try:
        sign_in(page, s.url, "/console", "planner")
        page.wait_for_selector("#safe-chart[data-generation='1']")
        assert page.locator("#safe-chart .tl-first").count() == 0
        post_closure(page, "masnaa")
        page.wait_for_selector("#safe-chart[data-generation='2']")
        assert page.locator("#safe-chart .tl-first").count() == 1
        assert int(page.get_attribute("#safe-chart", "data-closures") or 0) >= 1
    finally:
        stop_server(s)


def test_board_chart_in_arabic(page: Page, server: Server) -> None:
    page.goto(server.url + "/console")
    page.evaluate("localStorage.setItem('evac.lang', 'ar')")
    sign_in(page, server.url, "/console", "viewer")
    page.wait_for_selector("#board-chart[data-loaded=true]")
    assert page.get_attribute("html", "dir") == "rtl"
    assert (page.get_attribute("#safe-chart", "aria-label") or "").startswith("رسم بياني")
    assert page.inner_text("#safe-chart-h") == "عدد الأشخاص الآمنين عبر الزمن"
    assert page.get_attribute("#safe-chart", "data-planned-total") not in (None, "")
