"""Login, the caller's own account, and user administration (admin)."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response

from evac.api.deps import Ctx, CurrentActor, issue_token
from evac.api.schemas.common import AUTH, WRITE, errors
from evac.api.schemas.operations import LanguageIn, LoginIn, PasswordChangeIn, TokenOut, UserIn, UserOut, UserPatch
from evac.api.throttle import Throttled
from evac.services import users as svc
from evac.services.ops_ports import Role, UserRecord

router = APIRouter(prefix="/api/v1", tags=["users"])
UserPath = Annotated[str, Path(min_length=2, max_length=63, pattern=r"^[a-z0-9][a-z0-9._-]+$")]


def _out(u: UserRecord) -> dict[str, object]:
    return {"username": u.username, "role": u.role.value, "place": u.place, "active": u.active,
            "language": u.language}


@router.post("/auth/login", name="login", response_model=TokenOut, responses=errors(400, 401, 422, 429))
def login(ctx: Ctx, body: LoginIn, request: Request) -> dict[str, object]:
    """Exchange user name and password for a bearer token.

    Failed attempts are throttled per (user name, client address) and per client address, with an
    exponential backoff (HTTP 429 with ``Retry-After``); never per user name alone, so nobody can lock an
    officer out from elsewhere. The attempt is counted before the password is checked (atomically)."""
    client = request.client.host if request.client else "?"
    try:
        ticket = ctx.limiter.acquire(body.username, client)
    except Throttled as exc:
        raise HTTPException(429, "too many failed logins; wait and try again",
                            headers={"Retry-After": str(max(1, math.ceil(exc.retry_after_s)))}) from None
    user = svc.authenticate(uow=ctx.uow(), hasher=ctx.hasher, username=body.username, password=body.password)
    if user is None:
        ticket.failed()
        raise HTTPException(401, "wrong user name or password")
    ticket.succeeded()
    with ctx.uow() as uow:
        uow.ops.audit(actor=user.username, action="auth:login", subject=user.role.value)
        uow.commit()
    return issue_token(ctx, user)


@router.post("/auth/logout", name="logout", status_code=204, responses=errors(401, 403))
def logout(ctx: Ctx, actor: CurrentActor) -> Response:
    """Sign out: every token of the caller stops working at once (on every device: the user's token version
    is bumped). The pages then wipe what they keep locally."""
    svc.sign_out_everywhere(uow=ctx.uow(), username=actor.username, actor=actor.username)
    return Response(status_code=204)


@router.put("/me/password", name="change_my_password", response_model=TokenOut,
            responses=errors(400, 401, 403, 422, 429))
def change_my_password(ctx: Ctx, actor: CurrentActor, body: PasswordChangeIn, request: Request) -> dict[str, object]:
    """Change the caller's own password (the current one is required). Every earlier token stops working;
    the answer carries a new token for this session. Wrong current passwords are throttled like logins."""
    client = request.client.host if request.client else "?"
    try:
        ticket = ctx.limiter.acquire(actor.username, client)
    except Throttled as exc:
        raise HTTPException(429, "too many failed attempts; wait and try again",
                            headers={"Retry-After": str(max(1, math.ceil(exc.retry_after_s)))}) from None
    try:
        user = svc.change_password(uow=ctx.uow(), hasher=ctx.hasher, username=actor.username,
                                   old_password=body.old_password, new_password=body.new_password,
                                   actor=actor.username)
    except svc.WrongPassword:
        ticket.failed()
        raise
    ticket.succeeded()
    return issue_token(ctx, user)


@router.get("/me", name="me", response_model=UserOut, responses=AUTH)
def me(ctx: Ctx, actor: CurrentActor) -> dict[str, object]:
    user = svc.get_user(uow=ctx.uow(), username=actor.username)
    return {"username": actor.username, "role": actor.role.value, "place": actor.place, "active": True,
            "language": user.language if user else None}


@router.put("/me/language", name="set_my_language", response_model=UserOut, responses=errors(400, 401, 403, 422))
def set_my_language(ctx: Ctx, actor: CurrentActor, body: LanguageIn) -> dict[str, object]:
    """Remember the caller's interface language (en, ru, ar): the pages use it on every device."""
    return _out(svc.set_language(uow=ctx.uow(), username=actor.username, language=body.language))


@router.get("/users", name="list_users", response_model=list[UserOut], responses=AUTH)
def list_users(ctx: Ctx, actor: CurrentActor) -> list[dict[str, object]]:
    return [_out(u) for u in svc.list_users(uow=ctx.uow())]


@router.post("/users", name="add_user", response_model=UserOut, status_code=201, responses=WRITE)
def add_user(ctx: Ctx, actor: CurrentActor, body: UserIn) -> dict[str, object]:
    return _out(svc.add_user(uow=ctx.uow(), hasher=ctx.hasher, username=body.username, password=body.password,
                             role=Role(body.role), place=body.place, actor=actor.username))


@router.patch("/users/{username}", name="update_user", response_model=UserOut, responses=WRITE)
def update_user(ctx: Ctx, actor: CurrentActor, username: UserPath, body: UserPatch) -> dict[str, object]:
    """Change a user's role, assembly point or active flag (deactivating revokes their tokens at once)."""
    return _out(svc.update_user(uow=ctx.uow(), username=username, role=Role(body.role) if body.role else None,
                                place=body.place, active=body.active, actor=actor.username))
