"""The status board's funnel: the service against a hand count on a tiny hand-written operation, the API by
role (ETag'd poll, the live stream), and a scan through the API moving a number on the open console page.

The tiny operation (``tiny``): nine registry rows in Damascus and Homs, one a duplicate merged away, with
eligibility decided by the registry's rules from nationality and relation, then the greedy plan activated.
Every expected number below is counted by hand from that table, not computed by the code under test."""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi.testclient import TestClient
from web_support import PASSWORD, Server, clean_env, shot, sign_in, start_server, stop_server

from evac.adapters.passes.tokens import Argon2Hasher
from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.ops_scenario import operation_scenario
from evac.adapters.store.workspace import init_workspace, open_workspace
from evac.core.model import Category, Relation, Vulnerability, Willingness
from evac.core.oplog import EventType
from evac.core.planner import PLANNERS
from evac.core.registry.records import Record
from evac.server import create_app
from evac.services import funnel as fn
from evac.services import operations as ops
from evac.services import registry as reg
from evac.services.ops_ports import Clock, Role
from evac.services.users import add_user
from evac.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Page

W, U, D = Willingness.WANTS_TO_LEAVE, Willingness.UNDECIDED, Willingness.DECLINES
CHILD, MED = frozenset({Vulnerability.CHILD}), frozenset({Vulnerability.MEDICAL})
#: (external id, family, nationality, city, household, relation, vulnerabilities, willingness)
ROWS = [
    ("a1", "Ivanova", "RU", "damascus", "A", Relation.HEAD, frozenset(), W),      # citizen, travels
    ("a2", "Haddad", "SY", "damascus", "A", Relation.SPOUSE, frozenset(), W),     # family member, travels
    ("a3", "Haddad", "SY", "damascus", "A", Relation.CHILD, CHILD, W),            # family member, child
    ("b1", "Petrova", "RU", "damascus", "B", Relation.HEAD, MED, W),              # citizen, medical
    ("c1", "Smirnova", "RU", "homs", "C", Relation.HEAD, frozenset(), U),         # citizen, undecided
    ("c2", "Khoury", "SY", "homs", "C", Relation.SPOUSE, frozenset(), U),         # family member, undecided
    ("d1", "Nasser", "SY", "homs", "D", Relation.HEAD, frozenset(), W),           # ineligible
    ("e1", "Orlova", "RU", "homs", "E", Relation.HEAD, frozenset(), D),           # citizen, declines
    ("e9", "Orlova", "RU", "homs", "E9", Relation.HEAD, frozenset(), D),          # e1 again: merged away
]
USERS = {"admin": Role.ADMIN, "planner": Role.PLANNER, "viewer": Role.VIEWER, "officer": Role.FIELD_OFFICER}


def _build(path: Path) -> None:
    store = init_workspace(path, clean_env())
    try:
        records = [(i + 2, Record(external_id=x, given="Anna" if nat == "RU" else "Sami", family=fam,
                                  nationalities=(nat,), city=city, household_key=hh, relation=rel,
                                  category=Category.RESIDENT, vulnerabilities=vul, willingness=will))
                   for i, (x, fam, nat, city, hh, rel, vul, will) in enumerate(ROWS)]
        reg.import_records(uow=store.uow(), file_name="tiny.csv", sha256="1" * 64, records=records, problems=[],
                           rows=len(records))
        reg.merge(uow=store.uow(), kept="e1", merged="e9")
        scenario, unknown = operation_scenario(store, "syria-2013")
        assert not unknown
        plan = PLANNERS["greedy"].plan(scenario)
        now = datetime.now(UTC)
        ops.activate(uow_factory=ops_uow_factory(store), plan=plan, scenario=scenario, scenario_ref="syria-2013",
                     clock=Clock(now, plan.start_h, scenario.epoch, "syria-2013"), actor="test", now=now)
        hasher = Argon2Hasher(time_cost=1, memory_cost_kib=8192)
        for name, role in USERS.items():
            add_user(uow=ops_uow_factory(store)(), hasher=hasher, username=name, password=PASSWORD, role=role,
                     place="damascus" if role is Role.FIELD_OFFICER else None)
    finally:
        store.close()


@pytest.fixture(scope="module")
def tiny_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "ws"
    _build(path)
    return path


@pytest.fixture
def tiny(tiny_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    ws = tmp_path / "ws"
    shutil.copytree(tiny_template, ws)
    store = open_workspace(ws, clean_env())
    settings = Settings(workspace=ws, argon2_time_cost=1, argon2_memory_kib=8192, login_max_failures=50)
    with TestClient(create_app(settings, store=store)) as c:
        c.app.state.ws = ws  # type: ignore[attr-defined]
        yield c
    store.close()


def _h(c: TestClient, user: str) -> dict[str, str]:
    r = c.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _ids(c: TestClient) -> dict[str, str]:
    """External id -> operation person id (R…), read from the store of the client's workspace."""
    store = c.app.state.ctx.store  # type: ignore[attr-defined]
    with store.uow() as uow:
        return {x: f"R{uow.registry.by_external_id(x).id:07d}" for x, *_ in ROWS}


def _write(c: TestClient, h: dict[str, str], path: str, body: dict[str, Any]) -> httpx.Response:
    return c.post(f"/api/v1{path}", json=body, headers={**h, "Idempotency-Key": f"test-{uuid.uuid4().hex}"})


def _funnel(c: TestClient, user: str = "viewer") -> dict[str, Any]:
    r = c.get("/api/v1/status-board/funnel", headers=_h(c, user))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_funnel_against_a_hand_count(tiny: TestClient) -> None:
    f = _funnel(tiny)
    # hand count at activation: 8 people once e9 is merged into e1; d1 ineligible; willing a1 a2 a3 b1;
    # undecided c1 c2; nobody called yet (no message delivered); unaccounted: the 4 booked travellers
    assert f["stages"] == list(fn.STAGES)
    assert f["totals"] == {"registered": 8, "eligible": 7, "willing": 4, "undecided": 2, "called": 0,
                           "confirmed": 0, "checked_in": 0, "boarded": 0, "departed": 0, "safe": 0,
                           "unaccounted": 4}
    assert f["places"] == ["damascus", "homs"]
    assert f["by_place"]["damascus"]["registered"] == 4 and f["by_place"]["homs"]["registered"] == 4
    assert f["by_place"]["homs"]["undecided"] == 2 and f["by_place"]["damascus"]["willing"] == 4
    assert f["classes"] == ["medical", "children", "elderly", "general"]
    assert {c: f["by_class"][c]["registered"] for c in f["classes"]} == {"medical": 1, "children": 1, "elderly": 0,
                                                                         "general": 6}

    ids, h = _ids(tiny), _h(tiny, "admin")
    a = [ids["a1"], ids["a2"], ids["a3"]]
    assert _write(tiny, h, "/checkins", {"person_ids": a}).status_code == 200
    assert _write(tiny, h, "/boardings", {"person_ids": a[:2]}).status_code == 200
    assert _write(tiny, h, "/replies", {"person_ids": [ids["c1"]], "answer": "declined"}).status_code == 200
    assert _write(tiny, h, "/no-shows", {"person_ids": [ids["b1"]]}).status_code == 200
    f = _funnel(tiny)
    # a1 a2 boarded, a3 checked in; c1 declined (no longer undecided, called); b1 a no-show (called, unaccounted)
    assert f["totals"] == {"registered": 8, "eligible": 7, "willing": 4, "undecided": 1, "called": 5,
                           "confirmed": 3, "checked_in": 3, "boarded": 2, "departed": 0, "safe": 0,
                           "unaccounted": 1}
    assert f["by_class"]["children"]["checked_in"] == 1 and f["by_class"]["medical"]["unaccounted"] == 1
    assert f["by_place"]["damascus"]["boarded"] == 2


def test_funnel_has_no_person_in_it_and_is_for_the_crisis_cell(tiny: TestClient) -> None:
    text = tiny.get("/api/v1/status-board/funnel", headers=_h(tiny, "planner")).text
    assert "R0" not in text and "Ivanova" not in text and "RH0" not in text
    assert tiny.get("/api/v1/status-board/funnel", headers=_h(tiny, "officer")).status_code == 403
    assert tiny.get("/api/v1/status-board/funnel").status_code == 401
    assert tiny.get("/api/v1/status-board/funnel", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert tiny.get("/api/v1/status-board/stream", headers=_h(tiny, "officer")).status_code == 403
    assert tiny.get("/api/v1/status-board/stream").status_code == 401


def test_without_accept_event_stream_the_stream_is_one_event(tiny: TestClient) -> None:
    """Clients that did not ask for a live stream (scripts, schema fuzzers) get one event and the end."""
    r = tiny.get("/api/v1/status-board/stream", headers=_h(tiny, "viewer"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = [b for b in r.text.split("\n\n") if "event: funnel" in b]
    assert len(events) == 1
    data = json.loads(next(x for x in events[0].splitlines() if x.startswith("data: "))[6:])
    assert data["totals"]["registered"] == 8


def test_the_etag_answers_304_until_something_changes(tiny: TestClient) -> None:
    h = _h(tiny, "viewer")
    r = tiny.get("/api/v1/status-board/funnel", headers=h)
    tag = r.headers["etag"]
    assert tag == f'"{r.json()["version"]}"'
    again = tiny.get("/api/v1/status-board/funnel", headers={**h, "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    ids = _ids(tiny)
    assert _write(tiny, _h(tiny, "admin"), "/checkins", {"person_ids": [ids["b1"]]}).status_code == 200
    moved = tiny.get("/api/v1/status-board/funnel", headers={**h, "If-None-Match": tag})
    assert moved.status_code == 200 and moved.headers["etag"] != tag
    assert moved.json()["totals"]["checked_in"] == 1


def test_before_activation_the_funnel_is_a_clear_409(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    store = init_workspace(ws, clean_env())
    add_user(uow=ops_uow_factory(store)(), hasher=Argon2Hasher(time_cost=1, memory_cost_kib=8192), username="vw",
             password=PASSWORD, role=Role.VIEWER)
    settings = Settings(workspace=ws, argon2_time_cost=1, argon2_memory_kib=8192, login_max_failures=50)
    with TestClient(create_app(settings, store=store)) as c:
        r = c.get("/api/v1/status-board/funnel", headers=_h(c, "vw"))
        assert r.status_code == 409 and "evac ops activate" in r.json()["detail"]
    store.close()


def test_the_funnel_equals_the_fold_replayed(tiny: TestClient) -> None:
    """No second source of truth: the counts from the projection equal those from replaying the log."""
    from evac.core.oplog import fold

    ids, h = _ids(tiny), _h(tiny, "admin")
    assert _write(tiny, h, "/checkins", {"person_ids": [ids["a1"], ids["a2"], ids["a3"]]}).status_code == 200
    store = tiny.app.state.ctx.store  # type: ignore[attr-defined]
    with ops_uow_factory(store)() as uow:
        facts = uow.ops.person_facts()
        replayed = fold(ev for _, ev in uow.ops.events()).people
        from_log = {s: 0 for s in fn.STAGES}
        for p in facts:
            for s in fn.stages_of(p, replayed.get(p.person_id)):
                from_log[s] += 1
    assert _funnel(tiny)["totals"] == from_log
    assert from_log["checked_in"] == 3
    assert EventType.CHECKED_IN.value == "checked_in"


# -- the live stream and the page (a real server) -------------------------------------------------------------
@pytest.fixture
def tiny_server(tiny_template: Path, tmp_path: Path) -> Iterator[Server]:
    ws = tmp_path / "ws"
    shutil.copytree(tiny_template, ws)
    s = start_server(ws)
    yield s
    stop_server(s)


def _person(server: Server, external_id: str) -> str:
    store = open_workspace(server.ws, clean_env())
    try:
        with store.uow() as uow:
            return f"R{uow.registry.by_external_id(external_id).id:07d}"
    finally:
        store.close()


def test_the_stream_sends_the_funnel_then_each_change(tiny_server: Server) -> None:
    pid = _person(tiny_server, "b1")
    headers = {"Authorization": f"Bearer {tiny_server.token('viewer')}", "Accept": "text/event-stream"}
    seen: list[dict[str, Any]] = []
    with httpx.stream("GET", f"{tiny_server.url}/api/v1/status-board/stream", headers=headers,
                      timeout=httpx.Timeout(60.0)) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in r.iter_lines():  # a condition wait: read events until the check-in shows (timeout: hung)
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "funnel":
                seen.append(json.loads(line[6:]))
                if len(seen) == 1:
                    assert seen[0]["totals"]["checked_in"] == 0
                    w = tiny_server.api("POST", "/checkins", json={"person_ids": [pid]},
                                        headers={"Idempotency-Key": f"test-{uuid.uuid4().hex}"})
                    assert w.status_code == 200, w.text
                elif seen[-1]["totals"]["checked_in"] == 1:
                    break
    assert seen[-1]["totals"]["checked_in"] == 1
    assert seen[-1]["by_class"]["medical"]["checked_in"] == 1
    assert seen[-1]["version"] != seen[0]["version"]


def test_a_scan_moves_the_funnel_on_the_open_console(page: Page, tiny_server: Server) -> None:
    sign_in(page, tiny_server.url, "/console", "viewer")
    cell = page.locator("#funnel [data-stage=checked_in] .v")
    page.wait_for_selector("#funnel[data-live=open]")
    assert cell.inner_text() == "0"
    assert page.locator("#funnel [data-stage=registered] .v").inner_text() == "8"
    pids = [_person(tiny_server, x) for x in ("a1", "a2", "a3")]
    r = tiny_server.api("POST", "/checkins", user="officer", json={"person_ids": pids},
                        headers={"Idempotency-Key": f"test-{uuid.uuid4().hex}"})
    assert r.status_code == 200, r.text
    page.wait_for_selector("#funnel [data-stage=checked_in][data-value='3']")  # no reload, no sleep
    assert page.locator("#funnel-place tbody tr[data-point=damascus] td[data-stage=checked_in]").inner_text() == "3"
    shot(page, "console-funnel")
