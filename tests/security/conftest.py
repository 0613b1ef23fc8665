"""Fixtures of the security tests: the operations tests' synthetic workspace (``tests/ops/ops_factory.py``,
generated people only) on SQLite (copied per test) and on PostgreSQL (built fresh via
``EVAC_TEST_DATABASE_URL``; skipped locally when unset, failing under CI=true), and the API in-process."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ops"))
from ops_factory import PASSWORD, USERS, build

from evac.adapters.store.workspace import open_workspace
from evac.api.app import create_app
from evac.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from evac.adapters.store.workspace import Store

PG_ENV = "EVAC_TEST_DATABASE_URL"
__all__ = ["PASSWORD", "USERS", "key", "login", "make_client"]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"EVAC_DATABASE_URL", "EVAC_KEY"}}


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


def make_client(store: Store, **settings: Any) -> TestClient:
    """The API over ``store`` with cheap Argon2 (tests only) and any setting overridden."""
    s = Settings(workspace=store.path, **{"argon2_time_cost": 1, "argon2_memory_kib": 8192,
                                          "login_max_failures": 50, **settings})
    return TestClient(create_app(s, store=store), raise_server_exceptions=False)


def login(client: TestClient, user: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": user, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def api(sqlite_store: Store) -> tuple[TestClient, dict[str, dict[str, str]], Store]:
    """(client, headers per user, store) on a fresh copy of the built SQLite operation."""
    client = make_client(sqlite_store)
    return client, {u: login(client, u) for u in USERS}, sqlite_store


def key() -> str:
    return "k-" + uuid.uuid4().hex
