"""The optimising planner's parts: busloads, the cached road graph, stop rules, the objective, the reduction."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest
from evac_cases import assert_valid, tiny
from hypothesis import given, settings
from hypothesis import strategies as st

from evac.core.model import KPIs
from evac.core.network import RoadGraph
from evac.core.planner.base import Callbacks
from evac.core.planner.opt.graph import CachedRoadGraph
from evac.core.planner.opt.guided import GuidedRun, Rule, priority_order
from evac.core.planner.opt.objective import better, objective, saves_everyone
from evac.core.planner.opt.reduce import busloads, reduce_to_bus_problem
from evac.core.planner.opt.search import SearchParams
from evac.core.planner.stop import FirstOf, MaxIterations, MaxRuntime


# -- busloads -------------------------------------------------------------------------------------
def test_busloads_first_fit_like_the_queue() -> None:
    assert busloads([30, 30, 10, 5], 40) == [40, 35]
    assert busloads([], 40) == []
    assert busloads([41, 3], 40) == [3]  # too large for any vehicle: skipped, as the dispatcher leaves it


@given(st.lists(st.integers(1, 50), max_size=60), st.integers(1, 60))
def test_busloads_carry_everyone_who_fits(sizes: list[int], seats: int) -> None:
    loads = busloads(sizes, seats)
    assert sum(loads) == sum(s for s in sizes if s <= seats)
    assert all(0 < x <= seats for x in loads)


# -- the cached road graph ------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(source=st.sampled_from(["capital", "north", "coast", "border", "airport"]),
       times=st.lists(st.floats(0, 120), min_size=1, max_size=6))
def test_cached_graph_agrees_with_a_fresh_search(source: str, times: list[float]) -> None:
    sc = tiny([("capital", 1)])
    plain, cached = RoadGraph(sc), CachedRoadGraph(sc)
    for t in times:
        for sinks in ((), plain.safe):
            want, _ = plain.earliest_arrival(source, t, sinks=sinks)
            got, pred = cached.earliest_arrival(source, t, sinks=sinks)
            assert set(got) == set(want)
            assert all(math.isclose(got[k], want[k], abs_tol=1e-9) for k in want)
            for target in got:
                arcs = RoadGraph.path(pred, source, target)
                assert math.isclose(t + sum(a.travel_h for a in arcs), want[target], abs_tol=1e-9)


def test_cached_graph_reuses_trees_between_closures() -> None:
    sc = tiny([("capital", 1)])
    g = CachedRoadGraph(sc)
    for t in (0.0, 1.0, 2.0, 3.0):
        g.earliest_arrival("capital", t)
    assert g.misses == 1 and g.hits == 3
    assert g.offset_h("capital", "border", 0.0) == pytest.approx(1.0)
    assert g.route("haven", "nowhere", 0.0) is None


# -- stop rules -----------------------------------------------------------------------------------
def test_stop_rules() -> None:
    two = MaxIterations(2)  # one protocol: called once per iteration with the best cost
    assert [two(9.0), two(8.0), two(8.0)] == [False, False, True]
    assert MaxRuntime(0.0)(1.0) and not MaxRuntime(60.0)(1.0)
    both = FirstOf(MaxIterations(5), MaxRuntime(60.0))
    assert [both(1.0) for _ in range(6)] == [False] * 5 + [True] and 0 < both.remaining_s() <= 60.0
    assert MaxIterations(1).remaining_s() == math.inf
    with pytest.raises(ValueError, match="max_iterations"):
        MaxIterations(-1)
    with pytest.raises(ValueError, match="max_runtime_s"):
        MaxRuntime(-1.0)
    with pytest.raises(ValueError, match="at least one"):
        FirstOf()


# -- the objective --------------------------------------------------------------------------------
def _k(safe_weighted: float, clearance_h: float | None, exposure: float) -> KPIs:
    return KPIs(10, 10, 10, 10, 20.0, 5, safe_weighted, clearance_h, 5, exposure, 0.5, 3)


def test_objective_is_lexicographic() -> None:
    assert better(_k(12, 50, 9), _k(11, 10, 0))  # more weight safe beats any clearance
    assert better(_k(12, 40, 9), _k(12, 50, 0))  # then clearance
    assert better(_k(12, 40, 1), _k(12, 40, 2))  # then exposure
    assert not better(_k(12, 40, 1), _k(12, 40, 1 + 1e-12))  # float noise never decides
    assert better(_k(0, None, 0), None)
    assert objective(_k(0, None, 0)) == (0.0, 0.0, 0.0)
    assert saves_everyone(_k(20, 1, 0), 20.0) and not saves_everyone(_k(19, 1, 0), 20.0)


def test_parameters_check_themselves() -> None:
    with pytest.raises(ValueError, match="origin rule"):
        Rule("nearest")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exit rule"):
        Rule("priority", "fastest")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="busopt_share"):
        SearchParams(busopt_share=2.0)


# -- guided runs and the reduction ----------------------------------------------------------------
def test_guided_run_with_the_greedy_rule_matches_greedy() -> None:
    from evac.core.planner.greedy import GreedyPlanner

    sc = tiny([("north", 5)] * 10 + [("coast", 4)] * 10 + [("capital", 6)] * 10)
    mine = GuidedRun(sc, Callbacks(), None, rule=Rule("priority", "best")).run("greedy")
    theirs = GreedyPlanner().plan(sc)
    assert mine.kpis is not None and theirs.kpis is not None
    assert (mine.kpis.safe, mine.kpis.safe_weighted) == (theirs.kpis.safe, theirs.kpis.safe_weighted)
    assert mine.kpis.clearance_h == pytest.approx(theirs.kpis.clearance_h, abs=1e-5)
    assert [t.id for t in mine.trips] == [t.id for t in theirs.trips]


def test_reduction_states_the_bus_problem() -> None:
    sc = tiny([("capital", 20)] * 4 + [("north", 30)])
    run = GuidedRun(sc, Callbacks(), None, rule=Rule())
    queues, _, _ = run.households(priority_order)
    red = reduce_to_bus_problem(run, queues, with_services=False)
    assert red is not None
    assert red.pickups == ("capital", "north")
    assert red.problem.demand == (80, 30) and red.problem.n_loads == 3
    assert red.problem.n_buses == 3 and "haven" in red.shelters
    i, j = red.pickups.index("capital"), red.shelters.index("haven")
    assert red.problem.pickup_to_shelter[i, j] == pytest.approx(2.0 + sc.policy.boarding_h)


def test_routes_steer_vehicles_and_stay_valid() -> None:
    from evac.core.check import check_plan

    sc = tiny([("capital", 20)] * 6 + [("north", 10)] * 4)
    routes = {("buses", 0): [("north", "haven")] * 3, ("buses", 1): [("capital", "haven")] * 4}
    run = GuidedRun(sc, Callbacks(), None, rule=Rule("soonest", "planned", 0.2), routes=routes,
                    rng=random.Random(1))
    plan = run.run("evac")
    assert check_plan(plan, sc).ok
    assert run.followed >= 3
    first = min((t for t in plan.trips if t.unit == 0), key=lambda t: t.depart_h)
    assert any(leg.destination == "north" for leg in first.legs)


def test_mixed_seats_do_not_reduce() -> None:
    sc = tiny([("capital", 20)])
    bus = sc.fleets[0]
    sc = replace(sc, fleets=(bus, replace(bus, id="minibuses", seats=12, count=1)))
    run = GuidedRun(sc, Callbacks(), None, rule=Rule())
    queues, _, _ = run.households(priority_order)
    assert reduce_to_bus_problem(run, queues) is None


def test_longest_rule_fetches_the_farthest_origin_first() -> None:
    # one bus at the capital; north is 3 h from its nearest exit, the capital 2 h, the coast 0.5 h: the
    # longest-trip rule empties north first, the soonest-safe rule the capital (nearest the bus)
    sc = tiny([("north", 5)] * 10 + [("coast", 4)] * 10 + [("capital", 6)] * 10)
    sc = replace(sc, fleets=(replace(sc.fleets[0], count=1),))

    def origins(rule: str) -> list[str]:
        run = GuidedRun(sc, Callbacks(), None, rule=Rule(rule, "lookahead"))  # type: ignore[arg-type]
        plan = run.run("evac")
        assert_valid(plan, sc)
        trips = sorted((t for t in plan.trips if t.boardings), key=lambda t: t.legs[0].depart_h)
        return [t.legs[t.boardings[0].first_leg].origin for t in trips]

    assert origins("longest")[:2] == ["north", "north"]
    assert origins("soonest")[:2] == ["capital", "capital"]
    with pytest.raises(ValueError, match="'longest'"):
        Rule("farthest")  # type: ignore[arg-type]
