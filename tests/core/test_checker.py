"""The independent plan checker: a hand-made valid plan passes; each deliberate break is caught by its rule.

The scenario and the valid plan are in conftest.py. Every broken plan below changes as little as possible,
so that it breaks exactly one rule: the test asserts that no other rule fires.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evac.core.check import CheckReport, Rule, check_plan, compute_kpis
from evac.core.model import (
    Boarding,
    Effect,
    Fixed,
    Itinerary,
    LeftBehind,
    LeftBehindReason,
    Leg,
    Plan,
    Scenario,
    Threat,
)
from evac.core.model.plan import Trip

Case = Callable[[Plan, Scenario], tuple[Plan, Scenario]]


def _leg(link_id: str, depart_h: float, arrive_h: float, *, reverse: bool = False) -> Leg:
    origin, destination = link_id.split("--")
    if reverse:
        origin, destination = destination, origin
    return Leg(link_id, origin, destination, depart_h, arrive_h)


def _trip(plan: Plan, trip_id: str) -> Trip:
    return next(t for t in plan.trips if t.id == trip_id)


def _edit(plan: Plan, trip_id: str, **changes: object) -> Plan:
    """The plan with the fields of one trip replaced."""
    new = replace(_trip(plan, trip_id), **changes)  # type: ignore[arg-type]
    return replace(plan, trips=tuple(new if t.id == trip_id else t for t in plan.trips))


def _itinerary(plan: Plan, new: Itinerary) -> Plan:
    """The plan with the household's itinerary replaced (or added)."""
    kept = tuple(it for it in plan.itineraries if it.household_id != new.household_id)
    return replace(plan, itineraries=(*kept, new))


def _without_left_behind(plan: Plan, household_id: str) -> Plan:
    return replace(plan, left_behind=tuple(lb for lb in plan.left_behind if lb.household_id != household_id))


H4_ALL = ("p41", "p42", "p43", "p44")

# -- one deliberately broken plan per rule (some rules have several ways to break) -------------------


def ref_departure_out_of_range(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _edit(p, "T3", unit=5), s


def ref_unknown_asset(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _edit(p, "T2", asset_id="ferry"), s


def ref_duplicate_trip_id(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _edit(p, "T4", id="T1"), s


def ref_unknown_person(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _edit(p, "T2", boardings=(Boarding("H4", (*H4_ALL, "p99"), 0, 0),)), s


def ref_link_of_the_wrong_mode(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _edit(p, "T2", legs=(Leg("lta--mow", "dam", "lta", 1.0, 5.0),)), s


def leg_faster_than_link(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _edit(p, "T2", legs=(_leg("dam--lta", 1.0, 4.5),)), s


def leg_before_plan_start(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return replace(p, start_h=0.6), s  # T1 leaves at 0.5


def continuity_leg_leaves_before_previous_arrives(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    legs = (_leg("masnaa--leb", 3.0, 3.5, reverse=True), _leg("dam--masnaa", 3.4, 4.5, reverse=True))
    return _edit(p, "T4", legs=legs), s  # empty: a loaded bus would also leave masnaa unprocessed


def availability_before_window(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _edit(p, "T1", legs=(_leg("dam--masnaa", 0.2, 1.5), _leg("masnaa--leb", 2.0, 2.5))), s


def availability_after_window(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return p, replace(s, fleets=(replace(s.fleets[0], available_until_h=6.5),))  # T5 arrives at 7


def service_area_bus_beyond_its_region(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    places = tuple(replace(pl, region="sy") if pl.id in ("dam", "masnaa") else pl for pl in s.places)
    fleets = tuple(replace(f, serves=frozenset({"sy", "lta"})) for f in s.fleets)
    return p, replace(s, places=places, fleets=fleets)  # T1, T4 and T5 drive on to leb, in Lebanon


def boarding_time_of_a_slow_fleet(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return p, replace(s, fleets=tuple(replace(f, boarding_h=1.0) for f in s.fleets))  # T1 leaves 0.25 h after


def overlap_next_trip_too_early(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _edit(p, "T5", legs=(_leg("dam--masnaa", 4.4, 6.0), _leg("masnaa--leb", 6.5, 7.0))), s


def overlap_vehicle_teleports(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return replace(p, trips=tuple(t for t in p.trips if t.id != "T4")), s  # T5 leaves dam, bus is at leb


def overlap_not_from_depot(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return p, replace(s, fleets=(replace(s.fleets[0], depot="lta"),))


def schedule_wrong_departure(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _edit(p, "T3", unit=1), s  # departure 1 leaves at 32 h


def schedule_departure_used_twice(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return replace(p, trips=(*p.trips, Trip("T6", "il76", 0, (_leg("lta--mow", 8.0, 12.0),)))), s


def schedule_off_timetable(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return p, replace(s, services=(replace(s.services[0], first_departure_h=8.5),))


def seats_service_overbooked(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    h7 = Boarding("H7", ("p71", "p72"), 0, 0)
    p = _edit(p, "T2", boardings=(*_trip(p, "T2").boardings, h7))
    p = _edit(p, "T3", boardings=(*_trip(p, "T3").boardings, h7))  # 7 on the 5-seat Il-76
    p = _itinerary(p, Itinerary("H7", ("T2", "T3"), 12.0, "mow"))
    return _without_left_behind(p, "H7"), s


def closure_of_a_link(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _edit(p, "T2", legs=(_leg("dam--lta", 2.5, 6.5),)), s  # the road closes at 6


def closure_of_a_place(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    closes = Threat("masnaa-falls", "Masnaa falls", "masnaa", Effect.CLOSE, Fixed(6.25))
    return p, replace(s, threats=(*s.threats, closes))  # T5 leaves masnaa at 6.5


def throughput_of_the_crossing(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    p = _edit(p, "T1", boardings=(*_trip(p, "T1").boardings, Boarding("H5", ("p51",), 0, 1)))
    p = _edit(p, "T5", boardings=())  # 5 people dwell 0.5 h at masnaa, which processes 8 per hour
    return _itinerary(p, Itinerary("H5", ("T1",), 2.5, "leb")), s


def capacity_of_a_link(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    legs = (_leg("masnaa--leb", 2.5, 3.0, reverse=True), _leg("dam--masnaa", 3.5, 4.5, reverse=True))
    return _edit(p, "T4", legs=legs), s  # T1 and T4 both enter masnaa--leb in hour 2


def shelter_over_capacity(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    places = tuple(replace(pl, capacity=1) if pl.id == "leb" else pl for pl in s.places)
    return p, replace(s, places=places)


def family_split(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    t1 = _trip(p, "T1")
    return _edit(p, "T1", boardings=(Boarding("H1", ("p11",), 0, 1), t1.boardings[1])), s


def eligibility_ineligible_on_board(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _edit(p, "T5", boardings=(Boarding("H5", ("p51", "p52"), 0, 1),)), s


def itinerary_wrong_safe_time(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _itinerary(p, Itinerary("H1", ("T1",), 3.0, "leb")), s


def itinerary_boards_away_from_home(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    t2 = _trip(p, "T2")  # H6 lives at the airport, but boards the bus in Damascus
    return _edit(p, "T2", boardings=(*t2.boardings, Boarding("H6", ("p61",), 0, 0))), s


def itinerary_ends_short_of_safety(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    p = _edit(p, "T3", boardings=(Boarding("H6", ("p61",), 0, 0),))
    return _itinerary(p, Itinerary("H4", ("T2",), 5.0, "lta")), s


def itinerary_missed_connection(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    s = replace(s, services=(replace(s.services[0], first_departure_h=5.5),))  # H4 lands at 5.0
    p = _edit(p, "T3", legs=(_leg("lta--mow", 5.5, 9.5),))
    p = _itinerary(p, Itinerary("H4", ("T2", "T3"), 9.5, "mow"))
    return _itinerary(p, Itinerary("H6", ("T3",), 9.5, "mow")), s


def accounting_household_forgotten(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return _without_left_behind(p, "H7"), s


def accounting_household_without_travellers(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return replace(p, left_behind=(*p.left_behind, LeftBehind("H3", (), LeftBehindReason.NOT_REACHED))), s


def accounting_safe_and_left_behind(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    both = LeftBehind("H1", ("p11", "p12"), LeftBehindReason.NO_CAPACITY)
    return replace(p, left_behind=(*p.left_behind, both)), s


def accounting_left_behind_people(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return replace(p, left_behind=(LeftBehind("H7", ("p71",), LeftBehindReason.NO_CAPACITY),)), s


def kpi_count_differs(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    return p.with_kpis(replace(compute_kpis(p, s), safe=99)), s


def kpi_float_differs(p: Plan, s: Scenario) -> tuple[Plan, Scenario]:
    kpis = compute_kpis(p, s)
    return p.with_kpis(replace(kpis, exposure_person_h=kpis.exposure_person_h + 1e-3)), s


CASES: list[tuple[Case, Rule, str]] = [
    (ref_departure_out_of_range, Rule.REFERENCE, "T3"),
    (ref_unknown_asset, Rule.REFERENCE, "T2"),
    (ref_duplicate_trip_id, Rule.REFERENCE, "T1"),
    (ref_unknown_person, Rule.REFERENCE, "T2"),
    (ref_link_of_the_wrong_mode, Rule.REFERENCE, "T2"),
    (leg_faster_than_link, Rule.LEG_TIME, "T2"),
    (leg_before_plan_start, Rule.LEG_TIME, "T1"),
    (continuity_leg_leaves_before_previous_arrives, Rule.CONTINUITY, "T4"),
    (availability_before_window, Rule.AVAILABILITY, "T1"),
    (availability_after_window, Rule.AVAILABILITY, "T5"),
    (service_area_bus_beyond_its_region, Rule.SERVICE_AREA, "T1"),
    (boarding_time_of_a_slow_fleet, Rule.BOARDING_TIME, "T1"),
    (overlap_next_trip_too_early, Rule.VEHICLE_OVERLAP, "T5"),
    (overlap_vehicle_teleports, Rule.VEHICLE_OVERLAP, "T5"),
    (overlap_not_from_depot, Rule.VEHICLE_OVERLAP, "T1"),
    (schedule_wrong_departure, Rule.SERVICE_SCHEDULE, "T3"),
    (schedule_departure_used_twice, Rule.SERVICE_SCHEDULE, "T6"),
    (schedule_off_timetable, Rule.SERVICE_SCHEDULE, "T3"),
    (seats_service_overbooked, Rule.SEATS, "T3"),
    (closure_of_a_link, Rule.CLOSURE, "T2"),
    (closure_of_a_place, Rule.CLOSURE, "T5"),
    (throughput_of_the_crossing, Rule.CROSSING_THROUGHPUT, "T1"),
    (capacity_of_a_link, Rule.LINK_CAPACITY, "T4"),
    (shelter_over_capacity, Rule.SHELTER_CAPACITY, "leb"),
    (family_split, Rule.FAMILY_UNITY, "H1"),
    (eligibility_ineligible_on_board, Rule.ELIGIBILITY, "H5"),
    (itinerary_wrong_safe_time, Rule.ITINERARY, "H1"),
    (itinerary_boards_away_from_home, Rule.ITINERARY, "H6"),
    (itinerary_ends_short_of_safety, Rule.ITINERARY, "H4"),
    (itinerary_missed_connection, Rule.ITINERARY, "H4"),
    (accounting_household_forgotten, Rule.ACCOUNTING, "H7"),
    (accounting_household_without_travellers, Rule.ACCOUNTING, "H3"),
    (accounting_safe_and_left_behind, Rule.ACCOUNTING, "H1"),
    (accounting_left_behind_people, Rule.ACCOUNTING, "H7"),
    (kpi_count_differs, Rule.KPI_MISMATCH, "safe"),
    (kpi_float_differs, Rule.KPI_MISMATCH, "exposure_person_h"),
]


def test_the_hand_made_plan_is_valid(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    report = check_plan(tiny_plan, tiny_scenario)
    assert report.ok, [v.message for v in report.violations]
    assert report.kpis == compute_kpis(tiny_plan, tiny_scenario)


def test_declared_kpis_that_match_pass(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    kpis = compute_kpis(tiny_plan, tiny_scenario)
    nudged = replace(kpis, exposure_person_h=kpis.exposure_person_h * (1 + 1e-9))
    assert check_plan(tiny_plan.with_kpis(nudged), tiny_scenario).ok


def test_every_rule_has_a_broken_plan() -> None:
    assert {rule for _, rule, _ in CASES} == set(Rule)


@pytest.mark.parametrize(("case", "rule", "named"), CASES, ids=[c.__name__ for c, _, _ in CASES])
def test_each_broken_plan_breaks_exactly_its_rule(case: Case, rule: Rule, named: str, tiny_plan: Plan,
                                                  tiny_scenario: Scenario) -> None:
    plan, scenario = case(tiny_plan, tiny_scenario)
    report = check_plan(plan, scenario)
    assert not report.ok
    assert {v.rule for v in report.violations} == {rule}, [v.message for v in report.violations]
    assert any(named in v.message for v in report.violations), report.violations
    for v in report.violations:
        assert v.message.endswith(f"[{rule}]") and v.subject in v.message


def test_messages_name_the_trip_leg_and_numbers(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    report = check_plan(*seats_service_overbooked(tiny_plan, tiny_scenario))
    assert [v.message for v in report.violations] == [
        "trip T3 leg 0 (lta--mow): 7 people on board, 5 seats [seats]"]
    report = check_plan(*throughput_of_the_crossing(tiny_plan, tiny_scenario))
    assert [v.message for v in report.violations] == [
        "crossing masnaa, 1.5 h to 2 h: 5 people arrive and leave in this window on trips T1; it processes "
        "8 per hour, 4 in the window, so 1 person leaves unprocessed [crossing_throughput]"]
    report = check_plan(*closure_of_a_link(tiny_plan, tiny_scenario))
    assert [v.message for v in report.violations] == [
        "trip T2 leg 0 (dam--lta): arrives 6.5 h, after link dam--lta closes at 6 h [closure]"]


def test_the_time_tolerance_is_a_microhour(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    just_in = _edit(tiny_plan, "T2", legs=(_leg("dam--lta", 1.0, 5.0 - 5e-7),))
    assert check_plan(just_in, tiny_scenario).ok
    too_fast = _edit(tiny_plan, "T2", legs=(_leg("dam--lta", 1.0, 5.0 - 2e-6),))
    assert {v.rule for v in check_plan(too_fast, tiny_scenario).violations} == {Rule.LEG_TIME}


def test_malformed_plans_give_violations_not_exceptions(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    t1 = _trip(tiny_plan, "T1")
    plan = replace(tiny_plan, trips=(
        *tiny_plan.trips,
        Trip("X1", "bus", 1, ()),
        Trip("X2", "bus", 1, (Leg("nowhere", "atlantis", "dam", math.nan, 30.0),)),
        Trip("X3", "bus", 1, (_leg("dam--masnaa", 30.0, math.inf),), (replace(t1.boardings[0], last_leg=4),)),
        Trip("X4", "bus", 1, (_leg("dam--masnaa", 40.0, 41.0),), (Boarding("H?", ("p11",), 0, 0),
                                                                  Boarding("H3", (), 0, 0))),
    ), itineraries=(*tiny_plan.itineraries, Itinerary("H?", ("X4",), 41.0, "masnaa")))
    report = check_plan(plan, tiny_scenario)
    messages = [v.message for v in report.violations]
    assert "trip X1: has no legs [reference]" in messages
    assert "trip X2 leg 0 (atlantis--dam): unknown place 'atlantis' [reference]" in messages
    assert any(v.rule is Rule.LEG_TIME and v.subject == "X2" for v in report.violations)
    assert any(v.rule is Rule.LEG_TIME and v.subject == "X3" for v in report.violations)
    assert "trip X3: household H1 rides legs 0 to 4, but the trip has legs 0 to 0 [reference]" in messages
    assert "trip X4: unknown household 'H?' [reference]" in messages
    assert "trip X4: household H3 boards nobody [reference]" in messages
    assert "itinerary of unknown household 'H?' [reference]" in messages


def test_report_helpers(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    report = check_plan(*accounting_safe_and_left_behind(tiny_plan, tiny_scenario))
    assert report.count_by_rule() == {Rule.ACCOUNTING: len(report.violations)}
    assert report.of(Rule.ACCOUNTING) == report.violations and report.of(Rule.SEATS) == ()
    assert str(report.violations[0]) == report.violations[0].message


# -- properties --------------------------------------------------------------------------------------


def _shuffled(plan: Plan, order: list[int]) -> Plan:
    trips = tuple(plan.trips[i % len(plan.trips)] for i in order if i < len(plan.trips))
    trips += tuple(t for t in plan.trips if t not in trips)
    return replace(plan, trips=trips, itineraries=plan.itineraries[::-1])


@settings(max_examples=60, deadline=None)
@given(order=st.permutations(range(6)))
def test_the_verdict_does_not_depend_on_the_order_of_the_plan(order: list[int], tiny_plan: Plan,
                                                              tiny_scenario: Scenario) -> None:
    report = check_plan(_shuffled(tiny_plan, order), tiny_scenario)
    assert report.ok
    assert report.kpis == compute_kpis(tiny_plan, tiny_scenario)


@settings(max_examples=60, deadline=None)
@given(case=st.sampled_from(CASES), order=st.permutations(range(6)))
def test_breaks_are_found_whatever_the_order(case: tuple[Case, Rule, str], order: list[int], tiny_plan: Plan,
                                             tiny_scenario: Scenario) -> None:
    plan, scenario = case[0](tiny_plan, tiny_scenario)
    assert {v.rule for v in check_plan(_shuffled(plan, order), scenario).violations} == {case[1]}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_dropping_any_boarding_or_record_is_caught(data: st.DataObject, tiny_plan: Plan,
                                                   tiny_scenario: Scenario) -> None:
    slots = [(t.id, i) for t in tiny_plan.trips for i in range(len(t.boardings))]
    slots += [("itinerary", i) for i in range(len(tiny_plan.itineraries))]
    slots += [("left_behind", i) for i in range(len(tiny_plan.left_behind))]
    where, i = data.draw(st.sampled_from(slots))
    if where == "itinerary":
        plan = replace(tiny_plan, itineraries=tiny_plan.itineraries[:i] + tiny_plan.itineraries[i + 1:])
        expected = Rule.ACCOUNTING
    elif where == "left_behind":
        plan = replace(tiny_plan, left_behind=tiny_plan.left_behind[:i] + tiny_plan.left_behind[i + 1:])
        expected = Rule.ACCOUNTING
    else:
        boardings = _trip(tiny_plan, where).boardings
        plan = _edit(tiny_plan, where, boardings=boardings[:i] + boardings[i + 1:])
        expected = Rule.ITINERARY
    report = check_plan(plan, tiny_scenario)
    assert expected in {v.rule for v in report.violations}


_times = st.one_of(st.floats(-5, 50), st.sampled_from([math.nan, math.inf, -math.inf]))
_places = st.sampled_from(["dam", "masnaa", "leb", "lta", "mow", "atlantis"])
_legs = st.builds(Leg, st.sampled_from(["dam--masnaa", "masnaa--leb", "dam--lta", "lta--mow", "x"]),
                  _places, _places, _times, _times)
_households = st.sampled_from(["H1", "H2", "H3", "H4", "H5", "H6", "H7", "H?"])
_people = st.lists(st.sampled_from(["p11", "p12", "p13", "p41", "p51", "p61", "p71", "p99"]), max_size=4)
_boardings = st.builds(Boarding, _households, _people.map(tuple), st.integers(-1, 3), st.integers(-1, 3))
_trips = st.builds(Trip, st.sampled_from(["T1", "T2", "T3", "T9"]), st.sampled_from(["bus", "il76", "ferry"]),
                   st.integers(-1, 3), st.lists(_legs, max_size=3).map(tuple),
                   st.lists(_boardings, max_size=3).map(tuple))


@settings(max_examples=150, deadline=None)
@given(trips=st.lists(_trips, max_size=5), drop=st.integers(0, 7))
def test_any_plan_gets_a_verdict(trips: list[Trip], drop: int, tiny_plan: Plan,
                                 tiny_scenario: Scenario) -> None:
    stray = Itinerary("H?", ("T9",), math.nan, "mow")
    plan = replace(tiny_plan, trips=tuple(trips), itineraries=(*tiny_plan.itineraries[:drop], stray))
    report: CheckReport = check_plan(plan, tiny_scenario)
    assert not report.ok  # at least the unknown household
    assert report.kpis.trips == len(trips)
    for v in report.violations:
        assert v.message.endswith(f"[{v.rule}]")


# -- scale ---------------------------------------------------------------------------------------------


def test_a_syria_sized_plan_checks(make_large_case: Callable[[int], tuple[Scenario, Plan]]) -> None:
    # its speed is measured by the planner benchmark (``check_s`` of every ``evac bench`` row), not asserted
    scenario, plan = make_large_case(25_000)
    assert 900 < len(plan.trips) < 1400
    report = check_plan(plan, scenario)
    assert report.ok, report.violations[:5]
    assert report.kpis.safe == report.kpis.travelling >= 25_000
