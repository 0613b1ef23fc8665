"""Security headers on every response (pure ASGI middleware, outermost, so errors and 413s get them too).

- **Personal data is never cached**: every answer under ``/api/`` (JSON, manifests as PDF/CSV, boarding
  passes, the field page's data) and ``/openapi.json`` gets ``Cache-Control: no-store`` and
  ``Pragma: no-cache``, replacing whatever a route set: a shared phone's browser cache or a proxy must not
  keep names, birth dates or vulnerabilities.
- Everywhere: ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``, ``X-Frame-Options:
  DENY`` (unless the response set its own).
- JSON answers get ``Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`` (nothing in them
  may load or run anything); an HTML page without its own policy gets :data:`PAGE_CSP` (no remote source,
  no framing). The console, the field page and ``/docs`` set their own, stricter-or-equal policies, kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.datastructures import MutableHeaders

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: the policy of an HTML answer that brings none: this origin only, never framed
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
            "form-action 'self'")
JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def personal(path: str) -> bool:
    """Whether answers on ``path`` may carry personal data (and so must never be stored by a cache)."""
    return path.startswith("/api/") or path == "/openapi.json"


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = personal(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                h.setdefault("X-Content-Type-Options", "nosniff")
                h.setdefault("Referrer-Policy", "no-referrer")
                h.setdefault("X-Frame-Options", "DENY")
                kind = h.get("content-type", "").split(";")[0].strip().lower()
                if "content-security-policy" not in h:
                    if kind == "application/json":
                        h["Content-Security-Policy"] = JSON_CSP
                    elif kind == "text/html":
                        h["Content-Security-Policy"] = PAGE_CSP
                if no_store:
                    h["Cache-Control"] = "no-store"
                    h["Pragma"] = "no-cache"
            await send(message)

        await self.app(scope, receive, send_with_headers)
