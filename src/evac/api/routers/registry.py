"""The registry for the crisis-cell console: the duplicate review queue, merges and unmerges (idempotent).

Viewers see the queue without names (ids, score, decision, evidence); field officers never see it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response

from evac.api.deps import Ctx, CurrentActor, IdempotencyKey, Limit, Offset, body_hash, replayed
from evac.api.schemas.common import AUTH, WRITE
from evac.api.schemas.registry import DupeOut, MergeIn, MergeOut, UnmergeIn
from evac.services import review
from evac.services.ops_ports import Role

router = APIRouter(prefix="/api/v1/registry", tags=["registry"])


@router.get("/dupes", name="registry_dupes", response_model=list[DupeOut], responses=AUTH)
def registry_dupes(ctx: Ctx, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0) -> list[dict[str, object]]:
    """Candidate duplicate pairs, best score first: score (posterior), decision (match/review), evidence in
    words. Nothing is merged automatically. Names for admins and planners only; every read is audited."""
    return review.queue(uow_factory=ctx.uow, actor=actor, names=actor.role is not Role.VIEWER, limit=limit,
                        offset=offset)


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
