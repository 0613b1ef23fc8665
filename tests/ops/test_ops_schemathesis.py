"""schemathesis against the OpenAPI schema, in-process (ASGI): no generated request makes a server error.

Requests are generated from the schema for every operation (8 examples each, fixed derandomised seed so
CI is repeatable), sent as an admin (who may call every route) to a copy of the built operation; every
answer is checked with schemathesis's ``not_a_server_error``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import schemathesis
from hypothesis import HealthCheck, given, settings
from ops_client import clean_env, make_client
from schemathesis.checks import not_a_server_error

from evac.adapters.store.workspace import open_workspace
from evac.services.users import get_user

if TYPE_CHECKING:
    from pathlib import Path


def test_no_server_errors(sqlite_ws: Path) -> None:
    store = open_workspace(sqlite_ws, clean_env())
    try:
        app = make_client(store).app
        ctx = app.state.ctx  # type: ignore[attr-defined]

        def headers() -> dict[str, str]:  # a token of admin's current version (a generated logout bumps it)
            user = get_user(uow=ctx.uow(), username="admin")
            assert user is not None
            return {"Authorization": f"Bearer {ctx.tokens.dumps({'u': 'admin', 'v': user.token_version})}"}

        schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers())  # behind sign-in
        operations = [r.ok() for r in schema.get_all_operations()]
        assert len(operations) >= 25
        for op in operations:

            @given(case=op.as_strategy())
            @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                      derandomize=True)
            def run(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers(), checks=[not_a_server_error])

            run()
    finally:
        store.close()
