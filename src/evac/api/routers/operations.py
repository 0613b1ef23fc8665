"""The crisis cell's routes: closures and breakdowns (re-plan), re-plan, status board, unaccounted list, outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Query, Response

from evac.api.deps import Ctx, CurrentActor, IdempotencyKey, Limit, Offset, body_hash, replayed
from evac.api.schemas.common import AUTH, WRITE, errors
from evac.api.schemas.operations import BoardOut, BreakdownIn, ClosureIn, OutboxOut, ReplanOut
from evac.api.schemas.people import PersonOut
from evac.api.schemas.timeline import TimelineOut
from evac.services import operations as ops
from evac.services import timeline as tl

if TYPE_CHECKING:
    from evac.core.model import Scenario

router = APIRouter(prefix="/api/v1", tags=["operations"])


@router.post("/closures", name="post_closure", response_model=ReplanOut, responses=WRITE)
def post_closure(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: ClosureIn, response: Response
                 ) -> dict[str, object]:
    """A place or link closed: record it and re-plan the future at once (the past is kept); affected
    households get change or cancellation messages in their language (see the outbox)."""
    now = datetime.now(UTC)
    return replayed(response, ops.post_closure(
        uow_factory=ctx.uow, scenario=ctx.scenario(), actor=actor, key=key, route="closures",
        body_sha256=body_hash("closures", body), target=body.target, effective_at=body.effective_at or now, now=now))


@router.post("/breakdowns", name="post_breakdown", response_model=ReplanOut, responses=WRITE)
def post_breakdown(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: BreakdownIn, response: Response
                   ) -> dict[str, object]:
    """A vehicle broke down (for ``repair_h`` hours, or lost): record it and re-plan the future at once (the
    past is kept); affected households get change or cancellation messages in their language."""
    now = datetime.now(UTC)
    return replayed(response, ops.post_breakdown(
        uow_factory=ctx.uow, scenario=ctx.scenario(), actor=actor, key=key, route="breakdowns",
        body_sha256=body_hash("breakdowns", body), asset_id=body.asset, unit=body.unit, repair_h=body.repair_h,
        at=body.at or now, now=now))


@router.post("/replans", name="post_replan", response_model=ReplanOut, responses=WRITE)
def post_replan(ctx: Ctx, actor: CurrentActor) -> dict[str, object]:
    """Re-plan now from the facts recorded so far (no-shows, boardings, breakdowns, closures)."""
    return ops.replan(uow_factory=ctx.uow, scenario=ctx.scenario(), actor=actor, now=datetime.now(UTC))


@router.get("/status-board", name="status_board", response_model=BoardOut, responses=AUTH)
def status_board(ctx: Ctx, actor: CurrentActor) -> dict[str, object]:
    """Counts by place and status, and the KPIs of every plan generation (before and after re-plans)."""
    return ops.status_board(uow_factory=ctx.uow)


@router.get("/status-board/timeline", name="status_board_timeline", response_model=TimelineOut,
            responses={**AUTH, **errors(409)})
def status_board_timeline(ctx: Ctx, actor: CurrentActor) -> dict[str, object]:
    """People safe over time (planned by the active and the first plan, recorded arrived safe), the people
    travelling, the closures (scenario threats at the policy's quantile, closures posted) and now; hourly,
    hours since the operation's start plus UTC times. Counts only, no person. 409: no active plan."""
    return tl.timeline(uow_factory=ctx.uow, scenario_of=_scenario_file, now=datetime.now(UTC))


@lru_cache(maxsize=4)
def _scenario_file(ref: str) -> Scenario:
    """The operation's scenario file without its population (the chart reads its places, links, threats and
    policy only): 0.06 s once, where the scenario with the registry's 25,000 people costs 1.4 s to load."""
    from evac.adapters.scenario.loader import build_scenario, read_scenario_file, resolve_scenario_path
    from evac.core.model import Population

    path = resolve_scenario_path(ref)
    model, _ = read_scenario_file(path)
    return build_scenario(model, base_dir=path.parent, population=Population((), ()))


@router.get("/unaccounted", name="unaccounted", response_model=list[PersonOut], responses=AUTH)
def unaccounted(ctx: Ctx, actor: CurrentActor,
                place: Annotated[str | None, Query(max_length=100, description="Only this assembly point.")] = None,
                status: Annotated[Literal["registered", "notified", "confirmed", "no_show"] | None,
                                  Query(description="Only people in this status.")] = None,
                trip: Annotated[str | None, Query(max_length=60, description="Only people on this trip.")] = None,
                limit: Limit = 100, offset: Offset = 0) -> list[dict[str, object]]:
    """People the plan expects to move whom no field officer has seen (ids and status only)."""
    return ops.unaccounted(uow_factory=ctx.uow, actor=actor, place=place, status=status, trip=trip, limit=limit,
                           offset=offset)


@router.get("/outbox", name="outbox", response_model=list[OutboxOut], responses=AUTH)
def outbox(ctx: Ctx, actor: CurrentActor,
           status: Annotated[Literal["pending", "sent", "failed"] | None, Query()] = None,
           limit: Limit = 100, offset: Offset = 0) -> list[object]:
    """Queued and delivered messages (ids, template, language, delivery state, channel; no message text)."""
    return ops.outbox(uow_factory=ctx.uow, status=status, limit=limit, offset=offset)
