"""The planning use case (evac.services.planning): every plan it returns has passed the independent check;
a plan that breaks a hard constraint is refused with the checker's report, never returned."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from evac.adapters.scenario.loader import load_scenario
from evac.core.check import Rule, check_plan
from evac.core.errors import ModelError
from evac.core.planner import PLANNERS, EvacPlanner, GreedyPlanner
from evac.services import planning
from evac.services.operations import NoActivePlan, activate
from evac.services.planning import PlanRejected, UnknownPlanner

if TYPE_CHECKING:
    from evac.core.model import Plan, Scenario

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(TINY)


class BrokenPlanner:
    """Greedy's plan with its first trip on a vehicle that does not exist: a planner bug the checker catches."""

    name = "broken"

    def plan(self, scenario: Scenario, **kw: Any) -> Plan:
        plan = GreedyPlanner().plan(scenario, **kw)
        first, *rest = plan.trips
        return replace(plan, trips=(replace(first, unit=999), *rest))


def test_plan_is_the_planners_and_passed_the_check(tiny: Scenario) -> None:
    done = planning.plan_scenario(tiny, planner="greedy")
    assert done.report.ok and done.scenario is tiny
    assert done.plan == GreedyPlanner().plan(tiny)
    assert done.plan.kpis is not None and done.plan.kpis.safe == done.report.kpis.safe > 0
    assert done.plan.bound is None and done.plan_s >= 0 and done.check_s >= 0


def test_bound_on_request_for_planners_without_one(tiny: Scenario) -> None:
    done = planning.plan_scenario(tiny, planner=GreedyPlanner(), bound=True)
    assert done.plan.bound is not None and done.report.ok


def test_start_is_the_plans(tiny: Scenario) -> None:
    later = tiny.policy.start_h + 24.0
    assert planning.plan_scenario(tiny, start_h=later).plan.start_h == later


def test_surge_is_recorded_and_rebuilt_for_the_check(tiny: Scenario) -> None:
    base = planning.plan_scenario(tiny)
    done = planning.plan_scenario(tiny, surge=1.0, seed=3)
    assert done.plan.meta["surge"] == 1.0 and done.plan.meta["surge_seed"] == 3
    assert done.plan.kpis is not None and base.plan.kpis is not None
    assert done.plan.kpis.travelling > base.plan.kpis.travelling
    rebuilt = planning.scenario_for(done.plan, tiny)
    assert rebuilt.population == done.scenario.population
    assert check_plan(done.plan, rebuilt).ok
    assert planning.scenario_for(base.plan, tiny) is tiny


def test_unknown_planner_names_the_choices(tiny: Scenario) -> None:
    with pytest.raises(UnknownPlanner, match=r"unknown planner 'magic'; choose from .*greedy"):
        planning.plan_scenario(tiny, planner="magic")


def test_surge_outside_0_1_is_refused(tiny: Scenario) -> None:
    with pytest.raises(ModelError, match="surge share"):
        planning.plan_scenario(tiny, surge=1.5)


def test_a_plan_breaking_a_hard_constraint_is_refused_with_the_report(tiny: Scenario) -> None:
    with pytest.raises(PlanRejected, match="fails the independent check") as caught:
        planning.plan_scenario(tiny, planner=BrokenPlanner())  # type: ignore[arg-type]
    assert Rule.REFERENCE in caught.value.report.count_by_rule()
    assert caught.value.plan.planner == "greedy"
    with pytest.raises(PlanRejected):
        planning.check(caught.value.plan, tiny)


def test_time_limit_reaches_the_optimising_planner_only() -> None:
    evac = planning.resolve_planner("evac", time_limit_s=2.5)
    assert isinstance(evac, EvacPlanner) and evac.params.time_limit_s == 2.5
    assert evac is not PLANNERS["evac"]  # the shared instance keeps its default
    assert planning.resolve_planner("greedy", time_limit_s=2.5) is PLANNERS["greedy"]
    assert planning.planner_names() == sorted(PLANNERS)


def test_activation_refuses_an_unchecked_bad_plan_before_writing(tiny: Scenario) -> None:
    bad = BrokenPlanner().plan(tiny)

    def no_store() -> Any:
        raise AssertionError("nothing may be written for a plan that fails the check")

    with pytest.raises(PlanRejected):
        activate(uow_factory=no_store, plan=bad, scenario=tiny, scenario_ref="tiny", clock=None,  # type: ignore[arg-type]
                 actor="test", now=None)  # type: ignore[arg-type]


class _NoPlanOps:
    def active_plan(self) -> None:
        return None

    def clock(self) -> None:
        return None


class _NoPlanUow:
    ops = _NoPlanOps()

    def __enter__(self) -> _NoPlanUow:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def test_situation_without_an_active_plan_is_a_clear_error() -> None:
    with pytest.raises(NoActivePlan, match="evac ops activate"):
        planning.active_situation(uow_factory=_NoPlanUow)  # type: ignore[arg-type]
