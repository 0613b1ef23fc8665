"""FCFS and CCRP (and greedy, on the same ruler): valid by the independent checker, their own rules, bad input."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest
from baseline_cases import ALL_PLANNERS, PLANNER_IDS, assert_valid, tiny
from people_factory import DECLINES, INELIGIBLE, MEDICAL

from evac.core.model import Effect, Fixed, LeftBehindReason, Threat
from evac.core.planner.ccrp import CcrpPlanner
from evac.core.planner.dispatch import trip_loads
from evac.core.planner.fcfs import FcfsPlanner
from evac.core.planner.greedy import GreedyPlanner

if TYPE_CHECKING:
    from evac.core.model import Scenario
    from evac.core.planner.state import CommittablePlanner

POPULATIONS: dict[str, list[Any]] = {
    "mixed": [("capital", 3), ("capital", 4), ("north", 2), ("coast", 5), ("coast", 1, DECLINES)],
    "big-households": [("capital", 30), ("capital", 30), ("capital", 2, INELIGIBLE), ("north", 25)],
    "crowd": [("north", 5)] * 10 + [("coast", 4)] * 10 + [("capital", 6)] * 10,
    "medical-last": [("capital", 40)] * 6 + [("capital", 40, MEDICAL)],
    "singles": [(c, 1) for c in ("capital", "north", "coast") * 30],
}


@pytest.mark.parametrize("planner", ALL_PLANNERS, ids=PLANNER_IDS)
@pytest.mark.parametrize("population", sorted(POPULATIONS))
def test_plans_pass_the_checker(planner: CommittablePlanner, population: str) -> None:
    sc = tiny(POPULATIONS[population])
    plan = planner.plan(sc)
    assert plan.planner == planner.name
    assert_valid(plan, sc)
    assert plan.kpis is not None
    assert plan.kpis.safe + plan.kpis.left_behind == plan.kpis.travelling


@pytest.mark.parametrize("planner", ALL_PLANNERS, ids=PLANNER_IDS)
@pytest.mark.parametrize("start_h", [0.0, 30.0, 60.0, 200.0])
def test_plans_stay_valid_as_routes_close(planner: CommittablePlanner, start_h: float) -> None:
    sc = tiny(POPULATIONS["crowd"])
    plan = planner.plan(sc, start_h=start_h)
    assert_valid(plan, sc.with_policy(replace(sc.policy, start_h=start_h)))
    assert min((t.depart_h for t in plan.trips), default=start_h) >= start_h


@pytest.mark.parametrize("planner", ALL_PLANNERS, ids=PLANNER_IDS)
def test_same_input_same_plan(planner: CommittablePlanner) -> None:
    sc = tiny(POPULATIONS["crowd"])
    assert planner.plan(sc, seed=1) == planner.plan(sc, seed=1)


@pytest.mark.parametrize("planner", ALL_PLANNERS, ids=PLANNER_IDS)
def test_households_are_never_split(planner: CommittablePlanner) -> None:
    sc = tiny([("capital", 30), ("capital", 30), ("capital", 25), ("north", 12)])
    plan = planner.plan(sc)
    assert_valid(plan, sc)
    sizes = {h.id: len(h.members) for h in sc.population.households}
    for trip in plan.trips:
        for b in trip.boardings:
            assert len(b.person_ids) == sizes[b.household_id]


# -- FCFS -----------------------------------------------------------------------------------------
def _one_bus(households: list[Any]) -> Scenario:
    sc = tiny(households)
    return replace(sc, fleets=(replace(sc.fleets[0], count=1),))


def test_fcfs_serves_in_registration_order_ignoring_priority() -> None:
    sc = _one_bus([("capital", 30)] * 5 + [("capital", 30, MEDICAL)])
    fcfs = FcfsPlanner().plan(sc)
    assert_valid(fcfs, sc)
    safe = {i.household_id: i.safe_at_h for i in fcfs.itineraries}
    order = sorted(safe, key=lambda h: safe[h])
    assert order == [f"H000{k}" for k in range(1, 7)]  # the medical household registered last goes last
    greedy = GreedyPlanner().plan(sc)
    g_safe = {i.household_id: i.safe_at_h for i in greedy.itineraries}
    assert g_safe["H0006"] == min(g_safe.values())  # whereas greedy puts it first


def test_fcfs_first_vehicle_goes_to_the_first_registered_household() -> None:
    sc = _one_bus([("north", 2), ("capital", 3), ("capital", 3)])
    plan = FcfsPlanner().plan(sc)
    assert_valid(plan, sc)
    first = min((t for t in plan.trips if t.asset_id == "buses"), key=lambda t: t.depart_h)
    assert [b.household_id for b in first.boardings] == ["H0001"]


def test_fcfs_takes_the_nearest_exit_greedy_the_soonest_safe() -> None:
    # From the coast the airport is 0.5 h away but the next flight with a connection leaves at 24 h;
    # the haven is 6.5 h by road and reached at 17.5 h.
    sc = _one_bus([("coast", 4)])
    fcfs = FcfsPlanner().plan(sc)
    greedy = GreedyPlanner().plan(sc)
    assert_valid(fcfs, sc)
    assert [i.safe_place for i in fcfs.itineraries] == ["home"]
    assert [i.safe_place for i in greedy.itineraries] == ["haven"]
    assert fcfs.itineraries[0].safe_at_h > greedy.itineraries[0].safe_at_h


# -- CCRP -----------------------------------------------------------------------------------------
def test_ccrp_reserves_crossing_processing() -> None:
    # 60 people per hour at the border, busloads of 40: the border processes one in 40 minutes, so no two
    # loaded buses leave it less than 40 minutes apart, and none before its people are processed.
    sc = tiny([("capital", 40)] * 4)
    plan = CcrpPlanner().plan(sc)
    assert_valid(plan, sc)
    stops = sorted((leg.depart_h, prev.arrive_h) for t in plan.trips
                   for prev, leg, load in zip(t.legs, t.legs[1:], trip_loads(t)[1:], strict=False)
                   if leg.origin == "border" and load > 0)
    assert len(stops) == 4
    assert all(leave - came >= 2 / 3 - 1e-9 for leave, came in stops)
    assert all(b[0] - a[0] >= 2 / 3 - 1e-9 for a, b in itertools.pairwise(stops))


def test_ccrp_never_overbooks_a_departure() -> None:
    sc = tiny([("coast", 10)] * 20)  # 200 people, 60 seats a flight
    plan = CcrpPlanner().plan(sc)
    assert_valid(plan, sc)
    for t in plan.trips:
        if t.asset_id == "airlift":
            assert t.people <= 60


def test_ccrp_serves_the_earliest_arrival_first() -> None:
    # Capital is 2 h from safety, north 4 h: CCRP's first reserved path starts at the capital.
    sc = _one_bus([("north", 10), ("capital", 10)])
    plan = CcrpPlanner().plan(sc)
    assert_valid(plan, sc)
    safe = {i.household_id: i.safe_at_h for i in plan.itineraries}
    assert safe["H0002"] < safe["H0001"]


def test_ccrp_counts_the_deadhead_in_the_arrival_time() -> None:
    # The only bus waits at the capital depot until 20 h; the coast household is made safe by it.
    sc = _one_bus([("coast", 3)])
    sc = replace(sc, fleets=(replace(sc.fleets[0], available_from_h=20.0),))
    plan = CcrpPlanner().plan(sc)
    assert_valid(plan, sc)
    (trip,) = [t for t in plan.trips if t.asset_id == "buses"]
    assert trip.legs[0].origin == "capital" and trip.depart_h >= 20.0
    assert trip.boardings[0].first_leg > 0  # boards after the empty run to the coast


# -- bad input: listed, never raised ---------------------------------------------------------------
@pytest.mark.parametrize("planner", ALL_PLANNERS, ids=PLANNER_IDS)
def test_zero_vehicles_or_no_fleet_lists_everyone(planner: CommittablePlanner) -> None:
    sc = tiny([("capital", 3), ("coast", 2)])
    for fleets in ((replace(sc.fleets[0], count=0),), ()):
        sc2 = replace(sc, fleets=fleets)
        plan = planner.plan(sc2)
        assert_valid(plan, sc2)
        assert plan.kpis is not None and plan.kpis.safe == 0
        assert {lb.reason for lb in plan.left_behind} == {LeftBehindReason.NO_CAPACITY}


@pytest.mark.parametrize("planner", ALL_PLANNERS, ids=PLANNER_IDS)
def test_no_open_exit_is_a_reason_not_an_exception(planner: CommittablePlanner) -> None:
    sc = tiny([("capital", 3), ("coast", 2)])
    cut = Threat("cut", "Border closed", "border", Effect.CLOSE, Fixed(-1.0))
    sc = replace(sc, threats=(*sc.threats, cut), services=())
    plan = planner.plan(sc)
    assert_valid(plan, sc)
    assert {lb.reason for lb in plan.left_behind} == {LeftBehindReason.NO_OPEN_EXIT}


@pytest.mark.parametrize("planner", ALL_PLANNERS, ids=PLANNER_IDS)
def test_closed_origin_and_oversized_household(planner: CommittablePlanner) -> None:
    sc = tiny([("north", 3), ("capital", 41), ("capital", 2)])
    closed = Threat("north-falls", "North falls", "north", Effect.CLOSE, Fixed(-1.0))
    sc = replace(sc, threats=(*sc.threats, closed))
    plan = planner.plan(sc)
    assert_valid(plan, sc)
    assert [(lb.household_id, lb.reason) for lb in plan.left_behind] == [
        ("H0001", LeftBehindReason.ORIGIN_CLOSED), ("H0002", LeftBehindReason.HOUSEHOLD_TOO_LARGE)]
