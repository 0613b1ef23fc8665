"""The workspace: a folder holding the SQLite database (or pointing at PostgreSQL) and the key file.

Layout::

    WORKSPACE/
      registry.sqlite   the database (SQLite in WAL mode), unless EVAC_DATABASE_URL names PostgreSQL
      evac.key          the key ring (mode 0600), unless EVAC_KEY is set; never inside the database

``init_workspace`` creates both and runs the Alembic migrations; ``open_workspace`` migrates to the head
revision on open (so an older workspace is upgraded in place) and checks the key opens the data.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.orm import Session

from evac.adapters.store.crypto import KEY_ENV, KEY_FILE, KeyError_, KeyRing, load_keyring, new_keyring, write_keyring
from evac.adapters.store.orm import MetaRow
from evac.core.errors import EvacError

if TYPE_CHECKING:
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


def init_workspace(path: Path, env: dict[str, str] | None = None) -> Store:
    """Create (or complete) a workspace: folder, key file (unless ``EVAC_KEY``), schema. Safe to run twice."""
    env = dict(os.environ) if env is None else env
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot create the workspace ({exc.strerror})") from exc
    key_path = path / KEY_FILE
    if not env.get(KEY_ENV) and not key_path.exists():
        write_keyring(key_path, new_keyring())
    ring = load_keyring(key_path, env)
    url = database_url(path, env)
    engine = make_engine(url)
    try:
        migrate(engine)
        _check_key(engine, ring, create=True)
    except KeyError_:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        raise WorkspaceError(f"{_redact(url)}: cannot initialise the database ({exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''})") from exc
    return Store(path, url, engine, ring)


def open_workspace(path: Path, env: dict[str, str] | None = None) -> Store:
    """Open an initialised workspace (migrating it to the head revision) and check the key."""
    env = dict(os.environ) if env is None else env
    if not path.is_dir():
        raise WorkspaceError(f"{path}: no such workspace (create it with `evac init {path}`)")
    url = database_url(path, env)
    if url.startswith("sqlite") and not (path / DB_FILE).exists():
        raise WorkspaceError(f"{path}: not an evac workspace ({DB_FILE} missing; run `evac init {path}`)")
    ring = load_keyring(path / KEY_FILE, env)
    engine = make_engine(url)
    try:
        migrate(engine)
        _check_key(engine, ring, create=False)
    except EvacError:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        raise WorkspaceError(f"{_redact(url)}: cannot open the database ({exc.__class__.__name__})") from exc
    return Store(path, url, engine, ring)


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        return f"{scheme}://{cred.split(':', 1)[0]}:***@{host}"
    return url


def rotate_keys(store: Store, env: dict[str, str] | None = None) -> int:
    """Re-seal every person and rebuild every blind index under a new key version; returns rows re-sealed.

    Crash-safe in three steps: (1) the key file gains the new version beside the old; (2) one transaction
    re-seals all rows and the key check; (3) the old version leaves the key file. A crash after (1) or (2)
    leaves a key file that opens the database whichever state it is in; the next rotate finishes the job.
    """
    env = dict(os.environ) if env is None else env
    if env.get(KEY_ENV):
        raise WorkspaceError(f"{KEY_ENV} is set: rotate by re-encrypting under a key file (unset {KEY_ENV}); "
                             "evac never writes a key into the environment")
    key_path = store.path / KEY_FILE
    both = store.keys.with_new_version()
    write_keyring(key_path, both)
    from evac.adapters.store.repository import SqlUnitOfWork

    uow = SqlUnitOfWork(store.engine, both)
    with uow:
        n = uow.registry.reseal_all()
        blob = both.current.seal({"check": "evac"}, aad=b"key-check")
        uow.session.execute(text("UPDATE meta SET value = :v WHERE key = :k"),
                            {"v": base64.b64encode(blob).decode(), "k": _KEY_CHECK})
        uow.commit()
    final = both.only_current()
    write_keyring(key_path, final)
    store.keys = final
    return n


def meta_value(store: Store, key: str) -> str | None:
    with Session(store.engine) as s:
        return s.scalar(select(MetaRow.value).where(MetaRow.key == key))
