"""Re-planning: the past is kept, events change the future, and every result passes the checker.

The base plan (greedy on the tiny scenario, 3 buses at the capital from 6 h; each busload of 40 waits
40 minutes at the border, which processes 60 people an hour) at ``now = 9.5 h``: T00001 and T00002 have
left for the north and the coast, T00003 has already delivered H0001-H0002 to the haven (at 9.17 h),
T00004 is driving back from the haven, T00005 and T00006 (H0005-H0008) lie in the future.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from baseline_cases import ALL_PLANNERS, PLANNER_IDS, assert_valid, tiny
from people_factory import make_population

from evac.adapters.plan_io import plan_to_dict
from evac.core.check import Rule, check_plan
from evac.core.errors import ModelError
from evac.core.model import Household, LeftBehindReason, Leg, Plan, Scenario, Trip
from evac.core.planner.events import Boarded, Breakdown, Closure, EventConflict, NoShow, Registration
from evac.core.planner.greedy import GreedyPlanner
from evac.core.planner.replan import replan, replan_result, updated_scenario

if TYPE_CHECKING:
    from evac.core.planner.events import Event
    from evac.core.planner.state import CommittablePlanner

NOW = 9.5


@pytest.fixture(scope="module")
def base() -> tuple[Scenario, Plan]:
    sc = tiny([("capital", 20)] * 8 + [("north", 10)] * 4 + [("coast", 6)] * 3)
    plan = GreedyPlanner().plan(sc)
    assert [t.id for t in plan.trips if t.depart_h < NOW] == ["T00001", "T00002", "T00003", "T00004"]
    return sc, plan


def _trips(plan: Plan) -> dict[str, object]:
    return {t.id: t for t in plan.trips}


def _riders(plan: Plan) -> set[str]:
    return {b.household_id for t in plan.trips for b in t.boardings}


def test_without_events_nothing_changes(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    result = replan_result(sc, plan, [], NOW)
    new = result.plan
    assert_valid(new, sc)
    old_trips, new_trips = _trips(plan), _trips(new)
    assert new_trips.keys() == old_trips.keys()  # past and future: the same trip ids, the same objects
    assert all(new_trips[tid] is old_trips[tid] for tid in old_trips)
    old_json = {t["id"]: t for t in plan_to_dict(plan)["trips"]}
    new_json = {t["id"]: t for t in plan_to_dict(new)["trips"]}
    assert new_json == old_json
    assert result.changed == () and new.meta["replan"]["changed_households"] == []
    assert new.start_h == plan.start_h and new.kpis is not None and new.kpis.safe == plan.kpis.safe  # type: ignore[union-attr]
    assert new.meta["replan"]["generation"] == 1


def test_closure_reroutes_future_trips_and_cuts_trips_under_way(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    events = [Closure(NOW, "border--haven")]
    result = replan_result(sc, plan, events, NOW)
    new = result.plan
    assert_valid(new, result.scenario)
    assert_valid(new, updated_scenario(sc, plan, events, NOW))
    trips = _trips(new)
    assert trips["T00003"] is _trips(plan)["T00003"]  # done before the closure
    for t in new.trips:  # only legs already under way at the closure still use the road
        assert all(leg.link_id != "border--haven" or leg.depart_h < NOW for leg in t.legs)
    # T00001 was carrying H0009-H0012 towards the border: it stops there, they go on from there by air.
    t1 = trips["T00001"]
    assert t1.legs[-1].destination == "border" and len(t1.legs) == 3  # type: ignore[attr-defined]
    its = {i.household_id: i for i in new.itineraries}
    assert its["H0009"].trip_ids[0] == "T00001" and its["H0009"].safe_place == "home"
    assert "T00001" in new.meta["replan"]["cut_trips"]
    assert "H0009" in result.changed and "H0001" not in result.changed
    assert new.kpis is not None and new.kpis.safe == plan.kpis.safe  # type: ignore[union-attr]


def test_a_late_closure_report_does_not_turn_the_past_into_a_violation(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    events = [Closure(7.0, "border--haven")]  # T00003 drove it 8.17-9.17 h: it got through
    result = replan_result(sc, plan, events, NOW)
    assert_valid(result.plan, result.scenario)
    assert _trips(result.plan)["T00003"] is _trips(plan)["T00003"]
    for t in result.plan.trips:  # T00004 was already on it (9.17-10.17 h); nothing new uses it
        assert all(leg.link_id != "border--haven" or leg.depart_h < NOW for leg in t.legs)
    (closure,) = [th for th in result.scenario.threats if th.reported_h is not None]
    on_it = _trips(plan)["T00004"].legs[0]  # type: ignore[attr-defined]
    assert on_it.link_id == "border--haven" and on_it.depart_h < NOW < on_it.arrive_h
    # the closure keeps the time reported (never moved to fit the past), known from now
    assert closure.when.quantile(0.5) == 7.0 and closure.reported_h == NOW
    # a leg that departs after the report is judged against it: the checker would reject it
    late = Trip("late", "buses", 0, (Leg(on_it.link_id, on_it.origin, on_it.destination, NOW + 0.5, NOW + 1.5),), ())
    bad = replace(result.plan, trips=(*result.plan.trips, late))
    assert any(v.rule is Rule.CLOSURE and v.subject == "late" for v in check_plan(bad, result.scenario).violations)


def test_the_same_closure_reported_twice_is_one_threat(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    first = replan_result(sc, plan, [Closure(NOW, "border--haven")], NOW)
    again = replan_result(first.scenario, first.plan, [Closure(NOW, "border--haven")], NOW + 1)
    assert len([t for t in again.scenario.threats if t.reported_h is not None]) == 1
    assert_valid(again.plan, again.scenario)


@pytest.mark.parametrize("planner", ALL_PLANNERS, ids=PLANNER_IDS)
def test_every_planner_can_replan(base: tuple[Scenario, Plan], planner: CommittablePlanner) -> None:
    sc, plan = base
    events: list[Event] = [Closure(NOW, "border--haven"), Breakdown(8.0, "buses", 1, 3.0), NoShow(8.0, "H0007")]
    result = replan_result(sc, plan, events, NOW, planner=planner)
    assert_valid(result.plan, result.scenario)
    assert result.plan.planner == planner.name


def test_breakdown_for_good_removes_the_vehicle(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    new = replan(sc, plan, [Breakdown(NOW, "buses", 2, None)], NOW)
    assert_valid(new, sc)
    bus2 = [t for t in new.trips if t.asset_id == "buses" and t.unit == 2]
    assert [t.id for t in bus2] == ["T00003", "T00004"]
    t4 = _trips(new)["T00004"]
    assert len(t4.legs) == 1 and not t4.boardings  # type: ignore[attr-defined]  # stopped at the border
    its = {i.household_id: i for i in new.itineraries}
    assert "T00004" not in its["H0003"].trip_ids  # collected by another bus


def test_breakdown_with_repair_keeps_the_vehicle_idle_until_repaired(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    new = replan(sc, plan, [Breakdown(NOW, "buses", 2, 5.0)], NOW)
    assert_valid(new, sc)
    later = [t for t in new.trips if t.asset_id == "buses" and t.unit == 2 and t.id.startswith("R1-")]
    assert later and min(t.depart_h for t in later) >= NOW + 5.0


def test_no_show_frees_the_seats_and_is_listed(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    result = replan_result(sc, plan, [NoShow(8.5, "H0005"), NoShow(6.0, "H0001")], NOW)
    new = result.plan
    assert_valid(new, sc)
    assert "H0005" not in _riders(new) and "H0001" not in _riders(new)
    left = {lb.household_id: lb.reason for lb in new.left_behind}
    assert left == {"H0001": LeftBehindReason.NO_SHOW, "H0005": LeftBehindReason.NO_SHOW}
    assert [b.household_id for b in _trips(new)["T00003"].boardings] == ["H0002"]  # type: ignore[attr-defined]
    assert new.kpis is not None and new.kpis.safe == plan.kpis.safe - 40  # type: ignore[union-attr]
    assert new.meta["replan"]["no_show"] == ["H0001", "H0005"]


def _newcomers() -> tuple[Household, tuple]:  # type: ignore[type-arg]
    pop = make_population([("capital", 3)])
    people = tuple(replace(p, id=f"PNEW{k}", household_id="HNEW", registration_seq=1000 + k)
                   for k, p in enumerate(pop.people))
    return Household("HNEW", tuple(p.id for p in people), "capital"), people


def test_registration_adds_a_household(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    household, people = _newcomers()
    events = [Registration(8.0, household, people)]
    result = replan_result(sc, plan, events, NOW)
    assert_valid(result.plan, result.scenario)
    its = {i.household_id: i for i in result.plan.itineraries}
    assert "HNEW" in its and "HNEW" in result.changed
    assert result.plan.kpis is not None and result.plan.kpis.travelling == plan.kpis.travelling + 3  # type: ignore[union-attr]


def test_registration_of_a_known_household_is_rejected(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    household, people = _newcomers()
    with pytest.raises(EventConflict, match=r"H0001.*already registered"):
        replan(sc, plan, [Registration(8.0, replace(household, id="H0001"), people)], NOW)


def test_boarding_on_a_trip_that_has_left_is_rejected_with_the_times(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    with pytest.raises(EventConflict) as info:
        replan(sc, plan, [Closure(NOW, "north"), Boarded(8.0, "H0001", "T00003")], NOW)
    message = str(info.value)
    assert message.startswith("event #1: household H0001 boarded trip T00003 at Tue 22 Jan 2013 08:00 +02:00")
    assert ("trip T00003 left capital at Tue 22 Jan 2013 06:30 +02:00, "
            "before the reported boarding at Tue 22 Jan 2013 08:00") in message
    assert not re.search(r"\d h\b", message), "times are clock times an operator can act on, not hours"


@pytest.mark.parametrize(("event", "words"), [
    (Boarded(7.0, "H0001", "T00004"), "trip T00004 does not carry household H0001; the plan puts it on T00003"),
    (Boarded(7.0, "H0001", "T09999"), "the plan has no trip 'T09999'"),
    (Boarded(10.0, "H0005", "T00005"), "after now (Tue 22 Jan 2013 09:30 +02:00)"),
    (Closure(7.0, "atlantis"), "no place or link 'atlantis'"),
    (Breakdown(7.0, "buses", 7, None), "no vehicle 7 in a fleet 'buses'"),
    (NoShow(7.0, "H9999"), "no household 'H9999'"),
])
def test_events_that_contradict_the_plan_or_scenario(base: tuple[Scenario, Plan], event: object,
                                                     words: str) -> None:
    sc, plan = base
    with pytest.raises(EventConflict, match="event #0: ") as info:
        replan(sc, plan, [event], NOW)  # type: ignore[list-item]
    assert words in str(info.value)


def test_a_confirmed_boarding_keeps_its_trip(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    new = replan(sc, plan, [Boarded(NOW, "H0005", "T00005")], NOW)
    assert_valid(new, sc)
    assert _trips(new)["T00005"] is _trips(plan)["T00005"]


def test_households_nobody_can_collect_are_stranded_not_lost(base: tuple[Scenario, Plan]) -> None:
    # The border closes shortly after T00001 drops H0009-H0012 there, and the road to the haven is shut.
    sc, plan = base
    events = [Closure(NOW, "border--haven"), Closure(11.6, "border")]
    result = replan_result(sc, plan, events, NOW)
    new = result.plan
    assert_valid(new, result.scenario)
    assert result.stranded == ("H0009", "H0010", "H0011", "H0012")
    stranded = new.meta["replan"]["stranded"]
    assert {s["place"] for s in stranded} == {"border"} and {s["since_h"] for s in stranded} == {11.5}
    # the plan says where they are: they rode T00001 to the border and wait there
    assert set(result.stranded) <= _riders(new)
    left = {lb.household_id: lb for lb in new.left_behind}
    assert all(left[h].at == "border" and left[h].since_h == 11.5 for h in result.stranded)
    # a later re-plan starts them from the border, not from home, and keeps them there while it is closed
    again = replan_result(result.scenario, new, [], NOW + 1)
    assert_valid(again.plan, again.scenario)
    assert again.changed == () and again.stranded == result.stranded


def test_left_behind_at_a_place_needs_rides_that_bring_it_there(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    result = replan_result(sc, plan, [Closure(NOW, "border--haven"), Closure(11.6, "border")], NOW)
    lie = tuple(replace(lb, at="coast") if lb.at else lb for lb in result.plan.left_behind)
    report = check_plan(replace(result.plan, left_behind=lie), result.scenario)
    assert any(v.rule is Rule.ACCOUNTING and "left behind at coast" in v.message for v in report.violations)
    with pytest.raises(ModelError, match="go together"):
        replace(lie[0], since_h=None, at="border")


def test_replanning_twice(base: tuple[Scenario, Plan]) -> None:
    sc, plan = base
    first = replan_result(sc, plan, [Closure(NOW, "border--haven")], NOW)
    second = replan_result(first.scenario, first.plan, [Breakdown(12.0, "buses", 0, None)], 12.0)
    assert_valid(second.plan, second.scenario)
    assert second.plan.meta["replan"]["generation"] == 2
    kept = {t.id: t for t in first.plan.trips if t.depart_h < 12.0}
    now_trips = _trips(second.plan)
    assert all(tid in now_trips for tid in kept)


TARGETS = ("capital", "north", "coast", "border", "haven", "airport", "capital--border", "border--haven",
           "capital--north", "north--coast", "coast--airport", "airport--home")


@pytest.mark.parametrize("case", range(24))
def test_random_events_always_give_a_valid_plan(case: int) -> None:
    """Seeded random populations, planners, times and events: the re-plan (and a second one) always checks."""
    rng = random.Random(case)
    sc = tiny([(rng.choice(["capital", "north", "coast"]), rng.randint(1, 15)) for _ in range(rng.randint(1, 40))])
    first, second = rng.choice(ALL_PLANNERS), rng.choice(ALL_PLANNERS)
    plan = first.plan(sc)
    now = plan.start_h + rng.uniform(0, 30)
    events: list[Event] = []
    for _ in range(rng.randint(1, 4)):
        k = rng.random()
        if k < 0.5:
            events.append(Closure(rng.uniform(now - 5, now + 20), rng.choice(TARGETS)))
        elif k < 0.8:
            events.append(Breakdown(rng.uniform(now - 5, now + 5), "buses", rng.randrange(3),
                                    rng.choice([None, rng.uniform(0, 10)])))
        else:
            events.append(NoShow(now - 1, rng.choice(sc.population.households).id))
    result = replan_result(sc, plan, events, now, planner=second)
    assert_valid(result.plan, result.scenario)
    later = now + rng.uniform(0, 10)
    again = replan_result(result.scenario, result.plan, [Closure(later, rng.choice(TARGETS))], later, planner=first)
    assert_valid(again.plan, again.scenario)


def _bookings(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Each household's trips, or its reason for being left behind."""
    out = {it.household_id: it.trip_ids for it in plan.itineraries}
    out.update({lb.household_id: ("left", lb.reason.value) for lb in plan.left_behind})
    return out


@pytest.mark.parametrize("case", range(16))
def test_a_replan_with_nothing_new_keeps_every_booking(case: int) -> None:
    """Property (seeded random populations, planners and moments): nothing new, nothing changed, no message."""
    rng = random.Random(1000 + case)
    sc = tiny([(rng.choice(["capital", "north", "coast"]), rng.randint(1, 15)) for _ in range(rng.randint(1, 40))])
    planner = rng.choice(ALL_PLANNERS)
    plan = planner.plan(sc)
    now = plan.start_h + rng.uniform(-2, 40)
    result = replan_result(sc, plan, [], now, planner=rng.choice(ALL_PLANNERS))
    assert_valid(result.plan, result.scenario)
    assert result.changed == ()
    assert _bookings(result.plan) == _bookings(plan)
    assert {t.id for t in result.plan.trips} == {t.id for t in plan.trips}


@pytest.mark.parametrize("case", range(8))
def test_a_closure_reported_again_changes_nothing_more(case: int) -> None:
    rng = random.Random(2000 + case)
    sc = tiny([(rng.choice(["capital", "north", "coast"]), rng.randint(1, 15)) for _ in range(rng.randint(5, 40))])
    plan = rng.choice(ALL_PLANNERS).plan(sc)
    now = plan.start_h + rng.uniform(0, 20)
    closure = Closure(rng.uniform(now - 5, now + 20), rng.choice(TARGETS))
    first = replan_result(sc, plan, [closure], now)
    again = replan_result(first.scenario, first.plan, [closure], now)
    assert_valid(again.plan, again.scenario)
    assert again.changed == () and _bookings(again.plan) == _bookings(first.plan)
