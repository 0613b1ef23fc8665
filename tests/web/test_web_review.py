"""The duplicate review queue in a real browser: the unreviewed-likely note, band and place filters, paging,
and accepting every likely match only after an explicit confirmation (then undoing one)."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest
from web_support import Server, axe_violations, clean_env, shot, sign_in, start_server, stop_server

from evac.adapters.store.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Page

REVIEW_PAIRS = 60  # more than one page of 50


@pytest.fixture
def queue_server(web_template: Path, tmp_path: Path) -> Iterator[Server]:
    """A server whose queue holds two likely pairs (one group of three records) and 60 pairs to review."""
    ws = tmp_path / "ws"
    shutil.copytree(web_template, ws)
    store = open_workspace(ws, clean_env())
    try:
        with store.uow() as uow:
            ids = [s.id for s in uow.registry.active()]
            likely = [(ids[0], ids[1], 0.99, "match", ("same phone",)), (ids[1], ids[2], 0.95, "match", ("x",))]
            review = [
                (ids[i], ids[i + 1], 0.5 - i / 1000, "review", ("similar family name",))
                for i in range(4, 4 + 2 * REVIEW_PAIRS, 2)
            ]
            uow.registry.replace_candidates(likely + review)
            uow.commit()
    finally:
        store.close()
    s = start_server(ws)
    yield s
    stop_server(s)


def test_queue_pages_filters_and_accepts_likely_matches_after_confirmation(page: Page, queue_server: Server) -> None:
    srv = queue_server
    sign_in(page, srv.url, "/console", "planner")
    page.wait_for_selector("#dupe-list[data-total='62'] tbody tr")
    assert "2 likely duplicates not yet reviewed; planned once each" in page.inner_text("#dupe-unresolved")
    assert page.locator("#dupe-list tbody tr").count() == 50
    assert page.inner_text("#dupe-range") == "1–50 of 62"
    page.click("#dupe-next")
    page.wait_for_selector("#dupe-list[data-count='12']")
    assert page.inner_text("#dupe-range") == "51–62 of 62"
    page.select_option("#dupe-band", "likely")
    page.wait_for_selector("#dupe-list[data-total='2'][data-count='2']")
    assert not page.is_visible("#dupe-pages")
    places = page.locator("#dupe-place option").all_inner_texts()
    assert len(places) >= 2  # "All" and at least one assembly point with its count

    assert page.inner_text("#dupe-accept") == "Accept all likely matches (2)"
    page.click("#dupe-accept")  # step 1 only asks
    page.wait_for_selector("#dupe-confirm:not([hidden])")
    assert "Merge the 2 likely pairs" in page.inner_text("#dupe-confirm-text")
    assert axe_violations(page, "#registry") == []
    page.click("#dupe-confirm-no")
    assert srv.api("GET", "/registry/dupes/summary", "planner").json()["likely"] == 2  # nothing was sent
    page.click("#dupe-accept")
    page.click("#dupe-confirm-yes")
    page.wait_for_selector("#dupe-list[data-total='0']")
    assert "Accepted 2 likely pairs: 2 records merged into 1 people." in page.inner_text("#dupe-msg")
    assert page.inner_text("#dupe-unresolved") == ""
    assert not page.is_visible("#dupe-accept")
    assert page.locator("#merged-list button.unmerge").count() == 2
    shot(page, "console-review-accepted")
    page.locator("#merged-list button.unmerge").first.click()  # undo one: its pair is back in the queue
    page.wait_for_selector("#dupe-list[data-total='1'] tbody tr")
    assert page.locator("#merged-list button.unmerge").count() == 1


def test_viewer_sees_counts_but_no_bulk_accept(page: Page, queue_server: Server) -> None:
    sign_in(page, queue_server.url, "/console", "viewer")
    page.wait_for_selector("#dupe-list[data-total='62'] tbody tr")
    assert "2 likely duplicates" in page.inner_text("#dupe-unresolved")
    assert not page.is_visible("#dupe-accept") and page.locator("#dupe-list button.merge").count() == 0


def test_console_search_shows_birth_date_and_trip_and_says_when_more_were_found(page: Page, server: Server) -> None:
    first = server.api("GET", "/trips?limit=1", "planner").json()[0]
    manifest = server.api("GET", f"/trips/{first['id']}", "planner").json()
    family = manifest["passengers"][0]["name"].split()[-1]
    r = server.api("GET", f"/people?q={family}&limit=50", "planner")
    total = int(r.headers["X-Total-Count"])
    sign_in(page, server.url, "/console", "planner")
    page.fill("#reg-q", family)
    page.click("#reg-search-form button[type=submit]")
    page.wait_for_selector("#reg-results tbody tr")
    assert page.locator("#reg-results thead th").all_inner_texts()[:2] == ["Name", "Born"]
    assert "Trip" in page.locator("#reg-results thead th").all_inner_texts()
    assert page.get_attribute("#reg-results", "data-total") == str(total)
    if total > 50:
        assert f"of {total:,}" in page.inner_text("#reg-note")
