"""The field loop on the field page in a real browser: a household's answer to the call-forward, check-in and
boarding of the whole household, departure of the vehicle, arrival by a tick on the manifest and for the whole
trip, no-show, a household with no seat refused, a boarded trip that a closure kills shown as an incident, and
sign-out leaving no name on the device.

Each test runs on a server of its own (it changes the operation). Every wait is on a selector or a state the
page publishes; the operation clock is moved back where a test needs trips still ahead of "now".
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from web_support import Server, clean_env, shot, sign_in, start_server, stop_server

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Page


def ahead(ws: Path, hours: float = 12.0) -> None:
    """Move the operation clock back so that every trip of the plan lies ``hours`` ahead of now."""
    store = open_workspace(ws, clean_env())
    try:
        with ops_uow_factory(store)() as uow:
            clock = uow.ops.clock()
            assert clock is not None
            uow.ops.set_clock(replace(clock, real_start=datetime.now(UTC) + timedelta(hours=hours)))
            uow.commit()
    finally:
        store.close()


@pytest.fixture
def own_server(web_template: Path, tmp_path: Path) -> Iterator[Server]:
    ws = tmp_path / "ws"
    shutil.copytree(web_template, ws)
    ahead(ws)
    s = start_server(ws)
    yield s
    stop_server(s)


def household_on(srv: Server, *, origin: str = "damascus", dest: str | None = None, mixed: bool | None = None
                 ) -> tuple[dict[str, Any], str, list[dict[str, Any]]]:
    """(trip, household id, the household's members as the API shows them) of a household picked up at
    ``origin`` on a trip that starts there (ending at ``dest`` if given); ``mixed``: with a member without a
    seat (True) or without such a member (False)."""
    trips = srv.api("GET", "/trips?limit=500", "officer").json()
    for t in trips:
        if t["origin"] != origin or (dest is not None and t["destination"] != dest) or not t["people"]:
            continue
        seen: set[str] = set()
        for p in srv.api("GET", f"/trips/{t['id']}", "officer").json()["passengers"]:
            hid = p["household"]
            if hid in seen:
                continue
            seen.add(hid)
            members = srv.api("GET", f"/households/{hid}", "officer").json()["members"]
            has_unseated = any(m["trip"] is None for m in members)
            if mixed is None or has_unseated is mixed:
                return t, hid, members
    raise AssertionError("no such household in the synthetic operation")


def status(srv: Server, pid: str) -> str:
    return str(srv.api("GET", f"/people/{pid}").json()["status"])


def find(page: Page, member: dict[str, Any], hid: str) -> str:
    """Search the household by one member's name; returns the selector of its card."""
    page.fill("#q", member["original"] or member["name"])
    page.click("#search-form button[type=submit]")
    card = f"li.household[data-household={hid}]"
    page.wait_for_selector(card)
    return card


def test_the_field_loop_through_the_page(page: Page, own_server: Server) -> None:
    srv = own_server
    trip, hid, members = household_on(srv, mixed=True)
    seated = [m["id"] for m in members if m["trip"]]
    unseated = [m["id"] for m in members if not m["trip"]]
    sign_in(page, srv.url, "/field", "officer")
    page.select_option("#trip", trip["id"])
    page.wait_for_selector(f"#manifest-body caption:has-text('{trip['id']}')")
    card = find(page, next(m for m in members if m["trip"]), hid)
    for m in members:  # the whole household is shown, also the member without a seat
        page.wait_for_selector(f"{card} [data-person={m['id']}]")
    page.click(f"{card} button.confirm")
    for pid in seated:
        page.wait_for_selector(f"{card} [data-person={pid}].st-confirmed:not(.pending)")
    page.click(f"{card} button.checkin")
    for pid in seated:
        page.wait_for_selector(f"{card} [data-person={pid}].st-checked_in:not(.pending)")
    assert all(status(srv, p) != "checked_in" for p in unseated)
    page.click(f"{card} button.board")
    for pid in seated:
        page.wait_for_selector(f"#manifest-body [data-person={pid}].st-boarded:not(.pending)")
    page.click("#depart-trip")  # two taps: the button, then the confirmation
    page.wait_for_selector("#trip-confirm:not([hidden])")
    assert trip["id"] in page.inner_text("#trip-confirm-text")
    page.click("#trip-confirm-yes")
    for pid in seated:
        page.wait_for_selector(f"#manifest-body [data-person={pid}].st-departed:not(.pending)")
    first, *rest = seated
    page.check(f"#manifest-body input.tick[data-person={first}]")  # a tick on the manifest: arrived safe
    page.wait_for_selector(f"#manifest-body span[data-person={first}].st-arrived_safe:not(.pending)")
    page.click("#arrive-trip")
    page.click("#trip-confirm-yes")
    for pid in rest:
        page.wait_for_selector(f"#manifest-body span[data-person={pid}].st-arrived_safe:not(.pending)")
    page.wait_for_selector("#pending[data-count='0']")
    assert all(status(srv, p) == "arrived_safe" for p in seated)
    assert page.get_attribute("#conflicts", "data-count") in (None, "0")
    shot(page, "field-loop")


def test_no_show_and_a_household_without_a_seat(page: Page, own_server: Server) -> None:
    srv = own_server
    _, hid, members = household_on(srv, mixed=False)
    sign_in(page, srv.url, "/field", "officer")
    card = find(page, members[0], hid)
    page.click(f"{card} button.noshow")
    for m in members:
        page.wait_for_selector(f"{card} [data-person={m['id']}].st-no_show:not(.pending)")
    assert all(status(srv, m["id"]) == "no_show" for m in members)
    # a household nobody gave a seat: the page says so, and the server refuses it as a whole
    store = open_workspace(srv.ws, clean_env())
    try:
        with ops_uow_factory(store)() as uow:
            booked = {s.household_id for s in uow.ops.states(limit=10**6) if s.trip_id}
            lone = next(s for s in uow.registry.active()
                        if f"RH{s.household_id:07d}" not in booked and s.record.city == "damascus")
    finally:
        store.close()
    lone_hid = f"RH{lone.household_id:07d}"
    page.fill("#q", f"{lone.record.given} {lone.record.family}")
    page.click("#search-form button[type=submit]")
    card = f"li.household[data-household={lone_hid}]"
    page.wait_for_selector(card)
    assert "No seat" in page.inner_text(card)
    page.click(f"{card} button.checkin")
    page.wait_for_selector("#conflicts[data-count='1']")
    assert f"household {lone_hid} has no seat on any trip" in page.inner_text("#conflict-list")
    assert status(srv, f"R{lone.id:07d}") != "checked_in"


def test_a_boarded_trip_killed_by_a_closure_is_shown_as_an_incident(page: Page, own_server: Server) -> None:
    srv = own_server
    trip, hid, members = household_on(srv, dest="beirut")
    sign_in(page, srv.url, "/field", "officer")
    page.select_option("#trip", trip["id"])
    page.wait_for_selector(f"#manifest-body caption:has-text('{trip['id']}')")
    card = find(page, next(m for m in members if m["trip"]), hid)
    page.click(f"{card} button.checkin")
    seated = [m["id"] for m in members if m["trip"]]
    for pid in seated:
        page.wait_for_selector(f"{card} [data-person={pid}].st-checked_in:not(.pending)")
    page.click(f"{card} button.board")
    for pid in seated:
        page.wait_for_selector(f"#manifest-body [data-person={pid}].st-boarded:not(.pending)")
    r = srv.api("POST", "/closures", "planner", json={"target": "damascus--masnaa"},
                headers={"Idempotency-Key": "k-closure-incident"})
    assert r.status_code == 200, r.text
    gone = srv.api("GET", f"/trips/{trip['id']}", "officer")
    assert gone.status_code == 200 and gone.json()["cancelled"]["reason"] == "closure of damascus--masnaa"
    page.reload()  # the officer opens the page again: the trip they were loading is an incident, not swapped
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector(f"#incident[data-trip='{trip['id']}']:not([hidden])")
    assert page.input_value("#trip") == trip["id"]
    text = page.inner_text("#incident")
    assert "closure of damascus--masnaa" in text and trip["id"] in text
    assert f"Take the {len(seated)} people who were on board off the vehicle" in text
    now = {p["id"]: p for p in gone.json()["passengers"]}
    for pid in seated:
        page.wait_for_selector(f"#incident-people li[data-person={pid}][data-off] .st-checked_in")
        if now[pid]["trip"]:
            assert now[pid]["trip"] in page.inner_text(f"#incident-people li[data-person={pid}]")
    assert page.is_hidden("#trip-actions")  # no departure from a cancelled trip
    shot(page, "field-incident")


def test_sign_out_leaves_no_name_on_the_device(page: Page, own_server: Server) -> None:
    srv = own_server
    trip, hid, members = household_on(srv)
    sign_in(page, srv.url, "/field", "officer")
    page.select_option("#trip", trip["id"])
    page.wait_for_selector(f"#manifest-body caption:has-text('{trip['id']}')")
    find(page, members[0], hid)
    manifest = srv.api("GET", f"/trips/{trip['id']}", "officer").json()["passengers"]
    names = {n for p in manifest for n in (p["name"], p["original"]) if n} | {m["name"] for m in members}
    assert any(n in _device_text(page) for n in names)  # the device keeps a copy while signed in
    token = json.loads(page.evaluate("sessionStorage.getItem('evac.session')"))["token"]
    page.click("#signout")
    page.wait_for_selector("body[data-signed-out=true]")
    page.wait_for_selector("#signin:not([hidden])")
    import httpx

    revoked = httpx.get(f"{srv.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401  # signed out on the server too, not only forgotten by the device
    left = _device_text(page)
    assert not [n for n in names if n in left], "a name stayed on the device after sign-out"
    assert not [n for n in names if n in page.inner_text("body")]
    # an unsent write: sign-out asks first, and keeps everything when the officer stays
    sign_in(page, srv.url, "/field", "officer")
    page.context.set_offline(True)
    page.wait_for_selector("#net.off")
    page.select_option("#trip", trip["id"])
    page.wait_for_selector(f"#manifest-body caption:has-text('{trip['id']}')")
    card = find(page, members[0], hid)  # offline: from the saved manifest
    page.click(f"{card} button.checkin")
    page.wait_for_selector("#pending[data-count='1']")
    page.click("#signout")
    page.wait_for_selector("#signout-confirm[data-count='1']:not([hidden])")
    assert "1" in page.inner_text("#signout-text")
    page.click("#signout-cancel")
    assert page.is_visible("#work") and page.get_attribute("#pending", "data-count") == "1"
    page.click("#signout")
    page.click("#signout-discard")
    page.wait_for_selector("body[data-signed-out=true]")
    assert not [n for n in names if n in _device_text(page)]
    page.context.set_offline(False)


def _device_text(page: Page) -> str:
    """Everything the page's origin keeps on the device: localStorage, sessionStorage, Cache Storage bodies
    other than static files, and IndexedDB database names."""
    return str(page.evaluate("""async () => {
        const out = [JSON.stringify(Object.assign({}, localStorage)),
                     JSON.stringify(Object.assign({}, sessionStorage))];
        for (const k of await caches.keys()) {
            const c = await caches.open(k);
            for (const req of await c.keys()) {
                if (new URL(req.url).pathname.startsWith('/static/')) continue;
                out.push(await (await c.match(req)).text());
            }
        }
        if (indexedDB.databases) out.push(JSON.stringify(await indexedDB.databases()));
        return out.join('\\n');
    }"""))


def test_idle_timeout_wipes_the_device(page: Page, own_server: Server) -> None:
    """After the idle timeout (data-idle-min on the page, EVAC_FIELD_IDLE_MIN) nothing personal stays; the
    page's clock is Playwright's fake clock, moved forward, so the test waits for no real minutes."""
    srv = own_server
    trip, hid, members = household_on(srv)
    page.clock.install()
    sign_in(page, srv.url, "/field", "officer")
    minutes = float(page.get_attribute("body", "data-idle-min") or "0")
    assert minutes == 15
    page.select_option("#trip", trip["id"])
    page.wait_for_selector(f"#manifest-body caption:has-text('{trip['id']}')")
    names = [p["name"] for p in srv.api("GET", f"/trips/{trip['id']}", "officer").json()["passengers"]]
    assert any(n in _device_text(page) for n in names)
    page.context.set_offline(True)  # one write cannot be sent before the officer walks away
    page.wait_for_selector("#net.off")
    page.click(f"{find(page, members[0], hid)} button.checkin")
    page.wait_for_selector("#pending[data-count='1']")
    page.clock.fast_forward(int((minutes + 1) * 60_000))
    page.wait_for_selector("body[data-signed-out=true]")
    assert "15" in page.inner_text("#signin-error")
    left = _device_text(page)
    assert not [n for n in names if n in left]
    assert json.loads(page.evaluate("JSON.stringify(sessionStorage)")) == {}  # the token is gone too
    queued = json.loads(page.evaluate("localStorage.getItem('evac.queue.officer')"))
    assert [q["body"] for q in queued] == [{"household": hid}]  # kept for the next sign-in, ids only
    page.context.set_offline(False)
    sign_in(page, srv.url, "/field", "officer")
    page.wait_for_selector("#pending[data-count='0']")
    assert status(srv, next(m["id"] for m in members if m["trip"])) == "checked_in"


def test_a_walk_in_registered_offline_is_booked_once_when_back_online(page: Page, own_server: Server) -> None:
    srv = own_server
    sign_in(page, srv.url, "/field", "officer")
    page.fill("#wi-given-0", "Зарина")
    page.fill("#wi-family-0", "Пешеходова")
    page.fill("#wi-given_latin-0", "Zarina")
    page.fill("#wi-family_latin-0", "Peshekhodova")
    page.fill("#wi-birth-0", "1986-04-02")
    page.click("#walkin-add")
    page.fill("#wi-given-1", "Тимур")
    page.fill("#wi-family-1", "Пешеходов")
    page.select_option("#wi-relation-1", "child")
    page.check("#wi-v-child-1")
    page.context.set_offline(True)
    page.wait_for_selector("#net.off")
    page.click("#walkin-form button[type=submit]")
    page.wait_for_selector("#pending[data-count='1']")
    assert page.input_value("#wi-given-0") == ""  # the form is cleared: the names live only in the queue
    page.context.set_offline(False)
    page.wait_for_selector("#pending[data-count='0']")
    page.wait_for_selector("#walkin[data-result=booked]")
    hid = page.get_attribute("#walkin", "data-household")
    members = srv.api("GET", f"/households/{hid}", "officer").json()["members"]
    assert sorted(m["original"] for m in members) == ["Зарина Пешеходова", "Тимур Пешеходов"]
    trip = members[0]["trip"]
    assert trip and {m["trip"] for m in members} == {trip}
    assert trip in page.inner_text("#walkin-note")
    found = srv.api("GET", "/people?q=Peshekhodova", "officer").json()
    assert sorted(p["id"] for p in found) == sorted(m["id"] for m in members)  # one household, registered once
    # the walk-in is checked in like anyone else, from the search
    card = find(page, members[0], hid)
    page.click(f"{card} button.checkin")
    for m in members:
        page.wait_for_selector(f"{card} [data-person={m['id']}].st-checked_in:not(.pending)")
    shot(page, "field-walkin")


def test_an_officer_corrects_a_phone_and_a_change_of_mind(page: Page, own_server: Server) -> None:
    srv = own_server
    _, hid, members = household_on(srv)
    sign_in(page, srv.url, "/field", "officer")
    card = find(page, members[0], hid)
    page.click(f"{card} details.edit summary")
    page.select_option(f"#edit-who-{hid}", members[0]["id"])
    page.fill(f"#edit-phone-{hid}", "0944 555 777")
    page.select_option(f"#edit-willingness-{hid}", "declines")
    page.click(f"#edit-form-{hid} button[type=submit]")
    page.wait_for_selector(f"#edit-msg-{hid}:has-text('Saved')")
    assert "phone" in page.inner_text(f"#edit-msg-{hid}") and page.input_value(f"#edit-phone-{hid}") == ""
    store = open_workspace(srv.ws, clean_env())
    try:
        with ops_uow_factory(store)() as uow:
            rec = uow.registry.get(int(members[0]["id"][1:])).record
    finally:
        store.close()
    assert (rec.phone, rec.willingness.value) == ("+963944555777", "declines")
    page.fill(f"#edit-phone-{hid}", "12")  # refused by the server, said in words; nothing stored
    page.click(f"#edit-form-{hid} button[type=submit]")
    page.wait_for_selector(f"#edit-msg-{hid}:has-text('not a')")


def test_an_officer_prints_a_households_passes(page: Page, own_server: Server) -> None:
    srv = own_server
    _, hid, members = household_on(srv)
    sign_in(page, srv.url, "/field", "officer")
    card = find(page, members[0], hid)
    with page.expect_download() as got:
        page.click(f"{card} button.passes")
    assert got.value.suggested_filename == f"passes-{hid}.pdf"
    with open(got.value.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"
