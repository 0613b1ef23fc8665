"""Shared response shapes and the error responses every route declares (schemathesis checks them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorOut(BaseModel):
    detail: Any


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {400: "Bad request", 401: "Not authenticated", 403: "Role not allowed", 404: "Not found (or not "
            "at your assembly point)", 409: "Conflicts with the operation's state", 422: "Invalid request",
            413: "Request body too large", 429: "Too many failed logins"}
    return {c: {"model": ErrorOut, "description": text[c]} for c in codes}


AUTH = errors(400, 401, 403, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)
