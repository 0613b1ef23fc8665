"""The situation map: ``GET /api/v1/plan/geo`` (roles, content against the scenario and the active plan, a
posted closure, no active plan) and the console's Leaflet map with its time slider in a real browser.

Expected values come from the scenario file and the plan stored in the workspace, not from the answer: every
place and link, closure times at the policy's quantile, the people aboard each leg, people safe by the end.
"""

from __future__ import annotations

import math
import re
import shutil
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from web_support import (
    ARTIFACTS,
    PASSWORD,
    Server,
    axe_violations,
    clean_env,
    post_closure,
    sign_in,
    start_server,
    stop_server,
    utc_input,
)

from evac.adapters.scenario.loader import build_scenario, read_scenario_file, resolve_scenario_path
from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import init_workspace, open_workspace
from evac.core.model import Effect, Fixed, Population
from evac.server import create_app
from evac.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Page

    from evac.adapters.store.workspace import Store
    from evac.core.model import Plan, Scenario

GEO = "/api/v1/plan/geo"


def _scenario() -> Scenario:
    path = resolve_scenario_path("syria-2013")
    return build_scenario(read_scenario_file(path)[0], base_dir=path.parent, population=Population((), ()))


def _open(ws: Path) -> Iterator[tuple[TestClient, Store]]:
    store = open_workspace(ws, clean_env())
    settings = Settings(workspace=ws, argon2_time_cost=1, argon2_memory_kib=8192, login_max_failures=50)
    with TestClient(create_app(settings, store=store)) as c:
        yield c, store
    store.close()


def _h(c: TestClient, user: str) -> dict[str, str]:
    r = c.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _active(store: Store) -> tuple[Plan, Any]:
    with ops_uow_factory(store)() as uow:
        active, clock = uow.ops.active_plan(), uow.ops.clock()
    assert active is not None and clock is not None
    return active.plan, clock


@pytest.fixture(scope="module")
def api(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store]]:
    """Read-only tests share one copy of the built operation (the client and its store)."""
    ws = tmp_path_factory.mktemp("web-map") / "ws"
    shutil.copytree(web_template, ws)
    yield from _open(ws)


@pytest.fixture
def fresh(web_template: Path, tmp_path: Path) -> Iterator[tuple[TestClient, Store]]:
    """A copy of its own: the test posts a closure (which re-plans)."""
    ws = tmp_path / "ws"
    shutil.copytree(web_template, ws)
    yield from _open(ws)


# -- the API -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("user", "code"), [("admin", 200), ("planner", 200), ("viewer", 200), ("officer", 403)])
def test_geo_is_for_the_crisis_cell_only(api: tuple[TestClient, Store], user: str, code: int) -> None:
    c, _ = api
    r = c.get(GEO, headers=_h(c, user))
    assert r.status_code == code, r.text
    if code == 403:
        assert "field_officer" in r.json()["detail"]
    else:
        assert r.headers["cache-control"] == "no-store"
    assert c.get(GEO).status_code == 401
    assert c.get(GEO, headers={"Authorization": "Bearer forged"}).status_code == 401


def test_geo_has_every_place_and_link_of_the_scenario(api: tuple[TestClient, Store]) -> None:
    c, _ = api
    d = c.get(GEO, headers=_h(c, "viewer")).json()
    sc = _scenario()
    places = {p["id"]: p for p in d["places"]}
    assert set(places) == {p.id for p in sc.places} and len(d["places"]) == len(sc.places)
    for p in sc.places:
        got = places[p.id]
        assert (got["name"], got["kind"], got["country"]) == (p.name, str(p.kind), p.country)
        assert (got["lat"], got["lon"]) == (p.lat, p.lon)
    assert places["damascus"]["on_map"] and not places["moscow"]["on_map"]  # a flight's far end
    links = {lk["id"]: lk for lk in d["links"]}
    assert set(links) == {lk.id for lk in sc.links}
    for lk in sc.links:
        got = links[lk.id]
        a, b = sc.place_by_id[lk.a], sc.place_by_id[lk.b]
        assert (got["from"], got["to"], got["mode"]) == (lk.a, lk.b, str(lk.mode))
        assert got["coordinates"] == [[a.lon, a.lat], [b.lon, b.lat]]  # GeoJSON order
    # the outlines: GeoJSON countries around Syria, closed rings, the crisis and haven countries marked
    fc = d["outlines"]
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) >= 5
    roles = {f["properties"]["name"]: f["properties"]["role"] for f in fc["features"]}
    assert roles["Syria"] == "crisis" and roles["Lebanon"] == "haven" and roles["Jordan"] == "haven"
    (lat0, lon0), (lat1, lon1) = d["outline_bounds"]
    for f in fc["features"]:
        assert f["geometry"]["type"] == "MultiPolygon" and f["geometry"]["coordinates"]
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                assert len(ring) >= 4 and ring[0] == ring[-1]
                assert all(lon0 - 1e-6 <= x <= lon1 + 1e-6 and lat0 - 1e-6 <= y <= lat1 + 1e-6 for x, y in ring)
    (b_lat0, b_lon0), (b_lat1, b_lon1) = d["bounds"]
    assert lat0 <= b_lat0 < b_lat1 <= lat1 and lon0 <= b_lon0 < b_lon1 <= lon1
    inside = [p for p in sc.places if p.country == "SY"]
    assert all(b_lat0 <= p.lat <= b_lat1 and b_lon0 <= p.lon <= b_lon1 for p in inside)


def test_geo_closures_follow_the_scenario_at_the_planning_quantile(api: tuple[TestClient, Store]) -> None:
    c, store = api
    d = c.get(GEO, headers=_h(c, "viewer")).json()
    sc = _scenario()
    plan, clock = _active(store)
    q = sc.policy.closure_quantile
    assert d["closure_quantile"] == q and f"{q:g} quantile" in d["closure_rule"]
    assert d["start"] == clock.moment(plan.start_h).astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert d["utc_offset_min"] == 120  # Damascus, January 2013
    by_target = {x["id"]: x for x in d["places"] + d["links"]}
    flat = {c_["id"]: c_ for c_ in d["closures"]}
    for t in sc.threats:
        kind = "closures" if t.effect is Effect.CLOSE else "dangers"
        [got] = [i for i in by_target[t.target][kind] if i["id"] == t.id]
        assert got["from_h"] == pytest.approx(t.when.quantile(q) - plan.start_h, abs=1e-3)
        assert got["to_h"] is None and got["to"] is None and got["source"] == "scenario"
        assert got["uncertain"] is (not isinstance(t.when, Fixed))
        if got["uncertain"]:
            lo, hi = got["band_h"]
            assert lo <= got["from_h"] <= hi
            assert lo == pytest.approx(t.when.quantile(0.05) - plan.start_h, abs=1e-3)
        else:
            assert got["band_h"] is None
        moment = datetime.fromisoformat(got["from"])
        assert moment == clock.moment(plan.start_h) + timedelta(hours=got["from_h"])
        if t.effect is Effect.CLOSE:
            assert flat[t.id]["target"] == t.target and flat[t.id]["target_kind"] in ("place", "link")
    assert len(flat) == sum(1 for t in sc.threats if t.effect is Effect.CLOSE)
    assert [x["from_h"] for x in d["closures"]] == sorted(x["from_h"] for x in d["closures"])


def test_geo_flows_carry_the_plans_people(api: tuple[TestClient, Store]) -> None:
    c, store = api
    d = c.get(GEO, headers=_h(c, "viewer")).json()
    plan, _ = _active(store)
    aboard: Counter[tuple[str, str, str]] = Counter()
    legs: Counter[tuple[str, str, str]] = Counter()
    for trip in plan.trips:
        for i, leg in enumerate(trip.legs):
            n = sum(len(b.person_ids) for b in trip.boardings if b.first_leg <= i <= b.last_leg)
            aboard[(leg.link_id, leg.origin, leg.destination)] += n
            legs[(leg.link_id, leg.origin, leg.destination)] += 1
    got_people: Counter[tuple[str, str, str]] = Counter()
    got_vehicles: Counter[tuple[str, str, str]] = Counter()
    for f in d["flows"]:
        got_people[(f["link"], f["from"], f["to"])] += f["people"]
        got_vehicles[(f["link"], f["from"], f["to"])] += f["vehicles"]
        assert 0 <= f["depart_h"] < f["arrive_h"] <= d["end_h"]
        assert f["asset_kind"] in ("fleet", "service") and f["mode"] in ("road", "air", "sea")
    assert +got_people == +aboard and got_vehicles == legs
    assert sum(f["people"] for f in d["flows"]) == sum(aboard.values()) > 0
    for lk in d["links"]:
        assert lk["people"] == sum(n for (link, _, _), n in aboard.items() if link == lk["id"])
    # people safe: cumulative, ending at the plan's own count (the status board's KPI)
    safe = [s["safe"] for s in d["safe"]]
    assert safe == sorted(safe) and safe[-1] == d["planned_total"] == plan.kpis.safe > 0
    assert d["start_h"] == 0 and d["step_h"] == 1 and d["end_h"] == math.ceil(d["end_h"]) >= 24
    assert d["end_h"] >= max(t.arrive_h for t in plan.trips) - plan.start_h
    picked = sum(p["picked_up"] for p in d["places"])
    assert picked == sum(len(b.person_ids) for t in plan.trips for b in t.boardings)
    assert not re.search(r"\bRH?\d{7}\b", c.get(GEO, headers=_h(c, "viewer")).text)  # counts only, no person


def test_a_posted_closure_appears_with_its_interval(fresh: tuple[TestClient, Store]) -> None:
    c, store = fresh
    h = _h(c, "planner")
    now = datetime.now(UTC)
    effective = (now + timedelta(hours=5)).replace(microsecond=0)
    r = c.post("/api/v1/closures", json={"target": "homs", "effective_at": effective.isoformat()},
               headers={**h, "Idempotency-Key": f"test-{uuid.uuid4().hex}"})
    assert r.status_code == 200, r.text
    d = c.get(GEO, headers=h).json()
    plan, clock = _active(store)
    assert d["generation"] == 2
    homs = next(p for p in d["places"] if p["id"] == "homs")
    [posted] = [i for i in homs["closures"] if i["source"] == "operation"]
    assert posted["id"] == "posted-1" and posted["to_h"] is None and posted["band_h"] is None
    # five hours after the moment it was posted, in the plan's hours (not a guess at how long tests ran)
    assert posted["from_h"] == pytest.approx(clock.hours(now) + 5.0 - plan.start_h, abs=1e-3)
    assert any(x["id"] == "posted-1" and x["target"] == "homs" and x["target_kind"] == "place"
               for x in d["closures"])
    # the map follows the re-planned plan: no leg of it runs through Homs once it is closed
    closes = posted["from_h"]
    assert not [f for f in d["flows"] if "homs" in (f["from"], f["to"]) and f["arrive_h"] > closes + 1e-6
                and f["depart_h"] >= closes]
    assert c.get("/api/v1/plan/map.svg", headers=h).text.startswith("<svg")  # the SVG map still works


def test_no_active_plan_is_the_same_409_as_the_svg_map(tmp_path: Path) -> None:
    from ops_factory import HASHER

    from evac.services.ops_ports import Role
    from evac.services.users import add_user

    store = init_workspace(tmp_path / "ws", clean_env())
    add_user(uow=ops_uow_factory(store)(), hasher=HASHER, username="admin", password=PASSWORD, role=Role.ADMIN)
    store.close()
    for c, _ in _open(tmp_path / "ws"):
        h = _h(c, "admin")
        geo, svg = c.get(GEO, headers=h), c.get("/api/v1/plan/map.svg", headers=h)
        assert geo.status_code == svg.status_code == 409
        assert geo.json() == svg.json() and "evac ops activate" in geo.json()["detail"]


# -- the browser ---------------------------------------------------------------------------------------------
def _closed_at(sc: Scenario, start_h: float, posted: dict[str, float], h: float) -> set[str]:
    """What the scenario (closing threats at the policy's quantile) and the posted closures close by hour ``h``
    since the start."""
    q = sc.policy.closure_quantile
    out = {t.target for t in sc.threats if t.effect is Effect.CLOSE and t.when.quantile(q) - start_h <= h}
    return out | {target for target, at in posted.items() if at <= h}


def _slider(page: Page) -> tuple[int, str, int]:
    return (int(page.get_attribute("#map-time", "data-h") or -1), page.inner_text("#map-time-text"),
            int(page.get_attribute("#map", "data-closed-count") or -1))


def test_map_slider_shows_closures_flows_and_people_safe(page: Page, web_template: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(web_template, ws)
    s = start_server(ws)
    try:
        sc = _scenario()
        sign_in(page, s.url, "/console", "planner")
        page.wait_for_selector("#map[data-state=ready][data-generation='1']")
        d = s.api("GET", "/plan/geo", "planner").json()
        # Leaflet drew the outlines (one path per country), the network and a symbol per place on the map
        assert page.locator(".leaflet-container path").count() >= len(d["outlines"]["features"]) + len(d["links"])
        assert page.locator(".leaflet-evac-outlines-pane path").count() == len(d["outlines"]["features"])
        on_map = [p["id"] for p in d["places"] if p["on_map"]]
        assert page.locator(".leaflet-container [data-place]").count() == len(on_map)
        assert page.get_attribute("[data-place=damascus]", "aria-label") == "Damascus, city, dangerous"
        assert page.locator(".leaflet-control-attribution").inner_text() == "© Natural Earth / world-atlas"
        assert page.locator(".leaflet-control-attribution a").count() == 0  # no external link
        start = sc.hours(datetime.fromisoformat(d["start"]))  # the plan's start, scenario hours
        assert _slider(page)[0] == min(max(round(d["now_h"]), 0), d["end_h"])  # the map opens at now
        # a road closes in six hours, posted from the console: the map follows the re-plan
        post_closure(page, "damascus--homs", utc_input(6))  # the form takes UTC, and says so
        page.wait_for_selector("#map[data-state=ready][data-generation='2']")
        d = s.api("GET", "/plan/geo", "planner").json()
        posted = {x["target"]: x["from_h"] for x in d["closures"] if x["source"] == "operation"}
        assert list(posted) == ["damascus--homs"] and 5 < posted["damascus--homs"] < d["end_h"]
        page.focus("#map-time")
        page.keyboard.press("Home")
        h0, label0, closed0 = _slider(page)
        assert h0 == 0 and "+0 h" in label0 and "(UTC+2)" in label0
        assert closed0 == len(_closed_at(sc, start, posted, 0)) > 0
        page.keyboard.press("ArrowRight")
        h1, label1, closed1 = _slider(page)
        assert h1 == 1 and label1 != label0 and "+1 h" in label1
        assert closed1 == len(_closed_at(sc, start, posted, 1)) == closed0
        k = math.ceil(posted["damascus--homs"])  # the first whole hour at which the road is closed
        for _ in range(k - 2):
            page.keyboard.press("ArrowRight")
        assert _slider(page)[0] == k - 1 and _slider(page)[2] == closed0
        assert "damascus--homs" not in (page.get_attribute("#map", "data-closed") or "").split()
        page.keyboard.press("ArrowRight")
        hk, _, closedk = _slider(page)
        assert hk == k and closedk == len(_closed_at(sc, start, posted, k)) == closed0 + 1
        assert "damascus--homs" in (page.get_attribute("#map", "data-closed") or "").split()
        page.keyboard.press("End")
        h_end, _, closed_end = _slider(page)
        assert h_end == d["end_h"] and closed_end == len(_closed_at(sc, start, posted, d["end_h"]))
        assert page.get_attribute("#map", "data-safe") == str(d["planned_total"])
        assert page.get_attribute("#map", "data-under-way") == "0"
        # legs under way at 3 h as the plan says, people safe by then
        page.keyboard.press("Home")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        moving = [f for f in d["flows"] if f["depart_h"] <= 3 < f["arrive_h"]]
        assert page.get_attribute("#map", "data-under-way") == str(len(moving)) != "0"
        assert page.get_attribute("#map", "data-moving-people") == str(sum(f["people"] for f in moving))
        safe = max([x["safe"] for x in d["safe"] if x["h"] <= 3], default=0)
        assert page.get_attribute("#map", "data-safe") == str(safe)
        assert f"Safe by then: {safe:,} of {d['planned_total']:,} planned" in page.inner_text("#map-summary")
        assert page.locator(".leaflet-evac-vehicles-pane path").count() == len(moving)
        assert page.locator("#map-legend li").count() >= 15
        page.click("#map-data summary")
        assert page.locator("#map-places-table tbody tr").count() == len(d["places"])
        assert page.locator("#map-closures-table tbody tr").count() == len(d["closures"])
        assert page.locator("#map-moving-table tbody tr").count() == len(moving)
        page.focus("[data-place=aleppo]")  # a place's tooltip opens on keyboard focus
        page.wait_for_selector(".leaflet-tooltip.map-tip:has-text('Aleppo')")
        assert page.inner_text("#map-error") == ""
        assert axe_violations(page, "#map") == []
        # the screenshot: the hour the road closes, the tables folded
        page.click("#map-data summary")
        page.focus("#map-time")
        page.keyboard.press("Home")
        for _ in range(k):
            page.keyboard.press("ArrowRight")
        page.wait_for_selector(".leaflet-tooltip", state="detached")
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#map").screenshot(path=str(ARTIFACTS / "console-map.png"))
    finally:
        stop_server(s)


def test_viewer_sees_the_map_in_arabic(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/console", "viewer")
    page.wait_for_selector("#map[data-state=ready]")
    d = server.api("GET", "/plan/geo", "viewer").json()
    assert page.get_attribute("#map", "data-planned-total") == str(d["planned_total"])
    page.select_option("#lang", "ar")
    page.wait_for_selector("html[dir=rtl]")
    page.wait_for_function("document.getElementById('map-legend').innerText.includes('ملاذ آمن')")
    assert page.get_attribute("#map-canvas", "dir") == "ltr"  # the map itself is not mirrored
    assert page.get_attribute("[data-place=damascus]", "aria-label") == "Damascus, مدينة, خطر"
    page.select_option("#lang", "en")  # the server remembers the choice: leave the shared viewer in English
    page.wait_for_selector("html[dir=ltr][lang=en]")
