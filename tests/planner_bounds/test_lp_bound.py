"""The time-expanded LP bound and the combinatorial bound on hand-made instances with known answers."""

from __future__ import annotations

import math

import pytest
from bounds_factory import one_bus, place, population, scenario

from evac.core.model import Fleet, KPIs, Link, Mode, PlaceKind, Service
from evac.core.model.plan import Bound
from evac.core.planner.greedy import GreedyPlanner
from evac.core.planner.lp import combinatorial_bound, gap, lp_bound, lp_bound_report


def test_one_bus_enough_seats_clears_in_one_run() -> None:
    # 20 people, one 50-seat bus at the city: 2 h to the border, 1 h on: nobody is safe before 3 h
    sc = one_bus(people=20, seats=50, travel_h=2.0)
    b = lp_bound(sc)
    assert b.method == "lp-time-expanded"
    assert b.safe_weighted_max == pytest.approx(20.0)
    assert b.clearance_h_min == pytest.approx(3.0)
    greedy = GreedyPlanner().plan(sc)
    assert greedy.kpis is not None and greedy.kpis.clearance_h is not None
    assert b.clearance_h_min <= greedy.kpis.clearance_h + 1e-9


def test_round_trips_limit_clearance() -> None:
    # 20 people, a 10-seat bus: two runs, the second after a 6 h round trip: the last safe at >= 9 h
    sc = one_bus(people=20, seats=10, travel_h=2.0)
    b = lp_bound(sc)
    assert b.safe_weighted_max == pytest.approx(20.0)
    assert b.clearance_h_min == pytest.approx(9.0)


def test_crossing_rate_limits_clearance() -> None:
    # 40 people through a crossing of 10 per hour: nobody is there before 1 h, so the last of them is
    # processed at 5 h at the earliest, and safe at 6 h (less the checker's float slack)
    sc = one_bus(people=40, seats=50, travel_h=1.0, rate=10)
    b = lp_bound(sc)
    assert b.clearance_h_min == pytest.approx(6.0, abs=1e-5)
    assert combinatorial_bound(sc).clearance_h_min == pytest.approx(6.0, abs=1e-5)
    greedy = GreedyPlanner().plan(sc)  # boarding 0.5 h, then the same: safe at 6.5 h
    assert greedy.kpis is not None and greedy.kpis.clearance_h == pytest.approx(6.5)


def test_a_full_bus_through_a_slow_crossing_stays_above_the_bound() -> None:
    # 48 people on one bus at a crossing of 40 per hour: processed in 1.2 h, they all leave together. A
    # bound counting people *leaving* per hour (at most 40) would claim a clearance this plan beats.
    sc = one_bus(people=48, seats=50, travel_h=1.0, rate=40)
    greedy = GreedyPlanner().plan(sc)
    assert greedy.kpis is not None and greedy.kpis.clearance_h == pytest.approx(3.7)  # 0.5 + 1 + 1.2 + 1
    for b in (lp_bound(sc), combinatorial_bound(sc)):
        assert b.clearance_h_min is not None and b.clearance_h_min <= greedy.kpis.clearance_h
        assert b.clearance_h_min >= 3.2 - 1e-5  # reach the border at 1 h, 1.2 h there, 1 h on


def test_window_limits_people_safe() -> None:
    # the bus window ends at 7 h: one full run (10 safe at 3 h) and no second one. The LP may split the bus
    # (2/3 of it shuttles a second load to the border and on), so it proves only 16 2/3 of 20.
    sc = one_bus(people=20, seats=10, travel_h=2.0, until_h=7.0)
    b = lp_bound(sc)
    assert 10.0 <= b.safe_weighted_max < 20.0
    assert b.safe_weighted_max == pytest.approx(50 / 3)
    assert b.clearance_h_min is None  # not everyone can be safe: no clearance of "everyone"


def test_everything_closed_gives_zero() -> None:
    sc = one_bus(people=8, closures={"city": -1.0})
    for b in (lp_bound(sc), combinatorial_bound(sc)):
        assert b.safe_weighted_max == 0.0
        assert b.clearance_h_min is None


def test_no_vehicles_gives_zero() -> None:
    sc = scenario(places=[place("city"), place("haven", PlaceKind.SAFE_HAVEN)],
                  links=[Link("city--haven", "city", "haven", Mode.ROAD, 1.0)],
                  fleets=[Fleet("bus", "Bus", Mode.ROAD, seats=5, count=0, depot="city", available_from_h=0.0)],
                  pop=population([("city", 3)]))
    assert lp_bound(sc).safe_weighted_max == 0.0
    assert combinatorial_bound(sc).safe_weighted_max == 0.0


def test_household_larger_than_every_seat_is_lost() -> None:
    sc = one_bus(people=4, seats=3)  # one household of four, three seats
    assert lp_bound(sc).safe_weighted_max == 0.0


def test_nobody_travels_is_zero_and_clear() -> None:
    sc = one_bus(people=0)
    b = lp_bound(sc)
    assert b.safe_weighted_max == 0.0
    assert b.clearance_h_min == 0.0


def test_weights_pick_the_heaviest_first() -> None:
    from evac.core.model import Vulnerability

    child = frozenset({Vulnerability.CHILD})
    sc = scenario(
        places=[place("city"), place("haven", PlaceKind.SAFE_HAVEN)],
        links=[Link("city--haven", "city", "haven", Mode.ROAD, 1.0)],
        fleets=[Fleet("bus", "Bus", Mode.ROAD, seats=4, count=1, depot="city", available_from_h=0.0,
                      available_until_h=1.0)],
        pop=population([("city", 4), ("city", 4, child)]),
    )
    # one run of four seats: the bound takes the four children (weight 3 each)
    assert lp_bound(sc).safe_weighted_max == pytest.approx(12.0)
    assert combinatorial_bound(sc).safe_weighted_max == pytest.approx(12.0)


def test_service_seats_and_connection() -> None:
    sc = scenario(
        places=[place("city"), place("air", PlaceKind.AIRPORT), place("home", PlaceKind.SAFE_HAVEN)],
        links=[Link("city--air", "city", "air", Mode.ROAD, 1.0), Link("air--home", "air", "home", Mode.AIR, 4.0)],
        fleets=[Fleet("bus", "Bus", Mode.ROAD, seats=50, count=1, depot="city", available_from_h=0.0)],
        services=[Service("fl", "Flight", Mode.AIR, "air", "home", seats=6, first_departure_h=2.0, cadence_h=5.0,
                          departures=2)],
        pop=population([("city", 3)] * 4),
    )
    b = lp_bound(sc)
    assert b.safe_weighted_max == pytest.approx(12.0)
    assert b.clearance_h_min == pytest.approx(11.0)  # six on the 2 h flight, the rest on the 7 h one
    short = lp_bound(sc, horizon_h=8.0)  # a short grid stays valid: people left at hopeful places count
    assert short.safe_weighted_max == pytest.approx(12.0)
    assert short.clearance_h_min is not None and short.clearance_h_min <= 11.0


def test_report_has_size_and_time() -> None:
    r = lp_bound_report(one_bus(people=20))
    assert r.rows > 0 and r.cols > 0 and r.nonzeros > 0 and r.solves >= 1
    assert r.step_h == 1.0 and r.horizon_h >= 24.0


def test_bad_step_is_refused() -> None:
    with pytest.raises(ValueError):
        lp_bound(one_bus(), step_h=0.0)


def _kpis(safe_w: float, clearance: float | None, travelling_w: float) -> KPIs:
    return KPIs(registered=0, eligible=0, willing=0, travelling=0, travelling_weighted=travelling_w, safe=0,
                safe_weighted=safe_w, clearance_h=clearance, left_behind=0, exposure_person_h=0.0,
                seat_utilisation=0.0, trips=0)


def test_gap_definitions() -> None:
    # not everyone can be safe: gap on weighted safe
    assert gap(_kpis(80, 10, 120), Bound("x", 100, None), 120) == pytest.approx(0.2)
    # everyone can be, and the plan saves everyone: gap on clearance
    assert gap(_kpis(120, 10, 120), Bound("x", 120, 8.0), 120) == pytest.approx(0.2)
    # everyone could be, the plan leaves some: the first objective still differs
    assert gap(_kpis(60, 5, 120), Bound("x", 120, 8.0), 120) == pytest.approx(0.5)
    # nobody to move
    assert gap(_kpis(0, None, 0), Bound("x", 0, 0.0), 0) == 0.0
    # no clearance bound: undefined
    assert gap(_kpis(120, 10, 120), Bound("x", 120, None), 120) is None
    assert math.isclose(gap(_kpis(100, 9, 100), Bound("x", 100, 9.0), 100) or 0.0, 0.0)
