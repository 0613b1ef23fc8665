"""Field writes: check-in (by scanned pass or by search), boarding, no-show, replies. All idempotent.

A scanned pass names one person, their household and their trip (signed; forged or expired → 422). With
``whole_household`` the write covers every member of that household booked on the pass's trip, all or
nothing: families travel together, and one impossible member (e.g. boarding someone not checked in) refuses
the lot with 409 rather than splitting the family silently. Check-ins and boardings may name the ``trip``
being loaded; a pass or person for another trip is then refused (409) instead of being recorded on a vehicle
they are not on. Field officers act only at their assembly point (404 elsewhere).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Response

from evac.api.deps import Ctx, CurrentActor, IdempotencyKey, body_hash, replayed
from evac.api.schemas.common import WRITE
from evac.api.schemas.people import FieldWriteIn, ReplyIn, TripWriteIn, WriteOut
from evac.core.oplog import EventType
from evac.services import operations as ops

if TYPE_CHECKING:
    from pydantic import BaseModel

    from evac.services.operations import Actor

router = APIRouter(prefix="/api/v1", tags=["field"])


def _who(ctx: Ctx, body: FieldWriteIn, trip: str | None = None) -> tuple[list[str], str | None]:
    """(people, trip of the event): from a verified pass (its trip, which must be ``trip`` when given), else the
    ids found by search with ``trip``."""
    from evac.adapters.passes.tokens import BadToken

    if body.pass_token:
        try:
            data = ctx.passes.verify(body.pass_token)
        except BadToken as exc:
            raise HTTPException(422, str(exc)) from None
        if trip is not None and trip != data["trip"]:
            raise ops.OpsError(f"this pass is for trip {data['trip']}, not trip {trip}")
        ids = [data["person"]]
        if body.whole_household:
            ids = ops.household_on_trip(uow_factory=ctx.uow, household_id=data["household"], trip_id=data["trip"]) \
                or ids
        return ids, data["trip"]
    if body.person_ids or body.household:
        return list(body.person_ids or ()), trip
    raise HTTPException(422, "give a scanned pass, person_ids or a household")


def _write(ctx: Ctx, actor: Actor, key: str, route: str, kind: EventType, ids: list[str], trip: str | None,
           body: BaseModel, response: Response, household: str | None = None) -> dict[str, object]:
    return replayed(response, ops.record(uow_factory=ctx.uow, actor=actor, key=key, route=route,
                                         body_sha256=body_hash(route, body), kind=kind, person_ids=ids,
                                         now=datetime.now(UTC), trip_id=trip, household_id=household))


@router.post("/checkins", name="check_in", response_model=WriteOut, responses=WRITE)
def check_in(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: TripWriteIn, response: Response
             ) -> dict[str, object]:
    """Check people in at the assembly point. A second scan of the same pass records nothing more."""
    ids, trip = _who(ctx, body, body.trip)
    return _write(ctx, actor, key, "checkins", EventType.CHECKED_IN, ids, trip, body, response, body.household)


@router.post("/boardings", name="board", response_model=WriteOut, responses=WRITE)
def board(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: TripWriteIn, response: Response
          ) -> dict[str, object]:
    """Board checked-in people onto their trip, or onto ``trip`` if given (someone booked on another trip, or
    a pass for another trip, is refused with 409)."""
    ids, trip = _who(ctx, body, body.trip)
    return _write(ctx, actor, key, "boardings", EventType.BOARDED, ids, trip, body, response, body.household)


@router.post("/no-shows", name="no_show", response_model=WriteOut, responses=WRITE)
def no_show(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: FieldWriteIn, response: Response
            ) -> dict[str, object]:
    """People called who did not come; the next re-plan does not plan them again."""
    ids, trip = _who(ctx, body)
    return _write(ctx, actor, key, "no-shows", EventType.NO_SHOW, ids, trip, body, response, body.household)


@router.post("/arrivals", name="arrive_people", response_model=WriteOut, responses=WRITE)
def arrive_people(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: TripWriteIn, response: Response
                  ) -> dict[str, object]:
    """People reached the safe haven (a scanned pass, a tick on the manifest, or a household): ``departed``
    becomes ``arrived_safe``. The officer at the trip's pick-up or at its drop-off (the haven) may record it."""
    ids, trip = _who(ctx, body, body.trip)
    return _write(ctx, actor, key, "arrivals", EventType.ARRIVED_SAFE, ids, trip, body, response, body.household)


@router.post("/replies", name="reply", response_model=WriteOut, responses=WRITE)
def reply(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: ReplyIn, response: Response
          ) -> dict[str, object]:
    """A person's answer to the call-forward: confirmed or declined."""
    kind = EventType.CONFIRMED if body.answer == "confirmed" else EventType.DECLINED
    if not body.person_ids and not body.household:
        raise HTTPException(422, "give person_ids or a household")
    return _write(ctx, actor, key, "replies", kind, list(body.person_ids), None, body, response, body.household)
