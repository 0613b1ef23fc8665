"""Field encryption and blind indexes: the database file alone reveals no name, phone, address or document.

- Sensitive fields of a person are serialised together and sealed with **AES-256-GCM** (a 96-bit random
  nonce per write; the row's id is the associated data, so a sealed blob copied onto another row fails to
  open). Layout: ``version (1 byte) | nonce (12) | ciphertext+tag``.
- Exact search uses **blind indexes**: HMAC-SHA-256 of a normalised search key (name skeleton, phone,
  document number) under a second key, truncated to 16 bytes. Equal keys give equal tokens; the token
  says nothing of the key without the HMAC key.
- Both keys derive (HKDF-SHA-256) from one 32-byte master key per *version*. The key ring lives in
  ``WORKSPACE/evac.key`` (JSON, mode 0600, outside the database) or in ``EVAC_KEY`` (base64 of the master
  key; version 1). ``evac keys rotate`` adds a version, re-seals every row, then drops the old version.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from evac.core.errors import EvacError

if TYPE_CHECKING:
    from pathlib import Path

KEY_FILE = "evac.key"
KEY_ENV = "EVAC_KEY"
TOKEN_BYTES = 16


class KeyError_(EvacError):
    """The key is missing, malformed, or does not open the data."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"evac-registry", info=purpose).derive(master)


@dataclass(frozen=True, slots=True)
class DataKey:
    """Keys of one version: ``enc`` for AES-GCM, ``mac`` for blind indexes."""

    version: int
    enc: AESGCM
    mac: bytes

    @classmethod
    def from_master(cls, version: int, master: bytes) -> DataKey:
        if len(master) != 32:
            raise KeyError_(f"key version {version} must be 32 bytes, got {len(master)}")
        return cls(version, AESGCM(_derive(master, b"enc")), _derive(master, b"mac"))

    def seal(self, payload: dict[str, object], *, aad: bytes) -> bytes:
        nonce = os.urandom(12)
        plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return bytes([self.version]) + nonce + self.enc.encrypt(nonce, plain, aad)

    def token(self, kind: str, value: str) -> bytes:
        """Blind index of ``value`` (already normalised) for lookups of ``kind``."""
        return hmac.new(self.mac, f"{kind}\x00{value}".encode(), hashlib.sha256).digest()[:TOKEN_BYTES]


class KeyRing:
    """All key versions the workspace knows, and the current one (the highest)."""

    def __init__(self, masters: dict[int, bytes]) -> None:
        if not masters:
            raise KeyError_("the key ring is empty")
        self.masters = dict(masters)
        self.keys = {v: DataKey.from_master(v, m) for v, m in masters.items()}
        self.current = self.keys[max(self.keys)]

    def open(self, blob: bytes, *, aad: bytes) -> dict[str, object]:
        version = blob[0]
        key = self.keys.get(version)
        if key is None:
            raise KeyError_(f"data sealed with key version {version}, which the key ring does not hold")
        try:
            plain = key.enc.decrypt(blob[1:13], blob[13:], aad)
        except InvalidTag as exc:
            raise KeyError_("a sealed field does not open with this key (wrong key or tampered row)") from exc
        out: dict[str, object] = json.loads(plain)
        return out

    # -- persistence ---------------------------------------------------------------------------------------
    def dumps(self) -> str:
        return json.dumps({"format": "evac-keyring-1",
                           "keys": {str(v): base64.b64encode(m).decode() for v, m in self.masters.items()}},
                          indent=1)

    @classmethod
    def loads(cls, text: str, *, where: str) -> KeyRing:
        try:
            data = json.loads(text)
            masters = {int(v): base64.b64decode(m) for v, m in data["keys"].items()}
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyError_(f"{where}: not an evac key file ({exc})") from exc
        return cls(masters)

    def with_new_version(self) -> KeyRing:
        return KeyRing({**self.masters, max(self.masters) + 1: secrets.token_bytes(32)})

    def only_current(self) -> KeyRing:
        return KeyRing({self.current.version: self.masters[self.current.version]})


def new_keyring() -> KeyRing:
    return KeyRing({1: secrets.token_bytes(32)})


def write_keyring(path: Path, ring: KeyRing) -> None:
    """Write atomically with mode 0600: a crash leaves the old file or the new one, never half of one."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(ring.dumps())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_keyring(path: Path, env: dict[str, str] | None = None) -> KeyRing:
    """``EVAC_KEY`` (base64 master, version 1) if set in ``env``, else the key file."""
    env = dict(os.environ) if env is None else env
    raw = env.get(KEY_ENV)
    if raw:
        try:
            master = base64.b64decode(raw, validate=True)
        except ValueError as exc:
            raise KeyError_(f"{KEY_ENV} is not base64 ({exc})") from exc
        return KeyRing({1: master})
    if not path.exists():
        raise KeyError_(f"{path}: key file missing (set {KEY_ENV} or restore the workspace's key file)")
    return KeyRing.loads(path.read_text(encoding="utf-8"), where=str(path))
