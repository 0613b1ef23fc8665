"""Crossing queues: can one border crossing process every group of people in time? (earliest deadline first)

A crossing with rate ``r`` (``Place.processing_per_h``, people per hour) is one shared "machine" that processes
at most ``r`` people per hour, continuously and preemptively: it may work on several groups in turn, and a
group may be processed in pieces. Every person who leaves the crossing on a leg must have been processed
while they were there, i.e. between the moment they arrived (``release_h``) and the departure that takes them
on (``deadline_h``). A group with the same arrival and departure is one :class:`Job` of ``people / r`` hours of
machine time.

A set of jobs is feasible iff the preemptive earliest-deadline-first (EDF) schedule meets every deadline
(Horn 1974: EDF is optimal for one preemptive machine with release times). Equivalently, for every window
``[s, e]``, the people of the jobs that arrive at or after ``s`` and leave by ``e`` number at most
``r · (e − s)``; :func:`late_windows` names such a window for every overloaded stretch.

**Exactness.** Times are floats from the plan, so the schedule is computed in a way that does not drift:
within a busy period (the machine never idle) the time is ``t0 + done / r``, where ``t0`` is the busy
period's first release (a time taken from the plan) and ``done`` the people processed since, a sum of whole
numbers except at a preemption, where it is reset to ``(t − t0) · r`` from the release time ``t`` itself.
Every time computed is therefore within a few units in the last place of the exact one, however long the
busy period. A job is late when it completes more than :data:`QUEUE_SLACK_H` after its deadline: float
noise, never a planning error (a millionth of a second).

Complexity: O(n log n) for n jobs, plus O(k log k) for each busy period of k jobs that has a late one.
"""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from evac.core.model.tolerance import QUEUE_SLACK_H

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["QUEUE_SLACK_H", "Job", "LateWindow", "edf_completions", "late_windows", "late_windows_varying"]



class Job(NamedTuple):
    """``people`` at one crossing from ``release_h`` who leave it at ``deadline_h`` (hours); ``tag`` names
    where they come from in messages (a trip id)."""

    release_h: float
    deadline_h: float
    people: int
    tag: str = ""


@dataclass(frozen=True, slots=True)
class LateWindow:
    """A window ``[start_h, end_h]`` in which more people must be processed than the crossing can.

    ``people`` is the number of people of the jobs that arrive at or after ``start_h`` and leave by
    ``end_h``; ``capacity`` what the crossing processes in the window (``rate × (end_h − start_h)``, people);
    ``tags`` the jobs' tags, in order of arrival. ``late`` is the people who cannot have been processed
    before they leave (``people − capacity``, rounded up).
    """

    start_h: float
    end_h: float
    people: int
    capacity: float
    tags: tuple[str, ...]

    @property
    def late(self) -> int:
        return max(1, math.ceil(self.people - max(self.capacity, 0.0) - 1e-9))


def edf_completions(jobs: Sequence[Job], rate: float) -> tuple[list[float], list[int]]:
    """Completion time of every job under preemptive EDF, and the busy period each job falls in.

    Parameters
    ----------
    jobs
        Finite times; ``people >= 0`` (a job of nobody completes at its release).
    rate
        People processed per hour, ``> 0``.

    Returns
    -------
    tuple[list[float], list[int]]
        Per job (in the given order): the time its last person is processed, hours; and a busy-period
        number (periods are numbered in time order; two jobs in different periods never compete).
    """
    n = len(jobs)
    order = sorted(range(n), key=lambda j: (jobs[j].release_h, jobs[j].deadline_h, j))
    remaining = [float(j.people) for j in jobs]
    completion = [math.nan] * n
    period = [0] * n
    heap: list[tuple[float, int, int]] = []
    i = 0
    t0 = now = -math.inf  # start of the current busy period; the present
    done = 0.0  # people processed since t0
    pid = -1
    while i < n or heap:
        if not heap:  # idle: the next busy period starts at the next release
            t0 = now = jobs[order[i]].release_h
            done = 0.0
            pid += 1
        while i < n and jobs[order[i]].release_h <= now:
            j = order[i]
            heapq.heappush(heap, (jobs[j].deadline_h, i, j))
            period[j] = pid
            i += 1
        _, _, j = heap[0]
        nxt = jobs[order[i]].release_h if i < n else math.inf
        end_done = done + remaining[j]
        end = t0 + end_done / rate
        if end <= nxt:
            heapq.heappop(heap)
            done, now = end_done, end
            remaining[j] = 0.0
            completion[j] = end
        else:  # preempted (or not) at the next release: re-anchor the work done from that time
            at = (nxt - t0) * rate
            remaining[j] -= max(0.0, at - done)
            done, now = max(done, at), nxt
    return completion, period


def late_windows(jobs: Sequence[Job], rate: float, *, slack_h: float = QUEUE_SLACK_H) -> list[LateWindow]:
    """The overloaded windows of one crossing: empty iff the jobs are feasible (EDF meets every deadline).

    One window per busy period with a late job: the deadline ``e`` of its latest job (largest lateness,
    then earliest deadline), and the arrival ``s`` that maximises ``people(s, e) − rate · (e − s)`` among
    the jobs of that period (the window that proves the deadline cannot be met). Windows come in time
    order. Jobs with nobody or non-finite times are ignored.
    """
    jobs = [j for j in jobs if j.people > 0 and math.isfinite(j.release_h) and math.isfinite(j.deadline_h)]
    completion, period = edf_completions(jobs, rate)
    worst: dict[int, int] = {}  # busy period -> its latest job
    for k, job in enumerate(jobs):
        late = completion[k] - job.deadline_h
        if late > slack_h:
            w = worst.get(period[k])
            if w is None or (late, -job.deadline_h) > (completion[w] - jobs[w].deadline_h, -jobs[w].deadline_h):
                worst[period[k]] = k
    in_period: dict[int, list[int]] = {p: [] for p in worst}
    for k in range(len(jobs)):
        if period[k] in in_period:
            in_period[period[k]].append(k)
    out: list[LateWindow] = []
    for p in sorted(worst):
        e = jobs[worst[p]].deadline_h
        members = sorted((k for k in in_period[p] if jobs[k].deadline_h <= e), key=lambda k: (-jobs[k].release_h, k))
        best: tuple[float, float, int] | None = None  # (excess, start, people)
        people = 0
        for k in members:
            people += jobs[k].people
            s = jobs[k].release_h
            excess = people - rate * (e - s)
            if best is None or excess > best[0]:
                best = (excess, s, people)
        assert best is not None  # the latest job itself is a member
        _, s, people = best
        inside = sorted((k for k in members if jobs[k].release_h >= s), key=lambda k: (jobs[k].release_h, k))
        tags = tuple(dict.fromkeys(jobs[k].tag for k in inside))
        out.append(LateWindow(s, e, people, rate * (e - s), tags))
    return out


def _capacity_fn(base_per_h: float, changes: Sequence[tuple[float, float]]) -> Callable[[float], float]:
    """People a crossing can process from its first change to ``t`` (negative before it), for a rate of
    ``base_per_h`` until the first ``(from_h, rate_per_h)`` change, then each change's rate: the integral of
    a piecewise-constant rate, written out here (not taken from the planners' kernel)."""
    knots = [t for t, _ in changes]
    rates = [r for _, r in changes]
    area = [0.0]
    for k in range(1, len(knots)):
        area.append(area[-1] + rates[k - 1] * (knots[k] - knots[k - 1]))

    def capacity(t: float) -> float:
        if t <= knots[0]:
            return base_per_h * (t - knots[0])
        k = bisect.bisect_right(knots, t) - 1
        return area[k] + rates[k] * (t - knots[k])

    return capacity


def late_windows_varying(jobs: Sequence[Job], base_per_h: float, changes: Sequence[tuple[float, float]], *,
                         slack_h: float = QUEUE_SLACK_H) -> list[LateWindow]:
    """:func:`late_windows` for a crossing whose rate changes over time (``Place.processing_changes``).

    A machine whose speed varies with time alike for every job is the unit-speed machine on the clock
    ``u = C(t)``, the cumulative capacity: a job is on time iff it is on the warped clock, and earliest
    deadline first is still optimal there. So the jobs' times are warped, checked at rate 1 with the slack
    scaled by the highest rate, and each window is reported in hours with its capacity ``C(e) − C(s)``.
    """
    capacity = _capacity_fn(base_per_h, changes)
    peak = max([base_per_h, *(r for _, r in changes)])
    back: dict[float, float] = {}
    warped = []
    for j in jobs:
        if j.people <= 0 or not (math.isfinite(j.release_h) and math.isfinite(j.deadline_h)):
            continue
        r, d = capacity(j.release_h), capacity(j.deadline_h)
        back.setdefault(r, j.release_h)
        back.setdefault(d, j.deadline_h)
        warped.append(Job(r, d, j.people, j.tag))
    return [LateWindow(back[w.start_h], back[w.end_h], w.people, w.capacity, w.tags)
            for w in late_windows(warped, 1.0, slack_h=slack_h * peak)]
