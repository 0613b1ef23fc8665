"""Fixtures shared by every test folder.

``unavailable`` is the one rule for a tool or service a test needs from the machine (PostgreSQL, pg_dump,
chromium): on a developer's machine its absence skips the test with the reason; under ``CI=true`` it fails
the test, because CI installs all of them and a silent skip there would hide a test that never ran.
Python packages that ``pyproject.toml`` requires are imported plainly, never skipped.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, NoReturn

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}: CI installs it, so this test must run there")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def unavailable() -> Callable[[str], NoReturn]:
    """Call with the reason a machine-provided tool is missing: skips locally, fails under ``CI=true``."""
    return _unavailable
