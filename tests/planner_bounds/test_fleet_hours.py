"""The fleet-hours budget of the LP bound (docs/planner.md §3, *Fleet hours*): valid against the exact
optimum and every planner's plan, and tighter than the LP without it where vehicles are scarce.

Without the budget a leg shorter than the one-hour bucket costs the LP no time at all, so one bus could
shuttle across it any number of times per hour; the budget charges every leg its real travel time against
the hours each vehicle has.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from bounds_factory import one_bus, random_instance
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evac.core.check import check_plan
from evac.core.planner.evac import EvacParams, EvacPlanner
from evac.core.planner.exact import ExactPlanner
from evac.core.planner.greedy import GreedyPlanner
from evac.core.planner.lp import combinatorial_bound, lp_bound, lp_bound_report
from evac.core.planner.opt.search import SearchParams

if TYPE_CHECKING:
    from evac.core.model import Bound, Plan, Scenario

EPS = 1e-6


def _holds(b: Bound, plan: Plan) -> None:
    """``b`` is an upper bound on the plan's weighted safe and, when everyone is safe, a lower bound on its
    clearance."""
    k = plan.kpis
    assert k is not None
    assert b.safe_weighted_max >= k.safe_weighted - EPS, (b, k.safe_weighted)
    if k.safe == k.travelling and k.travelling and k.clearance_h is not None:
        assert b.clearance_h_min is not None and b.clearance_h_min <= k.clearance_h + EPS, (b, k.clearance_h)


def _tighter(new: Bound, old: Bound) -> bool:
    """``new`` is at least as tight as ``old`` (a checked property); True when strictly tighter."""
    assert new.safe_weighted_max <= old.safe_weighted_max + EPS
    if old.clearance_h_min is not None and new.clearance_h_min is not None:
        assert new.clearance_h_min >= old.clearance_h_min - EPS
        return new.clearance_h_min > old.clearance_h_min + EPS or new.safe_weighted_max < old.safe_weighted_max - EPS
    return new.safe_weighted_max < old.safe_weighted_max - EPS or (
        old.clearance_h_min is not None and new.clearance_h_min is None
    )


def test_short_legs_are_no_longer_free() -> None:
    # 20 people, one 4-seat bus, city -> border 0.5 h -> haven 1 h: five loads, four empty returns, 13.5 h
    # of driving. The old LP rounds the 0.5 h leg to no time at all and proves only 9 h; the budget 13 h
    # (13.5 h on the one-hour grid). Greedy (with 0.5 h boarding per load) clears in 16 h.
    sc = one_bus(people=20, seats=4, travel_h=0.5)
    old, new = lp_bound(sc, fleet_hours=False), lp_bound(sc)
    assert old.clearance_h_min == pytest.approx(9.0)
    assert new.clearance_h_min == pytest.approx(13.0)
    _holds(new, GreedyPlanner().plan(sc))
    assert lp_bound_report(sc).binds == "fleet-hours"
    assert lp_bound_report(sc, fleet_hours=False).binds == "network-flow"
    assert lp_bound_report(one_bus(people=40, seats=50, travel_h=1.0, rate=10)).binds == "combinatorial"
    assert lp_bound_report(one_bus(people=20, seats=4, travel_h=0.5, until_h=8.0)).binds == "weighted"


def test_seat_hours_bound_the_combinatorial_clearance() -> None:
    # the same bus: each of the 20 people rides 1.5 h (city -> border -> haven), 30 seat-hours, and the
    # 4-seat bus offers 4 per hour: nobody can be sure of everyone before 7.5 h (the entry and reach terms
    # alone said 5.5 h)
    sc = one_bus(people=20, seats=4, travel_h=0.5)
    b = combinatorial_bound(sc)
    assert b.clearance_h_min == pytest.approx(7.5, abs=1e-4)
    _holds(b, GreedyPlanner().plan(sc))


def test_a_short_window_caps_people_safe() -> None:
    # the bus may drive for 8 h: three loads of 4 (1.5 h out, 1.5 h back) at most, 12 people. The old LP
    # proves 16 of 20, the budget 12 2/3.
    sc = one_bus(people=20, seats=4, travel_h=0.5, until_h=8.0)
    old, new = lp_bound(sc, fleet_hours=False), lp_bound(sc)
    assert old.safe_weighted_max == pytest.approx(16.0, rel=1e-5)
    assert 12.0 <= new.safe_weighted_max <= 12.0 + 2 / 3 + 1e-4
    assert new.clearance_h_min is None  # not everyone can be safe
    _holds(new, GreedyPlanner().plan(sc))


def _scarce(seed: int) -> Scenario:
    """A random tiny instance with a single 4-seat vehicle: the fleet binds, so the budget has work to do."""
    sc = random_instance(seed, horizon_h=10, max_people=20)
    first = sc.fleets[0]
    return replace(sc, fleets=(replace(first, count=1, seats=4),))


def _exact_order(sc: Scenario) -> bool:
    """bound >= exact optimum (and the plans of greedy), on the one-hour grid and on a two-hour grid; True
    when the budget made the two-hour bound tighter. On whole-hour data and a one-hour grid every leg
    costs the LP its exact time, so the budget is implied there; two-hour buckets round 1 h and 3 h legs
    down, which is where it binds."""
    exact = ExactPlanner(time_limit_s=10.0).plan(sc)
    assert check_plan(exact, sc).ok
    greedy = GreedyPlanner().plan(sc)
    strict = False
    for step in (1.0, 2.0):
        new, old = lp_bound(sc, step_h=step), lp_bound(sc, step_h=step, fleet_hours=False)
        if exact.meta["proved_optimal"]:
            _holds(new, exact)
        _holds(new, greedy)
        strict = _tighter(new, old) or strict
    comb = combinatorial_bound(sc)  # with its seat-hours term
    if exact.meta["proved_optimal"]:
        _holds(comb, exact)
    _holds(comb, greedy)
    return strict


def test_fixed_scarce_instances_are_bounded_and_some_get_tighter() -> None:
    tighter = [_exact_order(_scarce(seed)) for seed in range(12)]
    assert any(tighter), tighter  # the budget is not vacuous on these instances


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=100, max_value=10**6), scarce=st.booleans())
def test_bound_with_fleet_hours_is_at_least_the_exact_optimum(seed: int, scarce: bool) -> None:
    """Random tiny instances (whole-hour data, so the MIP is exact): budgeted LP >= exact optimum, and at
    least as tight as the LP without the budget."""
    _exact_order(_scarce(seed) if scarce else random_instance(seed, horizon_h=10, max_people=20))


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**6), factor=st.sampled_from([0.25, 0.5, 0.75]))
def test_bound_holds_against_plans_on_sub_hour_legs(seed: int, factor: float) -> None:
    """Legs shorter than a bucket (where the budget matters most; the MIP cannot take them): the bound
    still holds against the greedy and evac plans."""
    sc = random_instance(seed, horizon_h=10, max_people=20)
    sc = replace(sc, links=tuple(replace(lk, travel_h=lk.travel_h * factor) for lk in sc.links))
    new = lp_bound(sc)
    _tighter(new, lp_bound(sc, fleet_hours=False))
    comb = combinatorial_bound(sc)
    evac = EvacPlanner(
        params=EvacParams(time_limit_s=600.0, max_iterations=2, search=SearchParams(busopt_iterations=5))
    ).plan(sc)
    for plan in (GreedyPlanner().plan(sc), evac):
        assert check_plan(plan, sc).ok
        _holds(new, plan)
        _holds(comb, plan)


def test_a_bad_step_is_refused() -> None:
    with pytest.raises(ValueError, match="step_h"):
        lp_bound(one_bus(people=4), step_h=0.0)
