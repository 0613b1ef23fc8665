"""The greedy planner: valid plans (by the independent checker), priorities, closures, bad input."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest
from people_factory import DECLINES, INELIGIBLE, MEDICAL, make_population

from evac.adapters.scenario.loader import load_scenario
from evac.core.check import check_plan
from evac.core.model import Fixed, LeftBehindReason, Scenario, Threat
from evac.core.model.threats import Effect
from evac.core.planner import PLANNERS, GreedyPlanner

TINY = Path(__file__).parents[1] / "data" / "tiny.yaml"


def tiny(households: list) -> Scenario:  # type: ignore[type-arg]
    return load_scenario(TINY, population=make_population(households))


def test_plan_passes_the_checker_and_moves_everyone() -> None:
    sc = tiny([("capital", 3), ("capital", 4), ("north", 2), ("coast", 5), ("coast", 1, DECLINES)])
    plan = GreedyPlanner().plan(sc)
    report = check_plan(plan, sc)
    assert report.ok, report.violations
    assert plan.kpis == report.kpis
    assert plan.kpis is not None
    assert plan.kpis.travelling == 14 and plan.kpis.safe == 14 and plan.kpis.left_behind == 0
    assert plan.kpis.registered == 15 and plan.kpis.willing == 14


def test_households_are_never_split_and_non_travellers_stay() -> None:
    sc = tiny([("capital", 30), ("capital", 30), ("capital", 2, INELIGIBLE)])
    plan = GreedyPlanner().plan(sc)
    assert check_plan(plan, sc).ok
    for trip in plan.trips:
        for b in trip.boardings:
            assert len(b.person_ids) == 30
    assert {i.household_id for i in plan.itineraries} == {"H0001", "H0002"}


def test_medical_households_go_first() -> None:
    sc = tiny([("capital", 40)] * 6 + [("capital", 40, MEDICAL)])
    plan = GreedyPlanner().plan(sc)
    assert check_plan(plan, sc).ok
    safe = {i.household_id: i.safe_at_h for i in plan.itineraries}
    assert safe["H0007"] == min(safe.values())


def test_buses_queue_at_the_crossing_until_their_people_are_processed() -> None:
    # 60 people per hour at the border, three buses of 40 reach it together at 7.5 h: the border processes
    # one busload in 40 minutes, so they leave 40, 80 and 120 minutes later.
    sc = tiny([("capital", 40), ("capital", 40), ("capital", 40)])
    plan = GreedyPlanner().plan(sc)
    assert check_plan(plan, sc).ok
    arrive = sorted(leg.arrive_h for t in plan.trips for leg in t.legs if leg.destination == "border" and t.people)
    leave = sorted(leg.depart_h for t in plan.trips for leg in t.legs if leg.origin == "border" and t.people)
    assert arrive == pytest.approx([7.5] * 3)
    assert leave == pytest.approx([7.5 + 2 / 3, 7.5 + 4 / 3, 9.5])


def test_closed_origin_is_left_behind_with_reason() -> None:
    sc = tiny([("north", 3), ("capital", 3)])
    closed = Threat("north-falls", "North falls", "north", Effect.CLOSE, Fixed(-1.0))
    sc = replace(sc, threats=(*sc.threats, closed))
    plan = GreedyPlanner().plan(sc)
    assert check_plan(plan, sc).ok
    assert [(lb.household_id, lb.reason) for lb in plan.left_behind] == [("H0001", LeftBehindReason.ORIGIN_CLOSED)]


def test_zero_vehicles_lists_everyone_left_behind_never_raises() -> None:
    sc = tiny([("capital", 3), ("coast", 2)])
    sc = replace(sc, fleets=(replace(sc.fleets[0], count=0),))
    plan = GreedyPlanner().plan(sc)
    assert check_plan(plan, sc).ok
    assert plan.kpis is not None and plan.kpis.safe == 0
    assert {lb.reason for lb in plan.left_behind} == {LeftBehindReason.NO_CAPACITY}


def test_household_larger_than_any_vehicle_is_reported() -> None:
    sc = tiny([("capital", 41), ("capital", 2)])
    plan = GreedyPlanner().plan(sc)
    assert check_plan(plan, sc).ok
    assert [(lb.household_id, lb.reason) for lb in plan.left_behind] == [
        ("H0001", LeftBehindReason.HOUSEHOLD_TOO_LARGE)]


def test_no_open_exit() -> None:
    sc = tiny([("capital", 3), ("coast", 2)])
    cut = Threat("cut", "Border closed", "border", Effect.CLOSE, Fixed(-1.0))
    sc = replace(sc, threats=(*sc.threats, cut), services=())
    plan = GreedyPlanner().plan(sc)
    assert check_plan(plan, sc).ok
    assert {lb.reason for lb in plan.left_behind} == {LeftBehindReason.NO_OPEN_EXIT}


def test_start_override_and_determinism() -> None:
    sc = tiny([("capital", 3), ("coast", 4), ("north", 2)])
    a = GreedyPlanner().plan(sc, start_h=30.0)
    b = GreedyPlanner().plan(sc, start_h=30.0)
    assert a == b
    assert a.start_h == 30.0
    assert min(t.depart_h for t in a.trips) >= 30.0


@pytest.mark.parametrize("start_h", [0.0, 20.0, 60.0, 200.0])
def test_plans_stay_valid_as_routes_close(start_h: float) -> None:
    sc = tiny([("north", 5)] * 10 + [("coast", 4)] * 10 + [("capital", 6)] * 10)
    plan = GreedyPlanner().plan(sc, start_h=start_h)
    sc2 = sc.with_policy(replace(sc.policy, start_h=start_h))
    report = check_plan(plan, sc2)
    assert report.ok, report.violations[:5]


def test_a_crossing_slower_than_a_busload_per_hour_still_lets_people_through() -> None:
    # 10 people per hour at the border, buses of 40: a full bus waits four hours there, and leaves whole.
    sc = tiny([("capital", 3)] * 10)
    places = tuple(replace(p, processing_per_h=10.0) if p.id == "border" else p for p in sc.places)
    sc = replace(sc, places=places, services=())
    for name in ("greedy", "fcfs", "ccrp"):
        plan = PLANNERS[name].plan(sc)
        assert check_plan(plan, sc).ok
        assert plan.kpis is not None and plan.kpis.safe == 30, name
        dwell = [(leg.depart_h - prev.arrive_h, t.people) for t in plan.trips
                 for prev, leg in itertools.pairwise(t.legs) if leg.origin == "border" and t.people]
        assert max(n for _, n in dwell) > 10, name  # more than an hour's processing on one bus
        assert all(h >= n / 10.0 - 1e-9 for h, n in dwell), name
