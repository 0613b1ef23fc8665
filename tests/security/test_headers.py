"""Security headers: no-store on every answer that may carry personal data (all of /api/v1, errors, PDFs,
CSVs, passes), and a Content-Security-Policy without remote sources, nosniff, no referrer and no framing
on the pages (console, field page, API reference)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from ops_client import login

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.api.app import ROUTERS
from evac.server import create_app
from evac.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from evac.adapters.store.workspace import Store


@pytest.fixture
def full(sqlite_store: Store) -> Iterator[tuple[TestClient, dict[str, str], Store]]:
    """The whole server (API and pages) in-process, with an admin token."""
    settings = Settings(workspace=sqlite_store.path, argon2_time_cost=1, argon2_memory_kib=8192)
    with TestClient(create_app(settings, store=sqlite_store), raise_server_exceptions=False) as c:
        yield c, login(c, "admin"), sqlite_store


def _samples(store: Store) -> dict[str, str]:
    with ops_uow_factory(store)() as uow:
        st = next(s for s in uow.ops.states(limit=500) if s.trip_id)
    return {"person_id": st.person_id, "household_id": st.household_id, "trip_id": str(st.trip_id)}


def _no_store(r: object) -> None:
    h = r.headers  # type: ignore[attr-defined]
    assert h["Cache-Control"] == "no-store", (r, h.get("Cache-Control"))
    assert h["Pragma"] == "no-cache"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "no-referrer"


def test_every_api_get_route_answers_no_store(full: tuple[TestClient, dict[str, str], Store]) -> None:
    client, admin, store = full
    sample = _samples(store)
    seen: dict[str, int] = {}
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            if "GET" not in route.methods:
                continue
            path = re.sub(r"\{(\w+)\}", lambda g: sample[g.group(1)], route.path)
            if path == "/docs":
                continue
            r = client.get(path, headers=admin, params={"q": "a"} if route.name == "search_people" else None)
            seen[route.name] = r.status_code
            _no_store(r)
            if r.headers.get("content-type", "").startswith("application/json"):
                assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert {"manifest_pdf", "manifest_csv", "person_pass", "household_passes", "get_manifest", "search_people",
            "openapi"} <= set(seen)
    assert seen["manifest_pdf"] == seen["manifest_csv"] == seen["get_manifest"] == 200
    assert seen["person_pass"] == 200


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/v1/people/R9999999", 404), ("GET", "/api/v1/me", 401), ("POST", "/api/v1/auth/login", 422),
    ("GET", "/api/v1/no-such-route", 404), ("GET", "/openapi.json", 401),
])
def test_errors_answer_no_store_too(full: tuple[TestClient, dict[str, str], Store], method: str, path: str,
                                    status: int) -> None:
    client, admin, _ = full
    r = client.request(method, path, headers=admin if status == 404 else {}, json={})
    assert r.status_code == status
    _no_store(r)


def test_a_413_answers_with_the_headers(full: tuple[TestClient, dict[str, str], Store]) -> None:
    client, _, _ = full
    r = client.post("/api/v1/auth/login", content=b"x" * (2 * 1_048_576))
    assert r.status_code == 413
    _no_store(r)


@pytest.mark.parametrize("path", ["/console", "/field", "/docs"])
def test_pages_forbid_remote_sources_and_framing(full: tuple[TestClient, dict[str, str], Store], path: str) -> None:
    client, _, _ = full
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert not re.search(r"https?:|\*|'unsafe-eval'", csp), csp
    for directive in csp.split(";"):
        name, *sources = directive.split()
        assert set(sources) <= {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}, directive
        assert name != "script-src" or "'unsafe-inline'" not in sources
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["X-Frame-Options"] == "DENY"
    for src in re.findall(r'(?:src|href)="([^"]+)"', r.text):
        assert "://" not in src and not src.startswith("//"), src  # local assets only


def test_redoc_is_disabled_and_docs_assets_are_local(full: tuple[TestClient, dict[str, str], Store]) -> None:
    client, _, _ = full
    assert client.get("/redoc").status_code == 404
    for asset in ("/docs-assets/swagger-ui/swagger-ui-bundle.js", "/docs-assets/swagger-ui/swagger-ui.css",
                  "/docs-assets/docs.js"):
        r = client.get(asset)
        assert r.status_code == 200 and r.headers["X-Content-Type-Options"] == "nosniff", asset
    assert client.get("/docs-assets/swagger-ui/LICENSE").status_code == 200


@pytest.mark.parametrize(("user", "status"), [("admin", 200), ("planner", 200), ("viewer", 403), ("officer", 403)])
def test_the_schema_is_for_admins_and_planners(full: tuple[TestClient, dict[str, str], Store], user: str,
                                               status: int) -> None:
    client, _, _ = full
    r = client.get("/openapi.json", headers=login(client, user))
    assert r.status_code == status
    if status == 200:
        assert "/api/v1/auth/login" in r.json()["paths"]
