"""The web UI in a real browser (Playwright driving Debian's Chromium against a real ``evac serve``).

Every wait is on a selector or a state the page publishes (``body[data-ready]``, ``#pending[data-count]``),
never on a sleep. Offline is the browser context's own switch (``context.set_offline``).
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest
from web_support import (
    Household,
    Server,
    axe_violations,
    clean_env,
    post_closure,
    shot,
    sign_in,
    start_server,
    stop_server,
)

from evac.adapters.store.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Page

SECTIONS = ["board", "unaccounted", "map", "decision", "trips", "closure", "registry", "notifications", "users",
            "audit"]
VISIBLE = {"admin": set(SECTIONS),
           "planner": {"board", "unaccounted", "map", "decision", "trips", "closure", "registry", "notifications"},
           "viewer": {"board", "unaccounted", "map", "decision", "trips", "registry"}}


def checkin_events(ws: Path, people: list[str]) -> list[tuple[str, str]]:
    """(person, idempotency key) of every ``checked_in`` event about ``people`` in the log."""
    from sqlalchemy import text

    store = open_workspace(ws, clean_env())
    try:
        with store.engine.connect() as c:
            rows = c.execute(text("SELECT stream, idem_key FROM op_events WHERE type = 'checked_in'")).all()
    finally:
        store.close()
    want = {f"person:{p}" for p in people}
    return [(s.removeprefix("person:"), k) for s, k in rows if s in want]


def offline_three(households: list[Household]) -> list[Household]:
    """The three households of the offline test (on the trip of ``households[1]``)."""
    trip = households[1].trip
    return [h for h in households[1:] if h.trip == trip][:3]


def search_household(page: Page, hh: Household) -> None:
    page.fill("#q", hh.query)
    page.click("#search-form button[type=submit]")
    page.wait_for_selector(f"li.household[data-household={hh.id}]")


def pick_trip(page: Page, trip: str) -> None:
    page.select_option("#trip", trip)
    page.wait_for_selector(f"#manifest-body caption:has-text('{trip}')")


@pytest.mark.parametrize("user", ["admin", "planner", "viewer"])
def test_console_shows_each_role_only_its_sections(page: Page, server: Server, user: str) -> None:
    sign_in(page, server.url, "/console", user)
    for sec in SECTIONS:
        assert page.is_visible(f"#{sec}") is (sec in VISIBLE[user]), (user, sec)
    page.wait_for_selector("#funnel-stages .kcard[data-stage=registered]")
    page.wait_for_selector("#totals .kcard", state="attached")  # by status, folded under the funnel
    page.wait_for_selector("#unacc-list tbody tr")
    page.wait_for_selector("#dupe-list p")  # the shared server has no candidate pairs
    assert page.is_visible("#reg-people") is (user != "viewer")  # viewers may not search people
    if user == "admin":
        page.wait_for_selector("#user-list tbody tr")
        shot(page, "console-admin")


def test_field_officer_on_the_console_is_sent_to_the_field_page(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/console", "officer")
    assert page.is_visible("#wrong-role a[href='/field']")
    assert not page.is_visible("#work")


def test_field_check_in_and_board_a_household_by_search(page: Page, server: Server,
                                                        households: list[Household]) -> None:
    hh = households[0]
    sign_in(page, server.url, "/field", "officer")
    assert page.input_value("#place") == "damascus"
    pick_trip(page, hh.trip)
    search_household(page, hh)
    card = f"li.household[data-household={hh.id}]"
    page.click(f"{card} button.checkin")
    page.wait_for_selector("#pending[data-count='0']")
    for pid in hh.members:
        page.wait_for_selector(f"{card} [data-person={pid}].st-checked_in:not(.pending)")
    page.click(f"{card} button.board")
    for pid in hh.members:
        page.wait_for_selector(f"#manifest-body [data-person={pid}].st-boarded:not(.pending)")
    states = {p["id"]: p["status"] for p in server.api("GET", f"/trips/{hh.trip}").json()["passengers"]}
    assert all(states[pid] == "boarded" for pid in hh.members)
    page.check("#missing-only")
    assert page.locator(f"#manifest-body [data-person={hh.members[0]}]").count() == 0
    page.uncheck("#missing-only")
    shot(page, "field-officer")


def test_offline_check_ins_sync_exactly_once(page: Page, server: Server, households: list[Household]) -> None:
    trip = households[1].trip
    three = offline_three(households)
    assert len(three) == 3
    people = [p for h in three for p in h.members]
    sign_in(page, server.url, "/field", "officer")
    pick_trip(page, trip)
    page.context.set_offline(True)
    page.wait_for_selector("#net.off")
    for hh in three:
        search_household(page, hh)  # offline: found in the manifest saved on the device
        page.click(f"li.household[data-household={hh.id}] button.checkin")
    page.wait_for_selector("#pending[data-count='3']")
    assert "3" in page.inner_text("#pending")
    assert checkin_events(server.ws, people) == []
    page.context.set_offline(False)
    page.wait_for_selector("#pending[data-count='0']")
    page.wait_for_selector("body[data-synced=true]")
    events = checkin_events(server.ws, people)
    assert sorted(s for s, _ in events) == sorted(people)  # each person once
    keys = {k for _, k in events}
    assert len(keys) == 3 and all(k.startswith("web-") for k in keys)  # three writes, three keys
    page.reload()  # nothing is sent twice after a reload
    page.wait_for_selector("body[data-ready=true]")
    assert len(checkin_events(server.ws, people)) == len(people)


def test_refused_offline_write_is_shown_as_a_conflict(page: Page, server: Server,
                                                      households: list[Household]) -> None:
    hh = households[-1]
    sign_in(page, server.url, "/field", "officer")
    pick_trip(page, hh.trip)
    page.context.set_offline(True)
    page.wait_for_selector("#net.off")
    search_household(page, hh)
    page.click(f"li.household[data-household={hh.id}] button.board")  # never checked in: the server refuses
    page.wait_for_selector("#pending[data-count='1']")
    page.context.set_offline(False)
    page.wait_for_selector("#pending[data-count='0']")
    page.wait_for_selector("#conflicts[data-count='1']")
    text = page.inner_text("#conflict-list")
    assert hh.id in text and "checked_in" in text
    page.reload()  # kept on the device until the officer resolves it
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector(f"#conflict-list li.conflict:has-text('{hh.id}')")
    shot(page, "field-conflict")
    page.click("#conflict-list button.dismiss")
    page.wait_for_selector("#conflicts", state="hidden")


def test_arabic_interface_is_right_to_left_and_remembered(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/field", "officer")
    page.select_option("#lang", "ar")
    page.wait_for_selector("html[dir=rtl][lang=ar]")
    assert page.inner_text("header h1") == "evac — نقطة التجمع"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.get_attribute("html", "dir") == "rtl"
    shot(page, "field-arabic")
    page.select_option("#lang", "ru")
    page.wait_for_selector("html[dir=ltr][lang=ru]")
    assert page.inner_text("label[for=trip]") == "Рейс"
    page.select_option("#lang", "en")  # the server remembers the choice: leave the shared officer in English
    page.wait_for_selector("html[dir=ltr][lang=en]")


def wait_for_service_worker(page: Page) -> None:
    """Return once the field page's service worker is active *and controls the page* — conditions, not a clock.

    ``navigator.serviceWorker.ready`` resolves when a worker is active (its install pre-cached the shell first);
    the worker claims open pages on activation, which sets ``controller`` and fires ``controllerchange``. The
    earlier version reloaded the page every 500 ms until a controller appeared, which raced the reloads against
    the worker's activation on a loaded machine."""
    controlled = page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        if (navigator.serviceWorker.controller) return true;
        return await new Promise((done) => navigator.serviceWorker.addEventListener(
            'controllerchange', () => done(navigator.serviceWorker.controller !== null), {once: true}));
    }""")
    assert controlled is True


def test_field_page_opens_offline_from_the_service_worker(page: Page, server: Server) -> None:
    """The page reopens offline from the worker's cache and says it is offline. The real cause of the old
    timeout: a page reopened by the service worker while the context is offline may still report
    ``navigator.onLine === true`` (Chromium applies the emulated network state to the new document late, or
    not at all), so ``#net.off`` never appeared. The page now also counts a request that cannot reach the
    server as offline, which is what a phone on a dead network needs anyway."""
    sign_in(page, server.url, "/field", "officer")
    wait_for_service_worker(page)
    page.wait_for_selector("#manifest-body tbody tr")
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#net.off")
    assert page.locator("#manifest-body tbody tr").count() > 0
    page.context.set_offline(False)
    page.wait_for_function("navigator.onLine")
    page.reload()  # back online: the next request reaches the server and the page says so
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#net.on")


@pytest.mark.parametrize(("path", "user"), [("/console", None), ("/console", "admin"), ("/field", "officer")])
def test_no_serious_or_critical_accessibility_violations(page: Page, server: Server, path: str,
                                                         user: str | None) -> None:
    if user is None:
        page.goto(server.url + path)
        page.wait_for_selector("body[data-ready=true]")
    else:
        sign_in(page, server.url, path, user)
    assert axe_violations(page) == []


def test_planner_posts_a_closure_and_sees_kpis_before_and_after(page: Page, replan_server: Server) -> None:
    sign_in(page, replan_server.url, "/console", "planner")
    post_closure(page, "masnaa")
    page.wait_for_selector("#kpis tbody tr")
    headers = page.locator("#kpis thead th").all_inner_texts()
    assert headers == ["Indicator", "Before", "After"]
    assert page.locator("#kpis tbody tr").count() == 5
    assert "Masnaa" in page.inner_text("#kpis caption")
    page.wait_for_selector("#plans tbody tr:nth-child(2)")  # the new generation is on the board
    shot(page, "console-closure")


@pytest.fixture
def registry_server(web_template: Path, tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    """A server of its own with one candidate duplicate pair in the review queue (a merge changes the registry).
    Also returns the pair's operation ids (``a``, ``b``), b's household and a search query for b."""
    from evac.services.operations import person_key

    ws = tmp_path / "ws"
    shutil.copytree(web_template, ws)
    store = open_workspace(ws, clean_env())
    try:
        with store.uow() as uow:
            active = uow.registry.active()
        a = active[0]
        b = next(r for r in active if r.household_id != a.household_id)
        with store.uow() as uow:
            uow.registry.replace_candidates([(a.id, b.id, 0.97, "match", ("same phone", "similar family name"))])
            uow.commit()
        info = {"a": person_key(a.id), "b": person_key(b.id), "query": f"{b.record.given} {b.record.family}"}
    finally:
        store.close()
    s = start_server(ws)
    info["household"] = s.api("GET", f"/people/{info['b']}").json()["household"]
    yield s, info
    stop_server(s)


def test_registry_queue_merge_unmerge_and_household_view(page: Page,
                                                         registry_server: tuple[Server, dict[str, str]]) -> None:
    srv, info = registry_server
    pair = f"{info['a']}~{info['b']}"
    sign_in(page, srv.url, "/console", "planner")
    row = f"#dupe-list tr[data-pair='{pair}']"
    page.wait_for_selector(row)
    text = page.inner_text(row)
    assert "0.970" in text and "match" in text and "same phone" in text and "similar family name" in text
    assert page.get_attribute("#dupe-list", "data-count") == "1"
    shot(page, "console-registry")
    page.click(f"{row} button.merge")
    page.wait_for_selector("#dupe-list[data-count='0']")  # reviewed: out of the queue
    assert srv.api("GET", "/registry/dupes", "planner").json() == []
    assert info["b"] in page.inner_text("#dupe-msg")
    page.click(f"#merged-list button.unmerge[data-person={info['b']}]")
    page.wait_for_selector(row)  # undone: back in the queue
    page.fill("#unmerge-id", info["b"])  # a second unmerge: the API's 409 message is shown
    page.click("#unmerge-form button[type=submit]")
    page.wait_for_selector("#dupe-msg.error")
    assert "not merged" in page.inner_text("#dupe-msg")
    # people search in any script, then the household of a result
    page.fill("#reg-q", info["query"])
    page.click("#reg-search-form button[type=submit]")
    person = f"#reg-results button.person[data-person={info['b']}]"
    page.wait_for_selector(person)
    page.click(person)
    page.wait_for_selector(f"#reg-household[data-household={info['household']}] tbody tr")
    members = srv.api("GET", f"/households/{info['household']}").json()["members"]
    assert page.locator("#reg-household tbody tr").count() == len(members)
    assert page.locator("#reg-household bdi.orig").count() == len(members)


def test_viewer_sees_the_queue_without_names_or_buttons(page: Page,
                                                        registry_server: tuple[Server, dict[str, str]]) -> None:
    srv, info = registry_server
    sign_in(page, srv.url, "/console", "viewer")
    page.wait_for_selector("#dupe-list[data-count='1'] tbody tr")
    assert info["a"] in page.inner_text("#dupe-list")
    assert page.locator("#dupe-list button.merge").count() == 0
    assert page.locator("#dupe-list bdi").count() == 0  # the API sends no names to viewers
    assert not page.is_visible("#reg-people") and not page.is_visible("#notifications")


def test_notifications_section_lists_the_outbox(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/console", "planner")
    page.wait_for_selector("#outbox-list tbody tr")
    headers = page.locator("#outbox-list thead th").all_inner_texts()
    assert headers == ["Id", "Person", "Household", "Template", "Language", "Channel", "Delivery state",
                       "Attempts", "Last error"]
    first = server.api("GET", "/outbox?limit=1", "planner").json()[0]
    cell = page.locator("#outbox-list tbody tr:first-child [data-template]")
    assert cell.get_attribute("data-template") == first["template"]
    assert cell.inner_text() == {"assignment": "seat assigned", "change": "trip changed",
                                 "cancellation": "seat cancelled"}[first["template"]]  # in words, translated
    page.select_option("#outbox-status", "failed")
    page.wait_for_selector("#outbox-list p")  # nothing failed in the synthetic operation
    assert page.get_attribute("#outbox-list", "data-count") == "0"


def test_field_checks_in_by_an_uploaded_image_of_a_pass(page: Page, server: Server, households: list[Household],
                                                        tmp_path: Path) -> None:
    import segno

    used = {households[0].id, households[-1].id, *(h.id for h in offline_three(households))}
    hh = next(h for h in households[1:-1] if h.id not in used)
    pid, *others = hh.members
    token = server.api("GET", f"/people/{pid}/pass", "officer").json()["token"]
    png = tmp_path / "pass.png"
    segno.make(token, error="m").save(str(png), scale=6, border=4)
    sign_in(page, server.url, "/field", "officer")
    page.click("label[for=scan-person]")  # the pass holder only (the default is the whole household)
    page.set_input_files("#pass-file", str(png))
    page.wait_for_selector(f"#scan-note[data-person='{pid}']")
    page.wait_for_selector("#pending[data-count='0']")
    assert server.api("GET", f"/people/{pid}").json()["status"] == "checked_in"
    assert all(server.api("GET", f"/people/{o}").json()["status"] != "checked_in" for o in others)
    [(person, key)] = checkin_events(server.ws, list(hh.members))
    assert person == pid and key.startswith("web-")
    shot(page, "field-pass")


def test_a_picture_without_a_qr_code_is_reported(page: Page, server: Server, tmp_path: Path) -> None:
    import segno

    png = tmp_path / "blank.png"
    segno.make("x").save(str(png), scale=1, border=0, dark="#fff")  # white on white: no code to find
    sign_in(page, server.url, "/field", "officer")
    page.set_input_files("#pass-file", str(png))
    page.wait_for_selector("#scan-note.error")
    assert page.get_attribute("#pending", "data-count") == "0"
