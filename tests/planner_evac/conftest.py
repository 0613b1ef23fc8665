"""Shared set-up for the optimising planner's tests: hand-made people on the tiny scenario."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # people_factory lives with the core tests
sys.path.insert(0, str(Path(__file__).parents[1] / "planner_bounds"))  # the bounds' random instance factory
