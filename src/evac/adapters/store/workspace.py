"""The workspace: a folder holding the SQLite database (or pointing at PostgreSQL) and the key file.

Layout::

    WORKSPACE/
      registry.sqlite   the database (SQLite in WAL mode), unless EVAC_DATABASE_URL names PostgreSQL
      evac.key          the key ring (mode 0600), unless EVAC_KEY is set; never inside the database

``init_workspace`` creates both and runs the Alembic migrations; ``open_workspace`` migrates to the head
revision on open (so an older workspace is upgraded in place) and checks the key opens the data.

Every file of a workspace is private: the folder is made 0700, the key file, the database and SQLite's
``-wal``/``-shm`` files (which SQLite creates with the database's mode) 0600. Opening a workspace whose
files others may read is refused, naming the file and its mode (``evac init W --fix-permissions`` fixes
them): a registry readable by every account on a shared laptop is a leak waiting to happen.
"""

from __future__ import annotations

import base64
import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from evac.adapters.store import audit_chain
from evac.adapters.store.crypto import (
    KEY_ENV,
    KEY_FILE,
    KeyRing,
    keyring_loader,
    loose_mode,
    new_keyring,
    write_keyring,
)
from evac.adapters.store.locks import AUDIT_HEAD, KEY_CURRENT, lock_meta, set_meta
from evac.adapters.store.ops_orm import OpAuditRow
from evac.adapters.store.orm import HouseholdRow, MetaRow
from evac.core.errors import EvacError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Engine

    from evac.adapters.store.repository import SqlUnitOfWork

DB_FILE = "registry.sqlite"
URL_ENV = "EVAC_DATABASE_URL"
WORKSPACE_ENV = "EVAC_WORKSPACE"
_MIGRATIONS = Path(__file__).parent / "migrations"
_KEY_CHECK = "key_check"


class WorkspaceError(EvacError):
    """The workspace is missing, not initialised, or its database cannot be reached."""


def database_url(workspace: Path, env: dict[str, str] | None = None) -> str:
    env = dict(os.environ) if env is None else env
    return env.get(URL_ENV) or f"sqlite:///{workspace / DB_FILE}"


def make_engine(url: str) -> Engine:
    """An engine; for SQLite: WAL, foreign keys on, FULL sync (a killed process loses no committed import)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the head revision (idempotent)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@dataclass
class Store:
    """An open workspace: engine and key ring. Make one unit of work per use case."""

    path: Path
    url: str
    engine: Engine
    keys: KeyRing

    def uow(self) -> SqlUnitOfWork:
        from evac.adapters.store.repository import SqlUnitOfWork

        return SqlUnitOfWork(self.engine, self.keys)

    def close(self) -> None:
        self.engine.dispose()


def _private_files(path: Path, url: str) -> list[Path]:
    files = [path / KEY_FILE]
    if url.startswith("sqlite"):
        files += [path / DB_FILE, path / f"{DB_FILE}-wal", path / f"{DB_FILE}-shm", path / f"{DB_FILE}-journal"]
    return files


def check_permissions(path: Path, url: str, *, fix: bool = False) -> list[Path]:
    """Refuse (or with ``fix`` chmod 0600) workspace files that group or others may read; returns fixed files."""
    fixed: list[Path] = []
    for f in _private_files(path, url):
        mode = loose_mode(f)
        if mode is None:
            continue
        if not fix:
            raise WorkspaceError(
                f"{f}: mode {mode:04o} lets other accounts on this machine read it; evac keeps workspace files "
                f"private (0600). Fix with `chmod 600 {f}` or `evac init {path} --fix-permissions`")
        os.chmod(f, 0o600)
        fixed.append(f)
    return fixed


def _create_private_db(path: Path) -> None:
    """Create the SQLite file empty with mode 0600 before SQLite opens it (SQLite then makes its -wal and
    -shm files with the same mode); an existing file is left alone."""
    try:
        fd = os.open(path / DB_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _has_data(engine: Engine) -> bool:
    """The database already holds an evac workspace (its key check row)."""
    with engine.connect() as conn:
        if not sa_inspect(conn).has_table("meta"):
            return False
        return conn.execute(select(MetaRow.value).where(MetaRow.key == _KEY_CHECK)).first() is not None


def _check_key(engine: Engine, ring: KeyRing, *, create: bool) -> None:
    with Session(engine) as s:
        row = s.get(MetaRow, _KEY_CHECK)
        if row is None:
            if not create:
                raise WorkspaceError("the database has no key check: was it initialised with `evac init`?")
            blob = ring.current.seal({"check": "evac"}, aad=b"key-check")
            s.add(MetaRow(key=_KEY_CHECK, value=base64.b64encode(blob).decode()))
            s.commit()
            return
        ring.open(base64.b64decode(row.value), aad=b"key-check")


def _complete(engine: Engine, ring: KeyRing) -> None:
    """Bring a workspace made by an older evac up to this one's rules, with the key (idempotent): the
    ``key_current`` row, household labels sealed, the audit rows written so far chained."""
    from sqlalchemy.exc import IntegrityError

    from evac.adapters.store.repository import SqlRegistry

    with Session(engine) as s:
        if s.get(MetaRow, KEY_CURRENT) is None:
            s.add(MetaRow(key=KEY_CURRENT, value=str(ring.current.version)))
            try:
                s.commit()
            except IntegrityError:  # another process did it first
                s.rollback()
    with Session(engine) as s:
        labels = s.scalar(select(HouseholdRow.id).where(HouseholdRow.sealed.is_(None)).limit(1)) is not None
        head = s.scalar(select(MetaRow.value).where(MetaRow.key == AUDIT_HEAD)) is not None
        if labels:
            SqlRegistry(s, ring).seal_legacy_labels()
        if not head and s.scalar(select(OpAuditRow.id).where(OpAuditRow.seq.is_not(None)).limit(1)) is None:
            audit_chain.chain_legacy(s, ring)
        s.commit()


def _engine_for(path: Path, url: str, ring: KeyRing, *, create: bool) -> Engine:
    engine = make_engine(url)
    try:
        migrate(engine)
        _check_key(engine, ring, create=create)
        _complete(engine, ring)
    except EvacError:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        verb = "initialise" if create else "open"
        raise WorkspaceError(f"{_redact(url)}: cannot {verb} the database ({exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''})") from exc
    return engine


def init_workspace(path: Path, env: dict[str, str] | None = None, *, fix_permissions: bool = False) -> Store:
    """Create (or complete) a workspace: folder, key file (unless ``EVAC_KEY``), schema. Safe to run twice.

    Refuses to write a key for a database that already holds data: a new key would not open it, and
    the operator's next step would be to lose the old one. Restore the key file instead.
    """
    env = dict(os.environ) if env is None else env
    try:
        fresh = not path.exists()
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if fresh:
            os.chmod(path, 0o700)
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot create the workspace ({exc.strerror})") from exc
    url = database_url(path, env)
    check_permissions(path, url, fix=fix_permissions)
    key_path = path / KEY_FILE
    if not env.get(KEY_ENV) and not key_path.exists():
        if url.startswith("sqlite"):
            db = path / DB_FILE
            holds_data = db.exists() and db.stat().st_size > 0
        else:
            probe = make_engine(url)
            try:
                holds_data = _has_data(probe)
            except Exception as exc:
                raise WorkspaceError(f"{_redact(url)}: cannot reach the database ({exc.__class__.__name__})"
                                     ) from exc
            finally:
                probe.dispose()
        if holds_data:
            raise WorkspaceError(
                f"{path}: the database exists but {key_path} is missing. evac will not write a new key: it "
                "would not open the data. Restore the key file from its backup (`evac keys export`), or set "
                f"{KEY_ENV}")
        with contextlib.suppress(FileExistsError):  # a concurrent init wrote it first: use that one
            write_keyring(key_path, new_keyring(), exclusive=True)
    if url.startswith("sqlite"):
        _create_private_db(path)
    ring = keyring_loader(key_path, env)
    engine = _engine_for(path, url, ring, create=True)
    return Store(path, url, engine, ring)


def open_workspace(path: Path, env: dict[str, str] | None = None) -> Store:
    """Open an initialised workspace (migrating it to the head revision) and check the key and file modes."""
    env = dict(os.environ) if env is None else env
    if not path.is_dir():
        raise WorkspaceError(f"{path}: no such workspace (create it with `evac init {path}`)")
    url = database_url(path, env)
    if url.startswith("sqlite") and not (path / DB_FILE).exists():
        raise WorkspaceError(f"{path}: not an evac workspace ({DB_FILE} missing; run `evac init {path}`)")
    check_permissions(path, url)
    ring = keyring_loader(path / KEY_FILE, env)
    engine = _engine_for(path, url, ring, create=False)
    return Store(path, url, engine, ring)


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        return f"{scheme}://{cred.split(':', 1)[0]}:***@{host}"
    return url


ROTATION_BATCH = 1000
"""People re-sealed per transaction while rotating: small enough that a writer waits well under a second
for SQLite's write lock (~0.7 s per 1,000 rows on a loaded 2-core machine), large enough to keep the
round trips few."""


def rotate_keys(store: Store, env: dict[str, str] | None = None, *, actor: str = "system:keys",
                batch: int | None = None, on_batch: Callable[[int], None] | None = None) -> int:
    """Re-seal every person and household under a new key version while the workspace stays in use;
    returns the people re-sealed.

    1. The key file gains the new version beside the old ones (a crash here: the next rotate resumes).
    2. ``key_current`` switches to it under an exclusive lock: writers that sealed with the old version
       have committed, every later writer seals with the new one (:func:`locks.write_key`); readers that
       meet the new version reload the key file (:meth:`KeyRing.open`).
    3. Rows (people, household labels, the enquiry desk's calls) are re-sealed and re-indexed in batches,
       each its own short transaction (writers interleave).
    4. Under the exclusive lock again: a last sweep re-seals any row still naming an old version, the audit
       chain is re-MACed under the new version (after checking it under the old), the rotation is audited.
    5. Only then do the old versions leave the key file.
    A crash anywhere leaves a key file that opens every row; running ``keys rotate`` again finishes the job.
    """
    from evac.adapters.store.enquiries import SqlEnquiries
    from evac.adapters.store.repository import SqlRegistry

    env = dict(os.environ) if env is None else env
    if env.get(KEY_ENV):
        raise WorkspaceError(f"{KEY_ENV} is set: rotate by re-encrypting under a key file (unset {KEY_ENV}); "
                             "evac never writes a key into the environment")
    size = batch or ROTATION_BATCH
    sqlite = store.url.startswith("sqlite")
    key_path = store.path / KEY_FILE
    ring = store.keys
    ring.reload()
    if len(ring.masters) == 1:  # else a rotation was interrupted: finish it with the newest version
        write_keyring(key_path, ring.with_new_version())
        if not ring.reload():
            raise WorkspaceError(f"{key_path}: the new key version did not reach the key file")
    target = ring.current.version
    retired = sorted(v for v in ring.masters if v != target)
    with Session(store.engine) as s:  # 2. the switch
        lock_meta(s, KEY_CURRENT, shared=False)
        set_meta(s, KEY_CURRENT, str(target))
        set_meta(s, _KEY_CHECK, base64.b64encode(ring.current.seal({"check": "evac"}, aad=b"key-check")).decode())
        s.commit()
    people = 0
    for what in ("people", "households"):  # 3. batches
        last = 0
        while True:
            started = time.monotonic()
            with Session(store.engine) as s:
                lock_meta(s, KEY_CURRENT, shared=True)
                reg = SqlRegistry(s, ring)
                if what == "people":
                    done, nxt = reg.reseal_batch(version=target, after=last, limit=size)
                else:
                    done, nxt = reg.reseal_households(version=target, after=last, limit=size)
                s.commit()
            if nxt is None:
                break
            if sqlite:  # SQLite's busy handler polls every ~100 ms: leave writers a window that long, or
                # back-to-back batches starve them (measured: 3 imports in 25 s of rotation without it)
                time.sleep(min(0.2, 0.25 * (time.monotonic() - started)))
            last = nxt
            if what == "people":
                people += done
                if on_batch is not None:
                    on_batch(people)
    with Session(store.engine) as s:  # the enquiry desk's sealed calls (few: one transaction)
        lock_meta(s, KEY_CURRENT, shared=True)
        SqlEnquiries(s, ring).reseal(target)
        s.commit()
    with Session(store.engine) as s:  # 4. the last sweep, the audit chain, the audit entry
        lock_meta(s, KEY_CURRENT, shared=False)
        SqlEnquiries(s, ring).reseal(target)
        reg = SqlRegistry(s, ring)
        while (swept := reg.reseal_batch(version=target, after=0, limit=size))[1] is not None:
            people += swept[0]
        while reg.reseal_households(version=target, after=0, limit=size)[1] is not None:
            pass
        if reg.stale_count(target):
            raise WorkspaceError("rows sealed with an old key version remain after the sweep (nothing retired; "
                                 "run `evac keys rotate` again)")
        verdict = audit_chain.rechain(s, ring, target)
        audit_chain.append(s, ring, actor=actor, action="keys:rotate",
                           subject=f"key version {target}; {people} people re-sealed; retired "
                                   f"{', '.join(map(str, retired)) or 'none'}"
                                   + ("" if verdict.ok else f"; audit chain was broken at row {verdict.first_bad}"))
        s.commit()
    write_keyring(key_path, ring.only_current())  # 5. retire
    ring.reload()
    return people


def meta_value(store: Store, key: str) -> str | None:
    with Session(store.engine) as s:
        return s.scalar(select(MetaRow.value).where(MetaRow.key == key))
