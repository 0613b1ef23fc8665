"""The registry for the crisis-cell console: the duplicate review queue, merges and unmerges (idempotent).

Viewers see the queue without names (ids, score, decision, evidence); field officers never see it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from evac.api.deps import Ctx, CurrentActor, IdempotencyKey, Limit, Offset, body_hash, replayed
from evac.api.schemas.common import AUTH, WRITE
from evac.api.schemas.registry import (
    AcceptLikelyIn,
    AcceptLikelyOut,
    DupeOut,
    DupeSummaryOut,
    MergeIn,
    MergeOut,
    UnmergeIn,
)
from evac.services import review
from evac.services.ops_ports import Role

router = APIRouter(prefix="/api/v1/registry", tags=["registry"])


Band = Annotated[Literal["likely", "review"] | None,
                 Query(description="likely: decision match (planned once until reviewed); review: unsure.")]
Place = Annotated[str | None, Query(min_length=1, max_length=100,
                                    description="Only pairs with a record in this city (case-insensitive).")]


@router.get("/dupes", name="registry_dupes", response_model=list[DupeOut], responses=AUTH)
def registry_dupes(ctx: Ctx, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0, band: Band = None,
                   place: Place = None) -> list[dict[str, object]]:
    """Candidate duplicate pairs, best score first: score (posterior), decision (match/review), evidence in
    words; filtered by band and place before paging (``/dupes/summary`` gives the total). Nothing is merged
    automatically. Names for admins and planners only; every read is audited."""
    return review.queue(uow_factory=ctx.uow, actor=actor, names=actor.role is not Role.VIEWER, limit=limit,
                        offset=offset, band=band, place=place)


@router.get("/dupes/summary", name="registry_dupes_summary", response_model=DupeSummaryOut, responses=AUTH)
def registry_dupes_summary(ctx: Ctx, actor: CurrentActor, place: Place = None) -> dict[str, object]:
    """How many pairs wait, per band (under ``place``), per assembly point, and how many records planning
    counts as another person until they are reviewed. Counts only, no names."""
    return review.summary(uow_factory=ctx.uow, place=place)


@router.post("/dupes/accept-likely", name="registry_accept_likely", response_model=AcceptLikelyOut,
             responses=WRITE)
def registry_accept_likely(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: AcceptLikelyIn,
                           response: Response) -> dict[str, object]:
    """Accept every unresolved likely pair (of ``place`` when given): each group of records becomes one person,
    kept as its best record, as planning already counted it. One transaction; each merge is logged and audited
    on its own and can be undone alone (``/unmerges``)."""
    return replayed(response, review.accept_likely(
        uow_factory=ctx.uow, actor=actor, key=key, route="registry/dupes/accept-likely",
        body_sha256=body_hash("registry/dupes/accept-likely", body), place=body.place, now=datetime.now(UTC)))


@router.post("/merges", name="registry_merge", response_model=MergeOut, responses=WRITE)
def registry_merge(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: MergeIn, response: Response
                   ) -> dict[str, object]:
    """Record that ``merged`` is the same person as ``kept`` (nothing is deleted): the registry change, a
    ``merged`` event in the operation log and the audit entry are one transaction."""
    return replayed(response, review.merge(
        uow_factory=ctx.uow, actor=actor, key=key, route="registry/merges",
        body_sha256=body_hash("registry/merges", body), kept=body.kept, merged=body.merged, now=datetime.now(UTC)))


@router.post("/unmerges", name="registry_unmerge", response_model=MergeOut, responses=WRITE)
def registry_unmerge(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: UnmergeIn, response: Response
                     ) -> dict[str, object]:
    """Undo the merge of ``merged``; the merge stays in both logs, marked undone."""
    return replayed(response, review.unmerge(
        uow_factory=ctx.uow, actor=actor, key=key, route="registry/unmerges",
        body_sha256=body_hash("registry/unmerges", body), merged=body.merged, now=datetime.now(UTC)))
