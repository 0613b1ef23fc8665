"""The web UI served by ``evac serve``: the crisis-cell console and the field officer's page.

Both pages are static shells (Jinja2 templates with no personal data in them) plus framework-free
JavaScript that calls the REST API with the bearer token kept in ``sessionStorage``; so a page can be
served, and cached by the service worker, without authentication, while every datum still passes the
API's role checks. Every script, style and map layer comes from ``/static`` (vendored npm packages
with their licences under ``static/vendor/``); the pages send a Content-Security-Policy that forbids
any other origin.

:func:`mount` adds, outside the OpenAPI schema:

- ``/`` → ``/console``; ``/console`` and ``/field`` (HTML);
- ``/sw.js``: the field page's service worker, served at the root so that its scope covers ``/field``;
- ``/static/…``: this package's ``static`` folder.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request  # noqa: TC002 -- FastAPI resolves the annotation at runtime
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

if TYPE_CHECKING:
    from fastapi import FastAPI

HERE = Path(__file__).parent
STATIC = HERE / "static"
#: files the service worker pre-caches: the field page works offline once it has loaded once
SHELL = ("/field", "/static/evac.css", "/static/i18n.js", "/static/common.js", "/static/field.js",
         "/static/vendor/jsqr/jsQR.js")
#: scripts that run before a page's own (after common.js): the field page's role check (field_guard.js)
FIELD_GUARDS = ("field_guard.js",)
#: the console's scripts in load order (all deferred): console.js first, it defines ``EvacConsole.register``
#: with which each module adds the loader of its section; every module brings its strings (``i18n-*.js``)
CONSOLE_SCRIPTS = ("console.js", "i18n-map.js", "vendor/leaflet/leaflet.js", "map.js", "i18n-decision.js",
                   "decision.js", "i18n-board.js", "board_chart.js", "i18n-users.js", "users.js")
#: console modules added since (loaded after those above; each only needs console.js first)
CONSOLE_MORE = ("i18n-funnel.js", "funnel.js", "i18n-console.js", "i18n-desk.js", "desk.js", "i18n-review.js",
                "review.js")
#: the console's extra style sheets (Leaflet's own, then the situation map's)
CONSOLE_STYLES: tuple[str, ...] = ("vendor/leaflet/leaflet.css", "map.css")
CONSOLE_STYLES += ("console.css",)  # the funnel, the closure form, the re-plan's before/after
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")


@cache
def asset_version() -> str:
    """A digest of the static files: it changes the service worker's cache name when any of them changes."""
    h = hashlib.sha256()
    for p in sorted(STATIC.rglob("*")):
        if p.is_file() and "vendor" not in p.parts:
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:12]


def _idle_min(request: Request) -> float:
    """The field page's idle timeout in minutes (``EVAC_FIELD_IDLE_MIN``, from the served app's settings when it
    has them): after it, the page wipes the personal data it keeps on the device."""
    ctx = getattr(request.app.state, "ctx", None)
    value = getattr(getattr(ctx, "settings", None), "field_idle_min", None)
    if value is None:
        from evac.settings import Settings

        value = Settings().field_idle_min
    return float(value)


def _headers() -> dict[str, str]:
    return {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-cache"}


def mount(app: FastAPI) -> None:
    """Add the console, the field page, the service worker and ``/static`` to ``app`` (not in OpenAPI)."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        return RedirectResponse("/console", status_code=307)

    @app.get("/console", include_in_schema=False, response_class=HTMLResponse)
    def console(request: Request) -> Response:
        return templates.TemplateResponse(request, "console.html.j2", {
            "v": asset_version(), "console_scripts": CONSOLE_SCRIPTS + CONSOLE_MORE, "console_styles": CONSOLE_STYLES},
            headers=_headers())

    @app.get("/field", include_in_schema=False, response_class=HTMLResponse)
    def field(request: Request) -> Response:
        return templates.TemplateResponse(request, "field.html.j2", {"v": asset_version(), "page_guards": FIELD_GUARDS,
                                                                     "idle_min": _idle_min(request)},
                                          headers=_headers())

    @app.get("/sw.js", include_in_schema=False)
    def service_worker(request: Request) -> Response:
        shell = [*SHELL, *(f"/static/{g}" for g in FIELD_GUARDS)]  # the guard must work offline too
        body = templates.get_template("sw.js.j2").render(version=asset_version(), shell=shell)
        return Response(body, media_type="text/javascript",
                        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


__all__ = ["mount"]
