"""The crisis cell's duplicate review over the API: the queue, merges and unmerges.

Thin use cases over :mod:`evac.services.registry` that add what an API write needs: the request's
``Idempotency-Key`` (a replay returns the stored response and changes nothing), the audit entry, and the
operation log — the registry change, the ``merged`` event, the request record and the audit entry are one
transaction. People are named by their operation ids (``R0000042``), which are unambiguous where
external ids from several imports may not be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evac.core.registry.collapse import LIKELY
from evac.services.idempotency import idempotent
from evac.services.operations import household_key, person_key, registry_id
from evac.services.registry import RegistryError, accept_likely_in, collapse_in, merge_in, unmerge_in

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


BANDS = {"likely": LIKELY, "review": "review"}
"""The queue's bands as the console names them → the linkage's decisions."""


def _band(band: str | None) -> str | None:
    if band is None:
        return None
    if band not in BANDS:
        raise RegistryError(f"band {band!r}: choose from {', '.join(BANDS)}")
    return BANDS[band]


def queue(*, uow_factory: UowFactory, actor: Actor, names: bool, limit: int = 50, offset: int = 0,
          band: str | None = None, place: str | None = None) -> list[dict[str, Any]]:
    """The open review queue, best score first (ties by id), one page; names only when ``names``. Audited.

    ``band`` (``likely`` or ``review``) and ``place`` (a side's city, case-insensitive) filter it before
    paging; pairs with a merged side wait for its unmerge and are not shown."""
    decision = _band(band)
    with uow_factory() as uow:
        rows, _ = uow.registry.candidate_page(decision=decision, city=place, limit=limit, offset=offset)
        page = [{"a": _side(a, names=names), "b": _side(b, names=names), "score": round(score, 6),
                 "decision": decision, "evidence": list(evidence)} for a, b, score, decision, evidence in rows]
        pairs = ",".join(f"{person_key(a.id)}~{person_key(b.id)}" for a, b, *_ in rows)
        uow.ops.audit(actor=actor.username, action="read:dupes" if names else "read:dupes-redacted",
                      subject=pairs or "empty page")
        uow.commit()
        return page


def summary(*, uow_factory: UowFactory, place: str | None = None) -> dict[str, Any]:
    """How long the queue is: pairs per band under ``place`` (``total`` for paging), the assembly points that
    have pairs, and what the planner assumes meanwhile (unreviewed likely pairs, records planned as another).
    Ids and counts only: nothing to audit."""
    with uow_factory() as uow:
        counts = uow.registry.candidate_counts(city=place)
        col, _ = collapse_in(uow)
        return {"total": sum(counts.values()), "likely": counts.get(LIKELY, 0), "review": counts.get("review", 0),
                "places": dict(sorted(uow.registry.candidate_cities().items())),
                "unresolved_likely": col.pairs, "planned_once": col.hidden}


def accept_likely(*, uow_factory: UowFactory, actor: Actor, key: str, route: str, body_sha256: str,
                  place: str | None, now: datetime) -> tuple[dict[str, Any], bool]:
    """Accept every unresolved likely pair (of ``place`` when given) in one transaction; (response, replayed).

    Each merge is its own ``merged`` event and audit entry, so any one can be undone alone."""
    def write(uow: OpsUnitOfWork) -> dict[str, Any]:
        res = accept_likely_in(uow, actor=actor.username, now=now, city=place, key=key)
        return {"result": "accepted", "pairs": res.pairs, "people": res.people, "merged": res.merged,
                "merges": [{"kept": person_key(k), "merged": person_key(m)} for k, m in res.merges]}

    return idempotent(write, uow_factory=uow_factory, key=key, actor=actor.username, route=route,
                      body_sha256=body_sha256)


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
