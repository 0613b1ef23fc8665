"""The crisis cell's routes: closures and breakdowns (re-plan), re-plan, status board, unaccounted list, outbox."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Annotated, Literal

import anyio
from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from evac.api.access import ACCESS
from evac.api.deps import Ctx, CurrentActor, IdempotencyKey, Limit, Offset, body_hash, replayed
from evac.api.schemas.common import AUTH, WRITE, errors
from evac.api.schemas.funnel import FunnelOut, LabelsOut
from evac.api.schemas.operations import BoardOut, BreakdownIn, ClosureIn, OutboxOut, ReplanOut
from evac.api.schemas.people import PersonOut
from evac.api.schemas.timeline import TimelineOut
from evac.services import funnel as fn
from evac.services import labels as lb
from evac.services import operations as ops
from evac.services import timeline as tl
from evac.services.users import get_user

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from evac.api.context import ApiContext
    from evac.core.model import Scenario
    from evac.services.operations import Actor

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


@router.get("/status-board/funnel", name="status_board_funnel", response_model=FunnelOut,
            responses={**AUTH, **errors(409), 304: {"description": "Unchanged since the ETag sent in If-None-Match."}})
def status_board_funnel(ctx: Ctx, actor: CurrentActor, response: Response,
                        if_none_match: Annotated[str | None, Header(max_length=200)] = None) -> object:
    """The operation's funnel: people registered (duplicates merged away), eligible, willing, undecided (to
    call back), called, confirmed, checked in, boarded, departed, safe and unaccounted, in total, per
    assembly point and per priority class, from the registry and each person's status fold. Counts only.
    Sends an ETag: with ``If-None-Match`` the answer is 304 (no body) while nothing changed, so a client
    can poll it cheaply. 409: no active plan."""
    version = fn.version(uow_factory=ctx.uow)
    tag = f'"{version}"'
    if if_none_match is not None and tag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers={"ETag": tag, "Cache-Control": "no-cache"})
    out = _funnel(ctx, version)
    response.headers["ETag"] = f'"{out["version"]}"'
    response.headers["Cache-Control"] = "no-cache"
    return out


@router.get("/scenario/labels", name="scenario_labels", response_model=LabelsOut, response_model_by_alias=True,
            responses={**AUTH, **errors(409)})
def scenario_labels(ctx: Ctx, actor: CurrentActor) -> dict[str, object]:
    """Display names of the operation's places, links and threats (for lists and pickers: the console shows
    "Qamishli", not ``qamishli``). From the operation's scenario file; no person. 409: no active plan."""
    return lb.labels(uow_factory=ctx.uow, scenario_of=_scenario_file)


_FUNNELS: dict[int, dict[str, object]] = {}
"""The last funnel computed per app context: every console's stream and poll share it (one computation per
change, not one per open console; 25,000 people take a few tenths of a second)."""
_FUNNELS_LOCK = threading.Lock()


def _funnel(ctx: ApiContext, version: str | None = None) -> dict[str, object]:
    """The funnel at ``version`` (the current one when ``None``), computed once per version per process."""
    version = fn.version(uow_factory=ctx.uow) if version is None else version
    with _FUNNELS_LOCK:
        hit = _FUNNELS.get(id(ctx))
        if hit is not None and hit["version"] == version:
            return hit
        out = fn.funnel(uow_factory=ctx.uow, scenario_of=_scenario_file)
        _FUNNELS[id(ctx)] = out
        return out


STREAM_POLL_S = 1.0
"""How often the live stream looks for a change (one indexed read of the log's newest id per look)."""
STREAM_PING_S = 15.0
"""A comment line this often keeps proxies from closing an idle stream."""
STREAM_MAX_S = 300.0
"""A stream ends after this long; the client reconnects, so its token and role are checked afresh."""


@router.get("/status-board/stream", name="status_board_stream", response_class=StreamingResponse,
            responses={**AUTH, **errors(409), 200: {"content": {"text/event-stream": {}}, "description": (
                "Server-sent events: `funnel` (data: the FunnelOut JSON) at once and after every change.")}})
async def status_board_stream(request: Request, ctx: Ctx, actor: CurrentActor,
                              accept: Annotated[str, Header(max_length=500)] = "") -> StreamingResponse:
    """The funnel, live: a ``text/event-stream`` that sends an ``event: funnel`` (data: the same JSON as
    ``GET /status-board/funnel``) at once and again within about a second of any change (a scan, an
    arrival, a merge, a re-plan, from any device or process: the store is what is watched). The caller's
    account is re-read on every look (a deactivated user or changed role ends the stream), and the stream
    ends after five minutes so that the client reconnects with its token. A caller that does not send
    ``Accept: text/event-stream`` (as EventSource and the console do) gets the current funnel as one event and
    the end of the stream, not an open connection. Counts only. 409: no active plan."""
    first = await anyio.to_thread.run_sync(lambda: _funnel(ctx))
    live = "text/event-stream" in accept
    return StreamingResponse(_funnel_events(request, ctx, actor, first, live=live), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _funnel_events(request: Request, ctx: Ctx, actor: Actor, first: dict[str, object], *, live: bool
                         ) -> AsyncIterator[str]:
    def allowed() -> bool:
        user = get_user(uow=ctx.uow(), username=actor.username)
        return user is not None and user.active and user.role in ACCESS["status_board_stream"]

    def send(body: dict[str, object]) -> str:
        return f"event: funnel\nid: {body['version']}\ndata: {json.dumps(body, separators=(',', ':'))}\n\n"

    yield "retry: 2000\n\n" + send(first)
    if not live:
        return
    last, t0 = first["version"], time.monotonic()
    pinged = t0
    while time.monotonic() - t0 < STREAM_MAX_S:
        await anyio.sleep(STREAM_POLL_S)
        if await request.is_disconnected() or not await anyio.to_thread.run_sync(allowed):
            return
        version = await anyio.to_thread.run_sync(lambda: fn.version(uow_factory=ctx.uow))
        if version != last:
            body = await anyio.to_thread.run_sync(partial(_funnel, ctx, version))
            last = body["version"]
            yield send(body)
        elif time.monotonic() - pinged > STREAM_PING_S:
            pinged = time.monotonic()
            yield ": ping\n\n"


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
