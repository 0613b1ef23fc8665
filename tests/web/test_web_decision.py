"""The decision page: ``GET /api/v1/decision`` by role, its numbers against the core, the 202 while it
computes, no active plan, closures everywhere (too late); the console draws the latest safe start and both
charts (Playwright against a real ``evac serve``).

The probability curve is **not** asserted to be non-increasing in the start: it is not guaranteed (a later
start can be safer — the plan may route around a closure whose window has begun — and each point is an
estimate from its own 100 runs); on the test operation it does rise again (about 0.89 on 19 Feb, 0.99 on
26 Feb). What is checked instead: each point is k/runs with its Wilson interval, and the point at the latest
safe start is exactly what the core's simulator gives for the same plan and seed.
"""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from web_support import ARTIFACTS, PASSWORD, Server, clean_env, post_closure, sign_in

from evac.adapters.store.workspace import init_workspace, open_workspace
from evac.core.decision import SweepPoint, assess, latest_safe_start, summarise, wilson
from evac.core.planner import PLANNERS
from evac.core.sim import SimContext, SimJob, Uncertainty, compile_plan, simulate_runs
from evac.server import create_app
from evac.services import decision as dec
from evac.services.ops_ports import Role
from evac.services.users import add_user
from evac.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Page

#: every exit still open in syria-2013 (the others are closed before the start): closing them all leaves
#: nobody a way out
OPEN_EXITS = ("masnaa", "nasib", "kessab", "latakia-airport", "tartus-port", "latakia-port")


def _client(ws: Path) -> TestClient:
    store = open_workspace(ws, clean_env())
    settings = Settings(workspace=ws, argon2_time_cost=1, argon2_memory_kib=8192, login_max_failures=50)
    c = TestClient(create_app(settings, store=store))
    c.__dict__["_store"] = store
    return c


@pytest.fixture
def own_client(web_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    """A client over a copy of its own (its test posts closures, which re-plan)."""
    ws = tmp_path / "ws"
    shutil.copytree(web_template, ws)
    c = _client(ws)
    with c:
        yield c
    c.__dict__["_store"].close()


def _auth(client: TestClient, user: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _decision(client: TestClient, user: str = "planner") -> dict[str, Any]:
    """GET /decision, asking again while it answers 202 (each call waits up to WAIT_S for the result)."""
    h = _auth(client, user)
    for _ in range(100):
        r = client.get("/api/v1/decision", headers=h)
        if r.status_code != 202:
            assert r.status_code == 200, r.text
            return dict(r.json())
        assert r.json()["status"] == "computing"
    raise AssertionError("still computing")


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- API -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "code"), [("admin", 200), ("planner", 200), ("viewer", 200), ("officer", 403),
                                            ("officer2", 403)])
def test_decision_is_for_the_crisis_cell_only(client: TestClient, user: str, code: int) -> None:
    h = _auth(client, user)
    r = client.get("/api/v1/decision", headers=h)
    for _ in range(100):  # 202 while the first computation runs: ask again (each call waits up to WAIT_S)
        if not (code == 200 and r.status_code == 202):
            break
        r = client.get("/api/v1/decision", headers=h)
    assert r.status_code == code, r.text
    if code == 403:
        assert "may not use" in r.json()["detail"]
    assert client.get("/api/v1/decision").status_code == 401
    assert client.get("/api/v1/decision", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_decision_equals_the_core_assessment(client: TestClient) -> None:
    d = _decision(client)
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    scenario = ctx.scenario()
    starts_h = [scenario.hours(datetime.fromisoformat(s["start"])) for s in d["starts"]]
    assert len(starts_h) == dec.SPAN_DAYS + 1 and np.allclose(np.diff(starts_h), dec.STEP_H)
    now_h = scenario.hours(datetime.fromisoformat(d["now"]))
    assert now_h <= starts_h[0] < now_h + 1.0  # the next full hour: no start in the past
    a = assess(scenario, starts_h, PLANNERS["greedy"])
    assert d["quantile"] == a.quantile and d["planner"] == "greedy"
    planned = d["planned_latest_start"]
    assert a.latest_safe_start_h is not None  # the test operation has one; the page must say the same
    assert planned["at"] == _iso(scenario.moment(a.latest_safe_start_h)) and planned["too_late"] is False
    assert planned["in_h"] == pytest.approx(a.latest_safe_start_h - now_h, abs=0.01)
    assert planned["beyond_range"] is (a.latest_safe_start_h == starts_h[-1])
    # the headline: the core's one rule over the page's own probability points (the plan test AND P ≥ 90 %)
    points = {scenario.hours(datetime.fromisoformat(p["start"])): p for p in d["probability"]["points"]}
    want = latest_safe_start(a, lambda h: SweepPoint(h, points[h]["runs"], points[h]["p_all_safe"],
                                                     (points[h]["ci_low"], points[h]["ci_high"])),
                             threshold=d["probability"]["threshold"])
    latest = d["latest_safe_start"]
    assert latest["at"] == _iso(None if want.start_h is None else scenario.moment(want.start_h))
    if want.start_h is not None:
        assert d["probability"]["latest_at_threshold"]["p_all_safe"] >= d["probability"]["threshold"]
    assert [p["start"] for p in d["rejected"]] == [_iso(scenario.moment(q.start_h)) for q in want.rejected]
    for c in d["by_class"]:
        h = a.latest_safe_start_by_class_h[c["name"]]
        assert c["latest_safe_start"]["at"] == (None if h is None else _iso(scenario.moment(h))), c["name"]
    assert [c["name"] for c in d["by_class"]] == list(a.class_names)
    for got, want in zip(d["starts"], a.starts, strict=True):
        assert (got["travelling"], got["safe"], got["all_safe"], got["binding"]) == \
               (want.travelling, want.safe, want.all_safe, want.binding)
        assert got["clearance_h"] == pytest.approx(want.clearance_h)
        want_last = None if want.last_safe_h is None else scenario.moment(want.last_safe_h)
        assert got["last_safe"] == _iso(want_last)
    assert [c["id"] for c in d["closures"]] == [w.threat_id for w in a.closures]
    assert all(c["early_h"] <= c["planning_h"] <= c["late_h"] for c in d["closures"])


def test_probability_points_are_the_simulators_with_their_intervals(client: TestClient) -> None:
    d = _decision(client)
    pr = d["probability"]
    assert (pr["runs"], pr["seed"], pr["mode"], pr["failed_runs"]) == (dec.RUNS, dec.SEED, "as_planned", 0)
    starts = [s["start"] for s in d["starts"]]
    got = {p["start"]: p for p in pr["points"]}
    latest = d["latest_safe_start"]["at"]
    assert set(starts[::dec.MC_EVERY]) <= set(got) and latest in got  # weekly, plus the decision point
    for p in pr["points"]:
        k = round(p["p_all_safe"] * p["runs"])
        assert p["p_all_safe"] == pytest.approx(k / p["runs"])
        assert (p["ci_low"], p["ci_high"]) == pytest.approx(wilson(k, p["runs"]))
    # the point at the latest safe start, recomputed here with the core simulator (same plan, same seed)
    scenario = client.app.state.ctx.scenario()  # type: ignore[attr-defined]
    plan = PLANNERS["greedy"].plan(scenario, start_h=scenario.hours(datetime.fromisoformat(latest)), seed=dec.SEED)
    sc = SimContext.of(scenario)
    horizon = max(48.0, 2.0 * (plan.kpis.clearance_h or 24.0))  # type: ignore[union-attr]
    job = SimJob(sc, compile_plan(plan, scenario, sc), Uncertainty(), dec.SEED, np.linspace(0, horizon, 241), horizon)
    s = summarise(simulate_runs(job, range(dec.RUNS)), start_h=plan.start_h, grid_h=job.grid_h, class_names=[])
    assert got[latest]["p_all_safe"] == pytest.approx(s.p_all_safe)
    assert (got[latest]["ci_low"], got[latest]["ci_high"]) == pytest.approx(s.p_all_safe_ci)
    assert _decision(client)["probability"] == pr  # cached, and seeded anyway: the same answer


def test_no_active_plan_is_a_clear_409(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    store = init_workspace(ws, clean_env())
    add_user(uow=store.uow(), hasher=dec_hasher(), username="planner", password=PASSWORD, role=Role.PLANNER)
    store.close()
    c = _client(ws)
    with c:
        r = c.get("/api/v1/decision", headers=_auth(c, "planner"))
        assert r.status_code == 409
        assert "no active plan" in r.json()["detail"]
    c.__dict__["_store"].close()


def dec_hasher() -> Any:
    from evac.adapters.passes.tokens import Argon2Hasher

    return Argon2Hasher(time_cost=1, memory_cost_kib=8192)


def test_a_slow_computation_answers_202_then_the_result(client: TestClient, monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    monkeypatch.setattr(ctx, "decisions", dec.DecisionCache())
    release = threading.Event()
    real = dec.compute

    def slow(*args: Any, **kw: Any) -> dec.DecisionResult:
        out = real(*args, **kw)
        release.wait()  # held until the test has seen the 202
        return out

    monkeypatch.setattr(dec, "compute", slow)
    monkeypatch.setattr(dec, "WAIT_S", 0.01)
    h = _auth(client, "viewer")
    r = client.get("/api/v1/decision", headers=h)
    assert r.status_code == 202
    body = r.json()
    assert body["status"] == "computing" and body["retry_after_s"] > 0 and r.headers["retry-after"]
    assert client.get("/api/v1/decision", headers=h).status_code == 202  # still the same computation
    release.set()
    monkeypatch.setattr(dec, "WAIT_S", 2.0)
    assert _decision(client, "viewer")["status"] == "ready"


def test_the_cache_raises_a_failed_computation_once_then_retries() -> None:
    cache: dec.DecisionCache[int] = dec.DecisionCache()
    calls: list[int] = []

    def boom() -> int:
        calls.append(1)
        raise ValueError("planner failed")

    with pytest.raises(ValueError, match="planner failed"):
        cache.get("k", boom, wait_s=30)
    assert cache.get("k", lambda: 7, wait_s=30) == 7  # a new attempt, not the stored error
    assert cache.get("k", boom, wait_s=30) == 7 and len(calls) == 1  # and now cached


def test_closing_every_exit_makes_it_too_late(own_client: TestClient) -> None:
    c = own_client
    before = _decision(c)
    h = {**_auth(c, "planner"), "Content-Type": "application/json"}
    for n, target in enumerate(OPEN_EXITS):
        r = c.post("/api/v1/closures", json={"target": target}, headers={**h, "Idempotency-Key": f"test-exit-{n}"})
        assert r.status_code == 200, r.text
    d = _decision(c)
    assert d["plan"] != before["plan"] and d["generation"] == before["generation"] + len(OPEN_EXITS)
    assert d["latest_safe_start"] == {"at": None, "h": None, "in_h": None, "too_late": True, "beyond_range": False}
    assert all(s["safe"] == 0 and not s["all_safe"] for s in d["starts"])
    assert all(cl["latest_safe_start"]["too_late"] for cl in d["by_class"] if cl["travelling"])
    assert all(p["p_all_safe"] == 0.0 for p in d["probability"]["points"])
    assert not d["probability"]["latest_at_threshold"]


# -- browser ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["planner", "viewer"])
def test_console_shows_the_latest_safe_start_and_both_charts(page: Page, server: Server, user: str) -> None:
    sign_in(page, server.url, "/console", user)
    page.wait_for_selector("#decision[data-state=ready]")
    # after activation the page shows progress against the closures; the start analysis is folded away
    page.wait_for_selector("#decision-progress[data-started=true]")
    tl = server.api("GET", "/status-board/timeline", user).json()
    head = page.inner_text("#decision-progress-head")
    assert f"{tl['actual_total']} of {tl['travelling']}" in head
    assert page.get_attribute("#decision-analysis", "open") is None
    page.click("#decision-analysis > summary")
    r = server.api("GET", "/decision", user)
    assert r.status_code == 200, r.text  # the page has computed it: cached now
    d = r.json()
    sec = page.locator("#decision")
    assert sec.get_attribute("data-latest-start") == d["latest_safe_start"]["at"]
    assert sec.get_attribute("data-too-late") == "false"
    head = page.inner_text("#decision-headline")
    assert "Latest safe start" in head and "h (≈" in head
    assert page.locator("#decision-headline time").get_attribute("datetime") == d["latest_safe_start"]["at"]
    assert page.locator("#decision-classes-table tbody tr").count() == len(d["by_class"])
    for chart, n in (("#decision-chart", len(d["starts"])), ("#decision-p-chart", len(d["probability"]["points"]))):
        svg = page.locator(f"{chart} svg[role=img]")
        assert len(svg.get_attribute("aria-label") or "") > 20
        assert page.get_attribute(chart, "data-bars" if chart == "#decision-chart" else "data-points") == str(n)
    bars = page.locator("#decision-chart rect.bar-ok").count() + page.locator("#decision-chart rect.bar-bad").count()
    assert bars == len(d["starts"])
    assert page.locator("#decision-p-chart polygon.ci-band").count() == 1
    assert page.locator("#decision-chart-legend li").count() == 5
    page.click("#decision-chart-data summary")
    assert page.locator("#decision-starts-table tbody tr").count() == len(d["starts"])
    assert page.locator("#decision-p-table tbody tr").count() == len(d["probability"]["points"])
    if user == "planner":
        page.locator("#decision").screenshot(path=str(shot_path("console-decision")))


def test_decision_page_in_arabic(page: Page, replan_server: Server) -> None:
    sign_in(page, replan_server.url, "/console", "viewer")
    page.wait_for_selector("#decision[data-state=ready]")
    page.click("#decision-analysis > summary")
    page.select_option("#lang", "ar")
    page.wait_for_selector("html[dir=rtl]")
    page.wait_for_function("document.querySelector('#decision-headline').innerText.includes('آخر موعد آمن')")
    assert page.locator("#decision-chart svg").get_attribute("aria-label").startswith("مخطط القرار")
    page.locator("#decision").screenshot(path=str(shot_path("console-decision-ar")))


def shot_path(name: str) -> Path:
    """Where a screenshot of the decision section alone goes (the whole console would bury it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def test_a_replan_refreshes_the_page_and_too_late_is_red(page: Page, replan_server: Server) -> None:
    s = replan_server
    sign_in(page, s.url, "/console", "planner")
    page.wait_for_selector("#decision[data-state=ready][data-too-late=false]")
    page.click("#decision-analysis > summary")
    gen = int(page.get_attribute("#decision", "data-generation") or "0")
    for n, target in enumerate(OPEN_EXITS[:-1]):
        r = s.api("POST", "/closures", "planner", json={"target": target},
                  headers={"Idempotency-Key": f"test-exit-{n}"})
        assert r.status_code == 200, r.text
    post_closure(page, OPEN_EXITS[-1])  # the last one from the console: it announces the re-plan
    page.wait_for_selector(f"#decision[data-state=ready][data-generation='{gen + len(OPEN_EXITS)}']")
    assert page.get_attribute("#decision", "data-too-late") == "true"
    assert page.get_attribute("#decision", "data-latest-start") == "none"
    assert "dec-head bad" in (page.get_attribute("#decision-headline", "class") or "")
    head = page.inner_text("#decision-headline")
    assert "Too late" in head and "Why: no open exit" in head
    page.locator("#decision").screenshot(path=str(shot_path("console-decision-too-late")))
