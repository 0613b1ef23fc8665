"""The planners' side of the crossing queue: the reservation calendar, and committed trips reserved in it."""

from __future__ import annotations

import itertools

import pytest
from baseline_cases import assert_valid, tiny
from hypothesis import given, settings
from hypothesis import strategies as st

from evac.core.check.queue import Job, late_windows
from evac.core.planner.base import Callbacks
from evac.core.planner.crossing import CrossingCalendar
from evac.core.planner.dispatch import Dispatch
from evac.core.planner.greedy import GreedyPlanner
from evac.core.planner.replan import replan
from evac.core.planner.state import Commitments


def test_a_job_fills_the_gaps_left_by_earlier_bookings() -> None:
    cal = CrossingCalendar(60.0)
    assert cal.allocate(1.0, 30) == pytest.approx(1.5)
    assert cal.allocate(2.0, 30) == pytest.approx(2.5)
    # from 0.5 h: 30 people in 0.5-1 h, 30 in the gap 1.5-2 h, the rest after 2.5 h
    assert cal.finish(0.5, 60) == pytest.approx(2.0)
    assert cal.finish(0.5, 90) == pytest.approx(3.0)
    assert cal.allocate(0.5, 90) == pytest.approx(3.0)
    assert cal.busy() == [(0.5, pytest.approx(3.0))]
    assert cal.finish(3.0, 0) == 3.0 and cal.finish(2.0, 6) == pytest.approx(3.1)
    with pytest.raises(ValueError, match="positive"):
        CrossingCalendar(0.0)


_bookings = st.lists(st.tuples(st.integers(0, 80), st.integers(0, 60)), max_size=25)


@settings(max_examples=200, deadline=None)
@given(bookings=_bookings, rate=st.sampled_from([7.0, 50.0, 210.0]), probe=st.tuples(st.integers(0, 80),
                                                                                     st.integers(1, 60)))
def test_bookings_are_feasible_for_the_checker(bookings: list[tuple[int, int]], rate: float,
                                               probe: tuple[int, int]) -> None:
    """Whatever the order of the bookings, leaving when its booking ends meets the checker's EDF test; a
    probe equals the booking that follows it; booked time is disjoint and adds up."""
    cal = CrossingCalendar(rate)
    jobs = []
    for quarter, people in bookings:
        release = quarter / 4
        probed = cal.finish(release, people)
        assert cal.allocate(release, people) == probed >= release + people / rate - 1e-9
        jobs.append(Job(release, probed, people))
    assert late_windows(jobs, rate) == []
    busy = cal.busy()
    # disjoint and in order; two blocks may touch (a block filled exactly up to the next one's start, e.g.
    # 11.75-15.25 then 15.25-16.15 at 50/h, found by this test): touching never double-books processing
    assert all(a < b <= c for (a, b), (c, _) in itertools.pairwise(busy))
    assert sum(b - a for a, b in busy) == pytest.approx(sum(n for _, n in bookings) / rate)
    release, people = probe[0] / 4, probe[1]  # earlier or fewer never finishes later
    assert cal.finish(release - 0.25, people) <= cal.finish(release, people) >= cal.finish(release, people - 1)


def test_committed_trips_keep_their_processing_time() -> None:
    # Three buses of 40 reached the border at 7.5 h and are processed one after the other until 9.5 h.
    sc = tiny([("capital", 40)] * 3)
    kept = GreedyPlanner().plan(sc).trips[:3]
    d = Dispatch(sc, Callbacks(), Commitments(trips=kept, settled=frozenset({"H0001", "H0002", "H0003"})))
    assert d.cap.queues["border"].busy() == [(7.5, pytest.approx(9.5))]
    assert d.cap.processed_h("border", 8.0, 30) == pytest.approx(10.0)


def test_a_replan_while_buses_queue_at_the_border_stays_valid() -> None:
    sc = tiny([("capital", 40)] * 3 + [("capital", 20)] * 3)
    plan = GreedyPlanner().plan(sc)
    for now in (7.8, 8.5, 9.0, 12.0):  # the first buses are still being processed at the border
        assert_valid(replan(sc, plan, [], now), sc)
