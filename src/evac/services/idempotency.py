"""Idempotent writes: a field device retries, and applying the same request twice changes nothing.

Every write that carries an ``Idempotency-Key`` goes through :func:`idempotent`: in one transaction it
looks up the response stored for the key, and either replays it (the body hash must match, else
:class:`KeyReused`) or performs the write and stores its response — the write and the stored response
commit together or not at all. When another transaction wins a race (:class:`ConcurrentWrite` from the
store: the same log version or the same key written meanwhile) the whole use case runs again from
scratch (:func:`retrying`), and a retry of a key that was committed meanwhile is answered from it.

The port is :class:`~evac.services.ops_ports.OpsRepository` (``request``/``save_request``), implemented
by the store adapter on the ``op_requests`` table.
"""

from __future__ import annotations

import json
import random
import time
from typing import TYPE_CHECKING, Any, TypeVar

from evac.core.errors import EvacError
from evac.services.ops_ports import ConcurrentWrite, StoredResponse

if TYPE_CHECKING:
    from collections.abc import Callable

    from evac.services.ops_ports import OpsUnitOfWork

__all__ = ["RETRIES", "KeyReused", "idempotent", "retrying"]

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


def _stored(uow: OpsUnitOfWork, key: str, body_sha256: str) -> dict[str, Any] | None:
    prior = uow.ops.request(key)
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
            prior = _stored(uow, key, body_sha256)
            if prior is not None:
                return prior, True
            out = write(uow)
            uow.ops.save_request(StoredResponse(key, actor, route, body_sha256, 200, json.dumps(out)))
            uow.commit()
            return out, False

    return retrying(run)
