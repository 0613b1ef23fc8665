"""The optimising planner: valid plans, never worse than the baselines, reproducible, bounded in time,
and calm on bad input."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest
from evac_cases import assert_valid, essence, quick, tiny
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from people_factory import DECLINES, INELIGIBLE, MEDICAL

from evac.core.model import Effect, Fixed, LeftBehindReason, Threat
from evac.core.planner.ccrp import CcrpPlanner
from evac.core.planner.evac import EvacParams, EvacPlanner, default_time_limit_s
from evac.core.planner.events import Breakdown, Closure
from evac.core.planner.fcfs import FcfsPlanner
from evac.core.planner.greedy import GreedyPlanner
from evac.core.planner.opt.objective import better
from evac.core.planner.opt.search import SearchParams, baseline_work
from evac.core.planner.replan import replan_result

if TYPE_CHECKING:
    from pathlib import Path

    from evac.core.model import Plan, Scenario

POPULATIONS: dict[str, list[Any]] = {
    "mixed": [("capital", 3), ("capital", 4), ("north", 2), ("coast", 5), ("coast", 1, DECLINES)],
    "big-households": [("capital", 30), ("capital", 30), ("capital", 2, INELIGIBLE), ("north", 25)],
    "crowd": [("north", 5)] * 10 + [("coast", 4)] * 10 + [("capital", 6)] * 10,
    "medical-last": [("capital", 40)] * 6 + [("capital", 40, MEDICAL)],
    "singles": [(c, 1) for c in ("capital", "north", "coast") * 30],
}
BASELINES = (GreedyPlanner(), FcfsPlanner(), CcrpPlanner())


def _not_worse(plan: Plan, sc: Scenario) -> None:
    assert plan.kpis is not None
    for baseline in BASELINES:
        other = baseline.plan(sc)
        assert other.kpis is not None
        assert not better(other.kpis, plan.kpis), (baseline.name, other.kpis, plan.kpis)


@pytest.mark.parametrize("population", sorted(POPULATIONS))
def test_plans_are_valid_and_never_worse_than_the_baselines(population: str) -> None:
    sc = tiny(POPULATIONS[population])
    plan = quick().plan(sc)
    assert plan.planner == "evac"
    assert_valid(plan, sc)
    assert plan.kpis is not None and plan.kpis.safe + plan.kpis.left_behind == plan.kpis.travelling
    _not_worse(plan, sc)


@pytest.mark.parametrize("start_h", [0.0, 30.0, 60.0, 200.0])
def test_plans_stay_valid_as_routes_close(start_h: float) -> None:
    sc = tiny(POPULATIONS["crowd"])
    plan = quick(2).plan(sc, start_h=start_h)
    moved = sc.with_policy(replace(sc.policy, start_h=start_h))
    assert_valid(plan, moved)
    _not_worse(plan, moved)


_household = st.tuples(st.sampled_from(["capital", "north", "coast"]), st.integers(1, 12),
                       st.sampled_from([{}, MEDICAL, DECLINES, INELIGIBLE]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households=st.lists(_household, min_size=0, max_size=25), buses=st.integers(0, 4),
       start_h=st.sampled_from([0.0, 20.0, 45.0]), seed=st.integers(0, 3))
def test_random_small_instances(households: list[Any], buses: int, start_h: float, seed: int) -> None:
    sc = tiny(households)
    sc = replace(sc, fleets=(replace(sc.fleets[0], count=buses),))
    plan = quick(2).plan(sc, start_h=start_h, seed=seed)
    moved = sc.with_policy(replace(sc.policy, start_h=start_h))
    assert_valid(plan, moved)
    _not_worse(plan, moved)


def test_same_seed_same_plan() -> None:
    sc = tiny(POPULATIONS["crowd"])
    a, b = quick(6).plan(sc, seed=3), quick(6).plan(sc, seed=3)
    assert essence(a) == essence(b)
    assert a.meta == b.meta and "busopt" in a.meta  # no wall time anywhere in the plan: same plan.json bytes


def test_a_spent_time_limit_stops_the_search_at_its_first_plan() -> None:
    # the limit, not the 10,000-iteration cap, must stop the search: with no time left there is no GRASP
    # iteration, yet the baselines still run to the end (the clock never decides them), so the plan is
    # whole, valid and never worse than any of them (how long the limit takes on a real scenario is the
    # planner benchmark's business, not a test's)
    sc = tiny(POPULATIONS["crowd"] * 3)
    plan = EvacPlanner(time_limit_s=0.0).plan(sc)
    assert_valid(plan, sc)
    assert plan.meta["time_limit_s"] == 0.0 and plan.meta["grasp_limit"] > 0  # the work limit would allow more
    assert plan.meta["grasp_iterations"] == 0 and plan.meta["baselines_skipped"] == {}
    assert plan.meta["stopped_by"] == "time"
    assert plan.itineraries
    _not_worse(plan, sc)


def test_baselines_over_the_work_limit_are_skipped_and_named() -> None:
    # everyone can be saved here, so the baselines could only improve clearance: with a work limit of 0
    # none runs, which the plan's meta says (with each one's estimate), and the plan is still valid
    sc = tiny(POPULATIONS["crowd"])
    plan = EvacPlanner(params=EvacParams(time_limit_s=60.0, max_iterations=1,
                                         search=SearchParams(busopt_iterations=5, baseline_work=0))).plan(sc)
    assert_valid(plan, sc)
    assert sorted(plan.meta["baselines_skipped"]) == ["ccrp", "fcfs", "greedy"]
    assert all(v > 0 for v in plan.meta["baselines_skipped"].values())
    assert not plan.meta["construction"].startswith("baseline:")
    with pytest.raises(ValueError, match="baseline_work"):
        SearchParams(baseline_work=-1)


def test_baseline_work_estimate_grows_with_the_problem() -> None:
    small, big = tiny(POPULATIONS["mixed"]), tiny(POPULATIONS["crowd"] * 3)
    assert 0 < baseline_work("greedy", small) < baseline_work("greedy", big)
    assert baseline_work("greedy", big) < baseline_work("ccrp", big)  # CCRP searches once per origin


def test_time_limit_keyword_wins_over_the_constructor() -> None:
    sc = tiny(POPULATIONS["mixed"])
    plan = EvacPlanner(time_limit_s=30.0, params=EvacParams(max_iterations=1)).plan(sc, time_limit_s=0.5)
    assert plan.meta["time_limit_s"] == 0.5


def test_default_time_limit_grows_with_the_population() -> None:
    assert default_time_limit_s(0) == default_time_limit_s(12_000) == 15.0  # S and M: the work limit binds
    assert default_time_limit_s(150_000) < default_time_limit_s(1_000_000) == 54.0


def test_plan_carries_a_bound_and_its_gap_is_small_here() -> None:
    sc = tiny(POPULATIONS["crowd"])
    plan = quick(2).plan(sc)
    assert plan.bound is not None and plan.kpis is not None
    assert plan.kpis.safe_weighted <= plan.bound.safe_weighted_max + 1e-6
    if plan.bound.clearance_h_min is not None and plan.kpis.clearance_h is not None:
        assert plan.kpis.clearance_h >= plan.bound.clearance_h_min - 1e-6


# -- bad input ------------------------------------------------------------------------------------
def test_no_vehicles_leaves_everyone_behind_with_a_reason() -> None:
    sc = tiny(POPULATIONS["mixed"])
    sc = replace(sc, fleets=())
    plan = quick(1).plan(sc)
    assert_valid(plan, sc)
    assert plan.trips == () and plan.itineraries == ()
    assert {lb.reason for lb in plan.left_behind} == {LeftBehindReason.NO_CAPACITY}


def test_no_open_exit_leaves_everyone_behind_with_a_reason() -> None:
    sc = tiny(POPULATIONS["mixed"])
    shut = tuple(Threat(f"shut-{p}", p, p, Effect.CLOSE, Fixed(-1.0)) for p in ("haven", "home", "border", "airport"))
    sc = replace(sc, threats=sc.threats + shut)
    plan = quick(1).plan(sc)
    assert_valid(plan, sc)
    assert plan.itineraries == ()
    assert {lb.reason for lb in plan.left_behind} == {LeftBehindReason.NO_OPEN_EXIT}


def test_nobody_to_move() -> None:
    sc = tiny([])
    plan = quick(1).plan(sc)
    assert_valid(plan, sc)
    assert plan.trips == () and plan.left_behind == ()


def test_household_too_large_for_any_vehicle() -> None:
    sc = tiny([("capital", 45), ("capital", 3)])
    plan = quick(1).plan(sc)
    assert_valid(plan, sc)
    assert [lb.reason for lb in plan.left_behind] == [LeftBehindReason.HOUSEHOLD_TOO_LARGE]


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="time_limit_s"):
        EvacParams(time_limit_s=-1)
    with pytest.raises(ValueError, match="max_iterations"):
        EvacParams(max_iterations=-1)


# -- re-planning ----------------------------------------------------------------------------------
def test_evac_can_replan_from_commitments() -> None:
    sc = tiny([("capital", 20)] * 8 + [("north", 10)] * 4 + [("coast", 6)] * 3)
    plan = quick(2).plan(sc)
    result = replan_result(sc, plan, [Closure(9.0, "border--haven"), Breakdown(8.0, "buses", 1, 3.0)], 9.0,
                           planner=quick(2))
    assert_valid(result.plan, result.scenario)
    assert result.plan.planner == "evac"


def test_plan_survives_writing_and_reading(tmp_path: Path) -> None:
    from evac.adapters.plan_io import read_plan, write_plan
    from evac.core.check import check_plan

    sc = tiny(POPULATIONS["crowd"])
    plan = quick(2).plan(sc)
    write_plan(plan, tmp_path / "plan.json", sc)
    assert check_plan(read_plan(tmp_path / "plan.json"), sc).ok
