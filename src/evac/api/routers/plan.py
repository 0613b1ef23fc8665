"""The active plan drawn for the console: an offline SVG map (country outlines, network, closures, flows)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from evac.api.deps import Ctx, CurrentActor  # noqa: TC001 -- FastAPI resolves these at runtime
from evac.api.schemas.common import errors
from evac.services import operations as ops

router = APIRouter(prefix="/api/v1", tags=["plan"])


@router.get("/plan/map.svg", name="plan_map", responses={
    **errors(400, 401, 403, 404, 409, 422),
    200: {"content": {"image/svg+xml": {}}, "description": "The active plan on the network (no names)."}})
def plan_map(ctx: Ctx, actor: CurrentActor) -> Response:
    """The active plan's flows of people over the network, with its closures, as one SVG (ids, no names)."""
    from evac.adapters.reports.html_map import render_map

    scenario = ctx.scenario()
    with ctx.uow() as uow:
        active = uow.ops.active_plan()
    if active is None:
        raise ops.NoActivePlan("no active plan: run `evac ops activate` first")
    plan = active.plan
    ends = [t.arrive_h for t in plan.trips if t.legs] + [it.safe_at_h for it in plan.itineraries]
    figure = render_map(scenario, plan, horizon_end_h=max(ends, default=plan.start_h + 72.0))
    return Response(str(figure.svg), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
