"""``evac backup`` and ``evac restore``: a consistent online snapshot of a workspace's database, never its key.

A plain copy of a live SQLite workspace misses what is still in the WAL (issue 16: 50 events, 115 audit
rows lost). A backup here is taken *by the database*:

- **SQLite**: the online backup API (:meth:`sqlite3.Connection.backup`, all pages in one step), which reads
  one consistent snapshot including the WAL's committed pages while writers go on;
- **PostgreSQL**: ``pg_dump --format=custom``, which dumps one repeatable-read snapshot. The password goes
  through ``PGPASSWORD``, never the command line (other accounts can read process arguments).

The archive (a tar file, mode 0600) holds ``manifest.json`` and the database (``registry.sqlite`` or
``database.pgdump``) with its SHA-256. Every personal field in it is sealed; **the key is not in it** —
back it up apart with ``evac keys export`` (someone holding the backup alone reads no one). The manifest
keeps the sealed key check, so ``restore`` tells a wrong key before it writes anything.

``restore`` makes a *new* workspace (it refuses an existing folder, or a PostgreSQL database with tables),
checks the key, loads the data (``pg_restore --single-transaction``: all or nothing), opens the workspace
(migrating an older backup) and walks the audit chain. A failure before the data is in leaves nothing
behind.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from evac.adapters.store import audit_chain
from evac.adapters.store.crypto import KEY_ENV, KEY_FILE, KeyError_, KeyRing, load_keyring, write_keyring
from evac.adapters.store.workspace import (
    _KEY_CHECK,
    DB_FILE,
    WorkspaceError,
    _redact,
    database_url,
    open_workspace,
)

if TYPE_CHECKING:
    from evac.adapters.store.workspace import Store

FORMAT = "evac-backup-1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "registry.sqlite"
PG_MEMBER = "database.pgdump"
_CHUNK = 1 << 20


class BackupError(WorkspaceError):
    """A backup cannot be made, or an archive cannot be restored (named with the reason)."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """What a backup holds: backend, counts (SQLite; a pg_dump is not read back), size in bytes."""

    path: Path
    backend: str
    events: int | None
    audit_rows: int | None
    people: int | None
    bytes: int


@dataclass(frozen=True, slots=True)
class RestoreInfo:
    workspace: Path
    backend: str
    audit: audit_chain.Verdict
    manifest: dict[str, Any]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: on PATH or in the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                                                   reverse=True)), None)
    if found is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client): it is needed to back up "
                          "or restore a PostgreSQL workspace")
    return str(found)


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore and the environment carrying the password."""
    u = make_url(url)
    args = [f"--dbname={u.database}"]
    if u.host:
        args.append(f"--host={u.host}")
    if u.port:
        args.append(f"--port={u.port}")
    if u.username:
        args.append(f"--username={u.username}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    return args, env


def _private_tmp(folder: Path, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(dir=folder, prefix=".evac-", suffix=suffix)
    os.fchmod(fd, 0o600)
    os.close(fd)
    return Path(name)


def _sqlite_snapshot(db: Path, dst: Path) -> dict[str, Any]:
    """Copy ``db`` into ``dst`` with the online backup API (one step: one snapshot) and describe it."""
    src = sqlite3.connect(str(db), timeout=30)
    try:
        out = sqlite3.connect(str(dst))
        try:
            src.backup(out)  # pages=-1: every page under one read transaction, WAL content included
            out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            if out.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{db}: the snapshot fails SQLite's integrity check")
            facts: dict[str, Any] = {
                "events": out.execute("SELECT count(*) FROM op_events").fetchone()[0],
                "audit_rows": out.execute("SELECT count(*) FROM op_audit").fetchone()[0],
                "people": out.execute("SELECT count(*) FROM people").fetchone()[0],
                "alembic": out.execute("SELECT version_num FROM alembic_version").fetchone()[0],
                "key_check": out.execute("SELECT value FROM meta WHERE key = ?", (_KEY_CHECK,)).fetchone()[0],
            }
        finally:
            out.close()
    finally:
        src.close()
    return facts


def backup(store: Store, out: Path, *, actor: str = "system:backup") -> BackupInfo:
    """Write a consistent snapshot of ``store``'s database to the new archive ``out`` (never the key); the
    backup is audited in the workspace (after the snapshot, so the archive does not hold its own entry)."""
    if out.exists():
        raise BackupError(f"{out}: already exists (evac does not overwrite a backup)")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise BackupError(f"{folder}: no such folder for the backup")
    if out.resolve().is_relative_to(store.path.resolve()):
        raise BackupError(f"{out}: inside the workspace; keep backups apart from the data they back up")
    sqlite = store.url.startswith("sqlite")
    data = _private_tmp(folder, ".db")
    archive = _private_tmp(folder, ".tar")
    try:
        if sqlite:
            facts = _sqlite_snapshot(store.path / DB_FILE, data)
        else:
            args, env = _pg_args(store.url)
            with Session(store.engine) as s:  # not secret (sealed); changes only with a key rotation
                from evac.adapters.store.orm import MetaRow

                key_check = s.scalar(select(MetaRow.value).where(MetaRow.key == _KEY_CHECK))
            r = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                                f"--file={data}", *args], env=env, capture_output=True, text=True, check=False)
            if r.returncode != 0:
                raise BackupError(f"pg_dump of {_redact(store.url)} failed: "
                                  f"{(r.stderr.strip().splitlines() or ['no message'])[-1]}")
            facts = {"events": None, "audit_rows": None, "people": None, "alembic": None, "key_check": key_check}
        manifest = {"format": FORMAT, "created": datetime.now(UTC).isoformat(timespec="seconds"),
                    "backend": "sqlite" if sqlite else "postgresql",
                    "member": SQLITE_MEMBER if sqlite else PG_MEMBER, "sha256": _sha256(data),
                    "key_versions": sorted(store.keys.masters), **facts}
        with tarfile.open(archive, "w") as tar:
            raw = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(raw), 0o600
            tar.addfile(info, io.BytesIO(raw))
            tar.add(data, arcname=str(manifest["member"]), recursive=False,
                    filter=lambda ti: _private_member(ti))
        with archive.open("rb") as fh:
            os.fsync(fh.fileno())
        os.link(archive, out)  # atomic, and refuses a file that appeared meanwhile
    except FileExistsError as exc:
        raise BackupError(f"{out}: already exists (evac does not overwrite a backup)") from exc
    finally:
        data.unlink(missing_ok=True)
        archive.unlink(missing_ok=True)
    with Session(store.engine) as s:
        audit_chain.append(s, store.keys, actor=actor, action="backup:create",
                           subject=f"{manifest['backend']} snapshot, sha256 {str(manifest['sha256'])[:12]}")
        s.commit()
    return BackupInfo(out, str(manifest["backend"]), facts["events"], facts["audit_rows"], facts["people"],
                      out.stat().st_size)


def _private_member(ti: tarfile.TarInfo) -> tarfile.TarInfo:
    ti.mode, ti.uid, ti.gid, ti.uname, ti.gname = 0o600, 0, 0, "", ""
    return ti


def read_manifest(archive: Path) -> dict[str, Any]:
    """The archive's manifest, or :class:`BackupError` naming what is wrong with the file."""
    try:
        with tarfile.open(archive, "r:") as tar:
            member = tar.getmember(MANIFEST)
            fh = tar.extractfile(member)
            if fh is None:
                raise BackupError(f"{archive}: {MANIFEST} is not a file")
            manifest: dict[str, Any] = json.loads(fh.read())
    except FileNotFoundError as exc:
        raise BackupError(f"{archive}: no such file") from exc
    except (tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive}: not an evac backup ({exc.__class__.__name__}: {exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    return manifest


def _extract(archive: Path, manifest: dict[str, Any], dst: Path) -> None:
    """Copy the database member to ``dst`` (mode 0600) and check its SHA-256 (no tar path is trusted)."""
    with tarfile.open(archive, "r:") as tar:
        try:
            member = tar.getmember(str(manifest["member"]))
        except KeyError as exc:
            raise BackupError(f"{archive}: the database member {manifest['member']!r} is missing") from exc
        src = tar.extractfile(member) if member.isfile() else None
        if src is None:
            raise BackupError(f"{archive}: {manifest['member']} is not a regular file")
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(src, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
    if _sha256(dst) != manifest.get("sha256"):
        raise BackupError(f"{archive}: the database does not match its checksum (damaged or altered archive)")


def _ring_for(workspace: Path, key_file: Path | None, env: dict[str, str]) -> KeyRing:
    if key_file is not None:
        return load_keyring(key_file, {k: v for k, v in env.items() if k != KEY_ENV})
    if env.get(KEY_ENV):
        return load_keyring(workspace / KEY_FILE, env)
    raise BackupError("the backup holds no key: give --key FILE (written by `evac keys export`) or set "
                      f"{KEY_ENV}")


def restore(archive: Path, workspace: Path, *, key_file: Path | None = None,
            env: dict[str, str] | None = None, actor: str = "system:restore") -> RestoreInfo:
    """Restore ``archive`` into the new workspace ``workspace`` and verify its audit chain."""
    env = dict(os.environ) if env is None else env
    manifest = read_manifest(archive)
    if workspace.exists() and (not workspace.is_dir() or any(workspace.iterdir())):
        raise BackupError(f"{workspace}: already exists; evac restores only into a new, empty workspace (it "
                          "never overwrites one)")
    url = database_url(workspace, env)
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    if backend != manifest.get("backend"):
        raise BackupError(f"{archive}: a {manifest.get('backend')} backup cannot be restored into {backend} "
                          f"({'unset' if backend == 'postgresql' else 'set'} EVAC_DATABASE_URL)")
    ring = _ring_for(workspace, key_file, env)
    try:
        ring.open(base64.b64decode(str(manifest.get("key_check") or "")), aad=b"key-check")
    except (KeyError_, ValueError) as exc:
        raise BackupError(f"this key does not open {archive}: {exc}") from exc
    if backend == "postgresql":
        probe = create_engine(url)
        try:
            with probe.connect() as conn:
                tables = inspect(conn).get_table_names()
        except Exception as exc:
            raise BackupError(f"{_redact(url)}: cannot reach the database ({exc.__class__.__name__})") from exc
        finally:
            probe.dispose()
        if tables:
            raise BackupError(f"{_redact(url)}: the database already has tables; restore into an empty one")
    made = not workspace.exists()
    workspace.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(workspace, 0o700)
    try:
        if key_file is not None:
            write_keyring(workspace / KEY_FILE, ring, exclusive=True)
        if backend == "sqlite":
            _extract(archive, manifest, workspace / DB_FILE)
        else:
            dump = _private_tmp(workspace, ".pgdump")
            try:
                dump.unlink()
                _extract(archive, manifest, dump)
                args, penv = _pg_args(url)
                r = subprocess.run([_tool("pg_restore"), "--single-transaction", "--no-owner", "--no-privileges",
                                    "--exit-on-error", *args, str(dump)], env=penv, capture_output=True, text=True,
                                   check=False)
                if r.returncode != 0:
                    raise BackupError(f"pg_restore into {_redact(url)} failed (nothing restored): "
                                      f"{(r.stderr.strip().splitlines() or ['no message'])[-1]}")
            finally:
                dump.unlink(missing_ok=True)
    except BaseException:
        if made:
            shutil.rmtree(workspace, ignore_errors=True)
        else:
            for child in workspace.iterdir():
                with contextlib.suppress(OSError):
                    child.unlink()
        raise
    store = open_workspace(workspace, env)
    try:
        with Session(store.engine) as s:
            verdict = audit_chain.verify(s, store.keys)
        with Session(store.engine) as s:
            audit_chain.append(s, store.keys, actor=actor, action="backup:restore",
                               subject=f"from a backup of {manifest.get('created')}; audit chain "
                                       f"{'intact' if verdict.ok else 'BROKEN at row ' + str(verdict.first_bad)}")
            s.commit()
    finally:
        store.close()
    return RestoreInfo(workspace, backend, verdict, manifest)
