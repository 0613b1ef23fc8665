"""Scenarios and helpers for the optimising planner's tests (synthetic people, never real ones)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from people_factory import make_population

from evac.adapters.scenario.loader import load_scenario
from evac.core.check import check_plan
from evac.core.planner.evac import EvacParams, EvacPlanner
from evac.core.planner.opt.search import SearchParams

if TYPE_CHECKING:
    from evac.core.model import Plan, Scenario

TINY = Path(__file__).parents[1] / "data" / "tiny.yaml"


def tiny(households: list[Any]) -> Scenario:
    """The tiny test scenario (capital, north, coast; a border to a haven; an airlift from the coast)."""
    return load_scenario(TINY, population=make_population(households))


def quick(iterations: int = 4, time_limit_s: float = 60.0) -> EvacPlanner:
    """An evac planner whose search ends on iterations (reproducible), with a generous time limit."""
    return EvacPlanner(params=EvacParams(time_limit_s=time_limit_s, max_iterations=iterations,
                                         search=SearchParams(busopt_iterations=20)))


def assert_valid(plan: Plan, scenario: Scenario) -> None:
    """The plan keeps every hard constraint and declares the KPIs the checker recomputes."""
    report = check_plan(plan, scenario)
    assert report.ok, [str(v) for v in report.violations[:5]]
    assert plan.kpis == report.kpis


def essence(plan: Plan) -> tuple[object, ...]:
    """What a plan decides (timings in ``meta`` differ between runs)."""
    return (plan.trips, plan.itineraries, plan.left_behind, plan.kpis, plan.bound)
