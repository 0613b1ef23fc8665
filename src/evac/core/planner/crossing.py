"""A border crossing's processing time already promised: the reservation calendar of its queue.

The checker's rule (:mod:`evac.core.check.queue`): a crossing processes at most ``rate`` people per hour,
one shared machine, preemptively; everyone who leaves it must have been processed between their arrival
and their departure. A planner keeps that rule *by construction*: when a vehicle's ``people`` reach the
crossing at ``release_h``, :meth:`CrossingCalendar.allocate` books ``people / rate`` hours of machine time
that is still free from ``release_h`` on (split across gaps if need be: the schedule is preemptive), and the
vehicle may leave once its allocation ends. The booked intervals are an explicit schedule meeting every
deadline, so the set of jobs is feasible and the checker's earliest-deadline-first test accepts it.

:meth:`CrossingCalendar.finish` is the same computation without booking anything (a *probe*): dispatch
evaluates several candidate trips and commits one. Finishing times only grow with the release and the
people, so a commit with an earlier-or-equal release and no more people than the probe ends no later.

Busy time is held as disjoint blocks, each a start (hours) and the people-worth of processing in it, so a
block ends at ``start + work / rate``: sums of whole people stay exact, and a long run of back-to-back
vehicles does not accumulate rounding (the checker anchors its schedule the same way). Times are hours
from the scenario epoch.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Container

    from evac.core.model import Boarding, Trip
    from evac.core.model.feasibility import ProcessingProfile

__all__ = ["CrossingCalendar", "crossing_jobs"]


class CrossingCalendar:
    """Machine time booked at one crossing processing ``rate_per_h`` people per hour (see module docstring).

    Blocks are sorted, disjoint and never touching (touching blocks are merged). Probing costs
    O(log blocks + blocks crossed); booking adds list insertions (O(blocks)).
    """

    __slots__ = ("profile", "rate", "starts", "works")

    def __init__(self, rate_per_h: float, profile: ProcessingProfile | None = None) -> None:
        """``profile``: the crossing's rate changes over time; blocks are then kept on the kernel's warped
        clock ``u = profile.capacity(t)`` (people), where the rate is 1, and times are mapped in and out."""
        if not rate_per_h > 0:
            raise ValueError(f"a crossing's rate must be positive, got {rate_per_h}")
        self.profile = profile
        self.rate = rate_per_h if profile is None else 1.0
        self.starts: list[float] = []  # hours (on the warped clock with a profile)
        self.works: list[float] = []  # people-worth of processing in each block

    def end(self, k: int) -> float:
        """When block ``k`` ends, hours."""
        return self.starts[k] + self.works[k] / self.rate

    def busy(self) -> list[tuple[float, float]]:
        """The booked intervals ``(start_h, end_h)`` in time order (for tests and reports)."""
        blocks = [(self.starts[k], self.end(k)) for k in range(len(self.starts))]
        p = self.profile
        return blocks if p is None else [(p.time_at(a), p.time_at(b)) for a, b in blocks]

    def finish(self, release_h: float, people: int) -> float:
        """When ``people`` who reach the crossing at ``release_h`` would all be processed, booking nothing."""
        return self._mapped(release_h, people, book=False)

    def allocate(self, release_h: float, people: int) -> float:
        """Book processing for ``people`` who reach the crossing at ``release_h``; return when it ends (the
        same value :meth:`finish` gives just before)."""
        return self._mapped(release_h, people, book=True)

    def _mapped(self, release_h: float, people: int, *, book: bool) -> float:
        p = self.profile
        if p is None or people <= 0:
            return self._walk(release_h, people, book=book)
        if not math.isfinite(release_h):
            raise ValueError(f"release time must be finite, got {release_h}")
        # never earlier than the release: in a stretch where the crossing processes nobody, capacity() is
        # flat and time_at() of it is the stretch's start
        return max(release_h, p.time_at(self._walk(p.capacity(release_h), people, book=book)))

    def _walk(self, release_h: float, people: int, *, book: bool) -> float:
        """Fill free time from ``release_h`` on with ``people``-worth of processing; optionally book it.

        The allocation grows one block (``s0``, ``w0``): the block that holds ``release_h``, or a new one
        opened there; each gap it fills merges the next block into it.
        """
        if people <= 0:
            return release_h
        if not math.isfinite(release_h):
            raise ValueError(f"release time must be finite, got {release_h}")
        starts, works, rate = self.starts, self.works, self.rate
        need = float(people)
        k = bisect_right(starts, release_h) - 1
        if k < 0 or self.end(k) < release_h:  # the release falls in a gap: a new block opens there
            k += 1
            s0, w0 = release_h, 0.0
            if book:
                starts.insert(k, s0)
                works.insert(k, w0)
            nxt = k + 1 if book else k
        else:
            s0, w0 = starts[k], works[k]
            nxt = k + 1
        while True:
            if nxt < len(starts):
                room = max((starts[nxt] - (s0 + w0 / rate)) * rate, 0.0)  # people-worth of the gap
                if room <= need:  # the gap is filled: the next block joins this one
                    need -= room
                    done_h = starts[nxt]
                    w0 += room + works[nxt]
                    if book:
                        works[k] = w0
                        del starts[nxt], works[nxt]
                    else:
                        nxt += 1
                    if need <= 0.0:
                        return done_h
                    continue
            w0 += need
            if book:
                works[k] = w0
            return s0 + w0 / rate


def crossing_jobs(trip: Trip, crossings: Container[str],
                  boarded_h: Callable[[Boarding], float]) -> list[tuple[str, float, float, int]]:
    """``(crossing, reached at, leaves at, people)`` for everyone ``trip`` takes out of a crossing, in leg order.

    People on board the previous leg reached the crossing when it arrived; people boarding at the crossing
    reached it at ``boarded_h(boarding)``. Boardings with impossible leg indices are ignored.
    """
    legs = trip.legs
    n = len(legs)
    out: list[tuple[str, float, float, int]] = []
    staying = [0] * n
    joining: dict[int, list[Boarding]] = {}
    for b in trip.boardings:
        if not 0 <= b.first_leg <= b.last_leg < n:
            continue
        for i in range(b.first_leg + 1, b.last_leg + 1):
            staying[i] += len(b.person_ids)
        if legs[b.first_leg].origin in crossings:
            joining.setdefault(b.first_leg, []).append(b)
    for i, leg in enumerate(legs):
        if leg.origin not in crossings:
            continue
        if staying[i] > 0:
            out.append((leg.origin, legs[i - 1].arrive_h, leg.depart_h, staying[i]))
        for b in joining.get(i, ()):
            out.append((leg.origin, boarded_h(b), leg.depart_h, len(b.person_ids)))
    return out
