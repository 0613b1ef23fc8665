"""A person's status in the operation as a fold of events, and the state machine that guards it.

::

    registered ─► notified ─► confirmed ─► checked_in ─► boarded ─► departed ─► arrived_safe
         │            │  └──► declined ──────┘ ▲
         └────────────┴──────► no_show ────────┘   (a no-show who turns up late is checked in)

``notified`` moves only ``registered`` forward: being told again (a change, a reminder) never moves a
person back, it only counts. ``assigned`` and ``rebooked`` change the trip and pick-up place, not the
status — except for someone ``boarded`` moved off their trip (the re-plan dropped a trip with people on
board: an incident), who is ``checked_in`` again, at the pick-up, for the new trip.
``delivery_failed`` changes nothing but is kept. A merged person accepts no further event but the
undoing of that merge (``merged`` with ``undone``).

:func:`check` rejects an impossible transition with a message that says what the person's status is and
what was attempted (field officers read it on a phone); :func:`apply` returns the next state; :func:`fold`
replays a whole log. All are pure and O(1) per event.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from evac.core.errors import EvacError
from evac.core.oplog.events import BreakdownEvent, ClosureEvent, EventType, MergedEvent, PersonEvent

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from evac.core.oplog.events import OpEvent


class Status(StrEnum):
    REGISTERED = "registered"
    NOTIFIED = "notified"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CHECKED_IN = "checked_in"
    BOARDED = "boarded"
    DEPARTED = "departed"
    ARRIVED_SAFE = "arrived_safe"
    NO_SHOW = "no_show"


ACCOUNTED = frozenset({Status.CHECKED_IN, Status.BOARDED, Status.DEPARTED, Status.ARRIVED_SAFE, Status.DECLINED})
"""Statuses of people whose whereabouts or decision the crisis cell knows; the rest are unaccounted for."""

_S = Status
_MOVES: dict[EventType, tuple[Status, frozenset[Status]]] = {
    EventType.CONFIRMED: (_S.CONFIRMED, frozenset({_S.REGISTERED, _S.NOTIFIED, _S.DECLINED, _S.NO_SHOW})),
    EventType.DECLINED: (_S.DECLINED, frozenset({_S.REGISTERED, _S.NOTIFIED, _S.CONFIRMED, _S.NO_SHOW})),
    EventType.CHECKED_IN: (_S.CHECKED_IN, frozenset({_S.REGISTERED, _S.NOTIFIED, _S.CONFIRMED, _S.DECLINED,
                                                     _S.NO_SHOW})),
    EventType.BOARDED: (_S.BOARDED, frozenset({_S.CHECKED_IN})),
    EventType.DEPARTED: (_S.DEPARTED, frozenset({_S.BOARDED})),
    EventType.ARRIVED_SAFE: (_S.ARRIVED_SAFE, frozenset({_S.DEPARTED})),
    EventType.NO_SHOW: (_S.NO_SHOW, frozenset({_S.REGISTERED, _S.NOTIFIED, _S.CONFIRMED})),
}
_ON_THE_ROAD = frozenset({_S.BOARDED, _S.DEPARTED})


class TransitionError(EvacError):
    """An event is impossible from the person's current status (boarding someone not checked in …)."""


@dataclass(frozen=True, slots=True)
class PersonState:
    """Where one person stands. ``version`` counts the events applied (the stream's version);
    ``trip_id``/``place`` are the current trip and pick-up place (assembly point); ``notified`` counts
    messages delivered."""

    person_id: str
    household_id: str
    status: Status = Status.REGISTERED
    trip_id: str | None = None
    place: str | None = None
    version: int = 0
    updated_at: datetime | None = None
    notified: int = 0
    merged_into: str | None = None


def initial(person_id: str, household_id: str) -> PersonState:
    """A registered person nothing has happened to yet (version 0)."""
    return PersonState(person_id, household_id)


def check(state: PersonState, event: PersonEvent | MergedEvent) -> None:
    """Raise :class:`TransitionError` when ``event`` cannot follow ``state``; return quietly otherwise."""
    who = f"person {state.person_id}"
    if isinstance(event, MergedEvent) and event.undone:
        if state.merged_into != event.into:
            raise TransitionError(f"{who} is not merged into {event.into}; there is nothing to undo")
        return
    if state.merged_into is not None:
        raise TransitionError(f"{who} was merged into {state.merged_into}; record events on that person")
    if isinstance(event, MergedEvent):
        if event.into == state.person_id:
            raise TransitionError(f"{who} cannot be merged into itself")
        return
    t = event.type
    if t in _MOVES:
        target, sources = _MOVES[t]
        if state.status is target:
            raise TransitionError(f"{who} is already {target.value}")
        if state.status not in sources:
            allowed = ", ".join(sorted(s.value for s in sources))
            raise TransitionError(f"{who} is {state.status.value}; {t.value} needs one of: {allowed}")
        if (t in (EventType.BOARDED, EventType.CHECKED_IN) and event.trip_id and state.trip_id
                and event.trip_id != state.trip_id):
            raise TransitionError(f"{who} is booked on trip {state.trip_id}, not {event.trip_id}")
        if t in (EventType.DEPARTED, EventType.ARRIVED_SAFE) and event.trip_id and event.trip_id != state.trip_id:
            raise TransitionError(f"{who} boarded trip {state.trip_id}, not {event.trip_id}")
    elif t in (EventType.ASSIGNED, EventType.REBOOKED):
        if state.status is Status.ARRIVED_SAFE:
            raise TransitionError(f"{who} is already safe; there is nothing to rebook")
        if state.status in _ON_THE_ROAD and event.trip_id == state.trip_id:
            return
    if event.household_id != state.household_id:
        raise TransitionError(f"{who} belongs to household {state.household_id}, not {event.household_id}")


def apply(state: PersonState, event: PersonEvent | MergedEvent) -> PersonState:
    """The state after ``event`` (checked first). Pure: ``state`` is not modified."""
    check(state, event)
    at = event.meta.at
    v = state.version + 1
    if isinstance(event, MergedEvent):
        return replace(state, merged_into=None if event.undone else event.into, version=v, updated_at=at)
    t = event.type
    if t in _MOVES:
        target = _MOVES[t][0]
        return replace(state, status=target, version=v, updated_at=at,
                       trip_id=event.trip_id or state.trip_id, place=event.place or state.place)
    if t is EventType.NOTIFIED:
        status = Status.NOTIFIED if state.status is Status.REGISTERED else state.status
        return replace(state, status=status, notified=state.notified + 1, version=v, updated_at=at)
    if t in (EventType.ASSIGNED, EventType.REBOOKED):
        # someone on board a trip that will not run (an incident: the re-plan dropped it) gets off and is
        # moved: back at the pick-up, seen, to board whatever trip they now hold
        moved = Status.CHECKED_IN if state.status is Status.BOARDED and event.trip_id != state.trip_id else None
        return replace(state, status=moved or state.status, trip_id=event.trip_id, place=event.place, version=v,
                       updated_at=at)
    return replace(state, version=v, updated_at=at)  # delivery_failed: kept, changes nothing


@dataclass
class OpState:
    """The whole operation folded: every person that has events, closures and breakdowns in log order."""

    people: dict[str, PersonState] = field(default_factory=dict)
    closures: list[ClosureEvent] = field(default_factory=list)
    breakdowns: list[BreakdownEvent] = field(default_factory=list)
    events: int = 0

    def person(self, person_id: str, household_id: str) -> PersonState:
        return self.people.get(person_id) or initial(person_id, household_id)

    def add(self, event: OpEvent) -> None:
        """Apply one event in place (raises :class:`TransitionError` and changes nothing if impossible)."""
        if isinstance(event, ClosureEvent):
            self.closures.append(event)
        elif isinstance(event, BreakdownEvent):
            self.breakdowns.append(event)
        else:
            self.people[event.person_id] = apply(self.person(event.person_id, event.household_id), event)
        self.events += 1


def fold(events: Iterable[OpEvent]) -> OpState:
    """Replay a log (in the order it was recorded) into the operation's state."""
    state = OpState()
    for ev in events:
        state.add(ev)
    return state
