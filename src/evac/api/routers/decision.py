"""The decision page's data: when must we start, and how sure are we? (``GET /api/v1/decision``)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from evac.api.deps import Ctx, CurrentActor  # noqa: TC001 -- FastAPI resolves these at runtime
from evac.api.schemas.common import AUTH, errors
from evac.api.schemas.decision import DecisionOut, DecisionPending
from evac.services import decision as dec
from evac.services.planning import resolve_planner

router = APIRouter(prefix="/api/v1", tags=["decision"])

RETRY_AFTER_S = 2.0
"""What a 202 tells the page to wait before asking again."""


@router.get("/decision", name="decision", response_model=DecisionOut, responses={
    **AUTH, **errors(409),
    202: {"model": DecisionPending, "description": "Being computed in the background: ask again after "
                                                   "`retry_after_s` seconds (also in `Retry-After`)."}})
def decision(ctx: Ctx, actor: CurrentActor, response: Response) -> object:
    """The latest safe start (overall and per priority class; ISO time, hours from now, or too late), the
    clearance of every daily candidate start for six weeks against the windows of the closures that matter,
    and P(every traveller safe) against the start with its 95 % interval (Monte Carlo, `runs` per start, a
    fixed `seed`). Computed from the operation's scenario, its registry and the closures posted, cached per
    active plan and hour; a computation that takes longer than about 2 s answers 202 while it runs. Counts
    and ids only, no person. 409: no active plan."""
    now = datetime.now(UTC)
    inputs = dec.prepare(uow_factory=ctx.uow, now=now)

    def run() -> dec.DecisionResult:
        return dec.compute(inputs, ctx.scenario(), planner=resolve_planner("greedy"), planner_name="greedy")

    result = ctx.decisions.get(inputs.key, run, wait_s=dec.WAIT_S)
    if result is None:
        started = ctx.decisions.started_at(inputs.key)
        body = DecisionPending(status="computing", started_at=started, retry_after_s=RETRY_AFTER_S)
        return JSONResponse(body.model_dump(mode="json"), status_code=202,
                            headers={"Retry-After": str(int(RETRY_AFTER_S)), "Cache-Control": "no-store"})
    response.headers["Cache-Control"] = "no-store"
    return dec.view(result, now=now)
