"""Idempotent writes: a field device retries, and applying the same request twice changes nothing.

Every write that carries an ``Idempotency-Key`` goes through :func:`idempotent`: in one transaction it
looks up the response stored for the key **of this user** (:func:`scoped_key`), and either replays it
(the body hash must match, else :class:`KeyReused`) or performs the write and stores its response — the
write and the stored response commit together or not at all. When another transaction wins a race
(:class:`ConcurrentWrite` from the store: the same log version or the same key written meanwhile) the
whole use case runs again from scratch (:func:`retrying`), and a retry of a key that was committed
meanwhile is answered from it.

The port is :class:`~evac.services.ops_ports.OpsRepository` (``request``/``save_request``), implemented
by the store adapter on the ``op_requests`` table.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from typing import TYPE_CHECKING, Any, TypeVar

from evac.core.errors import EvacError
from evac.services.ops_ports import ConcurrentWrite, StoredResponse

if TYPE_CHECKING:
    from collections.abc import Callable

    from evac.services.ops_ports import OpsUnitOfWork

__all__ = ["RETRIES", "KeyReused", "idempotent", "retrying", "scoped_key"]

RETRIES = 12
_T = TypeVar("_T")


class KeyReused(EvacError):
    """An Idempotency-Key was sent again with a different body (HTTP 422)."""


def retrying(fn: Callable[[], _T]) -> _T:
    """Run a use case again (with jittered backoff, ~1-50 ms) whenever another transaction won a race."""
    for attempt in range(RETRIES):
        try:
            return fn()
        except ConcurrentWrite:
            if attempt == RETRIES - 1:
                raise
            time.sleep(random.uniform(0.001, 0.004) * (2 ** min(attempt, 4)))
    raise AssertionError("unreachable")


def scoped_key(actor: str, key: str) -> str:
    """The key under which ``actor``'s request with Idempotency-Key ``key`` is stored.

    Keys are chosen by clients, so they are scoped per user: the same key sent by another user is another
    request (it must never be answered with the first user's response, which may hold people they may not
    see). A digest keeps it within the column's 100 characters whatever the user name: ``u1:`` + 64 hex.
    """
    return "u1:" + hashlib.sha256(f"{actor}\x00{key}".encode()).hexdigest()


def _stored(uow: OpsUnitOfWork, key: str, body_sha256: str, actor: str) -> dict[str, Any] | None:
    prior = uow.ops.request(scoped_key(actor, key))
    if prior is None:
        legacy = uow.ops.request(key)  # stored before keys were scoped: only its own actor may replay it
        prior = legacy if legacy is not None and legacy.actor == actor else None
    if prior is None:
        return None
    if prior.body_sha256 != body_sha256:
        raise KeyReused(f"Idempotency-Key {key!r} was already used for a different request")
    out: dict[str, Any] = json.loads(prior.response)
    return out


def idempotent(write: Callable[[OpsUnitOfWork], dict[str, Any]], *, uow_factory: Callable[[], OpsUnitOfWork],
               key: str, actor: str, route: str, body_sha256: str) -> tuple[dict[str, Any], bool]:
    """Perform ``write`` once per ``key``; returns (response, replayed).

    ``write(uow)`` does the request's work inside the open unit of work and returns the JSON-able response;
    it must not commit (this function stores the response and commits). A key already stored answers its
    stored response with ``replayed=True`` and ``write`` is not called. ``body_sha256`` (a hash of the route
    and the body) tells a retry from a different request under the same key: that raises :class:`KeyReused`.
    Any error from ``write`` rolls the whole transaction back; :class:`ConcurrentWrite` reruns it.
    """
    def run() -> tuple[dict[str, Any], bool]:
        uow = uow_factory()
        with uow:
            prior = _stored(uow, key, body_sha256, actor)
            if prior is not None:
                return prior, True
            out = write(uow)
            uow.ops.save_request(StoredResponse(scoped_key(actor, key), actor, route, body_sha256, 200,
                                                json.dumps(out)))
            uow.commit()
            return out, False

    return retrying(run)
