"""The pure operation log: the state machine and the fold (properties with hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evac.core.oplog import (
    EventType,
    Meta,
    OpState,
    PersonEvent,
    Status,
    TransitionError,
    apply,
    event_from_data,
    event_to_data,
    fold,
    initial,
)

M = Meta("tester", datetime(2013, 1, 22, 6, tzinfo=UTC), "dev-1", "k1")


def ev(kind: EventType, trip: str | None = None) -> PersonEvent:
    return PersonEvent(kind, M, "R1", "RH1", trip, "damascus")


def test_the_happy_path() -> None:
    s = initial("R1", "RH1")
    for kind in (EventType.ASSIGNED, EventType.NOTIFIED, EventType.CONFIRMED, EventType.CHECKED_IN,
                 EventType.BOARDED, EventType.DEPARTED, EventType.ARRIVED_SAFE):
        s = apply(s, ev(kind, "T1"))
    assert s.status is Status.ARRIVED_SAFE and s.version == 7 and s.trip_id == "T1" and s.notified == 1


@pytest.mark.parametrize(("before", "kind", "message"), [
    ((), EventType.BOARDED, "needs one of: checked_in"),
    ((EventType.CHECKED_IN,), EventType.CHECKED_IN, "already checked_in"),
    ((EventType.CHECKED_IN, EventType.BOARDED), EventType.NO_SHOW, "is boarded"),
    ((), EventType.ARRIVED_SAFE, "needs one of: departed"),
])
def test_impossible_transitions_say_why(before: tuple[EventType, ...], kind: EventType, message: str) -> None:
    s = initial("R1", "RH1")
    for k in before:
        s = apply(s, ev(k))
    with pytest.raises(TransitionError, match=message):
        apply(s, ev(kind))


def test_boarding_another_trip_is_refused() -> None:
    s = apply(apply(initial("R1", "RH1"), ev(EventType.ASSIGNED, "T1")), ev(EventType.CHECKED_IN))
    with pytest.raises(TransitionError, match="booked on trip T1, not T2"):
        apply(s, ev(EventType.BOARDED, "T2"))


def test_events_round_trip_through_plain_data() -> None:
    e = ev(EventType.REBOOKED, "T9")
    assert event_from_data(e.type.value, 1, event_to_data(e), M) == e


@given(st.lists(st.sampled_from(list(EventType.__members__.values())), max_size=30))
def test_fold_equals_incremental_application(kinds: list[EventType]) -> None:
    kinds = [k for k in kinds if k not in (EventType.CLOSURE, EventType.BREAKDOWN, EventType.MERGED)]
    accepted = []
    state = OpState()
    for k in kinds:
        try:
            state.add(ev(k, "T1"))
        except TransitionError:
            continue
        accepted.append(ev(k, "T1"))
    replayed = fold(accepted)
    assert replayed.people == state.people
    assert (replayed.people["R1"].version if accepted else 0) == len(accepted)
