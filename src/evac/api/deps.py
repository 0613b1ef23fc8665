"""Dependencies as ``Annotated`` aliases: the context, the authenticated actor (role checked against the
access matrix for the route being called), the Idempotency-Key header and pagination."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Header, HTTPException, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from evac.adapters.passes.tokens import BadToken
from evac.api.access import ACCESS, PUBLIC
from evac.api.context import ApiContext
from evac.services.operations import Actor
from evac.services.users import get_user

if TYPE_CHECKING:
    from pydantic import BaseModel

    from evac.services.ops_ports import UserRecord

_bearer = HTTPBearer(auto_error=False, description="The token from POST /api/v1/auth/login.")


def get_ctx(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ApiContext, Depends(get_ctx)]


def issue_token(ctx: ApiContext, user: UserRecord) -> dict[str, object]:
    """A bearer token for ``user`` carrying their current token version, and the login answer around it."""
    return {"access_token": ctx.tokens.dumps({"u": user.username, "v": user.token_version}),
            "expires_in": ctx.settings.token_ttl_s, "username": user.username, "role": user.role.value,
            "place": user.place, "language": user.language}


def current_actor(
    request: Request,
    ctx: Ctx,
    cred: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    device: Annotated[str | None, Header(alias="X-Device-Id", max_length=100)] = None,
) -> Actor:
    """The caller, authenticated by bearer token and authorised for this route by :data:`ACCESS`."""
    if cred is None:
        raise HTTPException(401, "authentication required", headers={"WWW-Authenticate": "Bearer"})
    try:
        data = ctx.tokens.loads(cred.credentials, max_age_s=ctx.settings.token_ttl_s)
    except BadToken:
        raise HTTPException(401, "invalid or expired token", headers={"WWW-Authenticate": "Bearer"}) from None
    user = get_user(uow=ctx.uow(), username=str(data.get("u", "")))
    version = data.get("v")
    if user is None or not user.active or type(version) is not int or version != user.token_version:
        # unknown, deactivated, or the token predates a sign-out, role or password change (stale version)
        raise HTTPException(401, "invalid or expired token", headers={"WWW-Authenticate": "Bearer"})
    route = request.scope.get("route")
    name = getattr(route, "name", "")
    if name not in PUBLIC and user.role not in ACCESS.get(name, frozenset()):
        raise HTTPException(403, f"role {user.role.value} may not use this route")
    return Actor(user.username, user.role, user.place, device or "")


CurrentActor = Annotated[Actor, Depends(current_actor)]
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=100,
                                       pattern=r"^[A-Za-z0-9._:-]+$",
                                       description="Unique per write; a retry with the same key returns the "
                                                   "original response and changes nothing.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]


def replayed(response: Response, result: tuple[dict[str, Any], bool]) -> dict[str, Any]:
    """The answer of an idempotent write (:func:`evac.services.idempotency.idempotent`): its response, with
    ``Idempotent-Replayed: true`` when it was the stored answer to an earlier request with the same key."""
    out, again = result
    if again:
        response.headers["Idempotent-Replayed"] = "true"
    return out


def body_hash(route: str, body: BaseModel | None) -> str:
    """SHA-256 of the route and the canonical JSON body: a reused key with another body is refused."""
    payload = json.dumps(body.model_dump(mode="json") if body is not None else None, sort_keys=True)
    return hashlib.sha256(f"{route}\n{payload}".encode()).hexdigest()
