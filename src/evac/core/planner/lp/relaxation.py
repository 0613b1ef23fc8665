"""The time-expanded network-flow relaxation: an upper bound on weighted people safe and a lower bound on
clearance time, solved as an LP with HiGHS. ``docs/planner.md`` states the model and proves it valid.

In short: time is cut into buckets of ``step_h`` from the start; a node is (place, bucket). Vehicles of a
*fleet group* (fleets with the same mode, seats, depot and window, summed) flow over copies of movement
arcs whose travel time is rounded **down** to whole buckets, and an arc copy exists only if some real
departure in its bucket is allowed by the closures and the fleet's window. People flow over the same arc
copies, at most ``seats × vehicles`` of them, and over scheduled departures (at most their seats); link
capacity is limited per bucket by its per-clock-hour limit times the clock hours the bucket touches. At a
crossing people arrive *unprocessed* and may leave on a vehicle only once *processed*: a fluid queue of at
most ``rate × step`` people processed per bucket (the checker's queue rule, relaxed to buckets).
Integrality, household unity and vehicle identity are dropped. Every valid plan maps to a feasible flow
(round each event time down to its bucket), so the LP optimum bounds every plan.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from evac.core.model import Bound
from evac.core.planner.lp.builder import ModelBuilder
from evac.core.planner.lp.combinatorial import bound_from_instance
from evac.core.planner.lp.highs import LpSolver, ModelInfeasibleError
from evac.core.planner.lp.instance import QUEUE_TOL, TOL, build_instance

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from evac.core.model import Fleet, Scenario
    from evac.core.planner.lp.instance import Instance, MoveArc

__all__ = ["LpBoundReport", "lp_bound", "lp_bound_report"]

_EPS = 1e-9  # nudges every rounding towards the relaxed side
MAX_AUTO_HORIZON_H = 24.0 * 14
IPM_ABOVE_COLS = 15_000
IPM_ABOVE_PEOPLE = 5_000
"""Models with more columns, or more people to move, are solved by interior point without crossover (simplex
pivots grow with the supplies on these degenerate flow LPs); smaller ones by warm-started simplex."""
REL_SLACK = 1e-6
"""Relative slack added to LP objectives and allowed in "moves everyone" tests: covers solver tolerances."""


@dataclass(frozen=True)
class LpBoundReport:
    """The bound and what it cost: model size, LP solves and seconds (for docs and benchmarks)."""

    bound: Bound
    rows: int
    cols: int
    nonzeros: int
    horizon_h: float
    step_h: float
    solves: int
    build_s: float
    solve_s: float
    binds: str = ""
    """What decides the bound: ``"weighted"`` (not everyone can be safe: the first objective's bound),
    ``"combinatorial"`` (the cheap bound's clearance: reach, crossings' entry, seat hours), ``"fleet-hours"``
    (the driving floor, i.e. the fleets' hours), ``"network-flow"`` (the time-expanded flow itself:
    crossings, links, timetables, vehicle positions), ``"fleet-hours+network-flow"`` (the floor is above the
    cheap bound and the flow adds to it); ``"horizon"`` when the grid ran out."""


@dataclass(frozen=True)
class FleetGroup:
    mode: str
    seats: int
    count: int
    depot: str
    available_from_h: float
    available_until_h: float


@dataclass
class _Model:
    """Column indices the solves need to change."""

    builder: ModelBuilder
    supply: NDArray[np.int64]  # one column per (origin, class) with travellers
    supply_weight: NDArray[np.float64]
    supply_people: NDArray[np.float64]
    sink: NDArray[np.int64]  # one column per (haven, bucket)
    sink_bucket: NDArray[np.int64]
    terminal: NDArray[np.int64]  # one column per hopeful place at the last bucket
    # the fleet-hours budget (docs/planner.md §3): one row per fleet group, ``Σ (τ_a − 2 TOL) x ≤ count ×
    # (end − budget_start)``; ``end`` is the clearance test's deadline, or ``budget_end`` in the weighted form
    budget_rows: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    budget_count: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    budget_start: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    budget_end: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    drive_cols: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # vehicle arc copies
    drive_h: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # their τ − 2 TOL, hours

    def set_budget(self, solver: LpSolver, end_h: float | NDArray[np.float64] | None) -> None:
        """Each group's vehicles drive at most ``count × (end_h − start)`` hours of legs (``None``: the
        weighted form's own ends, :attr:`budget_end`)."""
        if len(self.budget_rows) == 0:
            return
        end = self.budget_end if end_h is None else np.full(len(self.budget_rows), end_h)
        upper = self.budget_count * np.maximum(0.0, end + TOL - self.budget_start)
        solver.set_row_bounds(self.budget_rows.astype(np.int32), np.full(len(upper), -np.inf), upper)


def _groups(fleets: tuple[Fleet, ...]) -> list[FleetGroup]:
    merged: dict[tuple[str, int, str, float, float], int] = {}
    for f in fleets:
        key = (str(f.mode), f.seats, f.depot, f.available_from_h, f.available_until_h)
        merged[key] = merged.get(key, 0) + f.count
    return [FleetGroup(m, seats, n, depot, af, au) for (m, seats, depot, af, au), n in sorted(merged.items())]


class Grid:
    """Buckets ``[s + i·step, s + (i+1)·step)`` for ``i = 0..H-1``, and the last node layer ``H``."""

    def __init__(self, start_h: float, step_h: float, steps: int) -> None:
        self.s, self.step, self.H = start_h, step_h, steps

    def t(self, i: int) -> float:
        return self.s + i * self.step

    def floor(self, t_h: float) -> int:
        """Bucket of a real time (may be negative or beyond ``H``); ``_EPS`` absorbs float noise only."""
        if math.isinf(t_h):
            return 10**9 if t_h > 0 else -(10**9)
        return math.floor((t_h - self.s) / self.step + _EPS)

    def hours_touched(self, i: int) -> int:
        """Clock hours ``[k, k+1)`` that meet bucket ``i``: per-clock-hour limits times this bound a bucket."""
        a, b = self.t(i), self.t(i + 1)
        return math.ceil(b - _EPS) - math.floor(a)

    def delta(self, travel_h: float) -> int:
        """Travel time in whole buckets, rounded down (``_EPS`` absorbs float noise such as 0.6 / 0.3)."""
        return max(0, math.floor(travel_h / self.step + _EPS))


def _last_bucket(grid: Grid, latest_h: float) -> int:
    """Last bucket with a real time ``<= latest_h`` (bucket ``i`` starts at ``t(i)``)."""
    return min(grid.H - 1, grid.floor(latest_h + TOL))


def vehicle_reach(inst: Instance, grid: Grid, g: FleetGroup, arcs: list[MoveArc]) -> dict[str, int]:
    """Earliest bucket each place can hold a vehicle of group ``g`` in the grid (label-setting on buckets)."""
    import heapq

    i0 = max(0, grid.floor(max(inst.start_h, g.available_from_h)))
    best = {g.depot: i0}
    heap = [(i0, g.depot)]
    out: dict[str, list[MoveArc]] = {}
    for a in arcs:
        out.setdefault(a.tail, []).append(a)
    while heap:
        i, node = heapq.heappop(heap)
        if i > best[node]:
            continue
        for a in out.get(node, ()):
            if i > arc_last(grid, a, g):
                continue
            j = min(i + grid.delta(a.travel_h), grid.H)
            if j < best.get(a.head, 10**9):
                best[a.head] = j
                heapq.heappush(heap, (j, a.head))
    return best


def arc_last(grid: Grid, a: MoveArc, g: FleetGroup) -> int:
    return min(_last_bucket(grid, a.latest_depart_h), _last_bucket(grid, g.available_until_h - a.travel_h))


def _build(inst: Instance, grid: Grid, *, fleet_hours: bool = True) -> _Model:
    """The LP in the weighted-safe form (see the module docstring and docs/planner.md §Relaxation);
    ``fleet_hours`` adds the fleet-hours budget rows (their bounds are set per solve: :meth:`_Model.set_budget`)."""
    b = ModelBuilder()
    places = list(inst.places)
    pid = {p: k for k, p in enumerate(places)}
    H = grid.H
    n_nodes = len(places) * (H + 1)

    def node(p: str, i: int) -> int:
        return pid[p] * (H + 1) + i

    people_rows = b.add_rows(n_nodes, lower=0.0, upper=0.0)  # in - out = 0 at every (place, bucket)
    latest = inst.latest
    # a crossing's processed people: a second layer of nodes; they arrive unprocessed (the layer above)
    crossings = sorted(p for p in inst.processing if p in pid)
    cid = {p: k for k, p in enumerate(crossings)}
    done_rows = b.add_rows(len(crossings) * (H + 1), lower=0.0, upper=0.0)

    def leaves(p: str, i: int) -> int:
        """The row people leave ``p`` from on a vehicle in bucket ``i``: processed ones at a crossing."""
        return int(done_rows[cid[p] * (H + 1) + i]) if p in cid else int(people_rows[node(p, i)])

    def alive(p: str, i: int) -> bool:
        """May a person who can still be saved be at ``p`` in bucket ``i``? (real time >= t(i))."""
        return p in inst.safe or grid.t(i) <= latest.get(p, -math.inf) + TOL + _EPS

    # -- supplies: (origin, class) -> (origin, 0), weighted --------------------------------------------------
    counts: dict[tuple[str, int], int] = {}
    for tr in inst.travellers:
        for k, n in enumerate(tr.class_counts):
            if n:
                counts[(tr.origin, k)] = counts.get((tr.origin, k), 0) + n
    keys = sorted(counts)
    sup_w = np.array([inst.weights[k] for _, k in keys], dtype=np.float64)
    sup_n = np.array([counts[key] for key in keys], dtype=np.float64)
    supply = b.add_cols(len(keys), cost=sup_w, upper=sup_n)
    b.add_coefs(people_rows[[node(o, 0) for o, _ in keys]], supply, 1.0)

    # -- vehicles and people on movement arcs ------------------------------------------------------------------
    groups = _groups(inst.fleets)
    by_mode: dict[str, list[MoveArc]] = {}
    for a in inst.arcs:
        by_mode.setdefault(str(a.mode), []).append(a)
    cap_copy: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (arc, bucket) -> [(col, seats)]
    arc_index = {a: k for k, a in enumerate(inst.arcs)}
    budget: list[tuple[int, float, float, float]] = []  # (row, count, start, weighted-form end)
    drive_cols: list[NDArray[np.int64]] = []
    drive_h: list[list[float]] = []
    for g in groups:
        arcs = by_mode.get(g.mode, [])
        reach = vehicle_reach(inst, grid, g, arcs)
        i0 = reach[g.depot]
        if i0 >= H:
            continue
        # vehicle rows at (place, i) for i in [i0, H-1]: out - in <= supply (vehicles may stand down anywhere)
        vrow_of: dict[tuple[str, int], int] = {}
        reach_places = sorted(reach)
        nrows = len(reach_places) * (H - i0)
        vrows = b.add_rows(nrows, upper=0.0)
        for pk, p in enumerate(reach_places):
            for i in range(i0, H):
                vrow_of[(p, i)] = int(vrows[pk * (H - i0) + (i - i0)])
        # supply at the depot: raise that row's upper bound (rows are all built with upper 0; fix via a column)
        sup_col = b.add_cols(1, lower=g.count, upper=g.count)
        b.add_coefs([vrow_of[(g.depot, i0)]], sup_col, -1.0)
        # holdover
        hold_r_out: list[int] = []
        hold_r_in: list[int] = []
        for p in reach_places:
            for i in range(max(i0, reach[p]), H - 1):
                hold_r_out.append(vrow_of[(p, i)])
                hold_r_in.append(vrow_of[(p, i + 1)])
        hold = b.add_cols(len(hold_r_out), upper=g.count)
        b.add_coefs(hold_r_out, hold, 1.0)
        b.add_coefs(hold_r_in, hold, -1.0)
        # arc copies
        r_out: list[int] = []
        r_in: list[int] = []
        meta: list[tuple[int, int, int | None]] = []
        for a in arcs:
            if a.tail not in reach:
                continue
            last = arc_last(grid, a, g)
            d = grid.delta(a.travel_h)
            for i in range(reach[a.tail], last + 1):
                j = min(i + d, H)
                r_out.append(vrow_of[(a.tail, i)])
                r_in.append(vrow_of[(a.head, j)] if j < H else -1)
                meta.append((arc_index[a], i, a.cap_per_h))
        cols = b.add_cols(len(meta), upper=g.count)
        b.add_coefs(r_out, cols, 1.0)
        keep = [k for k, r in enumerate(r_in) if r >= 0]
        b.add_coefs(np.asarray(r_in)[keep], cols[keep], -1.0)
        if fleet_hours and meta:
            # a vehicle's legs follow each other (each at least its travel time, 2 TOL of checker slack), all
            # after the group can start; in the weighted form they depart before the grid ends (later ones
            # are the terminal θ's business), before their arc's latest departure and end inside the window
            row = int(b.add_rows(1, upper=np.inf)[0])
            taus = [inst.arcs[ak].travel_h for ak, _, _ in meta]
            hours = [max(0.0, t - 2 * TOL) for t in taus]
            b.add_coefs([row] * len(meta), cols, hours)
            drive_cols.append(cols)
            drive_h.append(hours)
            used = [a for a in arcs if a.tail in reach]
            end_w = min(g.available_until_h, grid.t(H) + max(a.travel_h for a in used),
                        max(a.latest_depart_h + a.travel_h for a in used)) + TOL
            budget.append((row, float(g.count), max(inst.start_h, g.available_from_h) - TOL, end_w))
        for col, (ak, i, _) in zip(cols.tolist(), meta, strict=True):
            cap_copy.setdefault((ak, i), []).append((col, g.seats))

    # people on arc copies that carry vehicles, coupled by seats
    copies = sorted(cap_copy)
    y_keep: list[tuple[int, int]] = []
    for ak, i in copies:
        a = inst.arcs[ak]
        j = min(i + grid.delta(a.travel_h), H)
        if alive(a.tail, i) and alive(a.head, j):
            y_keep.append((ak, i))
    y = b.add_cols(len(y_keep))
    if y_keep:
        tails = [leaves(inst.arcs[ak].tail, i) for ak, i in y_keep]
        heads = [node(inst.arcs[ak].head, min(i + grid.delta(inst.arcs[ak].travel_h), H)) for ak, i in y_keep]
        b.add_coefs(tails, y, -1.0)
        b.add_coefs(people_rows[heads], y, 1.0)
        couple = b.add_rows(len(y_keep), upper=0.0)
        b.add_coefs(couple, y, 1.0)
        rr: list[int] = []
        cc: list[int] = []
        vv: list[float] = []
        for r, key in zip(couple.tolist(), y_keep, strict=True):
            for col, seats in cap_copy[key]:
                rr.append(r)
                cc.append(col)
                vv.append(-float(seats))
        b.add_coefs(rr, cc, vv)

    # link capacity: fleet vehicles entering a link (both directions) per bucket
    per_link: dict[tuple[str, int], list[int]] = {}
    link_cap: dict[str, int] = {}
    for (ak, i), lst in cap_copy.items():
        a = inst.arcs[ak]
        if a.cap_per_h is not None:
            link_cap[a.link_id] = a.cap_per_h
            per_link.setdefault((a.link_id, i), []).extend(col for col, _ in lst)
    if per_link:
        lk_keys = sorted(per_link)
        rows = b.add_rows(len(lk_keys), upper=[link_cap[lk] * grid.hours_touched(i) for lk, i in lk_keys])
        for r, lk_key in zip(rows.tolist(), lk_keys, strict=True):
            b.add_coefs([r] * len(per_link[lk_key]), per_link[lk_key], 1.0)

    # -- scheduled departures -------------------------------------------------------------------------------
    merged: dict[tuple[str, int, str, int, int], int] = {}
    for dep in inst.departures:
        it = max(0, grid.floor(dep.depart_h - inst.connection_h + TOL))
        jt = max(it, min(H, grid.floor(dep.arrive_h)))
        if it >= H or not alive(dep.origin, it):
            continue
        skey = (dep.origin, it, dep.destination, jt, grid.floor(dep.depart_h))
        merged[skey] = merged.get(skey, 0) + dep.seats
    skeys = sorted(merged)
    z = b.add_cols(len(skeys), upper=[merged[k] for k in skeys])
    if skeys:
        b.add_coefs(people_rows[[node(o, it) for o, it, _, _, _ in skeys]], z, -1.0)
        b.add_coefs(people_rows[[node(d, jt) for _, _, d, jt, _ in skeys]], z, 1.0)

    # crossing queues: per bucket at most rate × (step + the checker's slack) people pass from unprocessed to
    # processed (docs/planner.md §3 proves it valid); processed people wait for their vehicle. People on a
    # scheduled departure leave from the unprocessed layer: the LP boards them at the connection time, before
    # the departure by which the checker wants them processed (a relaxation of the rule there).
    proc_out: list[int] = []
    proc_in: list[int] = []
    proc_cap: list[float] = []
    wait_done_out: list[int] = []
    wait_done_in: list[int] = []
    for p in crossings:
        for i in range(H):
            if alive(p, i):
                proc_out.append(node(p, i))
                proc_in.append(leaves(p, i))
                proc_cap.append(inst.processing[p] * (grid.step + QUEUE_TOL))
            if alive(p, i + 1):
                wait_done_out.append(leaves(p, i))
                wait_done_in.append(leaves(p, i + 1))
    proc = b.add_cols(len(proc_out), upper=proc_cap)
    b.add_coefs(people_rows[proc_out], proc, -1.0)
    b.add_coefs(proc_in, proc, 1.0)
    wait_done = b.add_cols(len(wait_done_out))
    b.add_coefs(wait_done_out, wait_done, -1.0)
    b.add_coefs(wait_done_in, wait_done, 1.0)

    # -- waiting, safety, and the end of the horizon --------------------------------------------------------------
    wait_out: list[int] = []
    wait_in: list[int] = []
    for p in places:
        for i in range(H):
            if alive(p, i + 1):
                wait_out.append(node(p, i))
                wait_in.append(node(p, i + 1))
    w = b.add_cols(len(wait_out))
    b.add_coefs(people_rows[wait_out], w, -1.0)
    b.add_coefs(people_rows[wait_in], w, 1.0)
    havens = sorted(inst.safe)
    sink_nodes = [(p, i) for p in havens for i in range(H + 1)]
    sink = b.add_cols(len(sink_nodes))
    if sink_nodes:
        b.add_coefs(people_rows[[node(p, i) for p, i in sink_nodes]], sink, -1.0)
    hopeful = [p for p in places if p not in inst.safe and alive(p, H)]
    ends = [int(people_rows[node(p, H)]) for p in hopeful] + [leaves(p, H) for p in hopeful if p in cid]
    terminal = b.add_cols(len(ends))
    if ends:
        b.add_coefs(ends, terminal, -1.0)
    return _Model(b, supply, sup_w, sup_n, sink, np.array([i for _, i in sink_nodes], dtype=np.int64), terminal,
                  np.array([r for r, _, _, _ in budget], dtype=np.int64),
                  np.array([c for _, c, _, _ in budget], dtype=np.float64),
                  np.array([st for _, _, st, _ in budget], dtype=np.float64),
                  np.array([e for _, _, _, e in budget], dtype=np.float64),
                  np.concatenate(drive_cols) if drive_cols else np.zeros(0, dtype=np.int64),
                  np.array([h for hs in drive_h for h in hs], dtype=np.float64))


def _solve(solver: LpSolver, stats: dict[str, float]) -> float:
    t = time.perf_counter()
    obj = solver.solve().objective
    stats["solves"] += 1
    stats["solve_s"] += time.perf_counter() - t
    return obj


def _moves_everyone(solver: LpSolver, model: _Model, T: int, people: int, stats: dict[str, float],
                    grid: Grid) -> bool:
    """Can the LP (in max-people form) bring all ``people`` to havens by bucket ``T``? Every leg of a plan
    that clears by then ends before ``t(T + 1)``: that is the fleet-hours budget's end."""
    late = model.sink_bucket > T
    solver.set_bounds(model.sink.astype(np.int32), np.zeros(len(model.sink)), np.where(late, 0.0, np.inf))
    model.set_budget(solver, grid.t(T + 1))
    return _solve(solver, stats) >= people * (1 - REL_SLACK)


def _driving_floor(solver: LpSolver, model: _Model, grid: Grid, stats: dict[str, float]) -> int:
    """A bucket ``T0`` no clearance test below can pass, from one LP: the least fleet-hours ``W`` that move
    every saveable person to a haven within the grid (budget rows off). A plan clearing by bucket ``T`` maps
    to a point of that LP whose driving is within the budget at ``T``, so ``W ≤ Σ_g count_g (t(T+1) −
    start_g)`` and ``T ≥ T0``. Saves the clearance search most of its solves when the fleet binds. 0 when
    there is no budget or the LP cannot move everyone within the grid (the search then finds out itself)."""
    if len(model.budget_rows) == 0 or len(model.drive_cols) == 0:
        return 0
    supply = model.supply.astype(np.int32)
    drive = model.drive_cols.astype(np.int32)
    solver.set_bounds(model.sink.astype(np.int32), np.zeros(len(model.sink)), np.full(len(model.sink), np.inf))
    model.set_budget(solver, np.inf)
    solver.set_bounds(supply, model.supply_people, model.supply_people)
    solver.set_costs(supply, np.zeros(len(supply)))
    solver.set_costs(drive, -model.drive_h)
    try:
        t = time.perf_counter()
        work = -solver.solve().objective
        stats["solves"] += 1
        stats["solve_s"] += time.perf_counter() - t
    except ModelInfeasibleError:
        work = 0.0
    finally:
        solver.set_costs(drive, np.zeros(len(drive)))
        solver.set_costs(supply, np.ones(len(supply)))
        solver.set_bounds(supply, np.zeros(len(supply)), model.supply_people)
    work = work * (1 - REL_SLACK) - 1e-6
    for T in range(grid.H + 1):
        if math.fsum(model.budget_count * np.maximum(0.0, grid.t(T + 1) + TOL - model.budget_start)) >= work:
            return T
    return grid.H + 1


def _first_feasible(solver: LpSolver, model: _Model, hi: int, lo: int, people: int, stats: dict[str, float],
                    grid: Grid) -> int:
    """Smallest bucket ``T`` in ``[lo, hi]`` by which the LP moves everyone (``hi`` is known to work).

    Feasibility is monotone in ``T``. The LP answer is usually close to the combinatorial one (``lo``), so
    the search gallops up from ``lo`` (lo, lo+1, lo+3, …) and then bisects: few solves, each warm-started.
    """
    lo = max(0, min(lo, hi))
    if _moves_everyone(solver, model, lo, people, stats, grid):
        return lo
    step = 1
    while lo + step < hi:
        if _moves_everyone(solver, model, lo + step, people, stats, grid):
            hi = lo + step
            break
        lo += step
        step *= 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _moves_everyone(solver, model, mid, people, stats, grid):
            hi = mid
        else:
            lo = mid
    return hi


def lp_bound(
    scenario: Scenario,
    *,
    start_h: float | None = None,
    step_h: float = 1.0,
    horizon_h: float | None = None,
    time_limit_s: float = 30.0,
    fleet_hours: bool = True,
) -> Bound:
    """Upper bound on weighted people safe and lower bound on clearance, from the time-expanded LP.

    See :func:`lp_bound_report` (same arguments) for the model size and timings.
    """
    return lp_bound_report(scenario, start_h=start_h, step_h=step_h, horizon_h=horizon_h,
                           time_limit_s=time_limit_s, fleet_hours=fleet_hours).bound


def lp_bound_report(
    scenario: Scenario,
    *,
    start_h: float | None = None,
    step_h: float = 1.0,
    horizon_h: float | None = None,
    time_limit_s: float = 30.0,
    fleet_hours: bool = True,
) -> LpBoundReport:
    """The LP bound with its size and cost.

    Parameters
    ----------
    scenario
        Any scenario; no vehicles, no seats or everything closed give a bound of 0, never an exception.
    start_h
        Plan start, hours from the epoch (default: the policy's).
    step_h
        Bucket length, hours. Smaller is tighter and larger (the LP grows as ``horizon_h / step_h``).
    horizon_h
        Hours of the grid after the start. People still at a place that can reach safety afterwards count
        as possibly safe (so any horizon gives a valid bound; longer is tighter). Default: 1.25 × the
        combinatorial clearance bound + 12 h, at least 24 h, doubled while the clearance LP is infeasible,
        up to two weeks.
    time_limit_s
        Limit of each LP solve, seconds (a solve that hits it raises :class:`SolverError`).
    fleet_hours
        Add the fleet-hours budget (each fleet group's vehicles drive at most ``count ×`` the hours
        between their start and the deadline; docs/planner.md §3). Valid and tighter; ``False`` only to
        measure what it adds.

    Returns
    -------
    LpBoundReport
        ``bound.method == "lp-time-expanded"``; ``bound.clearance_h_min`` is ``None`` when the bound
        proves that not everyone can be saved (the clearance of "everyone" is then undefined).
    """
    if step_h <= 0:
        raise ValueError("step_h must be positive")
    t0 = time.perf_counter()
    inst = build_instance(scenario, start_h)
    comb = bound_from_instance(inst)
    total_w = inst.saveable_weighted
    people = inst.saveable_people
    if people == 0:
        bound = Bound("lp-time-expanded", 0.0, 0.0 if not inst.hopeless else None)
        return LpBoundReport(bound, 0, 0, 0, 0.0, step_h, 0, time.perf_counter() - t0, 0.0)
    auto = horizon_h is None
    c_lo = comb.clearance_h_min or 0.0
    hours = max(24.0, 1.25 * c_lo + 12.0) if horizon_h is None else horizon_h
    if auto:
        hours = min(hours, max(MAX_AUTO_HORIZON_H, c_lo + step_h))
    stats: dict[str, float] = {"solves": 0, "solve_s": 0.0}
    clearance: float | None
    binds = ""
    build_s = 0.0
    while True:
        grid = Grid(inst.start_h, step_h, max(1, math.ceil(hours / step_h - _EPS)))
        tb = time.perf_counter()
        model = _build(inst, grid, fleet_hours=fleet_hours)
        lp = model.builder.build(maximize=True)
        ipm = lp.cols > IPM_ABOVE_COLS or people > IPM_ABOVE_PEOPLE
        solver = LpSolver(lp, time_limit_s=time_limit_s, interior_point=ipm)
        build_s += time.perf_counter() - tb
        # first: can everyone be brought to a haven within the grid? (max people, no terminal arcs)
        supply = model.supply.astype(np.int32)
        terminal = model.terminal.astype(np.int32)
        solver.set_costs(supply, np.ones(len(supply)))
        solver.set_bounds(terminal, np.zeros(len(terminal)), np.zeros(len(terminal)))
        floor = _driving_floor(solver, model, grid, stats)
        if floor <= grid.H and _moves_everyone(solver, model, grid.H, people, stats, grid):
            weighted = min(total_w, comb.safe_weighted_max)
            lo = max(math.floor(c_lo / step_h), floor)
            found = _first_feasible(solver, model, grid.H, lo, people, stats, grid)
            clearance = max(found * step_h, c_lo)
            above = floor > math.floor(c_lo / step_h)  # the fleets' hours say more than the cheap bound
            binds = ("combinatorial" if found * step_h <= c_lo else
                     "network-flow" if not above else "fleet-hours" if found == floor else "fleet-hours+network-flow")
            break
        # not within the grid: the weighted bound, with people left at hopeful places counted as possibly safe
        solver.set_costs(supply, model.supply_weight)
        solver.set_bounds(terminal, np.zeros(len(terminal)), np.full(len(terminal), np.inf))
        solver.set_bounds(model.sink.astype(np.int32), np.zeros(len(model.sink)), np.full(len(model.sink), np.inf))
        model.set_budget(solver, None)
        weighted = min(_solve(solver, stats) * (1 + REL_SLACK), comb.safe_weighted_max, total_w)
        if weighted < total_w * (1 - 1e-9) - 1e-6:
            clearance = None
            binds = "weighted"
            break
        if not auto or hours >= MAX_AUTO_HORIZON_H:
            clearance = max((grid.H + 1) * step_h, c_lo)
            binds = "horizon"
            break
        hours = min(2 * hours, MAX_AUTO_HORIZON_H)
    solves, solve_s = int(stats["solves"]), float(stats["solve_s"])
    bound = Bound("lp-time-expanded", weighted, clearance)
    return LpBoundReport(bound, lp.rows, lp.cols, lp.nonzeros, grid.H * step_h, step_h, solves, build_s, solve_s,
                         binds)
