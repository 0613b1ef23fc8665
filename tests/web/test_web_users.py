"""Users and roles in the console (admin): add a user, change a role and an assembly point, deactivate;
refusals shown as the API words them; nobody else sees the section."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from web_support import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from web_support import Server

NEW_PASSWORD = "a-new-officer-password"


def _login(server: Server, user: str, password: str) -> int:
    return httpx.post(f"{server.url}/api/v1/auth/login", json={"username": user, "password": password}).status_code


def test_admin_adds_a_field_officer_then_moves_and_deactivates_them(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/console", "admin")
    page.wait_for_selector("#user-list tbody tr")
    page.fill("#nu-name", "officer-homs")
    page.select_option("#nu-role", "field_officer")
    page.fill("#nu-place", "homs")
    page.fill("#nu-password", NEW_PASSWORD)
    page.click("#user-add-form button[type=submit]")
    page.wait_for_selector("#users-msg:has-text('Added officer-homs')")  # said once the list shows the new row
    assert page.is_visible("#u-role-officer-homs")
    assert page.input_value("#nu-password") == ""  # the password does not stay in the page
    assert _login(server, "officer-homs", NEW_PASSWORD) == 200
    me = server.api("GET", "/me", user="admin").json()
    assert me["username"] == "admin"
    users = {u["username"]: u for u in server.api("GET", "/users").json()}
    assert (users["officer-homs"]["role"], users["officer-homs"]["place"]) == ("field_officer", "homs")

    page.fill("#u-place-officer-homs", "hama")
    page.click("button.save-user[data-user=officer-homs]")
    # the page says "Saved" only once the list is redrawn from the server (the row about to be edited again)
    page.wait_for_selector("#users-msg:has-text('Saved officer-homs')")
    page.wait_for_function("document.querySelector('#u-place-officer-homs').value === 'hama'")
    page.uncheck("#u-active-officer-homs")
    page.click("button.save-user[data-user=officer-homs]")
    page.wait_for_selector("#u-active-officer-homs:not(:checked)")
    users = {u["username"]: u for u in server.api("GET", "/users").json()}
    assert (users["officer-homs"]["place"], users["officer-homs"]["active"]) == ("hama", False)
    assert _login(server, "officer-homs", NEW_PASSWORD) == 401
    assert page.is_disabled("#u-active-admin")  # an admin cannot lock themselves out from here


def test_refusals_are_shown_and_nothing_is_added(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/console", "admin")
    page.wait_for_selector("#user-list tbody tr")
    before = server.api("GET", "/users").json()
    page.fill("#nu-name", "planner")  # exists
    page.select_option("#nu-role", "planner")
    page.fill("#nu-password", NEW_PASSWORD)
    page.click("#user-add-form button[type=submit]")
    page.wait_for_selector("#users-error:has-text('exists')")
    page.fill("#nu-name", "officer-nowhere")
    page.select_option("#nu-role", "field_officer")
    page.fill("#nu-place", "")
    page.fill("#nu-password", NEW_PASSWORD)
    page.click("#user-add-form button[type=submit]")
    page.wait_for_selector("#users-error:has-text('assembly point')")
    assert server.api("GET", "/users").json() == before


def test_only_the_admin_sees_users_and_roles(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/console", "planner")
    assert not page.is_visible("#users")
    assert server.api("POST", "/users", user="planner", json={"username": "x-y", "password": NEW_PASSWORD,
                                                               "role": "viewer"}).status_code == 403
