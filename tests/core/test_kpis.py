"""The KPI definition, checked against numbers worked out by hand on the tiny scenario (see conftest.py)."""

from __future__ import annotations

from dataclasses import replace

from evac.core.check import compute_kpis
from evac.core.model import (
    KPIs,
    LeftBehind,
    LeftBehindReason,
    Plan,
    Policy,
    PriorityClass,
    Scenario,
    Vulnerability,
)
from evac.core.model.plan import Trip

NO_ONE_LEFT = {r.value: 0 for r in LeftBehindReason}


def _trip(plan: Plan, trip_id: str) -> Trip:
    return next(t for t in plan.trips if t.id == trip_id)


def _replace_trip(plan: Plan, trip: Trip) -> Plan:
    return replace(plan, trips=tuple(trip if t.id == trip.id else t for t in plan.trips))


def test_kpis_of_the_hand_made_plan(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    # People: 16 registered; p13, p52 ineligible (14 eligible); p23 declines, p31 undecided, p52 declines
    # (13 willing); travellers: H1 2, H2 2, H4 4, H5 1, H6 1, H7 2 = 12.
    # Weights 4/3/2/1 (medical/children/elderly/general): travelling 2*4 + 4*3 + 1*2 + 5*1 = 27,
    # safe (all but H7's two general members) 27 - 2 = 25.
    # Exposure, per traveller (danger: dam from 0.75 h, masnaa from 6.25 h, lta from 7 h, road dam--lta from
    # its 6 h closure; none on other links or at the havens):
    #   H1, H2 leave dam at 0.5 and wait at masnaa 1.5-2 h: 0.
    #   H4 waits at dam 0-1 h (0.25), rides dam--lta 1-5 h (0), waits at lta 5-8 h (1.0): 1.25 x 4 = 5.
    #   H6 waits at lta 0-8 h: 1.0.
    #   H5 waits at dam 0-5 h (4.25) and in the bus at masnaa 6-6.5 h (0.25): 4.5.
    #   H7 is left behind and counts nothing.  Total 10.5 person-hours.
    # Seat-hours on bus legs: occupied T1 4*1 + 4*0.5, T2 4*4, T5 1*1 + 1*0.5 = 23.5;
    # offered 10 * (1.5 + 4 + 1.5 + 1.5) = 85.
    assert compute_kpis(tiny_plan, tiny_scenario) == KPIs(
        registered=16, eligible=14, willing=13, travelling=12, travelling_weighted=27.0,
        safe=10, safe_weighted=25.0, clearance_h=12.0, left_behind=2, exposure_person_h=10.5,
        seat_utilisation=23.5 / 85, trips=5,
        safe_by_class={"medical": 2, "children": 4, "elderly": 1, "general": 3},
        travelling_by_class={"medical": 2, "children": 4, "elderly": 1, "general": 5},
        left_behind_by_reason=NO_ONE_LEFT | {"no_capacity": 2},
    )


def test_clearance_counts_from_the_plan_start(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    kpis = compute_kpis(replace(tiny_plan, start_h=0.25), tiny_scenario)
    assert kpis.clearance_h == 11.75
    assert kpis.exposure_person_h == 10.5  # every danger starts after 0.25 h


def test_waiting_in_the_vehicle_at_a_dangerous_stop_is_exposure(tiny_plan: Plan,
                                                                 tiny_scenario: Scenario) -> None:
    t5 = _trip(tiny_plan, "T5")
    later = replace(t5, legs=(t5.legs[0], replace(t5.legs[1], depart_h=6.75, arrive_h=7.25)))
    plan = _replace_trip(tiny_plan, later)
    plan = replace(plan, itineraries=tuple(replace(it, safe_at_h=7.25) if it.household_id == "H5" else it
                                           for it in plan.itineraries))
    assert compute_kpis(plan, tiny_scenario).exposure_person_h == 10.5 + 0.25  # masnaa 6.25-6.75 h


def test_left_behind_people_count_no_exposure_and_are_not_safe(tiny_plan: Plan,
                                                                tiny_scenario: Scenario) -> None:
    t5 = _trip(tiny_plan, "T5")
    plan = _replace_trip(tiny_plan, replace(t5, boardings=()))
    plan = replace(plan, itineraries=tuple(it for it in plan.itineraries if it.household_id != "H5"),
                   left_behind=(*plan.left_behind, LeftBehind("H5", ("p51",), LeftBehindReason.NOT_REACHED)))
    kpis = compute_kpis(plan, tiny_scenario)
    assert kpis.exposure_person_h == 10.5 - 4.5
    assert (kpis.safe, kpis.left_behind, kpis.clearance_h) == (9, 3, 12.0)
    assert kpis.left_behind_by_reason == NO_ONE_LEFT | {"no_capacity": 2, "not_reached": 1}
    assert kpis.seat_utilisation == 22.0 / 85


def test_an_empty_plan_saves_nobody(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    plan = Plan("tiny-check", "nothing", 0.0, (), (), ())
    kpis = compute_kpis(plan, tiny_scenario)
    assert (kpis.safe, kpis.safe_weighted, kpis.clearance_h, kpis.left_behind) == (0, 0.0, None, 0)
    assert (kpis.exposure_person_h, kpis.seat_utilisation, kpis.trips) == (0.0, 0.0, 0)
    assert kpis.safe_by_class == {"medical": 0, "children": 0, "elderly": 0, "general": 0}
    assert kpis.travelling == 12


def test_non_travellers_on_board_are_never_counted_safe(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    t1 = _trip(tiny_plan, "T1")
    everyone = replace(t1.boardings[0], person_ids=("p11", "p12", "p13"))
    plan = _replace_trip(tiny_plan, replace(t1, boardings=(everyone, t1.boardings[1])))
    assert compute_kpis(plan, tiny_scenario).safe == 10


def test_a_household_listed_twice_counts_once(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    plan = replace(tiny_plan, itineraries=tiny_plan.itineraries + tiny_plan.itineraries[:1])
    assert compute_kpis(plan, tiny_scenario) == compute_kpis(tiny_plan, tiny_scenario)


def test_weights_and_classes_come_from_the_policy(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    policy = Policy(priority_classes=(PriorityClass("kids", 5.0, frozenset({Vulnerability.CHILD})),
                                      PriorityClass("everyone", 2.0)))
    kpis = compute_kpis(tiny_plan, tiny_scenario.with_policy(policy))
    assert kpis.travelling_by_class == {"kids": 4, "everyone": 8}
    assert kpis.safe_by_class == {"kids": 4, "everyone": 6}
    assert (kpis.travelling_weighted, kpis.safe_weighted) == (36.0, 32.0)


def test_kpis_do_not_depend_on_the_order_of_the_plan(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    shuffled = replace(tiny_plan, trips=tiny_plan.trips[::-1], itineraries=tiny_plan.itineraries[::-1])
    assert compute_kpis(shuffled, tiny_scenario) == compute_kpis(tiny_plan, tiny_scenario)


def test_kpis_of_a_malformed_plan_do_not_raise(tiny_plan: Plan, tiny_scenario: Scenario) -> None:
    broken = (Trip("X1", "ferry", 0, ()), Trip("X2", "bus", 9, tiny_plan.trips[0].legs,
                                               (replace(tiny_plan.trips[0].boardings[0], first_leg=5),)))
    plan = replace(tiny_plan, trips=tiny_plan.trips + broken,
                   itineraries=(*tiny_plan.itineraries, replace(tiny_plan.itineraries[0], household_id="H?")))
    kpis = compute_kpis(plan, tiny_scenario)
    assert kpis.trips == 7 and kpis.safe == 10
