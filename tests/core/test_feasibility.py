"""The feasibility kernel: the leg rule, the closure schedule, reported closures, and its agreement with the
independent checker (which implements the same rule on its own)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evac.core.check import Rule, check_plan
from evac.core.errors import ModelError
from evac.core.model import (
    Effect,
    Fixed,
    Fleet,
    Leg,
    Link,
    Mode,
    Place,
    PlaceKind,
    Plan,
    Policy,
    Population,
    Scenario,
    Threat,
    Trip,
    Uniform,
)
from evac.core.model.feasibility import (
    HEAD,
    LINK,
    TAIL,
    ClosureSchedule,
    band,
    first_blocked,
    in_time,
    latest_departure_h,
    leg_fits,
    reported_closure,
)
from evac.core.model.tolerance import TOLERANCE_H

INF = math.inf


def test_a_leg_fits_up_to_each_closure_within_the_tolerance() -> None:
    # departs at the tail's closure, arrives at the link's and the head's: allowed
    assert leg_fits(5.0, 7.0, 5.0, 7.0, 7.0)
    assert leg_fits(5.0 + TOLERANCE_H / 2, 7.0, 5.0, INF, INF)
    assert not leg_fits(5.0 + 2 * TOLERANCE_H, 7.0, 5.0, INF, INF)
    assert first_blocked(6.0, 8.0, 5.0, 7.0, 7.0) == TAIL  # the tail is judged first
    assert first_blocked(4.0, 8.0, 5.0, 7.0, 9.0) == LINK
    assert first_blocked(4.0, 8.0, 5.0, 9.0, 7.0) == HEAD
    assert first_blocked(4.0, 6.0, 5.0, 9.0, 7.0) == -1


@settings(max_examples=300, deadline=None)
@given(travel=st.floats(0.01, 50), depart=st.floats(-100, 200),
       closes=st.lists(st.one_of(st.just(INF), st.floats(-100, 300)), min_size=3, max_size=3))
def test_latest_departure_is_exactly_where_the_leg_rule_stops(travel: float, depart: float,
                                                              closes: list[float]) -> None:
    latest = latest_departure_h(travel, *closes)
    assert leg_fits(depart, depart + travel, *closes) == in_time(depart, latest) or math.isclose(
        depart, latest + TOLERANCE_H, abs_tol=1e-9)  # float rounding at the very edge only


def _threat(tid: str, target: str, when: Fixed | Uniform, effect: Effect = Effect.CLOSE) -> Threat:
    return Threat(tid, tid, target, effect, when)


def test_the_schedule_takes_the_earliest_closing_threat_at_the_quantile() -> None:
    threats = [_threat("a", "road", Uniform(10, 20)), _threat("b", "road", Fixed(12.0)),
               _threat("c", "town", Uniform(0, 100)), _threat("d", "town", Fixed(1.0), Effect.DANGER)]
    sched = ClosureSchedule.from_threats(threats, quantile=0.1)
    assert sched.closes("road") == 11.0 and sched.closes("town") == 10.0 and sched.closes("elsewhere") == INF
    assert sched.latest_departure("town", "road", "haven", 2.0) == 9.0
    assert sched.blocker("town", "road", "haven", 9.5, 11.5) == ("road", 11.0)


def test_a_sampled_schedule_is_reproducible_from_its_seed() -> None:
    threats = [_threat("a", "road", Uniform(10, 20)), _threat("b", "town", Uniform(0, 100))]
    one = ClosureSchedule.sampled(threats, np.random.default_rng(3))
    two = ClosureSchedule.sampled(threats, np.random.default_rng(3))
    assert one.times == two.times and 10 <= one.closes("road") <= 20


def test_a_reported_closure_judges_only_legs_that_left_after_it_was_known() -> None:
    threat = reported_closure("road", 5.0, reported_h=8.0)
    assert threat.id == reported_closure("road", 5.0, reported_h=9.0).id  # the same fact, the same id
    sched = ClosureSchedule.from_threats([threat, _threat("town", "town", Fixed(30.0))])
    assert sched.closes("road") == 5.0  # for anything planned from now on
    assert sched.leg_open("town", "road", "haven", 6.0, 7.5)  # left before anyone knew: history
    assert not sched.leg_open("town", "road", "haven", 8.5, 10.0)
    assert sched.closes_for("town", 0.0) == 30.0


def test_band_is_none_for_a_fixed_time() -> None:
    assert band(Fixed(3.0)) is None
    lo, hi = band(Uniform(0.0, 100.0)) or (0.0, 0.0)
    assert lo == pytest.approx(5.0) and hi == pytest.approx(95.0)


def test_a_threat_with_a_bad_window_is_refused() -> None:
    with pytest.raises(ModelError, match="earliest"):
        Uniform(10.0, 5.0)


# -- the kernel and the checker agree ---------------------------------------------------------------
def _one_leg(closures: dict[str, float], reported: dict[str, tuple[float, float]], depart: float) -> tuple[
        Scenario, Plan]:
    places = (Place("town", "Town", PlaceKind.CITY, 33.5, 36.3, "SY"),
              Place("haven", "Haven", PlaceKind.SAFE_HAVEN, 33.9, 35.5, "LB"))
    links = (Link("road", "town", "haven", Mode.ROAD, 2.0),)
    threats = [_threat(f"t-{k}", k, Fixed(c)) for k, c in closures.items()]
    threats += [reported_closure(k, at, reported_h=known) for k, (at, known) in reported.items()]
    sc = Scenario("s", "s", "SY", datetime(2013, 1, 22, tzinfo=UTC), places, links,
                  (Fleet("bus", "Bus", Mode.ROAD, 50, 1, "town", -1000.0),), (), tuple(threats),
                  Policy(start_h=-1000.0), Population((), ()))
    trip = Trip("T1", "bus", 0, (Leg("road", "town", "haven", depart, depart + 2.0),), ())
    return sc, Plan("s", "test", -1000.0, (trip,), (), ())


@settings(max_examples=200, deadline=None)
@given(depart=st.floats(0, 40),
       closes=st.dictionaries(st.sampled_from(["town", "road", "haven"]), st.floats(0, 40), max_size=3),
       reported=st.dictionaries(st.sampled_from(["town", "road", "haven"]),
                                st.tuples(st.floats(0, 40), st.floats(0, 40)), max_size=3))
def test_the_checker_rejects_a_leg_exactly_when_the_kernel_does(depart: float, closes: dict[str, float],
                                                                 reported: dict[str, tuple[float, float]]) -> None:
    sc, plan = _one_leg(closes, reported, depart)
    kernel = sc.closure_schedule().leg_open("town", "road", "haven", depart, depart + 2.0)
    checker = not any(v.rule is Rule.CLOSURE for v in check_plan(plan, sc).violations)
    assert kernel == checker
