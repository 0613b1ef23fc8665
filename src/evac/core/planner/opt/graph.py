"""A road graph that reuses shortest-path trees between closures.

The dispatching planners ask for the earliest-arrival tree from the same places (vehicle positions,
origins) over and over at different times. Travel times are fixed and closures only switch arcs off, so
the search from ``source`` leaving at ``T`` makes the same decisions for every ``T`` at which each arc it
examined is open or closed alike: the tree is then the same, its times shifted by ``T - t0``. Each arc the
search examined is open at ``T`` iff ``T <= c + tolerance - x`` for each closure time ``c`` of its tail, link or head
(``x``: the offset from the departure at which it leaves or arrives), so the tree holds on the interval
between the nearest such thresholds around ``t0``; it is cached with that interval and reused inside it.
Closures are days apart and trips hours long, which turns a Dijkstra per dispatch (milliseconds on a
2,000-node network) into a dict look-up.

Arrival times may differ from a fresh search by float rounding (1e-12 h), never by more; legs are timed
from the arcs by :meth:`Dispatch.schedule`, not from these values, so plans stay exact.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from evac.core.model.tolerance import TOLERANCE_H
from evac.core.network import Arc, RoadGraph

if TYPE_CHECKING:
    from collections.abc import Iterable

    from evac.core.model import Scenario
    from evac.core.model.feasibility import ClosureSchedule

__all__ = ["CachedRoadGraph"]


class CachedRoadGraph(RoadGraph):
    """:class:`RoadGraph` whose :meth:`earliest_arrival` is cached per (source, sinks) (module docstring)."""

    def __init__(self, scenario: Scenario, schedule: ClosureSchedule | None = None) -> None:
        super().__init__(scenario, schedule)
        self._cache: dict[tuple[str, frozenset[str]],
                          tuple[float, dict[str, float], dict[str, Arc], float, float]] = {}
        self.hits = 0
        self.misses = 0

    def _restricted(self) -> None:
        # a copy restricted to a fleet's service area: its trees differ, so it must not share the cache
        self._cache = {}

    def _validity(self, source: str, depart_h: float, best: dict[str, float],
                  stop: frozenset[str]) -> tuple[float, float]:
        """``(lo, hi)``: the tree searched from ``depart_h`` is the tree for every departure in ``(lo, hi]``.

        An element closing at ``c`` reached ``x`` hours after departure is usable iff the departure is at
        most ``c + TOLERANCE_H - x`` (the kernel's leg rule), so that is where the tree may change."""
        lo, hi = -math.inf, math.inf
        closes = self.closures
        for node, t in best.items():
            if node in stop and node != source:
                continue
            x_tail = t - depart_h
            c = closes.get(node)
            if c is not None:
                theta = c + TOLERANCE_H - x_tail
                if theta < depart_h:
                    lo = max(lo, theta)
                else:
                    hi = min(hi, theta)
            for arc in self.out[node]:
                x = x_tail + arc.travel_h
                for key in (arc.link_id, arc.head):
                    c = closes.get(key)
                    if c is not None:
                        theta = c + TOLERANCE_H - x
                        if theta < depart_h:
                            lo = max(lo, theta)
                        else:
                            hi = min(hi, theta)
        return lo, hi

    def _tree(
        self, source: str, depart_h: float, stop: frozenset[str]
    ) -> tuple[float, dict[str, float], dict[str, Arc]]:
        """``(shift, best, pred)``: the cached tree (not a copy) and what to add to its times."""
        if self.windows:  # temporary closures: the validity interval below does not cover them; no cache
            best, pred = super().earliest_arrival(source, depart_h, sinks=stop)
            return 0.0, best, pred
        key = (source, stop)
        hit = self._cache.get(key)
        if hit is not None:
            t0, best, pred, lo, hi = hit
            if lo < depart_h <= hi:
                self.hits += 1
                return depart_h - t0, best, pred
        self.misses += 1
        best, pred = super().earliest_arrival(source, depart_h, sinks=stop)
        lo, hi = self._validity(source, depart_h, best, stop)
        self._cache[key] = (depart_h, best, pred, lo, hi)
        return 0.0, best, pred

    def earliest_arrival(
        self, source: str, depart_h: float, *, sinks: Iterable[str] = ()
    ) -> tuple[dict[str, float], dict[str, Arc]]:
        stop = sinks if isinstance(sinks, frozenset) else frozenset(sinks)
        shift, best, pred = self._tree(source, depart_h, stop)
        return ({k: v + shift for k, v in best.items()} if shift else dict(best)), pred

    def offset_h(self, source: str, target: str, depart_h: float, *, sinks: Iterable[str] = ()) -> float:
        """Hours from ``source`` (leaving at ``depart_h``) to ``target``; ``inf`` when unreachable."""
        stop = sinks if isinstance(sinks, frozenset) else frozenset(sinks)
        shift, best, _ = self._tree(source, depart_h, stop)
        t = best.get(target)
        return math.inf if t is None else t + shift - depart_h

    def route(self, source: str, target: str, depart_h: float, *, sinks: Iterable[str] = ()) -> list[Arc] | None:
        """Arcs of the earliest-arrival route from ``source`` to ``target``; ``None`` when unreachable."""
        stop = sinks if isinstance(sinks, frozenset) else frozenset(sinks)
        _, best, pred = self._tree(source, depart_h, stop)
        if target not in best:
            return None
        return self.path(pred, source, target)
