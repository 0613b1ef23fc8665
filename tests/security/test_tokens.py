"""Bearer tokens: stale (token version moved on), revoked (sign-out), tampered, expired, foreign, and the
password change that ends every earlier session; on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from ops_client import PASSWORD, login, make_client

from evac.adapters.passes.tokens import TokenSigner

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store

NEW_PASSWORD = "Latakia-harbour-at-dawn"


def _me(client: TestClient, h: dict[str, str]) -> int:
    return client.get("/api/v1/me", headers=h).status_code


def test_logout_revokes_every_token_of_the_user(any_store: Store) -> None:
    client = make_client(any_store)
    phone, laptop, other = login(client, "officer"), login(client, "officer"), login(client, "planner")
    assert _me(client, phone) == _me(client, laptop) == 200
    assert client.post("/api/v1/auth/logout", headers=phone).status_code == 204
    assert _me(client, phone) == _me(client, laptop) == 401
    assert client.post("/api/v1/auth/logout", headers=phone).status_code == 401  # already gone
    assert _me(client, other) == 200  # another user's session is untouched
    assert _me(client, login(client, "officer")) == 200  # signing in again works


def test_deactivate_then_reactivate_does_not_revive_old_tokens(any_store: Store) -> None:
    client = make_client(any_store)
    admin, old = login(client, "admin"), login(client, "viewer")
    r = client.patch("/api/v1/users/viewer", json={"active": False}, headers=admin)
    assert r.status_code == 200 and r.json()["active"] is False
    assert _me(client, old) == 401
    assert client.post("/api/v1/auth/login", json={"username": "viewer", "password": PASSWORD}).status_code == 401
    assert client.patch("/api/v1/users/viewer", json={"active": True}, headers=admin).status_code == 200
    assert _me(client, old) == 401  # still refused
    assert _me(client, login(client, "viewer")) == 200


def test_role_change_revokes_but_a_place_change_does_not(any_store: Store) -> None:
    client = make_client(any_store)
    admin, officer, planner = login(client, "admin"), login(client, "officer"), login(client, "planner")
    assert client.patch("/api/v1/users/officer", json={"place": "aleppo"}, headers=admin).status_code == 200
    assert _me(client, officer) == 200  # the place is read per request; no need to sign out
    assert client.patch("/api/v1/users/planner", json={"role": "viewer"}, headers=admin).status_code == 200
    assert _me(client, planner) == 401


def test_change_own_password(any_store: Store) -> None:
    client = make_client(any_store)
    old_a, old_b = login(client, "officer"), login(client, "officer")
    r = client.put("/api/v1/me/password", headers=old_a,
                   json={"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 200, r.text
    fresh = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert _me(client, old_a) == _me(client, old_b) == 401
    assert _me(client, fresh) == 200
    assert client.post("/api/v1/auth/login", json={"username": "officer", "password": PASSWORD}).status_code == 401
    login(client, "officer", NEW_PASSWORD)


@pytest.mark.parametrize(("body", "status", "says"), [
    ({"old_password": "not-my-password", "new_password": NEW_PASSWORD}, 403, "current password is wrong"),
    ({"old_password": PASSWORD, "new_password": PASSWORD}, 422, "is the current one"),
    ({"old_password": PASSWORD, "new_password": "short"}, 422, "at least 10"),
    ({"old_password": PASSWORD}, 422, "new_password"),
])
def test_bad_password_changes_change_nothing(sqlite_store: Store, body: dict[str, str], status: int,
                                             says: str) -> None:
    client = make_client(sqlite_store)
    h = login(client, "viewer")
    r = client.put("/api/v1/me/password", headers=h, json=body)
    assert r.status_code == status, r.text
    assert says in r.text
    assert _me(client, h) == 200  # nothing changed: the session goes on, the old password still works
    login(client, "viewer")


def test_wrong_current_passwords_are_throttled(sqlite_store: Store) -> None:
    client = make_client(sqlite_store, login_max_failures=3)
    h = login(client, "viewer")
    codes = [client.put("/api/v1/me/password", headers=h,
                        json={"old_password": f"guess-{i}", "new_password": NEW_PASSWORD}).status_code
             for i in range(5)]
    assert codes == [403, 403, 403, 429, 429]


def _token(client: TestClient, payload: dict[str, object]) -> dict[str, str]:
    signer: TokenSigner = client.app.state.ctx.tokens  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {signer.dumps(payload)}"}


def test_tampered_foreign_versionless_and_expired_tokens_are_refused(sqlite_store: Store,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(sqlite_store, token_ttl_s=3600)
    good = login(client, "admin")["Authorization"]
    head, _, sig = good.rpartition(".")
    flipped = head + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
    payload, rest = good.removeprefix("Bearer ").split(".", 1)
    other_user = "Bearer " + _token(client, {"u": "viewer", "v": 0})["Authorization"].split(" ")[1].split(".")[0] \
        + "." + rest  # viewer's payload with admin's signature
    foreign = "Bearer " + TokenSigner(b"another workspace's key, 32 bytes", purpose="evac-api").dumps(
        {"u": "admin", "v": 0})
    for bad in (flipped, other_user, foreign, "Bearer not-a-token", "Bearer " + payload):
        r = client.get("/api/v1/me", headers={"Authorization": bad})
        assert r.status_code == 401, bad
        assert r.json() == {"detail": "invalid or expired token"}
        assert r.headers["WWW-Authenticate"] == "Bearer"
    assert _me(client, _token(client, {"u": "admin"})) == 401  # no version: issued before versions existed
    assert _me(client, _token(client, {"u": "admin", "v": "0"})) == 401  # wrong type
    assert _me(client, _token(client, {"u": "admin", "v": False})) == 401  # a bool is not a version
    assert _me(client, _token(client, {"u": "ghost", "v": 0})) == 401
    now = time.time()
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: now - 3601)
        expired = _token(client, {"u": "admin", "v": 0})
    assert _me(client, expired) == 401
    assert _me(client, {"Authorization": good}) == 200
