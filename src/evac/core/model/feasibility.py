"""The feasibility kernel: when places and links close, and whether a leg may use them.

Every planner, bound, re-planner, simulator run, decision sweep and report asks the questions here and
nowhere else; the plan checker (:mod:`evac.core.check`) is the one deliberate second implementation, kept
independent by an import contract, so that a bug here cannot hide behind the same bug in the validation.

**The leg rule.** A vehicle may leave place ``tail`` at ``depart_h`` along link ``link`` to ``head``,
arriving at ``arrive_h``, iff it departs before ``tail`` closes and arrives before ``link`` and ``head``
close (each with :data:`~evac.core.model.tolerance.TOLERANCE_H` of slack). Closures for good never reopen, so the
latest departure on a link is ``min(close(tail), close(link) - travel, close(head) - travel)`` and waiting
never helps reach a place sooner.

**Closures that end (reopenings).** A closing threat with an ``until`` is a *window* ``[start, end)``
(:attr:`ClosureSchedule.windows`), not a closure time. While it lasts no leg may leave or reach the place,
nor be on the link: a leg is blocked iff it departs from a place strictly inside one of its windows, arrives
at a place strictly inside one, or is on a link at any moment strictly inside one (:func:`window_blocker`,
each end with :data:`TOLERANCE_H` of slack). Waiting can then help, so planners ask
:meth:`ClosureSchedule.next_departure` (the earliest departure at or after a time that the rule allows) and
:meth:`ClosureSchedule.latest_departure_by` (the latest one by a time). Bounds that read only ``times``
ignore windows: a relaxation, they stay valid.

**The closure schedule.** :class:`ClosureSchedule` is when each place or link closes, from the scenario's
closing threats taken *at a quantile* (planning: the policy's ``closure_quantile``), *at sampled times*
(a Monte Carlo future), or as given; closures *reported* during the operation are threats like any other,
made by :func:`reported_closure`, with the time they became known: a leg that left before anyone knew of a
closure is history, not a decision, so it is not judged against it (the past is never rewritten to pass).

**The service-area rule.** A fleet with a non-empty ``serves`` may use a place only if the place's id or its
region is named there (:func:`serves`): every leg of its trips starts and ends inside its area
(:func:`service_area`), so a host-country fleet is never planned into the war zone. Planners search the road
graph restricted to the area; the LP and combinatorial bounds ignore areas (a relaxation: they stay valid).

**Processing rates that change over time.** A crossing's queue processes ``rate(t)`` people an hour, a
piecewise-constant function (``Place.processing_changes``). :class:`ProcessingProfile` is its cumulative
capacity ``C(t)`` and inverse: a queue with a varying rate is the constant-rate queue on the warped clock
``u = C(t)`` (earliest deadline first stays optimal: the speed is the same for every job), so planners book
processing in ``u`` and map times back.

**Boarding and unloading.** A fleet with ``boarding_h``/``unloading_h`` (:class:`~evac.core.model.Fleet`)
stands still while people board or get off: a vehicle that reaches a place at ``t`` (or starts there, from
the later of the plan start and its availability) may leave at ``ready_after(t, ...)`` at the earliest —
after unloading whoever got off there, then boarding whoever gets on.

**Uncertainty bands** of a closure time are its :data:`BAND_Q` quantiles (:func:`band`).

Times are hours from the scenario epoch. Nothing here imports a planner.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

from evac.core.model.threats import Effect, Fixed, Threat
from evac.core.model.tolerance import TOLERANCE_H

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    import numpy as np

    from evac.core.model.assets import Fleet
    from evac.core.model.network import Place
    from evac.core.model.threats import TimeDistribution

__all__ = [
    "BAND_Q",
    "HEAD",
    "LINK",
    "TAIL",
    "TOLERANCE_H",
    "ClosureSchedule",
    "ProcessingProfile",
    "band",
    "first_blocked",
    "in_time",
    "latest_departure_h",
    "leg_fits",
    "ready_after",
    "reported_closure",
    "serves",
    "service_area",
    "until_key",
    "window_blocker",
]

BAND_Q = (0.05, 0.95)
"""The quantiles drawn as the band of an uncertain closure time (map, status board, decision page)."""

TAIL, LINK, HEAD = 0, 1, 2
"""What :func:`first_blocked` names: the place a leg leaves, its link, the place it reaches."""


def leg_fits(depart_h: float, arrive_h: float, tail_closes_h: float, link_closes_h: float,
             head_closes_h: float) -> bool:
    """The leg rule on plain floats (hot loops: dispatch, simulator): departs before its tail closes,
    arrives before its link and its head close, each with :data:`TOLERANCE_H` of slack."""
    return (depart_h <= tail_closes_h + TOLERANCE_H
            and arrive_h <= link_closes_h + TOLERANCE_H
            and arrive_h <= head_closes_h + TOLERANCE_H)


def first_blocked(depart_h: float, arrive_h: float, tail_closes_h: float, link_closes_h: float,
                  head_closes_h: float) -> int:
    """Which closure stops the leg first, checked tail, link, head (:data:`TAIL`, :data:`LINK`,
    :data:`HEAD`); ``-1`` when the leg fits."""
    if depart_h > tail_closes_h + TOLERANCE_H:
        return TAIL
    if arrive_h > link_closes_h + TOLERANCE_H:
        return LINK
    if arrive_h > head_closes_h + TOLERANCE_H:
        return HEAD
    return -1


def latest_departure_h(travel_h: float, tail_closes_h: float, link_closes_h: float, head_closes_h: float) -> float:
    """The latest departure (hours) that :func:`leg_fits` allows on a link taking ``travel_h`` hours, before
    slack: a departure ``d`` fits iff ``in_time(d, latest_departure_h(...))``."""
    return min(tail_closes_h, link_closes_h - travel_h, head_closes_h - travel_h)


def in_time(t_h: float, deadline_h: float) -> bool:
    """``t_h`` is no later than ``deadline_h`` within :data:`TOLERANCE_H` (the slack every rule uses)."""
    return t_h <= deadline_h + TOLERANCE_H


def serves(area: frozenset[str], place_id: str, region: str | None) -> bool:
    """The service-area rule: may a fleet whose ``serves`` is ``area`` stop at place ``place_id`` (in
    ``region``)? An empty area means anywhere."""
    return not area or place_id in area or (region is not None and region in area)


def service_area(fleet: Fleet, places: Iterable[Place]) -> frozenset[str] | None:
    """The ids of the places ``fleet`` may use (:func:`serves`); ``None`` when it may use every place."""
    if not fleet.serves:
        return None
    return frozenset(p.id for p in places if serves(fleet.serves, p.id, p.region))


Window = tuple[float, float]
"""A temporary closure ``(start_h, end_h)``: closed from start until it reopens at end (hours)."""

_NO_WINDOWS: tuple[Window, ...] = ()


def window_blocker(depart_h: float, arrive_h: float, tail: Sequence[Window], link: Sequence[Window],
                   head: Sequence[Window]) -> tuple[int, float, float] | None:
    """The first window (tail, link, head) that blocks a leg, as ``(TAIL|LINK|HEAD, start_h, end_h)``;
    ``None`` when none does (the rule is in the module docstring)."""
    for s, e in tail:
        if s + TOLERANCE_H < depart_h < e - TOLERANCE_H:
            return TAIL, s, e
    for s, e in link:
        if arrive_h > s + TOLERANCE_H and depart_h < e - TOLERANCE_H:
            return LINK, s, e
    for s, e in head:
        if s + TOLERANCE_H < arrive_h < e - TOLERANCE_H:
            return HEAD, s, e
    return None


@dataclass(frozen=True, slots=True)
class ProcessingProfile:
    """The cumulative processing capacity of a crossing whose rate changes over time (module docstring).

    ``base_per_h`` applies before the first change; ``changes`` are ``(from_h, rate_per_h)`` in increasing
    time, rates ``>= 0``. ``capacity(t)`` is people processable from the first change to ``t`` (negative
    before it); ``time_at(u)`` the earliest time the capacity reaches ``u`` (``inf`` if never).
    """

    base_per_h: float
    changes: tuple[tuple[float, float], ...]
    _cum: tuple[float, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.base_per_h > 0 or not self.changes:
            raise ValueError("a processing profile needs a positive base rate and at least one change")
        cum = [0.0]
        for (t0, r0), (t1, _) in pairwise(self.changes):
            cum.append(cum[-1] + r0 * (t1 - t0))
        object.__setattr__(self, "_cum", tuple(cum))

    @classmethod
    def of(cls, place: Place) -> ProcessingProfile | None:
        """The profile of ``place``; ``None`` when its rate is constant (or it processes nobody)."""
        if place.processing_per_h is None or not place.processing_changes:
            return None
        return cls(place.processing_per_h, place.processing_changes)

    def rate_at(self, t_h: float) -> float:
        """People per hour at ``t_h``."""
        k = bisect_right([t for t, _ in self.changes], t_h) - 1
        return self.base_per_h if k < 0 else self.changes[k][1]

    def capacity(self, t_h: float) -> float:
        """People the crossing can process from its first change to ``t_h`` (negative before it)."""
        first = self.changes[0][0]
        if t_h <= first:
            return self.base_per_h * (t_h - first)
        k = bisect_right([t for t, _ in self.changes], t_h) - 1
        t_k, r_k = self.changes[k]
        return self._cum[k] + r_k * (t_h - t_k)

    def time_at(self, u: float) -> float:
        """The earliest time (hours) at which :meth:`capacity` reaches ``u``; ``inf`` if it never does."""
        if u <= 0.0:
            return self.changes[0][0] + u / self.base_per_h
        cum = self._cum
        k = bisect_left(cum, u) - 1  # the last change before which less than u could be processed
        t_k, r_k = self.changes[k]
        if r_k <= 0.0:
            return math.inf
        return t_k + (u - cum[k]) / r_k

    def finish(self, release_h: float, people: float) -> float:
        """When ``people`` who reach an otherwise idle crossing at ``release_h`` are all processed."""
        return self.time_at(self.capacity(release_h) + people)


def ready_after(here_h: float, *, alighted: bool, boards: bool, fleet: Fleet,
                default_boarding_h: float = 0.0) -> float:
    """The earliest departure (hours) of a vehicle of ``fleet`` that has been at a place since ``here_h``:
    unloading first if people got off there (``alighted``), then boarding if people get on (``boards``).
    ``default_boarding_h`` is used when the fleet gives no ``boarding_h`` (planners pass the policy's)."""
    t = here_h
    if alighted:
        t += fleet.unload_h
    if boards:
        t += default_boarding_h if fleet.boarding_h is None else fleet.boarding_h
    return t


def band(when: TimeDistribution) -> tuple[float, float] | None:
    """The :data:`BAND_Q` quantiles of an uncertain closure time (hours); ``None`` for a fixed time."""
    lo, hi = when.quantile(BAND_Q[0]), when.quantile(BAND_Q[1])
    return None if hi - lo <= TOLERANCE_H else (lo, hi)


def until_key(threat_id: str) -> str:
    """The key of a threat's end in the ``when`` mapping of :meth:`ClosureSchedule.from_threats`."""
    return f"{threat_id}#until"


def reported_closure(target: str, at_h: float, *, reported_h: float | None = None, name: str | None = None) -> Threat:
    """A closure reported during the operation as a threat: ``target`` closed from ``at_h`` (hours), known
    from ``reported_h`` (``None``: known all along). Its id is derived from what it says, so the same closure
    reported twice is one threat, whoever turns it into one."""
    return Threat(f"reported:{target}@{at_h:.6f}", name or f"Closure of {target} (reported)", target,
                  Effect.CLOSE, Fixed(at_h), reported_h=reported_h)


@dataclass(frozen=True, slots=True)
class ClosureSchedule:
    """When each place and link closes, in hours from the epoch (``inf``: never).

    ``times`` holds every closure, reported ones included: the schedule for anything that departs from now
    on. ``reported`` holds, per id, the ``(known_from_h, closes_h)`` of closures that became known during
    the operation; a leg that departed before a closure was known is not judged against it
    (:meth:`closes_for`).
    """

    times: Mapping[str, float]
    reported: Mapping[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    _plain: Mapping[str, float] = field(default_factory=dict)
    windows: Mapping[str, tuple[Window, ...]] = field(default_factory=dict)
    """Per place or link id, its temporary closures ``(start_h, end_h)`` in time order (not in ``times``)."""

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def from_threats(cls, threats: Iterable[Threat], when: Mapping[str, float] | None = None, *,
                     quantile: float = 0.5) -> ClosureSchedule:
        """The schedule of the closing ``threats``: each at ``when[threat.id]`` if given (a sampled future),
        else at its ``quantile``."""
        times: dict[str, float] = {}
        plain: dict[str, float] = {}
        reported: dict[str, list[tuple[float, float]]] = {}
        windows: dict[str, list[Window]] = {}
        for t in threats:
            if t.effect is not Effect.CLOSE:
                continue
            at = when[t.id] if when is not None and t.id in when else t.when.quantile(quantile)
            if t.until is not None:
                key = until_key(t.id)
                end = when[key] if when is not None and key in when else t.until.quantile(1.0 - quantile)
                if end > at:
                    windows.setdefault(t.target, []).append((at, end))
                continue
            times[t.target] = min(times.get(t.target, math.inf), at)
            if t.reported_h is None:
                plain[t.target] = min(plain.get(t.target, math.inf), at)
            else:
                reported.setdefault(t.target, []).append((t.reported_h, at))
        return cls(times, {k: tuple(sorted(v)) for k, v in reported.items()}, plain,
                   {k: tuple(sorted(v)) for k, v in windows.items()})

    @classmethod
    def sampled(cls, threats: Iterable[Threat], rng: np.random.Generator) -> ClosureSchedule:
        """One sampled future: each closing threat at a time drawn from its distribution (in order), and the
        end of each closure that ends right after its start."""
        threats = tuple(threats)
        when: dict[str, float] = {}
        for t in threats:
            if t.effect is Effect.CLOSE:
                when[t.id] = t.when.sample(rng)
                if t.until is not None:
                    when[until_key(t.id)] = t.until.sample(rng)
        return cls.from_threats(threats, when)

    @classmethod
    def of(cls, times: Mapping[str, float]) -> ClosureSchedule:
        """A schedule given directly as closure times per id (tests, bounds on a restricted network)."""
        return cls(dict(times), {}, dict(times))

    # -- questions ------------------------------------------------------------------------------
    def closes(self, key: str) -> float:
        """When place or link ``key`` closes for anything departing from now on (``inf``: never)."""
        return self.times.get(key, math.inf)

    def closes_for(self, key: str, depart_h: float) -> float:
        """When ``key`` closes for a leg that departed at ``depart_h``: closures reported only after it left
        do not count (it could not have known)."""
        if key not in self.reported:
            return self.times.get(key, math.inf)
        c = self._plain.get(key, math.inf)
        for known_h, at_h in self.reported[key]:
            if known_h <= depart_h + TOLERANCE_H:
                c = min(c, at_h)
        return c

    def leg_open(self, tail: str, link: str, head: str, depart_h: float, arrive_h: float) -> bool:
        """The leg rule (module docstring) for a leg of a plan, past or future."""
        return self.blocker(tail, link, head, depart_h, arrive_h) is None

    def blocker(self, tail: str, link: str, head: str, depart_h: float,
                arrive_h: float) -> tuple[str, float] | None:
        """``(id, closes_h)`` of the first closure (tail, link, head) the leg runs into, else ``None``."""
        if self.reported:
            cs = (self.closes_for(tail, depart_h), self.closes_for(link, depart_h), self.closes_for(head, depart_h))
        else:
            get = self.times.get
            cs = (get(tail, math.inf), get(link, math.inf), get(head, math.inf))
        k = first_blocked(depart_h, arrive_h, *cs)
        if k >= 0:
            return (tail, link, head)[k], cs[k]
        if self.windows:
            w = self._window(tail, link, head, depart_h, arrive_h)
            if w is not None:
                return (tail, link, head)[w[0]], w[1]
        return None

    def _window(self, tail: str, link: str, head: str, depart_h: float,
                arrive_h: float) -> tuple[int, float, float] | None:
        get = self.windows.get
        return window_blocker(depart_h, arrive_h, get(tail, _NO_WINDOWS), get(link, _NO_WINDOWS),
                              get(head, _NO_WINDOWS))

    def next_departure(self, tail: str, link: str, head: str, travel_h: float, t_h: float) -> float:
        """The earliest departure at or after ``t_h`` from ``tail`` on ``link`` to ``head`` that the leg rule
        allows from now on, waiting out temporary closures; ``inf`` when none does (a closure for good)."""
        get = self.times.get
        tc, lc, hc = get(tail, math.inf), get(link, math.inf), get(head, math.inf)
        d = t_h
        while True:
            if not leg_fits(d, d + travel_h, tc, lc, hc):
                return math.inf  # closures for good only get worse with time
            if not self.windows:
                return d
            w = self._window(tail, link, head, d, d + travel_h)
            if w is None:
                return d
            which, _, end = w
            d = end if which != HEAD else end - travel_h  # leave, or arrive, as it reopens

    def latest_departure_by(self, tail: str, link: str, head: str, travel_h: float, t_h: float) -> float:
        """The latest departure at or before ``t_h`` from ``tail`` on ``link`` to ``head`` that the leg rule
        allows, leaving before temporary closures begin; ``-inf`` when none does."""
        d = min(t_h, self.latest_departure(tail, link, head, travel_h))
        while self.windows and math.isfinite(d):
            w = self._window(tail, link, head, d, d + travel_h)
            if w is None:
                break
            which, start, _ = w
            d = start if which == TAIL else start - travel_h  # leave, or arrive, as it closes
        return d

    def latest_departure(self, tail: str, link: str, head: str, travel_h: float) -> float:
        """Latest departure from ``tail`` on ``link`` to ``head`` (hours) that the leg rule allows from now on."""
        get = self.times.get
        return latest_departure_h(travel_h, get(tail, math.inf), get(link, math.inf), get(head, math.inf))
