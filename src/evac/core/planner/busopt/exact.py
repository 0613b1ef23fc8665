"""An exact model of the bus evacuation problem, solved by OR-Tools CP-SAT.

Rather than Bish's round-indexed MIP (one binary per bus, round, pickup and shelter, with symmetric
rounds), each bus ``b`` gets an **aggregated route**: how many times it drives each loaded leg
``x[b,i,j]`` (pickup ``i`` to shelter ``j``) and each empty leg ``y[b,j,i]``, where it starts
(``s[b,i]``, at most one) and ends (``e[b,j]``). Degree balance (into ``i``: start + empty legs = loaded
legs out; into ``j``: loaded legs = empty legs out + end) plus connectivity make these counts exactly the
Eulerian trails that are bus routes: connectivity is a single-commodity flow from the start that drops
one unit at every loaded arrival and may only use legs the bus drives. A route's time is the sum of its
legs, so the counts alone give each bus's finish and the makespan ``T >= release_b + cost_b``. Partial
loads (demand not a multiple of the seats) choose their shelter with a boolean per pickup and shelter.
Buses with the same depot and release are interchangeable: their costs are ordered to cut symmetry.

The routes are rebuilt from the counts by Hierholzer's algorithm (any Eulerian trail has the same time).
Deadlines depend on the order of trips, which the counts do not fix: problems with deadlines are refused
(:class:`NotImplementedError`; the caller falls back to the local search).

CP-SAT needs integer coefficients: times are multiplied by ``scale`` and rounded (1 when every time is a
whole number, which makes the proof exact; otherwise the optimum is that of the rounded times and only
the rebuilt routes' true times are reported, without a proof).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from evac.core.planner.busopt.solution import BusSolution, makespan_of, settle_bound, timed_routes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.planner.busopt.problem import BusProblem

__all__ = ["ExactParams", "ExactResult", "solve_exact"]


@dataclass(frozen=True)
class ExactParams:
    """``time_limit_s``: wall seconds for CP-SAT; ``workers``: its parallel search workers (more than the
    cores still helps: the portfolio is diverse); ``scale``: time multiplier for non-integer times."""

    time_limit_s: float = 30.0
    workers: int = 8
    scale: float = 1e4

    def __post_init__(self) -> None:
        if self.time_limit_s < 0:
            raise ValueError(f"time_limit_s must not be negative, got {self.time_limit_s}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if not self.scale > 0:
            raise ValueError(f"scale must be positive, got {self.scale}")


@dataclass(frozen=True)
class ExactResult:
    """``solution`` is None when CP-SAT found none in time; ``bound`` is CP-SAT's proven lower bound on the
    makespan (problem units; valid only when the times are integers, else ``-inf``)."""

    solution: BusSolution | None
    bound: float
    optimal: bool
    status: str


def solve_exact(
    problem: BusProblem,
    *,
    params: ExactParams | None = None,
    seed: int = 0,
    hint: Sequence[Sequence[tuple[int, int, int]]] | None = None,
    upper_bound: float | None = None,
    lower_bound: float = 0.0,
) -> ExactResult:
    """Solve the aggregated-route model (see the module docstring).

    ``hint``: a solution's trips per bus to start from; ``upper_bound``: a known makespan (solutions must
    be at least as good); ``lower_bound``: a known bound (added as a constraint, it helps the proof).
    """
    par = params or ExactParams()
    if problem.has_deadlines:
        raise NotImplementedError("the aggregated model cannot express deadlines")
    t0 = time.perf_counter()
    pr = problem
    integral = pr.is_integral
    scale = 1.0 if integral else par.scale
    P, S, B = pr.n_pickups, pr.n_shelters, pr.n_buses
    n = [len(x) for x in pr.loads]
    total = sum(n)
    q = pr.seats
    partial = [x[-1] if x and x[-1] < q else 0 for x in pr.loads]
    smallest = min((s for x in pr.loads for s in x), default=q)

    def tim(v: float) -> int:
        return round(v * scale)

    horizon = _horizon(pr, scale)
    m = cp_model.CpModel()
    makespan = m.new_int_var(0, horizon, "T")
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    y: dict[tuple[int, int, int], cp_model.IntVar] = {}
    s: dict[tuple[int, int], cp_model.IntVar] = {}
    e: dict[tuple[int, int], cp_model.IntVar] = {}
    cost: list[cp_model.IntVar] = []
    for b in range(B):
        d = pr.bus_depot[b]
        for i in range(P):
            if n[i] and math.isfinite(pr.depot_to_pickup[d, i]):
                s[b, i] = m.new_bool_var(f"s{b}_{i}")
            for j in range(S):
                if n[i] and math.isfinite(pr.pickup_to_shelter[i, j]) and pr.capacity[j] >= smallest:
                    x[b, i, j] = m.new_int_var(0, n[i], f"x{b}_{i}_{j}")
                if n[i] and math.isfinite(pr.shelter_to_pickup[j, i]):
                    y[b, j, i] = m.new_int_var(0, n[i], f"y{b}_{j}_{i}")
        for j in range(S):
            e[b, j] = m.new_bool_var(f"e{b}_{j}")
        used = sum(s.get((b, i), 0) for i in range(P))
        m.add(used <= 1)
        m.add(sum(e[b, j] for j in range(S)) == used)
        for i in range(P):
            into = s.get((b, i), 0) + sum(y.get((b, j, i), 0) for j in range(S))
            m.add(into == sum(x.get((b, i, j), 0) for j in range(S)))
        for j in range(S):
            m.add(sum(x.get((b, i, j), 0) for i in range(P)) == sum(y.get((b, j, i), 0) for i in range(P)) + e[b, j])
        # connectivity: flow from the start, one unit dropped per loaded arrival, only on driven legs
        trips_b = sum(v for (bb, _, _), v in x.items() if bb == b)
        fs = {i: m.new_int_var(0, total, f"fs{b}_{i}") for (bb, i) in s if bb == b}
        fx = {(i, j): m.new_int_var(0, total, f"fx{b}_{i}_{j}") for (bb, i, j) in x if bb == b}
        fy = {(j, i): m.new_int_var(0, total, f"fy{b}_{j}_{i}") for (bb, j, i) in y if bb == b}
        for i, f in fs.items():
            m.add(f <= total * s[b, i])
        for (i, j), f in fx.items():
            m.add(f <= total * x[b, i, j])
        for (j, i), f in fy.items():
            m.add(f <= total * y[b, j, i])
        m.add(sum(fs.values()) == trips_b)
        for i in range(P):
            m.add(fs.get(i, 0) + sum(fy.get((j, i), 0) for j in range(S)) == sum(fx.get((i, j), 0) for j in range(S)))
        for j in range(S):
            m.add(sum(fx.get((i, j), 0) for i in range(P)) - sum(fy.get((j, i), 0) for i in range(P))
                  == sum(x.get((b, i, j), 0) for i in range(P)))
        c = m.new_int_var(0, horizon, f"cost{b}")
        m.add(c == sum(tim(float(pr.depot_to_pickup[d, i])) * v for (bb, i), v in s.items() if bb == b)
              + sum(tim(float(pr.pickup_to_shelter[i, j])) * v for (bb, i, j), v in x.items() if bb == b)
              + sum(tim(float(pr.shelter_to_pickup[j, i])) * v for (bb, j, i), v in y.items() if bb == b))
        used_b = m.new_bool_var(f"used{b}")
        m.add(used == used_b)
        m.add(makespan >= c + tim(pr.release_of(b))).only_enforce_if(used_b)
        cost.append(c)
    for b in range(B - 1):
        if pr.bus_depot[b] == pr.bus_depot[b + 1] and pr.release_of(b) == pr.release_of(b + 1):
            m.add(cost[b] >= cost[b + 1])
    for i in range(P):
        if n[i]:
            m.add(sum(v for (_, ii, _), v in x.items() if ii == i) == n[i])
    part: dict[tuple[int, int], cp_model.IntVar] = {}
    for i in range(P):
        if partial[i]:
            for j in range(S):
                if any((b, i, j) in x for b in range(B)):
                    part[i, j] = m.new_bool_var(f"part{i}_{j}")
                    m.add(sum(x[b, i, j] for b in range(B) if (b, i, j) in x) >= 1).only_enforce_if(part[i, j])
            m.add(sum(v for (ii, _), v in part.items() if ii == i) == 1)
    for j in range(S):
        m.add(q * sum(v for (_, _, jj), v in x.items() if jj == j)
              - sum((q - partial[i]) * v for (i, jj), v in part.items() if jj == j) <= pr.capacity[j])
    if integral:
        m.add(makespan >= math.ceil(lower_bound - 1e-9))
    if upper_bound is not None and math.isfinite(upper_bound):
        m.add(makespan <= math.floor(upper_bound * scale + 1e-6) + (0 if integral else B * total))
    if hint is not None:
        _add_hint(m, pr, hint, s, x, y, e)
    m.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, par.time_limit_s)
    solver.parameters.num_workers = par.workers
    solver.parameters.random_seed = seed
    status = solver.solve(m)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # UNKNOWN (time out before any solution) still proves its bound
        bound = solver.best_objective_bound if integral and status == cp_model.UNKNOWN else -math.inf
        return ExactResult(None, bound, False, name)
    sequences = [_trail(pr, b, solver, s, x, y) for b in range(B)]
    for i, r in enumerate(partial):  # the partial load rides one trip from i to its chosen shelter
        if r:
            target = next(j for (ii, j), v in part.items() if ii == i and solver.value(v))
            b, k = next((b, k) for b, seq in enumerate(sequences) for k, t in enumerate(seq) if t[:2] == (i, target))
            sequences[b][k] = (i, target, r)
    routes = timed_routes(pr, sequences)
    ms = makespan_of(routes)
    # CP-SAT's proven bound is the only bound here (none without integral times); the makespan is that of the
    # timed routes, and optimality is decided on the two, not taken from the status and then given a bound
    bound = solver.best_objective_bound / scale if integral else -math.inf
    final_lb, proven = settle_bound(ms, bound)
    optimal = status == cp_model.OPTIMAL and proven
    sol = BusSolution(routes, ms, final_lb, optimal, "cp-sat", seed, 0, time.perf_counter() - t0)
    return ExactResult(sol, bound, optimal, name)


def _horizon(pr: BusProblem, scale: float) -> int:
    """A makespan no optimal solution exceeds: one bus driving every load at the longest legs."""
    finite = [float(v) for arr in (pr.depot_to_pickup, pr.pickup_to_shelter, pr.shelter_to_pickup)
              for v in arr.ravel() if math.isfinite(v)]
    longest = max(finite, default=0.0)
    return math.ceil((max((pr.release_of(b) for b in range(pr.n_buses)), default=0.0)
                      + 2 * longest * max(1, pr.n_loads)) * scale) + 1


def _add_hint(
    m: cp_model.CpModel,
    pr: BusProblem,
    hint: Sequence[Sequence[tuple[int, int, int]]],
    s: dict[tuple[int, int], cp_model.IntVar],
    x: dict[tuple[int, int, int], cp_model.IntVar],
    y: dict[tuple[int, int, int], cp_model.IntVar],
    e: dict[tuple[int, int], cp_model.IntVar],
) -> None:
    """Hint the counts of a known solution (CP-SAT repairs or ignores a hint that does not fit)."""
    for b, seq in enumerate(hint):
        cx: Counter[tuple[int, int, int]] = Counter()
        cy: Counter[tuple[int, int, int]] = Counter()
        for k, (i, j, _) in enumerate(seq):
            cx[b, i, j] += 1
            if k:
                cy[b, seq[k - 1][1], i] += 1
        first = seq[0][0] if seq else -1
        last = seq[-1][1] if seq else -1
        for (bs, i), v in s.items():
            if bs == b:
                m.add_hint(v, i == first)
        for (be, j), v in e.items():
            if be == b:
                m.add_hint(v, j == last)
        for kx, v in x.items():
            if kx[0] == b:
                m.add_hint(v, cx[kx])
        for ky, v in y.items():
            if ky[0] == b:
                m.add_hint(v, cy[ky])


def _trail(
    pr: BusProblem,
    b: int,
    solver: cp_model.CpSolver,
    s: dict[tuple[int, int], cp_model.IntVar],
    x: dict[tuple[int, int, int], cp_model.IntVar],
    y: dict[tuple[int, int, int], cp_model.IntVar],
) -> list[tuple[int, int, int]]:
    """Bus ``b``'s trips: an Eulerian trail of its counted legs from its start (Hierholzer)."""
    start = next((i for (bb, i), v in s.items() if bb == b and solver.value(v)), None)
    if start is None:
        return []
    P = pr.n_pickups
    # nodes: pickups 0..P-1, shelters P..P+S-1
    out: dict[int, list[int]] = {}
    for (bb, i, j), v in x.items():
        if bb == b:
            out.setdefault(i, []).extend([P + j] * solver.value(v))
    for (bb, j, i), v in y.items():
        if bb == b:
            out.setdefault(P + j, []).extend([i] * solver.value(v))
    stack, trail = [start], []
    while stack:
        node = stack[-1]
        if out.get(node):
            stack.append(out[node].pop())
        else:
            trail.append(stack.pop())
    trail.reverse()
    trips: list[tuple[int, int, int]] = []
    for k in range(0, len(trail) - 1, 2):
        i, j = trail[k], trail[k + 1] - P
        trips.append((i, j, pr.seats))
    return trips
