"""What a planner must build on when it does not start from a blank slate: :class:`Commitments`.

A fresh plan starts with every vehicle at its depot and every seat free. A re-plan
(:mod:`evac.core.planner.replan`) starts from an operation under way: some trips are already driving and
cannot be undone, so the vehicles are elsewhere, busy until some time, or broken down; crossings' processing
time, link hours and seats on scheduled departures are partly used; some households are already on their way,
and a few wait somewhere other than home. ``Commitments`` says all of that in planner-neutral terms, so
every planner (greedy, FCFS, CCRP) accepts the same keyword argument and the re-planner can use any of
them. The planner plans only the *new* work; the caller merges it with the committed trips.

Times are hours from the scenario epoch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping

    from evac.core.model import Plan, Policy, Scenario, Trip
    from evac.core.planner.base import Callbacks

VehicleKey = tuple[str, int]
"""A fleet vehicle: (fleet id, unit index in the fleet)."""


@dataclass(frozen=True, slots=True)
class VehicleState:
    """A vehicle is at place ``at`` and may start a new trip from ``free_h`` (never before the plan start
    or its fleet's availability)."""

    at: str
    free_h: float


@dataclass(frozen=True, slots=True)
class Waiting:
    """A household that waits at ``at`` (not at home: a committed trip leaves it there) from ``ready_h``.

    The planner collects it there, no earlier than ``ready_h``; the caller prepends the committed ride to
    the itinerary the planner returns.
    """

    at: str
    ready_h: float


@dataclass(frozen=True)
class Commitments:
    """The part of an operation a planner may not change.

    - ``vehicles``: position and free time of vehicles that are not at their depot at the start (unlisted
      vehicles start at their depot when the plan starts).
    - ``withdrawn``: vehicles that may not be used at all (lost, or broken down beyond the horizon).
    - ``trips``: committed trips, fleet and scheduled. The people they take out of a crossing use its
      processing time (the crossing's queue), their fleet legs use link capacity (vehicles per clock hour),
      their boardings on scheduled departures use seats. The planner reserves all of it before planning
      anything new.
    - ``settled``: households the planner must neither plan nor list as left behind (their journey is
      committed, or the caller accounts for them itself).
    - ``waiting``: households to collect from somewhere other than home, from a given time.
    - ``start_h``: when the operation started (the original plan's start, hours): households that board a
      committed trip at home, at a crossing, have been queueing there since then. ``None``: the new plan's
      start.
    """

    vehicles: Mapping[VehicleKey, VehicleState] = field(default_factory=dict)
    withdrawn: frozenset[VehicleKey] = frozenset()
    trips: tuple[Trip, ...] = ()
    settled: frozenset[str] = frozenset()
    waiting: Mapping[str, Waiting] = field(default_factory=dict)
    start_h: float | None = None


class CommittablePlanner(Protocol):
    """A :class:`~evac.core.planner.base.Planner` that can also start from :class:`Commitments`.

    Every planner in this package is one; the re-planner needs nothing more.
    """

    name: str

    def plan(
        self,
        scenario: Scenario,
        *,
        policy: Policy | None = None,
        start_h: float | None = None,
        seed: int = 0,
        callbacks: Callbacks | None = None,
        commitments: Commitments | None = None,
    ) -> Plan: ...
