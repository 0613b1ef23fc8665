"""Crossing throughput as a queue: the checker's rule (hand-made plans) and the EDF test behind it
(against a brute-force window check on random job sets)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from people_factory import make_population

from evac.core.check import Rule, check_plan
from evac.core.check.queue import QUEUE_SLACK_H, Job, edf_completions, late_windows
from evac.core.model import (
    Boarding,
    Fleet,
    Itinerary,
    LeftBehind,
    LeftBehindReason,
    Leg,
    Link,
    Mode,
    Place,
    PlaceKind,
    Plan,
    Policy,
    Scenario,
    Trip,
)

EPOCH = datetime(2013, 1, 22, tzinfo=UTC)
RATE = 40.0  # people per hour at the crossing


def crossing_scenario(households: list[tuple[str, int]]) -> Scenario:
    """``city`` → 1 h → crossing ``x`` (40 people/h) → 0.5 h → ``haven``; three 50-seat buses at the city."""
    places = (Place("city", "City", PlaceKind.CITY, 33.5, 36.3, "SY"),
              Place("x", "Crossing", PlaceKind.BORDER_CROSSING, 33.7, 36.1, "SY", processing_per_h=RATE),
              Place("haven", "Haven", PlaceKind.SAFE_HAVEN, 33.8, 35.9, "LB"))
    links = (Link("city--x", "city", "x", Mode.ROAD, 1.0), Link("x--haven", "x", "haven", Mode.ROAD, 0.5))
    return Scenario(
        id="queue", name="Queue", country="SY", epoch=EPOCH, places=places, links=links,
        fleets=(Fleet("bus", "Bus", Mode.ROAD, seats=50, count=3, depot="city", available_from_h=0.0,
                      available_until_h=100.0),),
        services=(), threats=(), policy=Policy(start_h=0.0), population=make_population(households),
    )


FIVE_FIVES = crossing_scenario([("city", 5)] * 10)  # H0001..H0010, 50 people


def bus_plan(sc: Scenario, buses: list[tuple[str, int, float, float, tuple[str, ...]]]) -> Plan:
    """One trip per ``(trip id, unit, leaves the city at, leaves the crossing at, households)``: city → x → haven,
    every household from the city to the haven; households on no bus are left behind."""
    trips, its = [], []
    carried: set[str] = set()
    travellers = {h.id: h.members for h in sc.population.households}
    for tid, unit, d_city, d_x, hids in buses:
        legs = (Leg("city--x", "city", "x", d_city, d_city + 1.0), Leg("x--haven", "x", "haven", d_x, d_x + 0.5))
        trips.append(Trip(tid, "bus", unit, legs, tuple(Boarding(h, travellers[h], 0, 1) for h in hids)))
        its += [Itinerary(h, (tid,), d_x + 0.5, "haven") for h in hids]
        carried.update(hids)
    left = tuple(LeftBehind(h, m, LeftBehindReason.NO_CAPACITY) for h, m in sorted(travellers.items())
                 if h not in carried)
    return Plan(sc.id, "by hand", 0.0, tuple(trips), tuple(sorted(its, key=lambda i: i.household_id)), left)


def hids(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"H{k:04d}" for k in range(first, last + 1))


def rules(plan: Plan, sc: Scenario) -> set[Rule]:
    return {v.rule for v in check_plan(plan, sc).violations}


# -- the checker's rule -------------------------------------------------------------------------------


def test_a_full_bus_holding_more_than_an_hours_rate_leaves_once_processed() -> None:
    # 50 people at 40 per hour: 1.25 h at the crossing (the hourly rule could never let this bus through)
    assert check_plan(bus_plan(FIVE_FIVES, [("T1", 0, 0.0, 2.25, hids(1, 10))]), FIVE_FIVES).ok
    assert check_plan(bus_plan(FIVE_FIVES, [("T1", 0, 0.0, 2.25 - QUEUE_SLACK_H / 2, hids(1, 10))]), FIVE_FIVES).ok


def test_a_bus_that_dwells_too_briefly_is_rejected() -> None:
    report = check_plan(bus_plan(FIVE_FIVES, [("T1", 0, 0.0, 2.2, hids(1, 10))]), FIVE_FIVES)
    assert [v.message for v in report.violations] == [
        "crossing x, 1 h to 2.2 h: 50 people arrive and leave in this window on trips T1; it processes 40 per "
        "hour, 48 in the window, so 2 people leave unprocessed [crossing_throughput]"]
    assert report.violations[0].subject == "x"
    # a vehicle that arrives at 5.9 h and leaves at 5.95 h with half an hour's people is not let through
    sc = crossing_scenario([("city", 20)])
    assert rules(bus_plan(sc, [("T1", 0, 4.9, 5.95, ("H0001",))]), sc) == {Rule.CROSSING_THROUGHPUT}
    assert check_plan(bus_plan(sc, [("T1", 0, 4.9, 6.4, ("H0001",))]), sc).ok
    late = bus_plan(FIVE_FIVES, [("T1", 0, 0.0, 2.25 - 1e-8, hids(1, 10))])  # beyond the float-noise slack
    assert rules(late, FIVE_FIVES) == {Rule.CROSSING_THROUGHPUT}


def test_two_buses_sharing_the_crossing_are_processed_together() -> None:
    # 25 people each: alone, each fits its dwell (0.625 h of processing in 0.75 h and 0.7 h) ...
    first, second = ("T1", 0, 0.0, 1.75, hids(1, 5)), ("T2", 1, 0.1, 1.8, hids(6, 10))
    assert check_plan(bus_plan(FIVE_FIVES, [first]), FIVE_FIVES).ok
    assert check_plan(bus_plan(FIVE_FIVES, [second]), FIVE_FIVES).ok
    # ... together 50 people must be processed in [1, 1.8]: 32 at most
    report = check_plan(bus_plan(FIVE_FIVES, [first, second]), FIVE_FIVES)
    assert [v.message for v in report.violations] == [
        "crossing x, 1 h to 1.8 h: 50 people arrive and leave in this window on trips T1, T2; it processes "
        "40 per hour, 32 in the window, so 18 people leave unprocessed [crossing_throughput]"]
    # the second bus waits until everyone is processed (EDF: the first bus's people by 1.75 h, then the rest)
    assert check_plan(bus_plan(FIVE_FIVES, [first, ("T2", 1, 0.1, 2.25, hids(6, 10))]), FIVE_FIVES).ok


def _transfer(dropped_at: float, picked_at: float) -> Plan:
    """Bus 0 leaves H0001–H0005 at the crossing; bus 1, arriving at 2.5 h, takes them on at ``picked_at``."""
    travellers = {h.id: h.members for h in FIVE_FIVES.population.households}
    five = hids(1, 5)
    drop = Trip("T1", "bus", 0, (Leg("city--x", "city", "x", dropped_at - 1.0, dropped_at),),
                tuple(Boarding(h, travellers[h], 0, 0) for h in five))
    pick = Trip("T2", "bus", 1, (Leg("city--x", "city", "x", 1.5, 2.5), Leg("x--haven", "x", "haven", picked_at,
                                                                                  picked_at + 0.5)),
                tuple(Boarding(h, travellers[h], 1, 1) for h in five))
    its = tuple(Itinerary(h, ("T1", "T2"), picked_at + 0.5, "haven") for h in five)
    left = tuple(LeftBehind(h, travellers[h], LeftBehindReason.NO_CAPACITY) for h in hids(6, 10))
    return Plan(FIVE_FIVES.id, "by hand", 0.0, (drop, pick), its, left)


def test_people_changing_vehicles_are_processed_while_they_wait() -> None:
    # dropped at 1 h, taken on at 2.6 h by a bus that stopped only 0.1 h: processed in between (0.625 h)
    assert check_plan(_transfer(1.0, 2.6), FIVE_FIVES).ok
    # dropped at 3 h and taken on at 3.2 h: the bus waiting since 2.5 h does not help them
    report = check_plan(_transfer(3.0, 3.2), FIVE_FIVES)
    assert {v.rule for v in report.violations} == {Rule.CROSSING_THROUGHPUT}
    assert report.violations[0].message.startswith("crossing x, 3 h to 3.2 h: 25 people")


def test_people_who_live_at_the_crossing_are_processed_from_the_plan_start() -> None:
    sc = crossing_scenario([("x", 5)] * 10)  # 50 people: 1.25 h of processing from the start at 0 h

    def plan(leave_h: float) -> Plan:
        travellers = {h.id: h.members for h in sc.population.households}
        legs = (Leg("city--x", "city", "x", 0.0, 1.0), Leg("x--haven", "x", "haven", leave_h, leave_h + 0.5))
        trip = Trip("T1", "bus", 0, legs, tuple(Boarding(h, travellers[h], 1, 1) for h in travellers))
        return Plan(sc.id, "by hand", 0.0, (trip,),
                    tuple(Itinerary(h, ("T1",), leave_h + 0.5, "haven") for h in travellers), ())

    assert check_plan(plan(1.25), sc).ok  # processed while the bus comes and 0.25 h after it arrives
    assert rules(plan(1.0), sc) == {Rule.CROSSING_THROUGHPUT}


# -- the EDF test ----------------------------------------------------------------------------------


def _brute_force_feasible(jobs: list[Job], rate: int) -> bool:
    """Every window [s, e] between a release and a deadline holds at most rate × (e − s) people (exact)."""
    for s, e in itertools.product({Fraction(j.release_h) for j in jobs}, {Fraction(j.deadline_h) for j in jobs}):
        inside = sum(j.people for j in jobs if Fraction(j.release_h) >= s and Fraction(j.deadline_h) <= e)
        if inside and inside > rate * (e - s):
            return False
    return True


_jobs = st.lists(st.builds(lambda a, d, n: Job(a / 4, (a + d) / 4, n), st.integers(0, 24), st.integers(0, 12),
                           st.integers(1, 12)), min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(jobs=_jobs, rate=st.sampled_from([2, 4, 6, 10, 40]))
def test_edf_agrees_with_the_window_condition(jobs: list[Job], rate: int) -> None:
    windows = late_windows(jobs, float(rate))
    assert (not windows) == _brute_force_feasible(jobs, rate)
    for w in windows:  # each reported window really is overloaded, and counts the right people
        inside = [j for j in jobs if j.release_h >= w.start_h and j.deadline_h <= w.end_h]
        assert w.people == sum(j.people for j in inside) > rate * (w.end_h - w.start_h) == w.capacity
        assert w.late >= 1


def test_edf_does_not_drift_over_a_long_busy_period() -> None:
    # 5,000 busloads of 50 reach a 210/h crossing every 0.2 h (each needs 0.238 h): one busy period of
    # 1,190 hours, each deadline the exact completion 50 (k + 1) / 210 h. A running float sum drifts
    # (1.5e-10 h by the end); the anchored schedule stays within a few units in the last place.
    rate = 210.0
    jobs = [Job(k / 5, float(Fraction(50 * (k + 1), 210)), 50) for k in range(5000)]
    completion, period = edf_completions(jobs, rate)
    assert max(abs(c - j.deadline_h) for c, j in zip(completion, jobs, strict=True)) < 1e-12
    assert len(set(period)) == 1
    assert late_windows(jobs, rate) == []
    tight = [j._replace(deadline_h=j.deadline_h - 1e-8) if k == 4321 else j for k, j in enumerate(jobs)]
    [w] = late_windows(tight, rate)
    assert w.end_h == tight[4321].deadline_h and w.late == 1


def test_jobs_without_people_or_with_undefined_times_are_ignored() -> None:
    assert late_windows([Job(0.0, 0.0, 0), Job(float("nan"), 1.0, 5), Job(0.0, float("inf"), 5)], 1.0) == []
    assert late_windows([Job(2.0, 1.0, 1)], 10.0)[0].late == 1  # leaves before it arrives: never processed
