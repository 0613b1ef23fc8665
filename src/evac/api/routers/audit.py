"""The audit log (admin): every read of personal data and every change, with actor and time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime  # noqa: TC002 -- FastAPI resolves the annotation at runtime

from evac.api.deps import Ctx, CurrentActor, Limit, Offset  # noqa: TC001
from evac.api.schemas.common import AUTH
from evac.api.schemas.operations import AuditOut
from evac.services import operations as ops

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit", name="audit", response_model=list[AuditOut], responses=AUTH)
def audit(ctx: Ctx, actor: CurrentActor,
          user: Annotated[str | None, Query(max_length=64, description="Only this actor.")] = None,
          action: Annotated[str | None, Query(max_length=50, description="Action prefix, e.g. read:")] = None,
          since: Annotated[AwareDatetime | None, Query()] = None,
          limit: Limit = 100, offset: Offset = 0,
          before: Annotated[int | None, Query(ge=1, description="Page back: entries before this seq.")] = None
          ) -> list[object]:
    """Newest first; page back with ``before`` (the ``seq`` of the last entry of the page)."""
    with ctx.uow() as uow:
        uow.ops.audit(actor=actor.username, action="read:audit", subject=f"user={user} action={action}")
        uow.commit()
    return ops.audit_log(uow_factory=ctx.uow, actor=user, action=action, since=since, limit=limit, offset=offset,
                         before=before)
