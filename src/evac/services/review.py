"""The crisis cell's duplicate review over the API: the queue, merges and unmerges.

Thin use cases over :mod:`evac.services.registry` that add what an API write needs: the request's
``Idempotency-Key`` (a replay returns the stored response and changes nothing), the audit entry, and the
operation log — the registry change, the ``merged`` event, the request record and the audit entry are one
transaction. People are named by their operation ids (``R0000042``), which are unambiguous where
external ids from several imports may not be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evac.services.idempotency import idempotent
from evac.services.operations import household_key, person_key, registry_id
from evac.services.registry import merge_in, unmerge_in

if TYPE_CHECKING:
    from datetime import datetime

    from evac.core.registry.records import Stored
    from evac.services.operations import Actor, UowFactory
    from evac.services.ops_ports import OpsUnitOfWork


def _side(s: Stored, *, names: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": person_key(s.id), "external_id": s.record.external_id,
                           "household": household_key(s.household_id), "city": s.record.city}
    if names:
        r = s.record
        out.update(name=r.display_name, original=" ".join(x for x in (r.given, r.patronymic, r.family) if x),
                   birth=r.birth.iso(), sex=r.sex.value if r.sex else "")
    return out


def queue(*, uow_factory: UowFactory, actor: Actor, names: bool, limit: int = 50, offset: int = 0
          ) -> list[dict[str, Any]]:
    """The open review queue, best score first (ties by id), one page; names only when ``names``. Audited."""
    with uow_factory() as uow:
        rows = sorted(uow.registry.candidates(), key=lambda c: (-c[2], c[0].id, c[1].id))[offset:offset + limit]
        page = [{"a": _side(a, names=names), "b": _side(b, names=names), "score": round(score, 6),
                 "decision": decision, "evidence": list(evidence)} for a, b, score, decision, evidence in rows]
        pairs = ",".join(f"{person_key(a.id)}~{person_key(b.id)}" for a, b, *_ in rows)
        uow.ops.audit(actor=actor.username, action="read:dupes" if names else "read:dupes-redacted",
                      subject=pairs or "empty page")
        uow.commit()
        return page


def merge(*, uow_factory: UowFactory, actor: Actor, key: str, route: str, body_sha256: str, kept: str,
          merged: str, now: datetime) -> tuple[dict[str, Any], bool]:
    """Merge person ``merged`` into ``kept`` (operation ids); returns (response, replayed)."""
    def write(uow: OpsUnitOfWork) -> dict[str, Any]:
        merge_in(uow, kept=uow.registry.get(registry_id(kept)), merged=uow.registry.get(registry_id(merged)),
                 actor=actor.username, now=now, key=key)
        return {"result": "merged", "kept": kept, "merged": merged}

    return idempotent(write, uow_factory=uow_factory, key=key, actor=actor.username, route=route,
                      body_sha256=body_sha256)


def unmerge(*, uow_factory: UowFactory, actor: Actor, key: str, route: str, body_sha256: str, merged: str,
            now: datetime) -> tuple[dict[str, Any], bool]:
    """Undo the merge of person ``merged`` (operation id); returns (response, replayed)."""
    def write(uow: OpsUnitOfWork) -> dict[str, Any]:
        kept = unmerge_in(uow, merged=uow.registry.get(registry_id(merged)), actor=actor.username, now=now,
                          key=key)
        return {"result": "unmerged", "kept": person_key(kept), "merged": merged}

    return idempotent(write, uow_factory=uow_factory, key=key, actor=actor.username, route=route,
                      body_sha256=body_sha256)
