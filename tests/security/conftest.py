"""Fixtures of the security tests: the operations tests' synthetic workspace (``tests/ops/ops_factory.py``,
generated people only) on SQLite (copied per test) and on PostgreSQL (built fresh via
``EVAC_TEST_DATABASE_URL``; skipped locally when unset, failing under CI=true), and the API in-process."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ops"))
from ops_client import clean_env, login, make_client
from ops_factory import USERS
from ops_stores import *  # noqa: F403 -- the shared fixtures (template_ws, any_store), registered by import

from evac.adapters.store.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store


@pytest.fixture
def sqlite_store(template_ws: Path, tmp_path: Path) -> Iterator[Store]:
    dst = tmp_path / "ws"
    shutil.copytree(template_ws, dst)
    store = open_workspace(dst, clean_env())
    yield store
    store.close()


@pytest.fixture
def api(sqlite_store: Store) -> tuple[TestClient, dict[str, dict[str, str]], Store]:
    """(client, headers per user, store) on a fresh copy of the built SQLite operation."""
    client = make_client(sqlite_store)
    return client, {u: login(client, u) for u in USERS}, sqlite_store
