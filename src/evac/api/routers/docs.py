"""The API reference, behind sign-in, with local assets only: ``/docs`` and ``/openapi.json``.

FastAPI's own ``/docs`` and ``/redoc`` load their scripts from a CDN and, like ``/openapi.json``, were open
to anyone: the schema maps every route of a system that holds a list of people at risk. Here:

- ``GET /openapi.json`` needs a bearer token of an admin or planner (the access matrix, like every route);
- ``GET /docs`` is a static shell with no data (a browser cannot send a bearer token when it navigates): its
  script (``docs_assets/docs.js``) signs in, or reuses the console's session in the same tab, then fetches
  the schema with the token and renders it with the vendored Swagger UI 5 (``/docs-assets/…``, Apache-2.0);
- ``/redoc`` is **disabled**: one interactive reference is enough, and Redoc's standalone bundle needs
  web workers from ``blob:`` URLs that the Content-Security-Policy forbids.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from evac.api.deps import CurrentActor  # noqa: TC001 -- FastAPI resolves the annotation at runtime

router = APIRouter(include_in_schema=False)

#: the docs page's policy: every script and style from this origin (Swagger UI sets inline styles)
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
            "form-action 'self'")

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>evac API reference</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui/swagger-ui.css">
</head>
<body>
<main>
<form id="signin" hidden style="max-width:22rem;margin:2rem auto;font-family:sans-serif">
  <h1 style="font-size:1.3rem">evac API reference</h1>
  <p>Sign in as an admin or planner.</p>
  <p><label>User name <input name="username" autocomplete="username" required></label></p>
  <p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
  <p><button type="submit">Sign in</button></p>
</form>
<p id="note" role="status" hidden style="max-width:22rem;margin:1rem auto;font-family:sans-serif"></p>
<div id="swagger-ui"></div>
</main>
<script src="/docs-assets/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/docs-assets/docs.js"></script>
</body>
</html>
"""


@router.get("/docs", name="docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    """The reference page (a shell: no schema, no data until its script has signed in)."""
    return HTMLResponse(_PAGE, headers={"Content-Security-Policy": DOCS_CSP})


@router.get("/openapi.json", name="openapi")
def openapi(request: Request, actor: CurrentActor) -> dict[str, Any]:
    """The OpenAPI schema, for admins and planners."""
    schema: dict[str, Any] = request.app.openapi()
    return schema
