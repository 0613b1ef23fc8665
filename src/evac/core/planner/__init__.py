"""Planners: every one implements :class:`~evac.core.planner.base.Planner`."""

from evac.core.planner.base import Callbacks, Planner
from evac.core.planner.ccrp import CcrpPlanner
from evac.core.planner.evac import EvacPlanner
from evac.core.planner.exact import ExactPlanner
from evac.core.planner.fcfs import FcfsPlanner
from evac.core.planner.greedy import GreedyPlanner

PLANNERS: dict[str, Planner] = {
    "evac": EvacPlanner(),
    "greedy": GreedyPlanner(),
    "fcfs": FcfsPlanner(),
    "ccrp": CcrpPlanner(),
    "exact": ExactPlanner(),
}

__all__ = [
    "PLANNERS", "Callbacks", "CcrpPlanner", "EvacPlanner", "ExactPlanner", "FcfsPlanner", "GreedyPlanner", "Planner",
]
