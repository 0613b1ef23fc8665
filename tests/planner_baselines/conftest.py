"""Shared set-up for the baseline-planner and re-planning tests: the tiny scenario with hand-made people."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # people_factory lives with the core tests

