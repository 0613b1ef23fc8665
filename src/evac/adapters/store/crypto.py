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
- A third derived key, ``audit``, MACs the audit log's hash chain (see :mod:`audit_chain`).

A :class:`KeyRing` is shared by every unit of work of an open workspace and can be **reloaded in place**
from its file: a process left running through a rotation meets rows sealed with a version it does not
hold, reloads, and reads on (see :meth:`KeyRing.open` and :meth:`KeyRing.refresh`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import stat
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from evac.core.errors import EvacError

if TYPE_CHECKING:
    from collections.abc import Callable
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
    """Keys of one version: ``enc`` for AES-GCM, ``mac`` for blind indexes, ``audit`` for the audit chain."""

    version: int
    enc: AESGCM
    mac: bytes
    audit: bytes

    @classmethod
    def from_master(cls, version: int, master: bytes) -> DataKey:
        if len(master) != 32:
            raise KeyError_(f"key version {version} must be 32 bytes, got {len(master)}")
        if not 1 <= version <= 255:
            raise KeyError_(f"key version {version} is outside 1..255 (a sealed field stores it in one byte)")
        return cls(version, AESGCM(_derive(master, b"enc")), _derive(master, b"mac"), _derive(master, b"audit"))

    def seal(self, payload: dict[str, object], *, aad: bytes) -> bytes:
        nonce = os.urandom(12)
        plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return bytes([self.version]) + nonce + self.enc.encrypt(nonce, plain, aad)

    def token(self, kind: str, value: str) -> bytes:
        """Blind index of ``value`` (already normalised) for lookups of ``kind``."""
        return hmac.new(self.mac, f"{kind}\x00{value}".encode(), hashlib.sha256).digest()[:TOKEN_BYTES]


class KeyRing:
    """All key versions the workspace knows, and the current one (the highest).

    ``loader`` (set by the workspace) re-reads the key file: :meth:`refresh` and :meth:`open` call it when
    the database names a version this ring has not seen, and the ring then takes the file's versions **in
    place**, so every unit of work holding this object sees them (a running server survives a rotation).
    """

    def __init__(self, masters: dict[int, bytes], *, loader: Callable[[], KeyRing] | None = None) -> None:
        if not masters:
            raise KeyError_("the key ring is empty")
        self.loader = loader
        self._lock = threading.Lock()
        self._set(masters)

    def _set(self, masters: dict[int, bytes]) -> None:
        keys = {v: DataKey.from_master(v, m) for v, m in masters.items()}
        # Readers may run in other threads: publish whole new dicts, the current key last.
        self.masters = dict(masters)
        self.keys = keys
        self.current = keys[max(keys)]

    def replace(self, other: KeyRing) -> None:
        """Take ``other``'s versions in place (after this process rewrote the key file)."""
        with self._lock:
            self._set(other.masters)

    def reload(self) -> bool:
        """Re-read the key file (if this ring has a loader); True when the versions changed."""
        if self.loader is None:
            return False
        fresh = self.loader()
        with self._lock:
            if fresh.masters == self.masters:
                return False
            self._set(fresh.masters)
            return True

    def refresh(self, version: int) -> None:
        """Make sure version ``version`` is held (reloading the key file once if not)."""
        if version not in self.keys:
            self.reload()

    def key(self, version: int) -> DataKey:
        """The keys of ``version``, reloading the key file once if this ring does not hold it."""
        key = self.keys.get(version)
        if key is None:
            self.reload()
            key = self.keys.get(version)
        if key is None:
            raise KeyError_(f"data sealed with key version {version}, which the key ring does not hold "
                            f"(it holds {', '.join(map(str, sorted(self.keys)))}; restore the key file that "
                            "has it)")
        return key

    def open(self, blob: bytes, *, aad: bytes) -> dict[str, object]:
        if not blob:
            raise KeyError_("a sealed field is empty (damaged row)")
        key = self.key(blob[0])
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
        newest = max(self.masters) + 1
        if newest > 255:
            raise KeyError_("the key ring has reached version 255, the last a sealed field can name")
        return KeyRing({**self.masters, newest: secrets.token_bytes(32)}, loader=self.loader)

    def only_current(self) -> KeyRing:
        return KeyRing({self.current.version: self.masters[self.current.version]}, loader=self.loader)


def new_keyring() -> KeyRing:
    return KeyRing({1: secrets.token_bytes(32)})


def write_private(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` atomically with mode 0600 (a crash leaves the old file or the new one, never half).

    ``exclusive``: refuse (:class:`FileExistsError`) if ``path`` exists — two concurrent ``evac init`` must
    not both write a key.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask may not widen it, but a filesystem default might
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            os.link(tmp, path)  # fails if path exists: atomic create-if-absent
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_keyring(path: Path, ring: KeyRing, *, exclusive: bool = False) -> None:
    """Write the key ring atomically with mode 0600."""
    write_private(path, ring.dumps().encode(), exclusive=exclusive)


def loose_mode(path: Path) -> int | None:
    """The file's permission bits if group or others may read or write it, else None (also when absent)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
    return mode if mode & 0o077 else None


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


def keyring_loader(path: Path, env: dict[str, str] | None = None) -> KeyRing:
    """:func:`load_keyring` whose ring can reload itself from the same place."""
    env = dict(os.environ) if env is None else dict(env)
    ring = load_keyring(path, env)
    ring.loader = lambda: load_keyring(path, env)
    return ring
