"""Fixtures for the simulator and decision tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sim_helpers import TINY

from evac.adapters.scenario.loader import load_scenario

if TYPE_CHECKING:
    from evac.core.model import Scenario


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    return load_scenario(TINY)
