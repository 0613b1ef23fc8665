"""People and households: search, read, language preference, boarding passes (JSON and PDF)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response

from evac.api.deps import (
    Ctx,
    CurrentActor,
    IdempotencyKey,
    Limit,
    Offset,
    body_hash,
    replayed,
)
from evac.api.schemas.common import AUTH, WRITE
from evac.api.schemas.people import (
    HouseholdOut,
    LanguageIn,
    PassOut,
    PersonEditIn,
    PersonEditOut,
    PersonOut,
    WalkInIn,
    WalkInOut,
)
from evac.services import operations as ops

router = APIRouter(prefix="/api/v1", tags=["people"])
PersonPath = Annotated[str, Path(pattern=r"^R\d{1,10}$", examples=["R0000042"])]
HouseholdPath = Annotated[str, Path(pattern=r"^RH\d{1,10}$", examples=["RH0000007"])]


@router.get("/people", name="search_people", response_model=list[PersonOut], responses={**AUTH, 200: {
    "description": "Best match first.", "headers": {
        "X-Total-Count": {"description": "People found in all (in the caller's scope).", "schema": {"type": "integer"}},
        "X-More-Results": {"description": "true when pages after this one hold more.", "schema": {"type": "string"}},
    }}})
def search_people(ctx: Ctx, actor: CurrentActor, response: Response,
                  q: Annotated[str, Query(min_length=1, max_length=200, description="Name words in any script, "
                                          "optionally a birth date or year (Иванова 1975).")],
                  limit: Limit = 20, offset: Offset = 0) -> list[dict[str, object]]:
    """People ranked by name (Иванова = Ivanova = Ivanowa; sex and birth date in the query weigh in), with birth
    date, household, trip and score. Field officers search their assembly point only, before any cap; the
    headers say how many were found and whether more pages follow."""
    page, total = ops.search_page(uow_factory=ctx.uow, actor=actor, query=q, limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-More-Results"] = "true" if offset + len(page) < total else "false"
    return page


@router.get("/people/{person_id}", name="get_person", response_model=PersonOut, responses=AUTH)
def get_person(ctx: Ctx, actor: CurrentActor, person_id: PersonPath) -> dict[str, object]:
    return ops.person(uow_factory=ctx.uow, actor=actor, person_id=person_id)


@router.patch("/people/{person_id}", name="edit_person", response_model=PersonEditOut, responses=WRITE)
def edit_person(ctx: Ctx, actor: CurrentActor, person_id: PersonPath, body: PersonEditIn) -> dict[str, object]:
    """Correct a person's phone, document or willingness (field officers: at their assembly point). Sealed
    like the rest of the record; the audit names the fields, not the values. Willingness reaches the plan at
    the next re-plan. Sending the same body again changes nothing."""
    from evac.services.people_edit import edit_person as edit

    return edit(uow_factory=ctx.uow, actor=actor, person_id=person_id, phone=body.phone, document=body.document,
                willingness=body.willingness)


@router.put("/people/{person_id}/language", name="set_language", status_code=204, responses=WRITE)
def set_language(ctx: Ctx, actor: CurrentActor, person_id: PersonPath, body: LanguageIn) -> Response:
    """The language messages to this person are written in (ru, en, ar)."""
    ops.set_language(uow_factory=ctx.uow, actor=actor, person_id=person_id, language=body.language)
    return Response(status_code=204)


@router.get("/households/{household_id}", name="get_household", response_model=HouseholdOut, responses=AUTH)
def get_household(ctx: Ctx, actor: CurrentActor, household_id: HouseholdPath) -> dict[str, object]:
    return ops.household(uow_factory=ctx.uow, actor=actor, household_id=household_id)


def _passes(ctx: Ctx, actor: CurrentActor, person_ids: list[str]) -> list[dict[str, object]]:
    expires = datetime.now(UTC) + timedelta(hours=ctx.settings.pass_ttl_h)
    out = []
    for p in ops.pass_data(uow_factory=ctx.uow, actor=actor, person_ids=person_ids):
        token = ctx.passes.issue(person=str(p["person"]), household=str(p["household"]), trip=str(p["trip"]),
                                 expires=expires)
        out.append({**p, "token": token, "expires": expires.isoformat(timespec="minutes")})
    return out


@router.get("/people/{person_id}/pass", name="person_pass", response_model=PassOut, responses=WRITE)
def person_pass(ctx: Ctx, actor: CurrentActor, person_id: PersonPath) -> dict[str, object]:
    """A signed boarding-pass token (person, household, trip, expiry) for the QR code."""
    return _passes(ctx, actor, [person_id])[0]


@router.get("/households/{household_id}/passes.pdf", name="household_passes", responses={
    **WRITE, 200: {"content": {"application/pdf": {}}, "description": "One pass per page."}})
def household_passes(ctx: Ctx, actor: CurrentActor, household_id: HouseholdPath) -> Response:
    """Printable passes (PDF) for every member of the household who has a trip."""
    from evac.adapters.passes.pdf import boarding_passes

    members = ops.household(uow_factory=ctx.uow, actor=actor, household_id=household_id)["members"]
    ids = [m["id"] for m in members if m.get("trip")]
    if not ids:
        raise ops.OpsError(f"household {household_id} has no trip in the active plan")
    pdf = boarding_passes(_passes(ctx, actor, ids))
    return Response(pdf, media_type="application/pdf")


@router.post("/walk-ins", name="walk_in", response_model=WalkInOut, responses=WRITE)
def walk_in(ctx: Ctx, actor: CurrentActor, key: IdempotencyKey, body: WalkInIn, response: Response
            ) -> dict[str, object]:
    """Register a household that turned up unlisted at an assembly point and book it on a trip from there with
    free seats (nobody else moves), or list it as waiting. Idempotent: a retry registers nobody twice."""
    from evac.core.errors import EvacError
    from evac.core.model.people import Category, PartialDate, Relation, Sex, Vulnerability
    from evac.core.registry.records import Record
    from evac.services.walkins import WalkInMember, register_walk_in

    members = []
    for i, m in enumerate(body.members):
        if not (m.given.strip() and m.family.strip()):
            raise HTTPException(422, f"members[{i}]: given and family names must not be blank")
        if (m.relation == "head") != (i == 0):
            raise HTTPException(422, f"members[{i}].relation: the first member is the household's reference "
                                     "person ('head'), and only the first")
        try:
            birth = PartialDate.parse(m.birth)
        except (EvacError, ValueError) as exc:
            raise HTTPException(422, f"members[{i}].birth: {exc}") from None
        members.append(WalkInMember(Record(
            external_id="walk-in", given=m.given.strip(), family=m.family.strip(), patronymic=m.patronymic,
            given_latin=m.given_latin, family_latin=m.family_latin, birth=birth, sex=Sex(m.sex) if m.sex else None,
            nationalities=tuple(m.nationalities), phone=m.phone, document=m.document, category=Category.RESIDENT,
            vulnerabilities=frozenset(Vulnerability(v) for v in m.vulnerabilities)), Relation(m.relation)))
    return replayed(response, register_walk_in(
        uow_factory=ctx.uow, scenario=ctx.scenario(), actor=actor, key=key, route="walk-ins",
        body_sha256=body_hash("walk-ins", body), place=body.place, members=members, now=datetime.now(UTC)))
