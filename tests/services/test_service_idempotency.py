"""The idempotent-write helper (evac.services.idempotency) against an in-memory unit of work: a key is
written once and replayed after; another body under the same key is refused; a failed write leaves no
stored answer; a lost race reruns the use case. The store-backed behaviour (SQLite, PostgreSQL, threads,
kill -9) is tested in tests/ops."""

from __future__ import annotations

from typing import Any

import pytest

from evac.services.idempotency import KeyReused, idempotent, retrying, scoped_key
from evac.services.ops_ports import ConcurrentWrite, StoredResponse


class _Ops:
    def __init__(self, db: _Db) -> None:
        self.db = db
        self.staged: dict[str, StoredResponse] = {}

    def request(self, key: str) -> StoredResponse | None:
        return self.staged.get(key) or self.db.requests.get(key)

    def save_request(self, stored: StoredResponse) -> None:
        self.staged[stored.key] = stored


class _Db:
    """Committed requests, plus the races to lose: ``conflicts`` commits raise ConcurrentWrite (after a
    rival's ``rival`` answer, if any, was committed under the same key)."""

    def __init__(self) -> None:
        self.requests: dict[str, StoredResponse] = {}
        self.conflicts = 0
        self.rival: StoredResponse | None = None
        self.uows = 0

    def __call__(self) -> _Uow:
        self.uows += 1
        return _Uow(self)


class _Uow:
    def __init__(self, db: _Db) -> None:
        self.db, self.ops = db, _Ops(db)

    def __enter__(self) -> _Uow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.ops.staged.clear()  # what was not committed is rolled back

    def commit(self) -> None:
        if self.db.conflicts:
            self.db.conflicts -= 1
            if self.db.rival is not None:
                self.db.requests[self.db.rival.key] = self.db.rival
            raise ConcurrentWrite("another transaction won")
        self.db.requests.update(self.ops.staged)


def _call(db: _Db, write: Any, *, key: str = "k-00000001", body: str = "b1") -> tuple[dict[str, Any], bool]:
    return idempotent(write, uow_factory=db, key=key, actor="officer", route="checkins",  # type: ignore[arg-type]
                      body_sha256=body)


def test_written_once_then_replayed_without_writing() -> None:
    db, calls = _Db(), []

    def write(uow: Any) -> dict[str, Any]:
        calls.append(uow)
        return {"recorded": 1}

    assert _call(db, write) == ({"recorded": 1}, False)
    assert _call(db, write) == ({"recorded": 1}, True)
    assert len(calls) == 1
    stored = db.requests[scoped_key("officer", "k-00000001")]  # stored per user
    assert (stored.actor, stored.route, stored.body_sha256, stored.status_code) == ("officer", "checkins", "b1", 200)


def test_the_same_key_with_another_body_is_refused() -> None:
    db = _Db()
    _call(db, lambda uow: {"recorded": 1})
    with pytest.raises(KeyReused, match="k-00000001"):
        _call(db, lambda uow: {"recorded": 2}, body="b2")


def test_a_failed_write_stores_no_answer() -> None:
    db = _Db()

    def boom(uow: Any) -> dict[str, Any]:
        raise ValueError("impossible transition")

    with pytest.raises(ValueError, match="impossible"):
        _call(db, boom)
    assert db.requests == {}
    assert _call(db, lambda uow: {"recorded": 1}) == ({"recorded": 1}, False)  # the key is still free


def test_a_lost_race_reruns_and_answers_from_the_winner() -> None:
    db = _Db()
    db.conflicts = 1
    db.rival = StoredResponse(scoped_key("officer", "k-00000001"), "officer", "checkins", "b1", 200, '{"recorded": 7}')
    calls: list[object] = []

    def write(uow: Any) -> dict[str, Any]:
        calls.append(uow)
        return {"recorded": 1}

    assert _call(db, write) == ({"recorded": 7}, True)
    assert len(calls) == 1 and db.uows == 2


def test_retrying_gives_up_after_its_budget() -> None:
    attempts = []

    def always_loses() -> None:
        attempts.append(1)
        raise ConcurrentWrite("lost")

    with pytest.raises(ConcurrentWrite):
        retrying(always_loses)
    assert len(attempts) == 12
