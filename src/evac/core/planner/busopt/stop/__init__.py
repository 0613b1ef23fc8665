"""Stopping criteria for the bus optimiser: one small class per file, one protocol."""

from __future__ import annotations

from evac.core.planner.busopt.stop.criterion import StoppingCriterion, TimeBudget
from evac.core.planner.busopt.stop.first_of import FirstOf
from evac.core.planner.busopt.stop.max_iterations import MaxIterations
from evac.core.planner.busopt.stop.max_runtime import MaxRuntime

__all__ = ["FirstOf", "MaxIterations", "MaxRuntime", "StoppingCriterion", "TimeBudget"]
