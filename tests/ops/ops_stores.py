"""The built synthetic operation as fixtures, shared by the operations and security suites (each conftest
imports them): a session template on SQLite, copied per test, and the same operation on PostgreSQL, built
fresh in a throwaway database (``EVAC_TEST_DATABASE_URL``; skipped locally when unset, failing under CI)."""

from __future__ import annotations

import os
import shutil
import uuid
from typing import TYPE_CHECKING, NoReturn

import pytest
from ops_client import PG_ENV, clean_env
from ops_factory import build
from sqlalchemy import create_engine, text

from evac.adapters.store.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from evac.adapters.store.workspace import Store

__all__ = ["any_store", "template_ws"]


@pytest.fixture(scope="session")
def template_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built SQLite workspace, copied by tests that change it."""
    path = tmp_path_factory.mktemp("ops-template") / "ws"
    build(path, clean_env()).close()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, template_ws: Path, tmp_path: Path,
              unavailable: Callable[[str], NoReturn]) -> Iterator[Store]:
    """An open store of a built operation on SQLite, then on PostgreSQL."""
    env = clean_env()
    if request.param == "sqlite":
        dst = tmp_path / "ws"
        shutil.copytree(template_ws, dst)
        store = open_workspace(dst, env)
        yield store
        store.close()
        return
    admin = os.environ.get(PG_ENV)
    if not admin:
        unavailable(f"PostgreSQL is not configured ({PG_ENV} unset)")
    name = "evac_ops_" + uuid.uuid4().hex[:10]
    eng = create_engine(admin, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    env["EVAC_DATABASE_URL"] = admin.rsplit("/", 1)[0] + "/" + name
    store = build(tmp_path / "ws", env)
    try:
        yield store
    finally:
        store.close()
        with eng.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        eng.dispose()
