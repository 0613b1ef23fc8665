"""Trips of the active plan: list, manifest (JSON, PDF, CSV), departure and arrival (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response

from evac.api.deps import Ctx, CurrentActor, IdempotencyKey, Limit, Offset, body_hash, replayed
from evac.api.schemas.common import AUTH, WRITE
from evac.api.schemas.operations import ManifestOut, TripOut
from evac.api.schemas.people import WriteOut
from evac.core.oplog import EventType, Status
from evac.services import operations as ops

router = APIRouter(prefix="/api/v1", tags=["trips"])
TripPath = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9#'._-]+$", examples=["T00001"])]


@router.get("/trips", name="list_trips", response_model=list[TripOut], responses=WRITE)
def list_trips(ctx: Ctx, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0) -> list[dict[str, object]]:
    """Trips of the active plan (a field officer's: those picking up at their assembly point)."""
    return ops.trips(uow_factory=ctx.uow, actor=actor, limit=limit, offset=offset)


@router.get("/trips/{trip_id}", name="get_manifest", response_model=ManifestOut, responses=WRITE)
def get_manifest(ctx: Ctx, actor: CurrentActor, trip_id: TripPath) -> dict[str, object]:
    """The trip's passengers: status, where each boards (and when), gets off and changes trip, assistance
    needs, seats used against the vehicle's seats. A trip a re-plan dropped is an incident (``cancelled``)."""
    from evac.api.routers.operations import _scenario_file

    return ops.manifest(uow_factory=ctx.uow, actor=actor, trip_id=trip_id, scenario_of=_scenario_file)


@router.get("/trips/{trip_id}/manifest.pdf", name="manifest_pdf", responses={
    **WRITE, 200: {"content": {"application/pdf": {}}, "description": "Printable manifest."}})
def manifest_pdf(ctx: Ctx, actor: CurrentActor, trip_id: TripPath) -> Response:
    from evac.adapters.passes.pdf import manifest_pdf as render
    from evac.api.routers.operations import _scenario_file

    return Response(render(ops.manifest(uow_factory=ctx.uow, actor=actor, trip_id=trip_id,
                                        scenario_of=_scenario_file)), media_type="application/pdf")


@router.get("/trips/{trip_id}/manifest.csv", name="manifest_csv", responses={
    **WRITE, 200: {"content": {"text/csv": {}}, "description": "Fields allowed by the role's redaction profile."}})
def manifest_csv(ctx: Ctx, actor: CurrentActor, trip_id: TripPath) -> Response:
    """CSV manifest for border authorities, with the fields the caller's role may export."""
    from evac.adapters.passes.pdf import manifest_csv as render
    from evac.services.ops_ports import Role

    m = ops.manifest(uow_factory=ctx.uow, actor=actor, trip_id=trip_id, names=actor.role is not Role.VIEWER)
    return Response(render(m, role=actor.role.value), media_type="text/csv")


def _trip_write(ctx: Ctx, actor: CurrentActor, key: str, trip_id: str, kind: EventType, status: Status,
                response: Response) -> dict[str, object]:
    ids = ops.trip_people(uow_factory=ctx.uow, actor=actor, trip_id=trip_id, status=status)
    route = f"trips/{trip_id}/{kind.value}"
    return replayed(response, ops.record(uow_factory=ctx.uow, actor=actor, key=key, route=route,
                                         body_sha256=body_hash(route, None), kind=kind, person_ids=ids,
                                         now=datetime.now(UTC), trip_id=trip_id))


@router.post("/trips/{trip_id}/departure", name="depart", response_model=WriteOut, responses=WRITE)
def depart(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, trip_id: TripPath, response: Response
           ) -> dict[str, object]:
    """The vehicle left: everyone boarded on the trip is departed."""
    return _trip_write(ctx, actor, key, trip_id, EventType.DEPARTED, Status.BOARDED, response)


@router.post("/trips/{trip_id}/arrival", name="arrive", response_model=WriteOut, responses=WRITE)
def arrive(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, trip_id: TripPath, response: Response
           ) -> dict[str, object]:
    """The vehicle reached safety: everyone departed on the trip is safe."""
    return _trip_write(ctx, actor, key, trip_id, EventType.ARRIVED_SAFE, Status.DEPARTED, response)


__all__ = ["AUTH", "router"]
