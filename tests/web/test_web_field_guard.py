"""Viewers must not see live-looking scan controls: a viewer opening /field is sent to the console's read-only
trips (static/field_guard.js, put before field.js by evac.web); field officers keep the field page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_support import PASSWORD, Server, sign_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from playwright.sync_api import Page


def test_a_viewer_signing_in_on_the_field_page_gets_the_read_only_console(page: Page, server: Server) -> None:
    page.goto(server.url + "/field")
    page.fill("#username", "viewer")
    page.fill("#password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url("**/console#trips")
    page.wait_for_selector("body[data-ready=true]")
    assert page.is_visible("#trips") and not page.is_visible("#closure")
    assert page.locator("#scan-start").count() == 0  # no scan control anywhere


def test_a_viewer_with_a_session_opening_the_field_page_is_sent_on(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/console", "viewer")
    page.goto(server.url + "/field")
    page.wait_for_url("**/console#trips")
    assert page.locator("#scan-start").count() == 0


def test_a_field_officer_keeps_the_field_page(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/field", "officer")
    assert page.url.endswith("/field") and page.is_visible("#scan-start")
    assert page.get_attribute("html", "data-readonly") is None


def test_the_guard_is_served_before_the_field_script_and_cached_offline(client: TestClient) -> None:
    html = client.get("/field").text
    assert html.index("/static/field_guard.js") < html.index("/static/field.js")
    assert '"/static/field_guard.js"' in client.get("/sw.js").text
    assert "field_guard.js" not in client.get("/console").text
