"""``create_app(settings)``: the FastAPI application of field operations (reference at ``/docs``, signed in).

The web pages are not part of it: :mod:`evac.server` mounts them beside the API for ``evac serve``.

Errors are mapped here, at the edge: not found → 404, impossible transition or state conflict → 409,
invalid request or reused idempotency key → 422; anything unexpected → 500 with a fixed message. Error
bodies carry the domain message (ids and statuses only, never names); the log records method, route
template, status and duration — not the path (it may hold ids) nor the query (it may hold names).
"""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from evac.api.context import ApiContext
from evac.api.routers import (
    audit,
    decision,
    enquiries,
    field,
    operations,
    people,
    plan,
    registry,
    sitrep,
    trips,
    users,
)
from evac.api.routers import docs as api_docs
from evac.api.routers import imports as registry_imports
from evac.core.errors import EvacError
from evac.core.oplog import TransitionError
from evac.services import operations as ops
from evac.services.registry import RecordNotFound, RegistryError
from evac.services.users import UserError, WrongPassword

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from starlette.responses import Response

    from evac.adapters.store.workspace import Store
    from evac.settings import Settings

log = logging.getLogger("evac.api")
DOCS_ASSETS = Path(__file__).parent / "docs_assets"  # the API reference's vendored Swagger UI and its script
ROUTERS: tuple[APIRouter, ...] = (users.router, people.router, field.router, trips.router, operations.router,
                                  audit.router, plan.router, registry.router, decision.router, sitrep.router,
                                  enquiries.router)
ROUTERS += (registry_imports.router, api_docs.router)

_STATUS: list[tuple[type[Exception], int]] = [
    (ops.NotFound, 404), (ops.KeyReused, 422), (ops.Invalid, 422), (WrongPassword, 403), (UserError, 422),
    (TransitionError, 409),
    (ops.NoActivePlan, 409), (ops.OpsError, 409), (RecordNotFound, 404), (RegistryError, 409),
]


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """The API over the workspace ``settings.workspace`` (or an already open ``store``, e.g. in tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if store is not None:
            opened = store
        else:
            from evac.adapters.store.workspace import WorkspaceError, open_workspace

            if settings.workspace is None:
                raise WorkspaceError("no workspace: set EVAC_WORKSPACE or pass --workspace")
            opened = open_workspace(settings.workspace)
        app.state.ctx = ApiContext.build(settings, opened)
        try:
            yield
        finally:
            if store is None:  # opened here, closed here; a store passed in belongs to the caller
                opened.close()

    app = FastAPI(title="evac operations API", version="1", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None,  # behind sign-in: routers/docs.py
                  description="Field operations of an evacuation: who was told, who showed up, who boarded, "
                              "who is safe. Authenticate with POST /api/v1/auth/login and send the token as "
                              "`Authorization: Bearer …`; every field write needs an `Idempotency-Key`.")
    if store is not None:
        app.state.ctx = ApiContext.build(settings, store)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "PUT", "PATCH"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Device-Id"],
                           expose_headers=["Idempotent-Replayed"])
    for r in ROUTERS:
        app.include_router(r)
    from fastapi.staticfiles import StaticFiles

    app.mount("/docs-assets", StaticFiles(directory=str(DOCS_ASSETS)), name="docs_assets")

    @app.get("/health", name="health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(EvacError)
    async def _domain(request: Request, exc: EvacError) -> JSONResponse:
        for cls, code in _STATUS:
            if isinstance(exc, cls):
                return JSONResponse({"detail": str(exc)}, status_code=code)
        log.warning("unmapped domain error %s on %s", exc.__class__.__name__, _template(request))
        return JSONResponse({"detail": "the request could not be completed"}, status_code=409)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error %s on %s", exc.__class__.__name__, _template(request))
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.middleware("http")
    async def _log(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        t0 = time.perf_counter()
        response = await call_next(request)
        log.info("%s %s %d %.1f ms", request.method, _template(request), response.status_code,
                 (time.perf_counter() - t0) * 1000)
        return response

    _harden(app, settings)
    return app


def _harden(app: FastAPI, settings: Settings) -> None:
    """The outermost layers (added last): security headers on every response, and body limits before
    routing and authentication (:mod:`evac.api.headers`, :mod:`evac.api.limits`)."""
    from evac.adapters.passes.tokens import BadToken
    from evac.api.headers import SecurityHeaders
    from evac.api.limits import BodyLimit

    def signed(scope: object, token: str) -> bool:  # signature and age only; the route checks the rest
        ctx: ApiContext | None = getattr(app.state, "ctx", None)
        if ctx is None:
            return False
        try:
            ctx.tokens.loads(token, max_age_s=settings.token_ttl_s)
        except BadToken:
            return False
        return True

    app.add_middleware(BodyLimit, default_bytes=settings.max_body_bytes,
                       larger={"/api/v1/registry/imports": settings.max_import_bytes}, authenticated=signed)
    app.add_middleware(SecurityHeaders)  # outermost: the 413s above get the headers too


def _template(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", "?"))
