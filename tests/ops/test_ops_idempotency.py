"""Idempotent writes on SQLite and PostgreSQL: a replayed key returns the original response and writes
nothing; two concurrent scans of one pass make one event; the log replays into the stored projection."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from ops_client import key, login, make_client

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.core.oplog import EventType, TransitionError
from evac.services import operations as ops
from evac.services.ops_ports import Role

if TYPE_CHECKING:
    from evac.adapters.store.workspace import Store

ADMIN = ops.Actor("admin", Role.ADMIN)


def _travellers(store: Store, n: int) -> list[str]:
    with ops_uow_factory(store)() as uow:
        return [s.person_id for s in uow.ops.states(limit=n) if s.trip_id]


def test_replayed_key_returns_the_original_and_writes_nothing(any_store: Store) -> None:
    client = make_client(any_store)
    h = login(client, "admin")
    pid = _travellers(any_store, 5)[0]
    k = key()
    first = client.post("/api/v1/checkins", json={"person_ids": [pid]}, headers={**h, "Idempotency-Key": k})
    again = client.post("/api/v1/checkins", json={"person_ids": [pid]}, headers={**h, "Idempotency-Key": k})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/no-shows", json={"person_ids": [pid]}, headers={**h, "Idempotency-Key": k})
    assert other.status_code == 422  # the same key for another request is refused
    with ops_uow_factory(any_store)() as uow:
        assert uow.ops.count_events(key=k) == 1


def test_concurrent_scans_of_one_pass_make_one_event(any_store: Store) -> None:
    pids = _travellers(any_store, 40)[:8]
    uf = ops_uow_factory(any_store)
    results: list[dict[str, object]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def scan(pid: str) -> None:
        barrier.wait()
        try:
            out, _ = ops.record(uow_factory=uf, actor=ADMIN, key=key(), route="checkins", body_sha256="x",
                                kind=EventType.CHECKED_IN, person_ids=[pid], now=datetime.now(UTC))
            results.append(out)
        except BaseException as exc:
            errors.append(exc)

    for pid in pids[:3]:
        threads = [threading.Thread(target=scan, args=(pid,)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    with uf() as uow:
        for pid in pids[:3]:
            evs = [e for _, e in uow.ops.events() if getattr(e, "person_id", None) == pid
                   and e.type is EventType.CHECKED_IN]
            assert len(evs) == 1, pid
    assert sum(r["recorded"] for r in results) == 3  # type: ignore[misc]


def test_impossible_transition_is_refused_and_log_replays_exactly(any_store: Store) -> None:
    uf = ops_uow_factory(any_store)
    pid = _travellers(any_store, 5)[0]
    with pytest.raises(TransitionError, match="checked_in"):
        ops.record(uow_factory=uf, actor=ADMIN, key=key(), route="boardings", body_sha256="x",
                   kind=EventType.BOARDED, person_ids=[pid], now=datetime.now(UTC))
    for kind in (EventType.CHECKED_IN, EventType.BOARDED, EventType.DEPARTED, EventType.ARRIVED_SAFE):
        ops.record(uow_factory=uf, actor=ADMIN, key=key(), route=kind.value, body_sha256="x", kind=kind,
                   person_ids=[pid], now=datetime.now(UTC))
    assert ops.person(uow_factory=uf, actor=ADMIN, person_id=pid)["status"] == "arrived_safe"
    assert ops.verify_projection(uow_factory=uf) == []
    with uf() as uow:  # wipe the projection, rebuild it from the log alone, compare
        stored = {s.person_id: s for s in uow.ops.states(limit=10**6)}
        uow.ops.clear_projection()
        from evac.core.oplog import fold

        for st in fold(e for _, e in uow.ops.events()).people.values():
            uow.ops.save_state(st)
        rebuilt = {s.person_id: s for s in uow.ops.states(limit=10**6)}
    assert rebuilt == stored
