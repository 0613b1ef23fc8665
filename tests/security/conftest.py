"""Fixtures of the security tests: the operations tests' synthetic workspace (``tests/ops/ops_factory.py``,
generated people only) on SQLite (copied per test) and on PostgreSQL (built fresh via
``EVAC_TEST_DATABASE_URL``; skipped locally when unset, failing under CI=true), and the API in-process."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ops"))
from ops_client import PG_ENV, clean_env, login, make_client
from ops_factory import USERS, build

from evac.adapters.store.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store



@pytest.fixture(scope="session")
def template_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sec-template") / "ws"
    build(path, clean_env()).close()
    return path


@pytest.fixture
def sqlite_store(template_ws: Path, tmp_path: Path) -> Iterator[Store]:
    dst = tmp_path / "ws"
    shutil.copytree(template_ws, dst)
    store = open_workspace(dst, clean_env())
    yield store
    store.close()


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
    name = "evac_sec_" + uuid.uuid4().hex[:10]
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


@pytest.fixture
def api(sqlite_store: Store) -> tuple[TestClient, dict[str, dict[str, str]], Store]:
    """(client, headers per user, store) on a fresh copy of the built SQLite operation."""
    client = make_client(sqlite_store)
    return client, {u: login(client, u) for u in USERS}, sqlite_store
