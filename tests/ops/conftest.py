"""Fixtures of the operations tests: a built workspace (SQLite copied per test; PostgreSQL built fresh,
via ``EVAC_TEST_DATABASE_URL`` — skipped locally when unset, failing under CI=true), the API in-process,
and a bearer token per role."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import pytest
from ops_client import clean_env, login, make_client
from ops_factory import USERS
from ops_stores import *  # noqa: F403 -- the shared fixtures (template_ws, any_store), registered by import

from evac.adapters.store.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store


@pytest.fixture
def sqlite_ws(template_ws: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "ws"
    shutil.copytree(template_ws, dst)
    return dst


@pytest.fixture
def api(sqlite_ws: Path) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], Store]]:
    """(client, headers per user, store) on a fresh copy of the built SQLite operation."""
    store = open_workspace(sqlite_ws, clean_env())
    client = make_client(store)
    headers = {u: login(client, u) for u in USERS}
    yield client, headers, store
    store.close()


Json = dict[str, Any]
