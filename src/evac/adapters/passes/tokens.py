"""Signed tokens (``itsdangerous``) with keys derived from the workspace key ring, and Argon2 hashes.

Two purposes, two keys (HKDF-SHA-256 of the current master key, salt ``evac-ops``): API bearer tokens
(user name; lifetime in seconds) and boarding passes (person, household, trip, expiry). Rotating the
workspace key (``evac keys rotate``) invalidates both, which is what a compromised key calls for.
A pass token is short enough for a QR code a phone camera reads at arm's length (~120 characters).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from evac.core.errors import EvacError

if TYPE_CHECKING:
    from evac.adapters.store.crypto import KeyRing


class BadToken(EvacError):
    """A token is forged, damaged or expired."""


def derive_secret(ring: KeyRing, purpose: str) -> bytes:
    master = ring.masters[ring.current.version]
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"evac-ops", info=purpose.encode()).derive(master)


class TokenSigner:
    """Signs and checks small JSON payloads; ``max_age_s`` bounds the age accepted on loading."""

    def __init__(self, secret: bytes, *, purpose: str) -> None:
        self._s = URLSafeTimedSerializer(secret, salt=purpose)

    def dumps(self, payload: dict[str, Any]) -> str:
        return str(self._s.dumps(payload))

    def loads(self, token: str, *, max_age_s: float | None = None) -> dict[str, Any]:
        try:
            data = self._s.loads(token, max_age=max_age_s)
        except SignatureExpired as exc:
            raise BadToken("the token has expired") from exc
        except BadSignature as exc:
            raise BadToken("the token is not valid") from exc
        if not isinstance(data, dict):
            raise BadToken("the token is not valid")
        return data


class PassSigner:
    """Boarding-pass tokens: ``{"p": person, "h": household, "t": trip, "x": expiry (unix s)}``."""

    def __init__(self, secret: bytes) -> None:
        self._t = TokenSigner(secret, purpose="evac-pass")

    def issue(self, *, person: str, household: str, trip: str, expires: datetime) -> str:
        return self._t.dumps({"p": person, "h": household, "t": trip, "x": int(expires.timestamp())})

    def verify(self, token: str, *, now: datetime | None = None) -> dict[str, str]:
        data = self._t.loads(token)
        now = now or datetime.now(UTC)
        if int(data.get("x", 0)) < now.timestamp():
            raise BadToken("the boarding pass has expired")
        return {"person": str(data["p"]), "household": str(data["h"]), "trip": str(data["t"])}


class Argon2Hasher:
    """Argon2id (argon2-cffi defaults: 64 MiB, t=3, p=4, ~50 ms); implements ``PasswordHasher``."""

    def __init__(self, *, time_cost: int = 3, memory_cost_kib: int = 65536) -> None:
        self._h = _Argon2(time_cost=time_cost, memory_cost=memory_cost_kib)

    def hash(self, password: str) -> str:
        return self._h.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._h.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False
