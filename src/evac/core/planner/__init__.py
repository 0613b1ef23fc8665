"""Planners: every one implements :class:`~evac.core.planner.base.Planner`."""

from evac.core.planner.base import Callbacks, Planner
from evac.core.planner.greedy import GreedyPlanner

PLANNERS: dict[str, Planner] = {"greedy": GreedyPlanner()}

__all__ = ["PLANNERS", "Callbacks", "GreedyPlanner", "Planner"]
