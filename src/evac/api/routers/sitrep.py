"""The situation report as JSON, CSV or PDF (``GET /api/v1/sitrep``): counts only, no person."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from evac.api.deps import Ctx, CurrentActor  # noqa: TC001 -- FastAPI reads the annotations at runtime
from evac.api.routers.operations import _scenario_file
from evac.api.schemas.common import AUTH, errors
from evac.api.schemas.sitrep import SitrepOut
from evac.services.sitrep import MAX_HOURS, situation_report

router = APIRouter(prefix="/api/v1", tags=["operations"])


@router.get("/sitrep", name="sitrep", response_model=SitrepOut, responses={
    **AUTH, **errors(409, 422),
    200: {"content": {"application/json": {}, "text/csv": {}, "application/pdf": {}},
          "description": "The report; `format` chooses JSON, CSV (long format) or PDF."}})
def sitrep(ctx: Ctx, actor: CurrentActor,
           hours: Annotated[float, Query(gt=0, le=MAX_HOURS, description="The period before now, and the "
                                                                          "look-ahead after it (hours).")] = 24.0,
           format: Annotated[Literal["json", "csv", "pdf"], Query(description="Output format.")] = "json",
           ) -> object:
    """The day's numbers (people per status and place, safe, unaccounted), the period's activity, incidents
    (closures and breakdowns recorded), closures posted and expected, the next departures and every plan
    generation. 409: no active plan."""
    report = situation_report(uow_factory=ctx.uow, scenario_of=_scenario_file, now=datetime.now(UTC),
                              hours=hours, actor=actor.username)
    stamp = f"{report['generated_at']:%Y%m%d-%H%M}"
    if format == "csv":
        from evac.adapters.reports.sitrep import sitrep_csv

        return Response(sitrep_csv(report), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="sitrep-{stamp}.csv"'})
    if format == "pdf":
        from evac.adapters.reports.sitrep import sitrep_pdf

        return Response(sitrep_pdf(report), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="sitrep-{stamp}.pdf"'})
    return report
