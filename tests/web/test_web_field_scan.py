"""Scanning passes on the field page: check in or board, the whole household or the pass holder only, by the
camera itself (Chromium's fake capture device fed a Y4M video of a real pass) and by an image; refusals
(another assembly point, a forged or expired pass, another trip) end as conflicts. And the outbox's channel.

The API half runs in-process on a copy of the operation; the browser half on a server of its own (so its
writes cannot meet the shared server's tests). Every wait is on a selector or a state the page publishes.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from web_support import (
    CHROMIUM_ARGS,
    PASSWORD,
    TIMEOUT_MS,
    Household,
    Server,
    clean_env,
    damascus_households,
    free_port,
    shot,
    sign_in,
    start_server,
    stop_server,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fastapi.testclient import TestClient
    from playwright.sync_api import Browser, Page

    from evac.adapters.store.workspace import Store

PHONE = {"width": 390, "height": 844}


# -- helpers ----------------------------------------------------------------------------------------------
def qr_modules(text: str) -> Any:
    """The QR code of ``text`` as a boolean array (True = dark), made as the pass PDFs make it (segno, level M),
    with a 4-module quiet zone."""
    import numpy as np
    import segno

    return np.array(list(segno.make(text, error="m").matrix_iter(scale=1, border=4)), dtype=bool)


def write_y4m(text: str, path: Path, *, width: int = 640, height: int = 480, frames: int = 4) -> Path:
    """A YUV4MPEG2 video (4:2:0, full-range luma) of the QR code of ``text`` on a sheet of paper, as Chromium's
    ``--use-file-for-fake-video-capture`` plays it (looped) to ``getUserMedia``."""
    import numpy as np

    m = qr_modules(text)
    scale = int(min(width, height) * 0.9) // m.shape[0]
    code = np.where(np.kron(m, np.ones((scale, scale), dtype=bool)), 20, 235).astype(np.uint8)
    y = np.full((height, width), 180, dtype=np.uint8)  # a grey table around the white pass
    top, left = (height - code.shape[0]) // 2, (width - code.shape[1]) // 2
    y[top:top + code.shape[0], left:left + code.shape[1]] = code
    chroma = np.full((height // 2) * (width // 2), 128, dtype=np.uint8).tobytes()
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + y.tobytes() + chroma + chroma)
    return path


def write_png(text: str, path: Path) -> Path:
    import segno

    segno.make(text, error="m").save(str(path), scale=6, border=4)
    return path


def forge(token: str) -> str:
    """The same ids with a broken signature: what a copied and edited pass looks like."""
    head, sig = token.rsplit(".", 1)
    return f"{head}.{('A' if sig[0] != 'A' else 'B')}{sig[1:]}"


def key() -> str:
    import uuid

    return "t-" + uuid.uuid4().hex


def events(ws_or_store: Path | Store, kind: str, people: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """(person, idempotency key) of every ``kind`` event about ``people`` in the log."""
    from sqlalchemy import text

    from evac.adapters.store.workspace import open_workspace

    own = isinstance(ws_or_store, Path)
    store = open_workspace(ws_or_store, clean_env()) if isinstance(ws_or_store, Path) else ws_or_store
    try:
        with store.engine.connect() as c:
            rows = c.execute(text("SELECT stream, idem_key FROM op_events WHERE type = :k"), {"k": kind}).all()
    finally:
        if own:
            store.close()
    want = {f"person:{p}" for p in people}
    return [(s.removeprefix("person:"), k) for s, k in rows if s in want]


def another_trip(hh: Household, trips: list[dict[str, Any]]) -> str:
    return next(str(t["id"]) for t in trips if t["id"] != hh.trip)


def stale_pass(store_or_ws: Store | Path, hh: Household, trip: str) -> str:
    """A genuinely signed pass of ``hh``'s first member for ``trip``: what a pass printed before a re-plan moved
    the household looks like."""
    from evac.adapters.passes.tokens import PassSigner, derive_secret
    from evac.adapters.store.workspace import open_workspace

    store = open_workspace(store_or_ws, clean_env()) if isinstance(store_or_ws, Path) else store_or_ws
    try:
        return PassSigner(derive_secret(store.keys, "pass")).issue(
            person=hh.members[0], household=hh.id, trip=trip, expires=datetime.now(UTC) + timedelta(hours=6))
    finally:
        if isinstance(store_or_ws, Path):
            store.close()


def families(hs: list[Household]) -> list[Household]:
    """Households of two or more (a whole-household scan must cover more than the holder), last first."""
    return [h for h in reversed(hs) if len(h.members) >= 2]


# -- fixtures ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hs(web_template: Path) -> list[Household]:
    return damascus_households(web_template)


@pytest.fixture(scope="module")
def api(web_template: Path, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], Store]]:
    """(client, headers per user, store) in-process on a copy of the operation, for this module's API tests."""
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import open_workspace
    from evac.server import create_app
    from evac.settings import Settings

    ws = tmp_path_factory.mktemp("scan-api") / "ws"
    shutil.copytree(web_template, ws)
    store = open_workspace(ws, clean_env())
    settings = Settings(workspace=ws, argon2_time_cost=1, argon2_memory_kib=8192, login_max_failures=50)
    with TestClient(create_app(settings, store=store)) as c:
        heads = {}
        for u in ("admin", "planner", "viewer", "officer", "officer2"):
            r = c.post("/api/v1/auth/login", json={"username": u, "password": PASSWORD})
            heads[u] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        yield c, heads, store
    store.close()


@pytest.fixture(scope="module")
def scan_server(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    ws = tmp_path_factory.mktemp("scan-server") / "ws"
    shutil.copytree(web_template, ws)
    s = start_server(ws)
    yield s
    stop_server(s)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    ctx = browser.new_context(viewport=PHONE, bypass_csp=True)
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx.new_page()
    ctx.close()


def camera_page(browser: Browser, video: Path) -> tuple[Browser, Page]:
    """A Chromium of its own whose camera plays ``video`` (the flags are per process), and a phone page."""
    cam = browser.browser_type.launch(executable_path=shutil.which("chromium"), headless=True, args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    ctx = cam.new_context(viewport=PHONE, bypass_csp=True, permissions=["camera"])
    ctx.set_default_timeout(TIMEOUT_MS)
    return cam, ctx.new_page()


def pick_trip(page: Page, trip: str) -> None:
    page.select_option("#trip", trip)
    page.wait_for_selector(f"#manifest-body caption:has-text('{trip}')")


def status_of(server: Server, pid: str) -> str:
    return str(server.api("GET", f"/people/{pid}").json()["status"])


# -- the API ----------------------------------------------------------------------------------------------
def post(client: TestClient, h: dict[str, str], route: str, body: dict[str, Any], k: str | None = None
         ) -> httpx.Response:
    return client.post(f"/api/v1/{route}", json=body, headers={**h, "Idempotency-Key": k or key()})


def test_one_scan_checks_in_then_boards_the_whole_household(api: tuple[TestClient, dict, Store],
                                                             hs: list[Household]) -> None:
    client, h, store = api
    hh = families(hs)[0]
    token = client.get(f"/api/v1/people/{hh.members[1]}/pass", headers=h["officer"]).json()["token"]
    k = key()
    r = post(client, h["officer"], "checkins", {"pass": token, "whole_household": True}, k)
    assert r.status_code == 200, r.text
    assert sorted(x["person"] for x in r.json()["results"]) == sorted(hh.members)
    assert r.json()["recorded"] == len(hh.members)
    again = post(client, h["officer"], "checkins", {"pass": token, "whole_household": True}, k)  # a retry
    assert again.headers.get("idempotent-replayed") == "true" and again.json() == r.json()
    rescan = post(client, h["officer"], "checkins", {"pass": token, "whole_household": True})  # scanned twice
    assert rescan.json()["recorded"] == 0 and {x["result"] for x in rescan.json()["results"]} == {"already"}
    assert sorted(p for p, _ in events(store, "checked_in", hh.members)) == sorted(hh.members)
    b = post(client, h["officer"], "boardings", {"pass": token, "whole_household": True, "trip": hh.trip})
    assert b.status_code == 200, b.text
    assert {x["status"] for x in b.json()["results"]} == {"boarded"} and b.json()["recorded"] == len(hh.members)
    assert {x["trip"] for x in b.json()["results"]} == {hh.trip}


def test_pass_holder_only_and_boarding_needs_check_in(api: tuple[TestClient, dict, Store],
                                                      hs: list[Household]) -> None:
    client, h, store = api
    hh = families(hs)[1]
    holder, *rest = hh.members
    token = client.get(f"/api/v1/people/{holder}/pass", headers=h["officer"]).json()["token"]
    r = post(client, h["officer"], "boardings", {"pass": token, "whole_household": True})
    assert r.status_code == 409 and "checked_in" in r.json()["detail"]  # nobody checked in: nobody boards
    r = post(client, h["officer"], "checkins", {"pass": token})  # scope: the holder (the API's default)
    assert [x["person"] for x in r.json()["results"]] == [holder]
    r = post(client, h["officer"], "boardings", {"pass": token, "whole_household": True, "trip": hh.trip})
    assert r.status_code == 409  # all or nothing: the rest of the family is not checked in
    assert events(store, "boarded", hh.members) == []
    r = post(client, h["officer"], "boardings", {"pass": token, "trip": hh.trip})
    assert r.status_code == 200 and [x["status"] for x in r.json()["results"]] == ["boarded"]
    statuses = {client.get(f"/api/v1/people/{p}", headers=h["officer"]).json()["status"] for p in rest}
    assert not statuses & {"checked_in", "boarded"}


def test_a_pass_or_a_person_for_another_trip_is_refused(api: tuple[TestClient, dict, Store],
                                                        hs: list[Household]) -> None:
    client, h, store = api
    hh = families(hs)[2]
    other = another_trip(hh, client.get("/api/v1/trips?limit=500", headers=h["admin"]).json())
    stale = stale_pass(store, hh, other)  # genuine, but the household travels on hh.trip (re-planned since)
    r = post(client, h["officer"], "checkins", {"pass": stale, "whole_household": True})
    assert r.status_code == 409 and f"booked on trip {hh.trip}, not {other}" in r.json()["detail"]
    token = client.get(f"/api/v1/people/{hh.members[0]}/pass", headers=h["officer"]).json()["token"]
    r = post(client, h["officer"], "checkins", {"pass": token, "whole_household": True, "trip": other})
    assert r.status_code == 409 and f"for trip {hh.trip}, not trip {other}" in r.json()["detail"]
    assert post(client, h["officer"], "checkins", {"pass": token, "whole_household": True}).status_code == 200
    r = post(client, h["officer"], "boardings", {"person_ids": list(hh.members), "trip": other})  # by search
    assert r.status_code == 409 and f"booked on trip {hh.trip}" in r.json()["detail"]
    assert events(store, "boarded", hh.members) == []
    bad = post(client, h["officer"], "boardings", {"person_ids": list(hh.members), "trip": "T 1"})
    assert bad.status_code == 422  # not a trip id


def test_refused_passes_other_point_forged_expired_and_roles(api: tuple[TestClient, dict, Store],
                                                              hs: list[Household]) -> None:
    from evac.adapters.passes.tokens import PassSigner, derive_secret

    client, h, store = api
    trip = client.get("/api/v1/trips", headers=h["officer2"]).json()[0]["id"]
    far = client.get(f"/api/v1/trips/{trip}", headers=h["officer2"]).json()["passengers"][0]
    far_token = client.get(f"/api/v1/people/{far['id']}/pass", headers=h["officer2"]).json()["token"]
    r = post(client, h["officer"], "checkins", {"pass": far_token, "whole_household": True})
    assert r.status_code == 404 and "your assembly point" in r.json()["detail"]  # damascus officer, aleppo pass
    hh = families(hs)[3]
    token = client.get(f"/api/v1/people/{hh.members[0]}/pass", headers=h["officer"]).json()["token"]
    r = post(client, h["officer"], "checkins", {"pass": forge(token), "whole_household": True})
    assert r.status_code == 422 and "not valid" in r.json()["detail"]
    expired = PassSigner(derive_secret(store.keys, "pass")).issue(
        person=hh.members[0], household=hh.id, trip=hh.trip, expires=datetime.now(UTC) - timedelta(minutes=1))
    r = post(client, h["officer"], "checkins", {"pass": expired})
    assert r.status_code == 422 and "expired" in r.json()["detail"]
    assert post(client, h["viewer"], "checkins", {"pass": token}).status_code == 403
    assert client.post("/api/v1/checkins", json={"pass": token}, headers=h["officer"]).status_code in (400, 422)
    assert events(store, "checked_in", hh.members) == []
    assert post(client, h["officer"], "checkins", {"pass": token, "scope": "household"}).status_code == 422


def test_outbox_reports_the_channel_each_message_went_through(api: tuple[TestClient, dict, Store]) -> None:
    from evac.adapters.notify.render import JinjaRenderer
    from evac.adapters.notify.senders import SmtpSender, WebhookSender
    from evac.adapters.store.ops_repo import ops_uow_factory
    from evac.services.notifications import dispatch

    client, h, store = api
    before = client.get("/api/v1/outbox", params={"limit": 500}, headers=h["planner"]).json()
    assert before and all(m["channel"] is None for m in before)  # queued: no gateway has seen them
    ok = WebhookSender(url="http://sms.invalid/send", transport=httpx.MockTransport(lambda _: httpx.Response(202)))
    dispatch(uow_factory=ops_uow_factory(store), sender=ok, renderer=JinjaRenderer(), now=datetime.now(UTC),
             limit=3)
    down = SmtpSender(host="127.0.0.1", port=free_port(), sender="evac@test", to_domain="sms.test", timeout_s=2)
    dispatch(uow_factory=ops_uow_factory(store), sender=down, renderer=JinjaRenderer(), now=datetime.now(UTC),
             limit=2)  # an SMTP relay that is down (nothing listens): tried, to be retried
    rows = {m["id"]: m for m in client.get("/api/v1/outbox", params={"limit": 500}, headers=h["planner"]).json()}
    by_channel: dict[str | None, list[dict[str, Any]]] = {}
    for m in rows.values():
        by_channel.setdefault(m["channel"], []).append(m)
    assert all(m["status"] == "sent" for m in by_channel["webhook"])
    assert {m["status"] for m in by_channel["smtp"]} <= {"pending", "failed"}
    assert all(m["last_error"].startswith("smtp:") for m in by_channel["smtp"])
    assert len(by_channel["webhook"]) + len(by_channel["smtp"]) + sum(
        1 for m in by_channel.get(None, []) if m["last_error"] == "no phone number") == 5
    sent = client.get("/api/v1/outbox", params={"status": "sent"}, headers=h["planner"]).json()
    assert sent and {m["channel"] for m in sent} == {"webhook"}
    assert client.get("/api/v1/outbox", headers=h["officer"]).status_code == 403


def test_migration_backfills_the_channel_from_the_event_log(web_template: Path, tmp_path: Path) -> None:
    """Messages delivered before revision 0004 get their channel from the ``notified`` events' notes."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from evac.adapters.notify.render import JinjaRenderer
    from evac.adapters.notify.senders import WebhookSender
    from evac.adapters.store import workspace as wsmod
    from evac.adapters.store.ops_repo import ops_uow_factory
    from evac.services.notifications import dispatch

    ws = tmp_path / "ws"
    shutil.copytree(web_template, ws)
    store = wsmod.open_workspace(ws, clean_env())
    try:
        ok = WebhookSender(url="http://sms.invalid/", transport=httpx.MockTransport(lambda _: httpx.Response(200)))
        dispatch(uow_factory=ops_uow_factory(store), sender=ok, renderer=JinjaRenderer(), now=datetime.now(UTC),
                 limit=4)
        q = text("SELECT id, channel FROM op_outbox WHERE status = 'sent' ORDER BY id")
        with store.engine.connect() as c:
            sent = c.execute(q).all()
        assert sent and {ch for _, ch in sent} == {"webhook"}
        cfg = Config()
        cfg.set_main_option("script_location", str(wsmod._MIGRATIONS))
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0003")
        wsmod.migrate(store.engine)
        with store.engine.connect() as c:
            assert c.execute(q).all() == sent
            assert c.execute(text("SELECT count(*) FROM op_outbox WHERE channel IS NOT NULL")).scalar() == len(sent)
    finally:
        store.close()


# -- the browser ------------------------------------------------------------------------------------------
def test_camera_scan_checks_in_then_boards_a_household(browser: Browser, scan_server: Server,
                                                       hs: list[Household], tmp_path: Path) -> None:
    """The real camera path: getUserMedia → <video> → canvas → jsQR → the offline queue → the API."""
    hh = families(hs)[0]
    holder = hh.members[-1]
    token = scan_server.api("GET", f"/people/{holder}/pass", "officer").json()["token"]
    cam, page = camera_page(browser, write_y4m(token, tmp_path / "pass.y4m"))
    try:
        sign_in(page, scan_server.url, "/field", "officer")
        pick_trip(page, hh.trip)
        assert page.is_checked("#scan-checkin") and page.is_checked("#scan-household")  # the defaults
        page.click("#scan-start")
        page.wait_for_selector("#scan-note[data-route=checkins][data-person]")
        page.wait_for_selector("#pending[data-count='0']")
        assert sorted(page.get_attribute("#scan-note", "data-person").split()) == sorted(hh.members)
        assert page.is_visible("#scan-video")  # the camera stays on for the next family …
        page.wait_for_function("Number(document.querySelector('#scan').dataset.reads) >= 4")  # … reading on
        assert {status_of(scan_server, p) for p in hh.members} == {"checked_in"}
        got = events(scan_server.ws, "checked_in", hh.members)
        assert sorted(p for p, _ in got) == sorted(hh.members)  # once each
        assert len({k for _, k in got}) == 1 and got[0][1].startswith("web-")  # one scan, one write
        page.click("label[for=scan-board]")  # the same pass, still in front of the camera, now boards
        page.wait_for_selector(f"#scan-what:has-text('{hh.trip}')")
        page.wait_for_selector("#scan-note[data-route=boardings][data-person]")
        for pid in hh.members:
            page.wait_for_selector(f"#manifest-body [data-person={pid}].st-boarded:not(.pending)")
        assert {status_of(scan_server, p) for p in hh.members} == {"boarded"}
        assert len(events(scan_server.ws, "boarded", hh.members)) == len(hh.members)  # once each
        shot(page, "field-scan-camera-phone")
        page.click("#scan-stop")
        page.wait_for_selector("#scan-video", state="hidden")
    finally:
        cam.close()


def test_pass_holder_only_by_image(phone: Page, scan_server: Server, hs: list[Household], tmp_path: Path) -> None:
    hh = families(hs)[1]
    holder, *rest = hh.members
    token = scan_server.api("GET", f"/people/{holder}/pass", "officer").json()["token"]
    sign_in(phone, scan_server.url, "/field", "officer")
    phone.click("label[for=scan-person]")
    phone.wait_for_selector("#scan[data-scope=person]")
    phone.set_input_files("#pass-file", str(write_png(token, tmp_path / "p.png")))
    phone.wait_for_selector(f"#scan-note[data-person='{holder}']")
    assert status_of(scan_server, holder) == "checked_in"
    assert all(status_of(scan_server, p) != "checked_in" for p in rest)
    phone.reload()  # the choice stays on the device
    phone.wait_for_selector("body[data-ready=true]")
    assert phone.is_checked("#scan-person") and phone.is_checked("#scan-checkin")


def test_offline_scan_waits_in_the_queue_then_checks_in_the_household(page: Page, scan_server: Server,
                                                                       hs: list[Household], tmp_path: Path) -> None:
    hh = families(hs)[4]
    token = scan_server.api("GET", f"/people/{hh.members[0]}/pass", "officer").json()["token"]
    sign_in(page, scan_server.url, "/field", "officer")
    pick_trip(page, hh.trip)
    page.context.set_offline(True)
    page.wait_for_selector("#net.off")
    page.set_input_files("#pass-file", str(write_png(token, tmp_path / "off.png")))
    page.wait_for_selector("#pending[data-count='1']")
    for pid in hh.members:  # the ids read from the pass mark the family as pending in the saved manifest
        page.wait_for_selector(f"#manifest-body [data-person={pid}].st-checked_in.pending")
    assert hh.id in page.inner_text("#scan-note")
    assert events(scan_server.ws, "checked_in", hh.members) == []
    page.context.set_offline(False)
    page.wait_for_selector("body[data-synced=true]")
    page.wait_for_selector("#scan-note[data-person][data-route=checkins]")
    assert {status_of(scan_server, p) for p in hh.members} == {"checked_in"}
    assert len({k for _, k in events(scan_server.ws, "checked_in", hh.members)}) == 1


def test_pass_of_another_assembly_point_is_a_conflict(page: Page, scan_server: Server, tmp_path: Path) -> None:
    trip = scan_server.api("GET", "/trips", "officer2").json()[0]["id"]
    far = scan_server.api("GET", f"/trips/{trip}", "officer2").json()["passengers"][0]["id"]
    token = scan_server.api("GET", f"/people/{far}/pass", "officer2").json()["token"]
    before = status_of(scan_server, far)
    sign_in(page, scan_server.url, "/field", "officer")
    page.set_input_files("#pass-file", str(write_png(token, tmp_path / "far.png")))
    page.wait_for_selector("#conflicts[data-count='1']")
    assert "assembly point" in page.inner_text("#conflict-list")
    assert page.get_attribute("#scan-note", "class") == "error"
    assert status_of(scan_server, far) == before


def test_forged_pass_is_a_conflict(page: Page, scan_server: Server, hs: list[Household], tmp_path: Path) -> None:
    hh = families(hs)[2]
    token = scan_server.api("GET", f"/people/{hh.members[0]}/pass", "officer").json()["token"]
    sign_in(page, scan_server.url, "/field", "officer")
    page.set_input_files("#pass-file", str(write_png(forge(token), tmp_path / "forged.png")))
    page.wait_for_selector("#conflicts[data-count='1']")
    assert "not valid" in page.inner_text("#conflict-list")
    assert events(scan_server.ws, "checked_in", hh.members) == []
    shot(page, "field-scan-forged")


def test_boarding_a_pass_for_another_trip_is_refused_on_the_device(page: Page, scan_server: Server,
                                                                    hs: list[Household], tmp_path: Path) -> None:
    hh = families(hs)[3]
    other = another_trip(hh, scan_server.api("GET", "/trips?limit=500").json())
    token = stale_pass(scan_server.ws, hh, other)
    sign_in(page, scan_server.url, "/field", "officer")
    pick_trip(page, hh.trip)
    page.click("label[for=scan-board]")
    page.context.set_offline(True)  # refused at once, even without the server
    page.wait_for_selector("#net.off")
    page.set_input_files("#pass-file", str(write_png(token, tmp_path / "t.png")))
    page.wait_for_selector("#scan-note[data-refused=trip]")
    assert f"trip {other}, not trip {hh.trip}" in page.inner_text("#scan-note")
    assert page.get_attribute("#pending", "data-count") == "0"
    page.context.set_offline(False)
    page.wait_for_selector("#net.on")
    assert events(scan_server.ws, "boarded", hh.members) == []


def test_console_outbox_shows_the_channel(page: Page, scan_server: Server) -> None:
    from evac.adapters.notify.render import JinjaRenderer
    from evac.adapters.notify.senders import WebhookSender
    from evac.adapters.store.ops_repo import ops_uow_factory
    from evac.adapters.store.workspace import open_workspace
    from evac.services.notifications import dispatch

    store = open_workspace(scan_server.ws, clean_env())
    try:
        ok = WebhookSender(url="http://sms.invalid/", transport=httpx.MockTransport(lambda _: httpx.Response(200)))
        dispatch(uow_factory=ops_uow_factory(store), sender=ok, renderer=JinjaRenderer(), now=datetime.now(UTC),
                 limit=2)
    finally:
        store.close()
    sent = [m for m in scan_server.api("GET", "/outbox?limit=500", "planner").json() if m["channel"] == "webhook"]
    assert sent
    sign_in(page, scan_server.url, "/console", "planner")
    page.wait_for_selector("#outbox-list tbody tr")
    headers = page.locator("#outbox-list thead th").all_inner_texts()
    assert headers[5] == "Channel"
    row = page.locator("#outbox-list tbody tr", has=page.locator(f"th:text-is('{sent[0]['id']}')"))
    assert row.locator(".ob-ch").inner_text() == "SMS via webhook"
    assert page.locator("#outbox-list .ob-ch.none").first.inner_text() == "not tried yet"
    page.select_option("#lang", "ru")
    page.wait_for_selector("#outbox-list thead th:text-is('Канал')")
