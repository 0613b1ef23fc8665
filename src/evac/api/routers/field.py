"""Field writes: check-in (by scanned pass or by search), boarding, no-show, replies. All idempotent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Response

from evac.api.deps import Ctx, CurrentActor, IdempotencyKey, body_hash
from evac.api.schemas.common import WRITE
from evac.api.schemas.people import FieldWriteIn, ReplyIn, WriteOut
from evac.core.oplog import EventType
from evac.services import operations as ops

if TYPE_CHECKING:
    from evac.services.operations import Actor

router = APIRouter(prefix="/api/v1", tags=["field"])


def _who(ctx: Ctx, body: FieldWriteIn) -> tuple[list[str], str | None]:
    from evac.adapters.passes.tokens import BadToken

    if body.pass_token:
        try:
            data = ctx.passes.verify(body.pass_token)
        except BadToken as exc:
            raise HTTPException(422, str(exc)) from None
        ids = [data["person"]]
        if body.whole_household:
            ids = ops.household_on_trip(uow_factory=ctx.uow, household_id=data["household"], trip_id=data["trip"]) \
                or ids
        return ids, data["trip"]
    if body.person_ids:
        return list(body.person_ids), None
    raise HTTPException(422, "give a scanned pass or person_ids")


def _write(ctx: Ctx, actor: Actor, key: str, route: str, kind: EventType, ids: list[str], trip: str | None,
           body: object, response: Response) -> dict[str, object]:
    out, replayed = ops.record(uow_factory=ctx.uow, actor=actor, key=key, route=route,
                               body_sha256=body_hash(route, body), kind=kind, person_ids=ids,  # type: ignore[arg-type]
                               now=datetime.now(UTC), trip_id=trip)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return out


@router.post("/checkins", name="check_in", response_model=WriteOut, responses=WRITE)
def check_in(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: FieldWriteIn, response: Response
             ) -> dict[str, object]:
    """Check people in at the assembly point. A second scan of the same pass records nothing more."""
    ids, trip = _who(ctx, body)
    return _write(ctx, actor, key, "checkins", EventType.CHECKED_IN, ids, trip, body, response)


@router.post("/boardings", name="board", response_model=WriteOut, responses=WRITE)
def board(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: FieldWriteIn, response: Response
          ) -> dict[str, object]:
    """Board checked-in people onto their trip (a pass for another trip is refused with 409)."""
    ids, trip = _who(ctx, body)
    return _write(ctx, actor, key, "boardings", EventType.BOARDED, ids, trip, body, response)


@router.post("/no-shows", name="no_show", response_model=WriteOut, responses=WRITE)
def no_show(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: FieldWriteIn, response: Response
            ) -> dict[str, object]:
    """People called who did not come; the next re-plan does not plan them again."""
    ids, trip = _who(ctx, body)
    return _write(ctx, actor, key, "no-shows", EventType.NO_SHOW, ids, trip, body, response)


@router.post("/replies", name="reply", response_model=WriteOut, responses=WRITE)
def reply(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: ReplyIn, response: Response
          ) -> dict[str, object]:
    """A person's answer to the call-forward: confirmed or declined."""
    kind = EventType.CONFIRMED if body.answer == "confirmed" else EventType.DECLINED
    return _write(ctx, actor, key, "replies", kind, list(body.person_ids), None, body, response)
