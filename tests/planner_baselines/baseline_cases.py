"""Scenarios and helpers for the baseline and re-planning tests (synthetic people, never real ones)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from people_factory import make_population

from evac.adapters.scenario.loader import load_scenario
from evac.core.check import check_plan
from evac.core.planner.ccrp import CcrpPlanner
from evac.core.planner.fcfs import FcfsPlanner
from evac.core.planner.greedy import GreedyPlanner

if TYPE_CHECKING:
    from evac.core.model import Plan, Scenario
    from evac.core.planner.state import CommittablePlanner

TINY = Path(__file__).parents[1] / "data" / "tiny.yaml"
ALL_PLANNERS: tuple[CommittablePlanner, ...] = (GreedyPlanner(), FcfsPlanner(), CcrpPlanner())
PLANNER_IDS = [p.name for p in ALL_PLANNERS]


def tiny(households: list[Any]) -> Scenario:
    """The tiny test scenario (capital, north, coast; a border to a haven; an airlift from the coast)."""
    return load_scenario(TINY, population=make_population(households))


def assert_valid(plan: Plan, scenario: Scenario) -> None:
    """The plan keeps every hard constraint and declares the KPIs the checker recomputes."""
    report = check_plan(plan, scenario)
    assert report.ok, [str(v) for v in report.violations[:5]]
    assert plan.kpis == report.kpis
