"""Idempotency-Keys are scoped per user: the same key from another user is another request, never the first
user's stored answer; a retry by the same user still replays. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ops_client import login, make_client

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.services.idempotency import idempotent, scoped_key
from evac.services.ops_ports import StoredResponse

if TYPE_CHECKING:
    from evac.adapters.store.workspace import Store


def _damascus_travellers(store: Store, n: int) -> list[str]:
    with ops_uow_factory(store)() as uow:
        return [s.person_id for s in uow.ops.states(place="damascus", limit=2000) if s.trip_id][:n]


def test_another_users_key_is_another_request(any_store: Store) -> None:
    client = make_client(any_store)
    officer, admin, planner = login(client, "officer"), login(client, "admin"), login(client, "planner")
    p1, p2 = _damascus_travellers(any_store, 2)
    k = "shared-key-0001"
    first = client.post("/api/v1/checkins", json={"person_ids": [p1]}, headers={**officer, "Idempotency-Key": k})
    assert first.status_code == 200 and first.json()["results"][0]["person"] == p1
    # the same key from another user, another body: performed for them, not a 422 and not the officer's answer
    other = client.post("/api/v1/checkins", json={"person_ids": [p2]}, headers={**admin, "Idempotency-Key": k})
    assert other.status_code == 200, other.text
    assert "Idempotent-Replayed" not in other.headers
    assert [r["person"] for r in other.json()["results"]] == [p2]
    # the same key and body from another user: their own request (already checked in), not a replay
    same = client.post("/api/v1/checkins", json={"person_ids": [p1]}, headers={**planner, "Idempotency-Key": k})
    assert same.status_code == 200 and "Idempotent-Replayed" not in same.headers
    assert same.json()["results"][0]["result"] == "already"
    # the officer's retry still replays their own answer
    again = client.post("/api/v1/checkins", json={"person_ids": [p1]}, headers={**officer, "Idempotency-Key": k})
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    # and a different body under the officer's own key is still refused
    reused = client.post("/api/v1/no-shows", json={"person_ids": [p1]}, headers={**officer, "Idempotency-Key": k})
    assert reused.status_code == 422


def test_legacy_unscoped_keys_replay_only_for_their_own_user(any_store: Store) -> None:
    uf = ops_uow_factory(any_store)
    with uf() as uow:  # a response stored before keys were scoped
        uow.ops.save_request(StoredResponse("legacy-key-01", "officer", "checkins", "h1", 200, '{"answer": 1}'))
        uow.commit()
    calls: list[str] = []

    def write(_uow: object) -> dict[str, object]:
        calls.append("wrote")
        return {"answer": 2}

    out, again = idempotent(write, uow_factory=uf, key="legacy-key-01", actor="officer", route="checkins",
                            body_sha256="h1")
    assert (out, again, calls) == ({"answer": 1}, True, [])
    out, again = idempotent(write, uow_factory=uf, key="legacy-key-01", actor="admin", route="checkins",
                            body_sha256="h1")
    assert (out, again, calls) == ({"answer": 2}, False, ["wrote"])
    with uf() as uow:
        stored = uow.ops.request(scoped_key("admin", "legacy-key-01"))
    assert stored is not None and stored.actor == "admin"


def test_scoped_keys_fit_the_column_and_differ_per_user() -> None:
    long_user, long_key = "u" * 63, "k" * 100
    assert len(scoped_key(long_user, long_key)) <= 100
    assert scoped_key("a", "bc") != scoped_key("ab", "c")  # no ambiguity from concatenation
    assert scoped_key("officer", "k-1") == scoped_key("officer", "k-1")
