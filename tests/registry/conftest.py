"""The dual-backend fixture: every store test runs on SQLite and on PostgreSQL.

PostgreSQL tests need ``EVAC_TEST_DATABASE_URL`` (an admin URL, e.g. from ``scripts/pg_test_cluster.sh``);
each test gets a fresh database. Without it they skip on a developer's machine and fail under CI=true.
"""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING, NoReturn

import pytest
from sqlalchemy import create_engine, text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from evac.adapters.store.workspace import Store

PG_ENV = "EVAC_TEST_DATABASE_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_env(request: pytest.FixtureRequest, tmp_path: Path,
                unavailable: Callable[[str], NoReturn]) -> Iterator[dict[str, str]]:
    """Environment for ``init_workspace``/``open_workspace``: {} for SQLite, EVAC_DATABASE_URL for PG."""
    env = {k: v for k, v in os.environ.items() if k not in {"EVAC_DATABASE_URL", "EVAC_KEY"}}
    if request.param == "sqlite":
        yield env
        return
    admin = os.environ.get(PG_ENV)
    if not admin:
        unavailable(f"PostgreSQL is not configured ({PG_ENV} unset)")
    name = "evac_" + uuid.uuid4().hex[:12]
    eng = create_engine(admin, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.rsplit("/", 1)[0] + "/" + name
    env["EVAC_DATABASE_URL"] = url
    env["EVAC_TEST_DB_NAME"] = name
    try:
        yield env
    finally:
        with eng.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        eng.dispose()


@pytest.fixture
def six_store(tmp_path: Path, backend_env: dict[str, str]) -> Iterator[Store]:
    """The six-record list of issue 13 imported and de-duplicated: three likely pairs, none reviewed."""
    from test_registry_same_person import CSV

    from evac.adapters.importers.tabular import read_table
    from evac.adapters.store.workspace import init_workspace
    from evac.services import registry as svc

    s = init_workspace(tmp_path / "ws", backend_env)
    f = tmp_path / "six.csv"
    f.write_text(CSV, encoding="utf-8")
    t = read_table(f)
    svc.import_records(uow=s.uow(), file_name=f.name, sha256=t.sha256, records=t.records, problems=[], rows=t.rows)
    svc.dedup(uow=s.uow())
    yield s
    s.close()
