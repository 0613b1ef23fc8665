"""A user's interface language follows them from device to device (the server remembers it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_support import PASSWORD, sign_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from playwright.sync_api import Browser
    from web_support import Server


def _token(client: TestClient, user: str) -> str:
    r = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200
    return str(r.json()["access_token"])


def test_language_is_stored_per_user_and_returned_at_login(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {_token(client, 'officer2')}"}
    assert client.get("/api/v1/me", headers=auth).json()["language"] is None
    r = client.put("/api/v1/me/language", json={"language": "ar"}, headers=auth)
    assert r.status_code == 200 and r.json()["language"] == "ar"
    login = client.post("/api/v1/auth/login", json={"username": "officer2", "password": PASSWORD}).json()
    assert login["language"] == "ar"
    assert client.get("/api/v1/me", headers=auth).json()["language"] == "ar"
    other = client.post("/api/v1/auth/login", json={"username": "viewer", "password": PASSWORD}).json()
    assert other["language"] is None  # one user's choice is theirs alone


def test_unknown_language_is_refused_and_nothing_changes(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {_token(client, 'planner')}"}
    for bad in ({"language": "fr"}, {"language": ""}, {"lang": "ru"}, {"language": "ru", "x": 1}):
        assert client.put("/api/v1/me/language", json=bad, headers=auth).status_code == 422, bad
    assert client.get("/api/v1/me", headers=auth).json()["language"] is None
    assert client.put("/api/v1/me/language", json={"language": "ru"}).status_code == 401


def test_language_chosen_on_one_device_is_used_on_another(browser: Browser, server: Server) -> None:
    first = browser.new_context(bypass_csp=True)
    second = browser.new_context(bypass_csp=True)
    try:
        page = first.new_page()
        sign_in(page, server.url, "/console", "viewer")
        with page.expect_response(lambda r: r.url.endswith("/api/v1/me/language")) as saved:
            page.select_option("#lang", "ar")
        assert saved.value.status == 200
        page.wait_for_selector("html[dir=rtl][lang=ar]")
        other = second.new_page()  # a new device: nothing in its storage
        sign_in(other, server.url, "/console", "viewer")
        other.wait_for_selector("html[dir=rtl][lang=ar]")
        assert other.inner_text("#board-h") == "لوحة الحالة"
    finally:
        server.api("PUT", "/me/language", user="viewer", json={"language": "en"})
        first.close()
        second.close()
