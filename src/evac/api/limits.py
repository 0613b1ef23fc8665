"""Request body limits, enforced before authentication and before the body is read (pure ASGI middleware).

An unauthenticated client used to be able to make the server read a 100 MB body into memory before it
was told "401". :class:`BodyLimit` sits in front of everything (routing, authentication, FastAPI's body
parsing) and:

- answers **413** at once when ``Content-Length`` is larger than the limit (nothing of the body is read);
- answers **400** for a malformed ``Content-Length``;
- counts the bytes of a body sent without a length (chunked) as the application reads them, and answers
  **413** as soon as the count passes the limit (the rest is never read; whatever the application had
  begun to answer is replaced, since it has not been sent yet).

The limit is ``default_bytes`` everywhere, and larger only on the routes listed in ``larger`` (the registry
import) **for a caller whose bearer token is validly signed and unexpired** (checked without the database;
the route's own dependency then checks the user, role and token version as on every route).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """The body passed the limit while being read."""


async def _answer(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), (b"cache-control", b"no-store"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: at most ``default_bytes`` of request body, ``larger[path]`` for authenticated callers.

    ``authenticated(token)`` says whether a bearer token is validly signed and unexpired (no database).
    """

    def __init__(self, app: ASGIApp, *, default_bytes: int, larger: Mapping[str, int],
                 authenticated: Callable[[Scope, str], bool]) -> None:
        self.app, self.default, self.larger, self.authenticated = app, default_bytes, dict(larger), authenticated

    def limit(self, scope: Scope) -> int:
        path = scope.get("path", "")
        if path in self.larger:
            for name, value in scope.get("headers", ()):
                if name == b"authorization":
                    scheme, _, token = value.decode("latin-1").partition(" ")
                    if scheme.lower() == "bearer" and token and self.authenticated(scope, token.strip()):
                        return self.larger[path]
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        length = [v for k, v in scope.get("headers", ()) if k == b"content-length"]
        if length:
            text = length[0].decode("latin-1").strip()
            if not text.isdigit() or len(length) > 1:
                await _answer(send, 400, "malformed Content-Length header")
                return
            if int(text) > limit:
                await _answer(send, 413, f"request body too large: at most {limit:,} bytes here")
                return
        read, exceeded, started = 0, False, False

        async def capped_receive() -> Message:
            nonlocal read, exceeded
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the application's answer to a cut-off body is replaced by the 413 below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _answer(send, 413, f"request body too large: at most {limit:,} bytes here")
