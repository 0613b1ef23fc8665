"""Operation log: what happened in the field, as append-only events, and the status they fold into.

A person's status is never stored as a fact of its own: it is ``fold(events)``. The store keeps a
projection of it for fast queries, and a test rebuilds that projection from the log and compares.
"""

from __future__ import annotations

from evac.core.oplog.events import (
    SCHEMA_VERSION,
    BreakdownEvent,
    ClosureEvent,
    EventType,
    MergedEvent,
    Meta,
    OpEvent,
    PersonEvent,
    event_from_data,
    event_to_data,
    stream_of,
)
from evac.core.oplog.state import (
    ACCOUNTED,
    OpState,
    PersonState,
    Status,
    TransitionError,
    apply,
    check,
    fold,
    initial,
)

__all__ = [
    "ACCOUNTED", "SCHEMA_VERSION", "BreakdownEvent", "ClosureEvent", "EventType", "MergedEvent", "Meta", "OpEvent",
    "OpState", "PersonEvent", "PersonState", "Status", "TransitionError", "apply", "check", "event_from_data",
    "event_to_data", "fold", "initial", "stream_of",
]
