"""Operation events: frozen dataclasses with a stable ``type`` and ``schema_version``.

Every event carries :class:`Meta`: who reported it (``actor``, a user name or ``system:<part>``), when it
happened (``at``, timezone-aware), from which device, and the ``key`` of the request that produced it
(the ``Idempotency-Key`` of a field write; the same for every event one request produced).

Events hold ids only (``R0000042``, ``RH0000007``, ``T00003``), never names or phone numbers, so the log
can be shown, exported and replayed without revealing anyone.

Serialisation is to plain dicts (the store adds JSON); ``type`` and ``schema_version`` are stored beside
the data, so an event written today can be read by later code: an old ``schema_version`` must keep a
reader in :func:`event_from_data` for as long as logs of it exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from evac.core.errors import EvacError

if TYPE_CHECKING:
    from datetime import datetime

SCHEMA_VERSION = 1
"""The version of every event type's data layout written by this code."""


class EventType(StrEnum):
    """Stable names: stored in the log, never renamed."""

    NOTIFIED = "notified"  # a message reached the person (delivery confirmed by the gateway)
    CONFIRMED = "confirmed"  # the person says they will come
    DECLINED = "declined"  # the person says they will not
    CHECKED_IN = "checked_in"  # seen at the assembly point by a field officer
    BOARDED = "boarded"  # on the vehicle of a trip
    DEPARTED = "departed"  # the vehicle with the person left the assembly point
    ARRIVED_SAFE = "arrived_safe"  # reached a safe haven
    NO_SHOW = "no_show"  # did not come when called
    ASSIGNED = "assigned"  # first put on a trip by an activated plan
    REBOOKED = "rebooked"  # moved to another trip (or to none) by a re-plan
    MERGED = "merged"  # the record turned out to be a duplicate of another person (or, undone: it was not)
    DELIVERY_FAILED = "delivery_failed"  # a message could not be delivered after every retry
    CLOSURE = "closure"  # a place or link closed (operation-wide)
    BREAKDOWN = "breakdown"  # a vehicle broke down (operation-wide)


PERSON_TYPES = frozenset({
    EventType.NOTIFIED, EventType.CONFIRMED, EventType.DECLINED, EventType.CHECKED_IN, EventType.BOARDED,
    EventType.DEPARTED, EventType.ARRIVED_SAFE, EventType.NO_SHOW, EventType.ASSIGNED, EventType.REBOOKED,
    EventType.DELIVERY_FAILED,
})


class EventFormatError(EvacError):
    """Stored event data cannot be read as the event its type names."""


@dataclass(frozen=True, slots=True)
class Meta:
    """Who, when, where from, and which request: the same fields on every event."""

    actor: str
    at: datetime
    device: str = ""
    key: str = ""

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise EventFormatError("event time must be timezone-aware")
        if not self.actor:
            raise EventFormatError("an event needs an actor")


@dataclass(frozen=True, slots=True)
class PersonEvent:
    """Something happened to one person. ``trip_id`` and ``place`` (an assembly point, i.e. a place id)
    say where, when known; for ASSIGNED and REBOOKED they are the new trip and pick-up place
    (``trip_id=None``: no trip any more)."""

    type: EventType
    meta: Meta
    person_id: str
    household_id: str
    trip_id: str | None = None
    place: str | None = None
    note: str = ""  # a reason code, never free text about the person (e.g. "plan-2", "smtp: 550")

    def __post_init__(self) -> None:
        if self.type not in PERSON_TYPES:
            raise EventFormatError(f"{self.type} is not an event about a person")
        if not self.person_id or not self.household_id:
            raise EventFormatError(f"{self.type} event needs a person and a household")


@dataclass(frozen=True, slots=True)
class ClosureEvent:
    """Place or link ``target`` is closed from ``effective_at`` (no reopening, like every evac threat)."""

    meta: Meta
    target: str
    effective_at: datetime

    @property
    def type(self) -> EventType:
        return EventType.CLOSURE


@dataclass(frozen=True, slots=True)
class BreakdownEvent:
    """Vehicle ``unit`` of fleet ``asset_id`` broke down; ``repair_h`` hours of repair (``None``: lost)."""

    meta: Meta
    asset_id: str
    unit: int
    repair_h: float | None = None

    @property
    def type(self) -> EventType:
        return EventType.BREAKDOWN


@dataclass(frozen=True, slots=True)
class MergedEvent:
    """Person ``person_id`` is a duplicate of ``into``; no event about ``person_id`` is accepted after it.

    ``undone=True`` records the unmerge: the registry's merge of ``person_id`` into ``into`` was a mistake
    and ``person_id`` takes events again. The vocabulary has no separate type for it (type names are
    stable), so it is this type with a flag; data written before the flag existed reads as ``False``.
    """

    meta: Meta
    person_id: str
    household_id: str
    into: str
    undone: bool = False

    @property
    def type(self) -> EventType:
        return EventType.MERGED


OpEvent = PersonEvent | ClosureEvent | BreakdownEvent | MergedEvent


def stream_of(event: OpEvent) -> str:
    """The stream an event belongs to: ``person:<id>`` for people, ``operation`` for the rest.

    The store numbers events per stream and refuses a second event with the same (stream, version):
    that turns two concurrent writes about one person into one success and one retry, never a lost write.
    """
    if isinstance(event, PersonEvent | MergedEvent):
        return f"person:{event.person_id}"
    return "operation"


def event_to_data(event: OpEvent) -> dict[str, object]:
    """The event's own fields as a plain dict (``meta``, ``type`` and ``schema_version`` are stored apart)."""
    if isinstance(event, PersonEvent):
        return {"person": event.person_id, "household": event.household_id, "trip": event.trip_id,
                "place": event.place, "note": event.note}
    if isinstance(event, ClosureEvent):
        return {"target": event.target, "effective_at": event.effective_at.isoformat()}
    if isinstance(event, BreakdownEvent):
        return {"asset": event.asset_id, "unit": event.unit, "repair_h": event.repair_h}
    return {"person": event.person_id, "household": event.household_id, "into": event.into, "undone": event.undone}


def _str(data: dict[str, object], key: str) -> str:
    v = data.get(key)
    if not isinstance(v, str):
        raise EventFormatError(f"field {key!r} must be a string")
    return v


def _opt(data: dict[str, object], key: str) -> str | None:
    v = data.get(key)
    if v is not None and not isinstance(v, str):
        raise EventFormatError(f"field {key!r} must be a string or null")
    return v


def event_from_data(type_: str, schema_version: int, data: dict[str, object], meta: Meta) -> OpEvent:
    """Inverse of :func:`event_to_data`; raises :class:`EventFormatError` for unknown types or versions."""
    from datetime import datetime

    if schema_version != SCHEMA_VERSION:
        raise EventFormatError(f"{type_}: schema version {schema_version} is not known to this evac")
    try:
        t = EventType(type_)
    except ValueError as exc:
        raise EventFormatError(f"unknown event type {type_!r}") from exc
    if t in PERSON_TYPES:
        return PersonEvent(t, meta, _str(data, "person"), _str(data, "household"), _opt(data, "trip"),
                           _opt(data, "place"), _opt(data, "note") or "")
    if t is EventType.CLOSURE:
        return ClosureEvent(meta, _str(data, "target"), datetime.fromisoformat(_str(data, "effective_at")))
    if t is EventType.BREAKDOWN:
        unit, repair = data.get("unit"), data.get("repair_h")
        if not isinstance(unit, int) or (repair is not None and not isinstance(repair, int | float)):
            raise EventFormatError("breakdown: unit must be an integer and repair_h a number or null")
        return BreakdownEvent(meta, _str(data, "asset"), unit, None if repair is None else float(repair))
    undone = data.get("undone", False)
    if not isinstance(undone, bool):
        raise EventFormatError("merged: undone must be true or false")
    return MergedEvent(meta, _str(data, "person"), _str(data, "household"), _str(data, "into"), undone)
