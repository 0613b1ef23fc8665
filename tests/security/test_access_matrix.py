"""Route × role × credential: every route of the API (the ops matrix, extended with the security routes)
answers exactly as the access matrix says for each role, and 401 to no token, a stale token (signed out),
a tampered token and a token of a deactivated user; nothing answers 500."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fastapi.routing import APIRoute
from ops_client import key, login

from evac.api.access import ACCESS, PUBLIC
from evac.api.app import ROUTERS
from evac.services.ops_ports import Role

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store

ROLE_USER = {Role.ADMIN: "admin", Role.PLANNER: "planner", Role.FIELD_OFFICER: "officer", Role.VIEWER: "viewer"}
SAMPLE = {"person_id": "R0000001", "household_id": "RH0000001", "trip_id": "T00001", "username": "viewer"}
#: routes that end the caller's session or change its credentials: called last, with a fresh token
SESSION_ENDING = {"logout", "change_my_password"}


def _routes() -> list[tuple[str, str, str]]:
    out = []
    for router in ROUTERS:
        for r in router.routes:
            assert isinstance(r, APIRoute)
            for m in sorted(r.methods):
                out.append((r.name, m, re.sub(r"\{(\w+)\}", lambda g: SAMPLE[g.group(1)], r.path)))
    return sorted(out, key=lambda t: t[0] in SESSION_ENDING)


def _call(client: TestClient, method: str, path: str, auth: dict[str, str]) -> int:
    return client.request(method, path, headers={**auth, "Idempotency-Key": key()}, json={}).status_code


def test_the_public_routes_are_only_login_health_and_the_docs_shell() -> None:
    assert {"login", "health", "docs"} == PUBLIC
    names = {n for n, _, _ in _routes()}
    assert names - PUBLIC == set(ACCESS)
    assert {"logout", "change_my_password", "registry_import", "openapi"} <= set(ACCESS)
    assert ACCESS["openapi"] == {Role.ADMIN, Role.PLANNER}
    assert ACCESS["registry_import"] == {Role.ADMIN, Role.PLANNER}


def test_every_route_by_role(api: tuple[TestClient, dict[str, dict[str, str]], Store]) -> None:
    client, h, _ = api
    checked = 0
    for name, method, path in _routes():
        if name in PUBLIC:
            continue
        for role, user in ROLE_USER.items():
            auth = login(client, user) if name in SESSION_ENDING else h[user]
            status = _call(client, method, path, auth)
            allowed = role in ACCESS[name]
            assert status != 401, (name, role)
            assert (status == 403) is (not allowed), f"{name} as {role}: {status}"
            assert status < 500, f"{name} as {role}: {status}"
            checked += 1
    assert checked == 4 * len(ACCESS)


def test_every_route_refuses_missing_stale_tampered_and_deactivated_credentials(
        api: tuple[TestClient, dict[str, dict[str, str]], Store]) -> None:
    client, h, _ = api
    stale = login(client, "planner")
    assert client.post("/api/v1/auth/logout", headers=login(client, "planner")).status_code == 204
    token = h["admin"]["Authorization"]
    tampered = {"Authorization": token[:-2] + ("AA" if not token.endswith("AA") else "BB")}
    gone = login(client, "viewer")
    assert client.patch("/api/v1/users/viewer", json={"active": False}, headers=h["admin"]).status_code == 200
    for name, method, path in _routes():
        if name in PUBLIC:
            continue
        for label, auth in (("none", {}), ("stale", stale), ("tampered", tampered), ("deactivated", gone),
                            ("not bearer", {"Authorization": "Basic YWRtaW46eA=="})):
            status = _call(client, method, path, auth)
            assert status == 401, f"{name} with a {label} token: {status}"
