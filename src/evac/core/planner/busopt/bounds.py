"""Lower bounds on the makespan of a :class:`BusProblem`: values no plan can beat.

Three arguments, each valid on its own; :func:`lower_bound` returns the largest.

**Reach.** Every pickup ``i`` with people must be reached by some bus and its last load driven to a
shelter. No bus reaches ``i`` before ``a_i``, the earliest arrival over all buses (from their release,
through any chain of depot, pickup and shelter legs; a Bellman-Ford pass on the small bipartite graph),
so the makespan is at least ``max_i a_i + min_j t(i, j)`` over shelters ``j`` with room for a load. When
``i`` has more loads ``n_i`` than there are buses ``B``, some bus loads at ``i`` at least
``k = ceil(n_i / B)`` times, each later time after a round trip ``i -> j -> i`` of at least
``r_i = min_j t(i, j) + t(j, i)``: the makespan is at least ``a_i + (k - 1) r_i + min_j t(i, j)``.

**Trips.** Within a makespan ``T`` bus ``b`` can drive at most ``k_b(T)`` trips, counting the cheapest
first trip from its depot and the cheapest later trip (empty leg plus loaded leg). If
``sum_b k_b(T) < N`` (the number of loads), ``T`` is impossible.

**Work (parametric flow).** Summed over buses, the route costs are at least the cost ``W(T)`` of a
min-cost flow in which every load is one unit leaving its pickup for a shelter (shelter ``j`` takes at
most ``floor(c_j / smallest load)`` of them), each load is preceded by one leg into its pickup, either
from a depot (at most ``b_d`` from depot ``d``) or from a shelter already reached by a load (at most as
many as arrived there), and every leg that cannot finish by ``T`` (given the earliest arrivals ``a``) is
removed. A bus released at ``r_b`` drives at most ``T - r_b``, so ``T`` is possible only if
``W(T) <= sum_b max(0, T - r_b)`` and the flow exists. This holds for larger ``T`` whenever it holds for
``T``, so a bisection finds the least such ``T``. The flow is integral (a network), so ``W(T)`` equals the
LP relaxation of the aggregated route model without its connectivity constraints. Costs are floored to
integers after scaling (exactly when all times are integers), which keeps the bound valid.

With integer times the optimum is an integer, so bounds are rounded up. The reach and trips bounds are
what FORMAT.md calls ``lb_simple`` (a) and more; the work bound replaces its (b).

Complexity: O(P S) for reach and trips; each flow is a network of ``D + 2P + S + 2`` nodes and
``D P + 2 P S`` arcs, solved by OR-Tools' min-cost flow about 40 times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from evac.core.planner.busopt.problem import BusProblem

__all__ = ["BoundReport", "bound_report", "earliest_arrivals", "lower_bound"]

_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class BoundReport:
    """Each bound's value (problem time unit) and the largest, ``value``."""

    reach: float
    trips: float
    work: float

    @property
    def value(self) -> float:
        return max(self.reach, self.trips, self.work)

    @property
    def method(self) -> str:
        best = max((self.reach, "reach"), (self.trips, "trips"), (self.work, "work"))
        return best[1]


def lower_bound(problem: BusProblem) -> float:
    """The best of the reach, trips and work bounds on the makespan (see the module docstring)."""
    return bound_report(problem).value


def earliest_arrivals(problem: BusProblem) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Earliest time any bus can be at each pickup (with deadlines respected) and at each shelter."""
    p, s = problem.n_pickups, problem.n_shelters
    at_p = np.full(p, math.inf)
    for b in range(problem.n_buses):
        at_p = np.minimum(at_p, problem.release_of(b) + problem.depot_to_pickup[problem.bus_depot[b]])
    deadline = np.array([problem.deadline_of(i) for i in range(p)])
    at_p[at_p > deadline + _EPS] = math.inf
    at_s = np.full(s, math.inf)
    for _ in range(p + s + 1):
        new_s = (at_p[:, None] + problem.pickup_to_shelter).min(axis=0) if p else at_s
        new_p = np.minimum(at_p, (new_s[:, None] + problem.shelter_to_pickup).min(axis=0) if s else at_p)
        new_p[new_p > deadline + _EPS] = math.inf
        if np.array_equal(new_p, at_p) and np.array_equal(new_s, at_s):
            break
        at_p, at_s = new_p, new_s
    return at_p, at_s


class _Work:
    """The parametric flow of the work bound, with the data it reuses across values of ``T``."""

    def __init__(self, problem: BusProblem, at_p: NDArray[np.float64], at_s: NDArray[np.float64]) -> None:
        self.problem = problem
        self.at_p, self.at_s = at_p, at_s
        pr = problem
        self.n_loads = np.array([len(x) for x in pr.loads], dtype=np.int64)
        sizes = [q for x in pr.loads for q in x]
        smallest = min(sizes) if sizes else pr.seats
        self.shelter_cap = np.array([c // smallest for c in pr.capacity], dtype=np.int64)
        room = np.array(pr.capacity) >= smallest
        ps = np.where(room[None, :], pr.pickup_to_shelter, math.inf) if pr.n_pickups else pr.pickup_to_shelter
        self.ps = ps
        self.min_out = ps.min(axis=1) if pr.n_shelters else np.zeros(pr.n_pickups)
        self.scale = 1.0 if pr.is_integral else 1e6 / max(1.0, float(np.nanmax(np.where(
            np.isfinite(ps), ps, 0.0), initial=1.0)))
        self.release = np.array([pr.release_of(b) for b in range(pr.n_buses)])
        self.depot_release = np.array([
            min((pr.release_of(b) for b in range(pr.n_buses) if pr.bus_depot[b] == d), default=math.inf)
            for d in range(pr.n_depots)
        ])

    def budget(self, t: float) -> float:
        return float(np.maximum(0.0, t - self.release).sum())

    def cost(self, t: float) -> float | None:
        """``W(T)``: least total driving with legs that can end by ``t``; ``None`` when no flow exists."""
        pr = self.problem
        d, p, s = pr.n_depots, pr.n_pickups, pr.n_shelters
        src, sink = 0, 1
        depot0, pin0, pout0, sin0, sout0 = 2, 2 + d, 2 + d + p, 2 + d + 2 * p, 2 + d + 2 * p + s
        tails: list[int] = []
        heads: list[int] = []
        caps: list[int] = []
        costs: list[int] = []

        def arc(a: int, b: int, cap: int, c: float) -> None:
            tails.append(a)
            heads.append(b)
            caps.append(cap)
            costs.append(math.floor(c * self.scale + _EPS))

        n_bus = pr.n_buses
        arc(src, sink, n_bus, 0.0)
        for k in range(d):
            arc(src, depot0 + k, pr.depot_buses[k], 0.0)
        need = self.at_p + self.min_out  # leaving i loaded ends no earlier than this
        for i in range(p):
            n_i = int(self.n_loads[i])
            if n_i == 0:
                continue
            for k in range(d):
                c = float(pr.depot_to_pickup[k, i])
                if self.depot_release[k] + c + self.min_out[i] <= t + _EPS and c <= pr.deadline_of(i) + _EPS:
                    arc(depot0 + k, pin0 + i, n_i, c)
            for j in range(s):
                c = float(self.ps[i, j])
                if math.isfinite(c) and self.at_p[i] + c <= t + _EPS:
                    arc(pout0 + i, sin0 + j, n_i, c)
                back = float(pr.shelter_to_pickup[j, i])
                if (math.isfinite(back) and self.at_s[j] + back <= pr.deadline_of(i) + _EPS
                        and self.at_s[j] + back + self.min_out[i] <= t + _EPS):
                    arc(sout0 + j, pin0 + i, n_i, back)
            if not need[i] <= t + _EPS:
                return None
        for j in range(s):
            arc(sin0 + j, sout0 + j, int(self.shelter_cap[j]), 0.0)
            arc(sout0 + j, sink, n_bus, 0.0)
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(np.array(tails), np.array(heads), np.array(caps), np.array(costs))
        supplies = np.zeros(sout0 + s, dtype=np.int64)
        supplies[src], supplies[sink] = n_bus, -n_bus
        supplies[pin0:pin0 + p] = -self.n_loads
        supplies[pout0:pout0 + p] = self.n_loads
        flow.set_nodes_supplies(np.arange(len(supplies)), supplies)
        if flow.solve() != flow.OPTIMAL:
            return None
        return float(flow.optimal_cost()) / self.scale

    def max_trips(self, t: float) -> int:
        """``sum_b k_b(T)``: most trips all buses together can drive within ``t``."""
        pr = self.problem
        if pr.n_pickups == 0:
            return 0
        later = float((pr.shelter_to_pickup + self.min_out[None, :]).min()) if pr.n_shelters else math.inf
        total = 0
        for b in range(pr.n_buses):
            first = float((pr.depot_to_pickup[pr.bus_depot[b]] + self.min_out).min()) + pr.release_of(b)
            if first > t + _EPS:
                continue
            if later <= 0:
                return 1 << 40
            total += 1 + math.floor((t - first) / later + _EPS)
        return total

    def possible(self, t: float) -> bool:
        if self.max_trips(t) < int(self.n_loads.sum()):
            return False
        w = self.cost(t)
        return w is not None and w <= self.budget(t) + _EPS * max(1.0, w)


def bound_report(problem: BusProblem) -> BoundReport:
    """All three bounds (see the module docstring); 0 for a problem with nobody to move."""
    if problem.n_loads == 0:
        return BoundReport(0.0, 0.0, 0.0)
    at_p, at_s = earliest_arrivals(problem)
    work = _Work(problem, at_p, at_s)
    integral = problem.is_integral
    reach = 0.0
    n_bus = max(1, problem.n_buses)
    back = _shelter_to_pickup_paths(problem)
    for i, sizes in enumerate(problem.loads):
        if not sizes:
            continue
        out = float(work.min_out[i])
        k = math.ceil(len(sizes) / n_bus)
        loop = float((problem.pickup_to_shelter[i] + back[:, i]).min()) if k > 1 else 0.0
        reach = max(reach, float(at_p[i]) + out + (k - 1) * loop)
    if not math.isfinite(reach):
        return BoundReport(reach, reach, reach)

    def least(lo: float) -> float:
        """Smallest ``T >= lo`` with ``work.possible(T)`` (monotone), by bisection."""
        hi = max(lo, 1.0)
        while not work.possible(hi):
            hi *= 2.0
            if hi > 1e15:
                return math.inf
        if work.possible(lo):
            return lo
        if integral:
            a, b = math.floor(lo), math.ceil(hi)  # a impossible, b possible
            while b - a > 1:
                m = (a + b) // 2
                a, b = (a, m) if work.possible(m) else (m, b)
            return float(b)
        a2, b2 = lo, hi
        for _ in range(50):
            m2 = 0.5 * (a2 + b2)
            a2, b2 = (a2, m2) if work.possible(m2) else (m2, b2)
        return a2

    if integral:
        reach = float(math.ceil(reach - _EPS))
    value = least(reach)
    trips_only = _trips_bound(work, reach, integral)
    return BoundReport(reach, trips_only, value)


def _shelter_to_pickup_paths(problem: BusProblem) -> NDArray[np.float64]:
    """Shortest times from each shelter to each pickup over alternating legs (Floyd-Warshall, O((P+S)^3)):
    the published matrices need not obey the triangle inequality, so a detour can beat the direct leg."""
    p, s = problem.n_pickups, problem.n_shelters
    n = p + s
    dist = np.full((n, n), math.inf)
    np.fill_diagonal(dist, 0.0)
    dist[:p, p:] = problem.pickup_to_shelter
    dist[p:, :p] = problem.shelter_to_pickup
    for k in range(n):
        dist = np.minimum(dist, dist[:, k:k + 1] + dist[k:k + 1, :])
    return dist[p:, :p]


def _trips_bound(work: _Work, lo: float, integral: bool) -> float:
    """Least ``T >= lo`` with enough trips (the trips bound alone, for the report)."""
    n = int(work.n_loads.sum())
    if work.max_trips(lo) >= n:
        return lo
    hi = max(lo, 1.0)
    while work.max_trips(hi) < n:
        hi *= 2.0
    a, b = lo, hi
    for _ in range(60):
        m = 0.5 * (a + b)
        a, b = (a, m) if work.max_trips(m) >= n else (m, b)
    return float(math.ceil(a - _EPS)) if integral else a
