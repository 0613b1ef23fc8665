"""The active plan drawn for the console: an offline SVG map (``/plan/map.svg``, the report's renderer) and
the situation as JSON for the console's Leaflet map with its time slider (``/plan/geo``)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response

from evac.api.deps import Ctx, CurrentActor  # noqa: TC001 -- FastAPI resolves these at runtime
from evac.api.schemas.common import AUTH, errors
from evac.api.schemas.plan import PlanGeoOut
from evac.services import planning

router = APIRouter(prefix="/api/v1", tags=["plan"])


@router.get("/plan/map.svg", name="plan_map", responses={
    **errors(400, 401, 403, 404, 409, 422),
    200: {"content": {"image/svg+xml": {}}, "description": "The active plan on the network (no names)."}})
def plan_map(ctx: Ctx, actor: CurrentActor) -> Response:
    """The active plan's flows of people over the network, with its closures, as one SVG (ids, no names)."""
    from evac.adapters.reports.html_map import render_map

    plan = planning.active_situation(uow_factory=ctx.uow).active.plan
    scenario = ctx.scenario()
    ends = [t.arrive_h for t in plan.trips if t.legs] + [it.safe_at_h for it in plan.itineraries]
    figure = render_map(scenario, plan, horizon_end_h=max(ends, default=plan.start_h + 72.0))
    return Response(str(figure.svg), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/plan/geo", name="plan_geo", response_model=PlanGeoOut, responses={**AUTH, **errors(409)})
def plan_geo(ctx: Ctx, actor: CurrentActor, response: Response) -> dict[str, object]:
    """The active plan's situation for a map with a time slider: country outlines around the scenario
    (GeoJSON, Natural Earth via world-atlas), places and links with their closure (and danger) intervals —
    the scenario's threats at the policy's closure quantile with their 5–95 % window, and the closures posted
    during the operation —, the plan's legs aggregated per link, direction, time and asset (vehicles and
    people aboard), and people safe over time. Hours since the plan's start plus UTC times. Counts and ids
    only, no person. 409: no active plan."""
    from evac.adapters.reports.geo_json import network_scenario, situation

    now = datetime.now(UTC)
    s = planning.active_situation(uow_factory=ctx.uow)
    active, clock, plan = s.active, s.clock, s.active.plan
    out = situation(network_scenario(active.scenario), plan, start_at=clock.moment(plan.start_h),
                    posted=s.posted, now_h=clock.hours(now))
    response.headers["Cache-Control"] = "no-store"
    return {"plan": active.id, "generation": active.generation, **out}
