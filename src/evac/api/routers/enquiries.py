"""The relatives' enquiry desk: record a call and get what may be read out; the desk's log (audited)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from evac.api.deps import Ctx, CurrentActor, Limit  # noqa: TC001 -- FastAPI resolves these at runtime
from evac.api.schemas.common import AUTH, WRITE
from evac.api.schemas.enquiry import EnquiryIn, EnquiryOut, EnquiryRecordOut
from evac.services import enquiry as enq

router = APIRouter(prefix="/api/v1", tags=["enquiries"])


@router.post("/enquiries", name="record_enquiry", response_model=EnquiryOut, responses=WRITE)
def record_enquiry(ctx: Ctx, actor: CurrentActor, body: EnquiryIn) -> dict[str, object]:
    """Record a relative's call (the caller's details are sealed) and return the answer policy allows: the
    person's name and how far they have got (registered, at an assembly point, on the way, safe) — never a
    place, trip, time or another person. The desk officer also gets the person's record, not for reading out."""
    return enq.record_enquiry(
        uow_factory=ctx.uow, actor=actor, now=datetime.now(UTC), person_id=body.person,  # type: ignore[arg-type]
        caller_name=body.caller_name, caller_contact=body.caller_contact, relation=body.relation,
        question=body.question, note=body.note, language=body.language,
        disclosure=ctx.settings.enquiry_disclosure)


@router.get("/enquiries", name="list_enquiries", response_model=list[EnquiryRecordOut], responses=AUTH)
def list_enquiries(ctx: Ctx, actor: CurrentActor,
                   person: Annotated[str | None, Query(pattern=r"^R\d{1,10}$",
                                                       description="Only enquiries about this person.")] = None,
                   before: Annotated[int | None, Query(ge=1, le=2**31 - 1,
                                                       description="Page back from this enquiry id.")] = None,
                   limit: Limit = 50) -> list[dict[str, object]]:
    """The desk's log, newest first, with the callers' details (audited)."""
    return enq.list_enquiries(uow_factory=ctx.uow, actor=actor, person_id=person, limit=limit,  # type: ignore[arg-type]
                              before=before)
