"""``GET /people``: ranked search with the count of all matches in the caller's scope and a "more" header."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evac.services import operations as ops

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store


def test_search_headers_count_the_officers_scope_before_the_page(api: tuple[TestClient, dict, Store]) -> None:
    client, h, store = api
    with store.uow() as uow:
        active = uow.registry.active()
    at = [s for s in active if s.record.city == "damascus"]
    family = max({s.record.family for s in at}, key=lambda f: sum(1 for s in at if s.record.family == f))
    here = [s for s in at if s.record.family == family]
    r = client.get("/api/v1/people", params={"q": family, "limit": 1}, headers=h["officer"])
    assert r.status_code == 200, r.text
    total = int(r.headers["X-Total-Count"])
    assert total >= len(here) and r.headers["X-More-Results"] == ("true" if total > 1 else "false")
    [p] = r.json()
    assert p["place"] == "damascus" and p["birth"] is not None and "trip" in p and p["score"] > 0
    everyone = client.get("/api/v1/people", params={"q": family, "limit": 500}, headers=h["admin"])
    assert int(everyone.headers["X-Total-Count"]) >= total
    shown = client.get("/api/v1/people", params={"q": family, "limit": 500}, headers=h["officer"]).json()
    assert len(shown) == total and all(x["place"] == "damascus" for x in shown)
    assert {ops.person_key(s.id) for s in here} <= {x["id"] for x in shown}
    assert client.get("/api/v1/people", params={"q": "1975"}, headers=h["officer"]).status_code == 422
