"""Helpers the operations and security tests import (a module of its own: importing ``conftest`` by name picks
whichever conftest was imported first when several folders are collected together)."""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient
from ops_factory import PASSWORD, USERS

from evac.api.app import create_app
from evac.settings import Settings

if TYPE_CHECKING:
    from evac.adapters.store.workspace import Store

PG_ENV = "EVAC_TEST_DATABASE_URL"
__all__ = ["PASSWORD", "PG_ENV", "USERS", "clean_env", "key", "login", "make_client"]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"EVAC_DATABASE_URL", "EVAC_KEY"}}


def make_client(store: Store, **settings: Any) -> TestClient:
    """The API over ``store`` with cheap Argon2 (tests only) and any setting overridden."""
    s = Settings(workspace=store.path, **{"argon2_time_cost": 1, "argon2_memory_kib": 8192,
                                          "login_max_failures": 50, **settings})
    return TestClient(create_app(s, store=store), raise_server_exceptions=False)


def login(client: TestClient, user: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": user, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def key() -> str:
    return "k-" + uuid.uuid4().hex
