"""Every route × every role: allowed or denied exactly as the access matrix says; no route is unlisted."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
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


def _routes(client: TestClient) -> list[tuple[str, str, str]]:
    out = []
    for router in ROUTERS:
        for r in router.routes:
            assert isinstance(r, APIRoute)
            for m in sorted(r.methods):
                out.append((r.name, m, re.sub(r"\{(\w+)\}", lambda g: SAMPLE[g.group(1)], r.path)))
    return out


def test_every_route_is_in_the_matrix(api: tuple[TestClient, dict, Store]) -> None:
    names = {name for name, _, _ in _routes(api[0])}
    assert names - PUBLIC == set(ACCESS), "routes and the access matrix disagree"
    client, h, _ = api
    documented = client.get("/openapi.json", headers=h["admin"]).json()["paths"]
    in_schema = {r.path for router in ROUTERS for r in router.routes if isinstance(r, APIRoute) and r.include_in_schema}
    assert len(documented) == len(in_schema) + 1  # + /health


def test_route_by_role(api: tuple[TestClient, dict, Store]) -> None:
    client, h, _ = api
    checked = 0
    for name, method, path in _routes(client):
        if name in PUBLIC:
            continue
        anon = client.request(method, path, headers={"Idempotency-Key": key()}, json={})
        assert anon.status_code == 401, f"{method} {path} without a token: {anon.status_code}"
        for role, user in ROLE_USER.items():
            r = client.request(method, path, headers={**h[user], "Idempotency-Key": key()}, json={})
            if name == "logout":
                h[user] = login(client, user)  # logout ended the user's sessions: sign in again
            allowed = role in ACCESS[name]
            assert r.status_code != 401, (name, role)
            assert (r.status_code == 403) is (not allowed), f"{name} as {role}: {r.status_code} {r.text[:200]}"
            assert r.status_code < 500, f"{name} as {role}: {r.status_code}"
            checked += 1
    assert checked == 4 * sum(1 for n, _, _ in _routes(client) if n in ACCESS) >= 4 * len(ACCESS)


@pytest.mark.parametrize("user", ["officer", "officer2"])
def test_field_officers_see_only_their_assembly_point(api: tuple[TestClient, dict, Store], user: str) -> None:
    client, h, _ = api
    me = client.get("/api/v1/me", headers=h[user]).json()
    for t in client.get("/api/v1/trips", headers=h[user], params={"limit": 500}).json():
        assert me["place"] in t["pickups"]
        for p in client.get(f"/api/v1/trips/{t['id']}", headers=h[user]).json()["passengers"]:
            assert p["place"] == me["place"]
    found = client.get("/api/v1/people", headers=h[user], params={"q": "a", "limit": 500})
    assert found.status_code in (200, 422)
    if found.status_code == 200:
        assert all(p["place"] == me["place"] for p in found.json())
