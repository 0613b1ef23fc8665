"""Facts from the field that a re-plan responds to, as frozen dataclasses.

Every event carries ``at_h``: when it happened (or, for a closure, from when it holds), in hours from the
scenario epoch. Events are facts, not requests; one that contradicts the plan or the scenario raises
:class:`EventConflict` naming the event, the trip and the times, so an operator can correct the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from evac.core.errors import EvacError

if TYPE_CHECKING:
    from evac.core.model import Household, Person


class EventConflict(EvacError):
    """An event contradicts the plan or the scenario (a boarding on a trip that has left, an unknown id).

    ``index`` is the event's position in the list given to the re-planner (``None`` if not from a list).
    """

    def __init__(self, message: str, *, index: int | None = None) -> None:
        self.index = index
        super().__init__(message if index is None else f"event #{index}: {message}")


@dataclass(frozen=True, slots=True)
class Closure:
    """Place or link ``target`` is closed from ``at_h`` on (no reopening, like every evac threat)."""

    at_h: float
    target: str


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Vehicle ``unit`` of fleet ``asset_id`` broke down at ``at_h``.

    ``repair_h`` is how long the repair takes, in hours (``None``: lost for good). The vehicle does not
    move from the moment it broke down until ``at_h + repair_h``.
    """

    at_h: float
    asset_id: str
    unit: int
    repair_h: float | None = None

    def __post_init__(self) -> None:
        if self.repair_h is not None and not (self.repair_h >= 0 and math.isfinite(self.repair_h)):
            raise EvacError(f"breakdown of {self.asset_id}#{self.unit}: repair_h must be a finite number >= 0")


@dataclass(frozen=True, slots=True)
class NoShow:
    """Household ``household_id`` did not come to its pick-up (at ``at_h``); it is not planned again."""

    at_h: float
    household_id: str


@dataclass(frozen=True, slots=True)
class Registration:
    """A household registered at ``at_h``: ``household`` and its ``people`` join the population."""

    at_h: float
    household: Household
    people: tuple[Person, ...]


@dataclass(frozen=True, slots=True)
class Boarded:
    """Household ``household_id`` was seen boarding trip ``trip_id`` at ``at_h``.

    Confirms the plan when the trip has not yet left the household's pick-up at ``at_h`` and carries
    the household; the trip is then kept as it is (people on board stay on their trip).
    """

    at_h: float
    household_id: str
    trip_id: str


Event = Closure | Breakdown | NoShow | Registration | Boarded


def clock(h: float, epoch: datetime | None = None) -> str:
    """``h`` hours after the epoch as people read it: ``Sun 03 Feb 2013 06:30 UTC`` given the epoch (an operator
    cannot act on "-38.5 h"), else ``38.5 h``. Non-finite or absurd times stay in hours."""
    if epoch is None or not math.isfinite(h) or abs(h) > 24 * 366 * 50:
        return f"{h:g} h"
    at = epoch + timedelta(hours=h)
    return f"{at:%a %d %b %Y %H:%M} {at.tzname() or ''}".rstrip()


def describe(event: Event, epoch: datetime | None = None) -> str:
    """A short human description of ``event`` for messages, e.g. ``closure of damascus--masnaa at 30 h``, or
    with the scenario's ``epoch`` ``… at Sat 02 Feb 2013 06:00 UTC``."""
    t = clock(event.at_h, epoch)
    if isinstance(event, Closure):
        return f"closure of {event.target} at {t}"
    if isinstance(event, Breakdown):
        repair = "lost for good" if event.repair_h is None else f"repair {event.repair_h:g} h"
        return f"breakdown of {event.asset_id}#{event.unit} at {t} ({repair})"
    if isinstance(event, NoShow):
        return f"no-show of household {event.household_id} at {t}"
    if isinstance(event, Registration):
        return f"registration of household {event.household.id} at {t}"
    return f"household {event.household_id} boarded trip {event.trip_id} at {t}"
