"""The exact MIP for tiny instances (≤ 30 travellers, ≤ 3 vehicles), solved with HiGHS, and the plan it gives.

Discretisation: one-hour buckets from an integer start; the start, every travel time, every fleet's
``available_from_h`` and every timetabled departure must be whole hours (:class:`InexactDataError`
otherwise); closure times and ``available_until_h`` may be anything. The model is exact **among plans whose
times are whole hours**. Without crossing queues every valid plan rounds down to such a plan (the relaxation
argument of docs/planner.md with nothing lost); with them it does not: a bus may need only 0.4 h at a
crossing, and a whole-hour plan keeps it there a full hour. So where crossings bind, the optimum here is
that of a *restriction*, and a plan with fractional times may save more people or clear sooner.

Model (one commodity per household, one per vehicle; all binary except waiting):

- ``x[u,a,i]``: vehicle ``u`` leaves on arc ``a`` at hour ``i``; vehicles flow from their depot and may stand
  down anywhere (``out - in <= supply``);
- ``r[h,u,a,i]``: household ``h`` rides it — ``Σ_h n_h r <= seats_u x`` (seats, and the household whole);
- ``q[h,d]``: household ``h`` takes scheduled departure ``d`` (boarding it at ``d - min_connection_h``, which
  is exact for transfers and harmless for people who live there) — ``Σ_h n_h q <= seats_d``;
- ``g[h,p,i]``: household ``h`` is safe at haven ``p`` at hour ``i``; ``s_h = Σ g`` is 1 when it is saved;
- household flow conservation at every (place, hour); link vehicles per clock hour;
- crossings: a household arrives *unprocessed* and leaves on a vehicle only *processed*;
  ``p[h,c,i] ∈ [0, 1]`` is the share of it processed at crossing ``c`` during hour ``[i, i+1)`` (preemptive),
  ``Σ_h n_h p[h,c,i] <= rate_c``. With whole-hour arrivals and departures this is exactly the checker's
  queue (an earliest-deadline-first schedule cut at whole hours). A household boarding a scheduled
  departure at a crossing must be processed when it boards (``dep - min_connection_h``), earlier than
  the checker asks: a restriction there too.

Objectives, lexicographic: (1) max ``Σ w_h s_h = W*``; (2) the least hour ``T`` such that ``W*`` is still
reached when every ``g[h,p,i]`` with ``i > T`` is fixed to 0 — found by bisection between -1 and the
clearance of the stage-1 solution, each test being the stage-1 MIP with changed bounds (a min-max objective
``C >= Σ_i i·g[h,·,i]`` has a weak LP relaxation and was 10-100 times slower). Exposure (the third
objective) is not optimised, and idle vehicle legs the MIP may keep are harmless (the plan stays valid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from evac.core.errors import EvacError
from evac.core.model import Boarding, Itinerary, LeftBehind, LeftBehindReason, Leg, Trip
from evac.core.planner.lp.builder import ModelBuilder
from evac.core.planner.lp.highs import LpSolver, SolveStatus
from evac.core.planner.lp.instance import TOL, build_instance
from evac.core.planner.lp.relaxation import FleetGroup, Grid, arc_last, vehicle_reach

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from evac.core.model import Scenario
    from evac.core.planner.lp.instance import Departure, Instance, MoveArc

__all__ = ["ExactResult", "InexactDataError", "NotTinyError", "solve_exact"]

MAX_PEOPLE = 30
MAX_VEHICLES = 3


class NotTinyError(EvacError):
    """The instance is too large for the exact MIP (more than 30 travellers or 3 vehicles)."""


class InexactDataError(EvacError):
    """The data is not on whole hours, so the one-hour grid would not be exact."""


@dataclass
class ExactResult:
    """The plan's parts, the optimal values and whether they are proved optimal."""

    trips: list[Trip]
    itineraries: list[Itinerary]
    left_behind: list[LeftBehind]
    safe_weighted: float
    clearance_h: float | None
    proved_optimal: bool
    horizon_h: float
    meta: dict[str, float | int | bool] = field(default_factory=dict)


@dataclass(frozen=True)
class _Unit:
    fleet_id: str
    unit: int
    group: FleetGroup


def _whole(x: float) -> bool:
    return math.isfinite(x) and abs(x - round(x)) <= 1e-9


def _check_data(scenario: Scenario, inst: Instance) -> None:
    people = sum(len(t.people) for t in inst.travellers) + sum(len(t.people) for t in inst.hopeless)
    vehicles = sum(f.count for f in inst.fleets)
    if people > MAX_PEOPLE or vehicles > MAX_VEHICLES:
        raise NotTinyError(f"the exact MIP takes at most {MAX_PEOPLE} travellers and {MAX_VEHICLES} vehicles; "
                           f"this instance has {people} and {vehicles}")
    bad: list[str] = []
    if not _whole(inst.start_h):
        bad.append(f"start {inst.start_h} h")
    bad += [f"arc {a.link_id} ({a.travel_h} h)" for a in inst.arcs if not _whole(a.travel_h)]
    bad += [f"fleet {f.id} from {f.available_from_h} h" for f in inst.fleets
            if f.available_from_h > inst.start_h and not _whole(f.available_from_h)]
    bad += [f"departure {d.service_id}#{d.k} at {d.depart_h} h" for d in inst.departures
            if not (_whole(d.depart_h) and _whole(d.arrive_h))]
    if bad:
        raise InexactDataError("the exact MIP needs whole hours: " + ", ".join(bad[:5]))
    del scenario


def solve_exact(scenario: Scenario, *, start_h: float | None = None, horizon_h: float | None = None,
                time_limit_s: float = 60.0) -> ExactResult:
    """Solve the exact MIP (see the module docstring) and return the plan's trips, itineraries and values.

    ``horizon_h`` (hours after the start) defaults to the latest moment any asset can still move (the end
    of every fleet's window and the last usable departure's arrival); if a fleet has no end, 48 h, and
    the result is exact only among plans that finish within the horizon (``meta["horizon_covers_all"]``).
    """
    inst = build_instance(scenario, start_h)
    _check_data(scenario, inst)
    s = inst.start_h
    ends = [f.available_until_h for f in inst.fleets] + [d.arrive_h for d in inst.departures]
    asset_end = max(ends, default=s) - s
    covers = math.isfinite(asset_end) and (horizon_h is None or horizon_h >= asset_end)
    hours = horizon_h if horizon_h is not None else (asset_end if math.isfinite(asset_end) else 48.0)
    H = max(1, math.ceil(hours - 1e-9))
    m = _Mip(inst, Grid(s, 1.0, H))
    result = m.solve(time_limit_s)
    result.meta["horizon_covers_all"] = covers
    return result


class _Mip:
    def __init__(self, inst: Instance, grid: Grid) -> None:
        self.inst, self.grid = inst, grid
        self.units: list[_Unit] = []
        for f in inst.fleets:
            g = FleetGroup(str(f.mode), f.seats, 1, f.depot, f.available_from_h, f.available_until_h)
            self.units.extend(_Unit(f.id, k, g) for k in range(f.count))
        self.hh = list(inst.travellers)

    def _alive(self, p: str, i: int) -> bool:
        return p in self.inst.safe or self.grid.t(i) <= self.inst.latest.get(p, -math.inf) + TOL

    def solve(self, time_limit_s: float) -> ExactResult:
        inst, grid, H = self.inst, self.grid, self.grid.H
        b = ModelBuilder()
        places = list(inst.places)
        pid = {p: k for k, p in enumerate(places)}
        n_h = len(self.hh)

        def hnode(h: int, p: str, i: int) -> int:
            return (h * len(places) + pid[p]) * (H + 1) + i

        hrows = b.add_rows(n_h * len(places) * (H + 1), lower=0.0, upper=0.0)
        crossings = sorted(p for p in inst.processing if p in pid)
        cid = {p: k for k, p in enumerate(crossings)}
        drows = b.add_rows(n_h * len(crossings) * (H + 1), lower=0.0, upper=0.0)  # processed, at a crossing

        def leaves(h: int, p: str, i: int) -> int:
            """The row household ``h`` leaves ``p`` from in hour ``i``: processed, at a crossing."""
            if p in cid:
                return int(drows[(h * len(crossings) + cid[p]) * (H + 1) + i])
            return int(hrows[hnode(h, p, i)])
        saved = b.add_cols(n_h, cost=[t.weight for t in self.hh], upper=1.0, integer=True)
        b.add_coefs(hrows[[hnode(h, t.origin, 0) for h, t in enumerate(self.hh)]], saved, 1.0)
        # vehicles
        x_meta: list[tuple[int, MoveArc, int]] = []  # (unit, arc, hour)
        x_cols: list[int] = []
        by_copy: dict[tuple[int, int], list[int]] = {}  # (arc index, hour) -> x columns (link capacity)
        arc_index = {a: k for k, a in enumerate(inst.arcs)}
        for u, unit in enumerate(self.units):
            g = unit.group
            arcs = [a for a in inst.arcs if str(a.mode) == g.mode]
            reach = vehicle_reach(inst, grid, g, arcs)
            i0 = reach.get(g.depot, H)
            if i0 >= H:
                continue
            rows = {(p, i): int(r) for (p, i), r in zip(
                [(p, i) for p in sorted(reach) for i in range(i0, H)],
                b.add_rows(len(reach) * (H - i0), upper=0.0).tolist(), strict=True)}
            one = b.add_cols(1, lower=1.0, upper=1.0)
            b.add_coefs([rows[(g.depot, i0)]], one, -1.0)
            waits = [(p, i) for p in sorted(reach) for i in range(max(i0, reach[p]), H - 1)]
            w = b.add_cols(len(waits), upper=1.0)
            b.add_coefs([rows[(p, i)] for p, i in waits], w, 1.0)
            b.add_coefs([rows[(p, i + 1)] for p, i in waits], w, -1.0)
            for a in arcs:
                if a.tail not in reach:
                    continue
                for i in range(reach[a.tail], arc_last(grid, a, g) + 1):
                    j = i + grid.delta(a.travel_h)
                    if j > H:
                        continue
                    col = int(b.add_cols(1, upper=1.0, integer=True)[0])
                    b.add_coefs([rows[(a.tail, i)]], [col], 1.0)
                    if j < H:
                        b.add_coefs([rows[(a.head, j)]], [col], -1.0)
                    x_meta.append((u, a, i))
                    x_cols.append(col)
                    by_copy.setdefault((arc_index[a], i), []).append(col)
        # households on vehicles
        r_meta: list[tuple[int, int, int]] = []  # (household, x position, column)
        for xk, (u, a, i) in enumerate(x_meta):
            j = i + grid.delta(a.travel_h)
            riders = [h for h in range(n_h) if self._alive(a.tail, i) and self._alive(a.head, j)
                      and len(self.hh[h].people) <= self.units[u].group.seats]
            if not riders:
                continue
            cols = b.add_cols(len(riders), upper=1.0, integer=True)
            seat_row = b.add_rows(1, upper=0.0)
            sizes = [float(len(self.hh[h].people)) for h in riders]
            b.add_coefs(np.full(len(riders), seat_row[0]), cols, sizes)
            b.add_coefs(seat_row, [x_cols[xk]], -float(self.units[u].group.seats))
            b.add_coefs([leaves(h, a.tail, i) for h in riders], cols, -1.0)
            b.add_coefs(hrows[[hnode(h, a.head, j) for h in riders]], cols, 1.0)
            for h, col in zip(riders, cols.tolist(), strict=True):
                r_meta.append((h, xk, col))
        # scheduled departures
        q_meta: list[tuple[int, Departure, int]] = []
        for dep in inst.departures:
            it = max(0, grid.floor(dep.depart_h - inst.connection_h + TOL))
            jt = grid.floor(dep.arrive_h)
            if it >= H or jt > H:
                continue
            riders = [h for h in range(n_h) if len(self.hh[h].people) <= dep.seats and self._alive(dep.origin, it)]
            if not riders:
                continue
            cols = b.add_cols(len(riders), upper=1.0, integer=True)
            row = b.add_rows(1, upper=float(dep.seats))
            b.add_coefs(np.full(len(riders), row[0]), cols, [float(len(self.hh[h].people)) for h in riders])
            b.add_coefs([leaves(h, dep.origin, it) for h in riders], cols, -1.0)
            b.add_coefs(hrows[[hnode(h, dep.destination, jt) for h in riders]], cols, 1.0)
            for h, col in zip(riders, cols.tolist(), strict=True):
                q_meta.append((h, dep, col))
        # crossing queues: processing in hour i moves a share of the household to the processed layer at i + 1
        for c in crossings:
            for i in range(H):
                if not (self._alive(c, i) and self._alive(c, i + 1)):
                    continue
                proc = b.add_cols(n_h, upper=1.0)
                b.add_coefs(hrows[[hnode(h, c, i) for h in range(n_h)]], proc, -1.0)
                b.add_coefs([leaves(h, c, i + 1) for h in range(n_h)], proc, 1.0)
                row = b.add_rows(1, upper=inst.processing[c])
                b.add_coefs(np.full(n_h, row[0]), proc, [float(len(t.people)) for t in self.hh])
                held = b.add_cols(n_h, upper=1.0)  # processed, waiting for a vehicle
                b.add_coefs([leaves(h, c, i) for h in range(n_h)], held, -1.0)
                b.add_coefs([leaves(h, c, i + 1) for h in range(n_h)], held, 1.0)
        caps: dict[tuple[str, int], list[int]] = {}
        for (ak, i), cols_x in by_copy.items():
            a = inst.arcs[ak]
            if a.cap_per_h is not None:
                caps.setdefault((a.link_id, i), []).extend(cols_x)
        for (lk, _i), cols_x in sorted(caps.items()):
            cap = next(a.cap_per_h for a in inst.arcs if a.link_id == lk and a.cap_per_h is not None)
            row = b.add_rows(1, upper=float(cap))
            b.add_coefs(np.full(len(cols_x), row[0]), cols_x, 1.0)
        # household waiting, safety, clearance
        hwaits = [(h, p, i) for h in range(n_h) for p in places for i in range(H) if self._alive(p, i + 1)]
        hw = b.add_cols(len(hwaits), upper=1.0)
        b.add_coefs(hrows[[hnode(h, p, i) for h, p, i in hwaits]], hw, -1.0)
        b.add_coefs(hrows[[hnode(h, p, i + 1) for h, p, i in hwaits]], hw, 1.0)
        sinks = [(h, p, i) for h in range(n_h) for p in sorted(inst.safe) for i in range(1, H + 1)
                 if p != self.hh[h].origin]
        g_cols = b.add_cols(len(sinks), upper=1.0)
        b.add_coefs(hrows[[hnode(h, p, i) for h, p, i in sinks]], g_cols, -1.0)
        g_hour = np.array([i for _, _, i in sinks], dtype=np.int64)
        # stage 1: weighted safe
        lp = b.build(maximize=True, integer=True)
        solver = LpSolver(lp, time_limit_s=time_limit_s, mip_rel_gap=0.0)
        sol = solver.solve(require_optimal=False)
        best = sol.objective
        proved = sol.status is SolveStatus.OPTIMAL
        tol = 1e-6 * max(1.0, best)
        # stage 2: the least hour T by which the weight ``best`` can be saved (bisection; each test is the
        # stage-1 MIP with the havens closed after T, usually much faster than a min-max objective)
        used = g_hour[sol.x[g_cols] > 0.5] if len(g_cols) else g_hour[:0]
        hi = int(used.max()) if len(used) else 0
        lo = -1  # known infeasible (nobody is safe at hour 0: every leg takes >= 1 h)
        x_best = sol.x
        g32 = g_cols.astype(np.int32)
        while hi - lo > 1 and best > tol:
            mid = (lo + hi) // 2
            solver.set_bounds(g32, np.zeros(len(g32)), np.where(g_hour > mid, 0.0, 1.0))
            trial = solver.solve(require_optimal=False)
            if trial.status is not SolveStatus.OPTIMAL:
                proved = proved and trial.objective >= best - tol
            if len(trial.x) and trial.objective >= best - tol:
                hi, x_best = mid, trial.x
            else:
                lo = mid
        sol2 = type(sol)(sol.status, best, x_best, 0.0)
        return self._plan(sol2.x, saved, x_meta, x_cols, r_meta, q_meta, proved)

    def _plan(self, x: NDArray[np.float64], saved: NDArray[np.int64], x_meta: list[tuple[int, MoveArc, int]],
              x_cols: list[int], r_meta: list[tuple[int, int, int]], q_meta: list[tuple[int, Departure, int]],
              proved: bool) -> ExactResult:
        """Turn the MIP solution into trips (one per vehicle that moves, one per used departure),
        boardings (a household's consecutive legs on one vehicle are one boarding) and itineraries."""
        inst = self.inst
        s = inst.start_h
        legs_of: dict[int, list[int]] = {}  # unit -> x positions used, by hour
        for xk, col in enumerate(x_cols):
            if x[col] > 0.5:
                legs_of.setdefault(x_meta[xk][0], []).append(xk)
        trips: list[Trip] = []
        leg_pos: dict[int, tuple[int, int]] = {}  # x position -> (trip index, leg index)
        for u in sorted(legs_of):
            xs = sorted(legs_of[u], key=lambda k: x_meta[k][2])
            legs = []
            for li, xk in enumerate(xs):
                _, a, i = x_meta[xk]
                legs.append(Leg(a.link_id, a.tail, a.head, s + i, s + i + a.travel_h))
                leg_pos[xk] = (len(trips), li)
            unit = self.units[u]
            trips.append(Trip(f"E{len(trips) + 1:03d}", unit.fleet_id, unit.unit, tuple(legs)))
        rides: dict[int, list[tuple[int, int]]] = {}  # household -> [(trip index, leg index)]
        for h, xk, col in r_meta:
            if x[col] > 0.5:
                rides.setdefault(h, []).append(leg_pos[xk])
        boardings: dict[int, list[Boarding]] = {}
        hh_rides: dict[int, list[tuple[float, float, int, str]]] = {}  # (depart, arrive, trip index, place)
        for h, lst in rides.items():
            t = self.hh[h]
            lst.sort()
            runs: list[list[tuple[int, int]]] = []
            for ti, li in lst:
                if runs and runs[-1][-1] == (ti, li - 1):
                    runs[-1].append((ti, li))
                else:
                    runs.append([(ti, li)])
            for run in runs:
                ti, first = run[0]
                last = run[-1][1]
                boardings.setdefault(ti, []).append(Boarding(t.household_id, t.people, first, last))
                tlegs = trips[ti].legs
                hh_rides.setdefault(h, []).append((tlegs[first].depart_h, tlegs[last].arrive_h, ti,
                                                   tlegs[last].destination))
        used: dict[tuple[str, int], list[int]] = {}
        deps: dict[tuple[str, int], Departure] = {}
        for h, dep, col in q_meta:
            if x[col] > 0.5:
                used.setdefault((dep.service_id, dep.k), []).append(h)
                deps[(dep.service_id, dep.k)] = dep
        for key in sorted(used):
            dep = deps[key]
            ti = len(trips)
            trips.append(Trip(f"{dep.service_id}#{dep.k + 1:04d}", dep.service_id, dep.k,
                              (Leg(dep.link_id, dep.origin, dep.destination, dep.depart_h, dep.arrive_h),)))
            for h in used[key]:
                boardings.setdefault(ti, []).append(Boarding(self.hh[h].household_id, self.hh[h].people, 0, 0))
                hh_rides.setdefault(h, []).append((dep.depart_h, dep.arrive_h, ti, dep.destination))
        trips = [Trip(t.id, t.asset_id, t.unit, t.legs,
                      tuple(sorted(boardings.get(ti, ()), key=lambda b: (b.first_leg, b.household_id))))
                 for ti, t in enumerate(trips)]
        itineraries: list[Itinerary] = []
        left: list[LeftBehind] = []
        weighted = 0.0
        last_safe: float | None = None
        for h, t in enumerate(self.hh):
            ride_list = sorted(hh_rides.get(h, []), key=lambda r: (r[0], r[1], trips[r[2]].id))
            if x[saved[h]] > 0.5 and ride_list and ride_list[-1][3] in inst.safe:
                safe_at = ride_list[-1][1]
                itineraries.append(Itinerary(t.household_id, tuple(trips[r[2]].id for r in ride_list), safe_at,
                                             ride_list[-1][3]))
                weighted += t.weight
                last_safe = safe_at if last_safe is None else max(last_safe, safe_at)
            else:
                left.append(LeftBehind(t.household_id, t.people, LeftBehindReason.NO_CAPACITY))
        max_seats = max([f.seats for f in inst.fleets] + [d.seats for d in inst.departures], default=0)
        for t in inst.hopeless:
            reason = (LeftBehindReason.HOUSEHOLD_TOO_LARGE if len(t.people) > max_seats
                      else LeftBehindReason.NO_OPEN_EXIT)
            left.append(LeftBehind(t.household_id, t.people, reason))
        return ExactResult(
            trips=trips, itineraries=sorted(itineraries, key=lambda it: it.household_id),
            left_behind=sorted(left, key=lambda lb: lb.household_id), safe_weighted=weighted,
            clearance_h=None if last_safe is None else last_safe - s, proved_optimal=proved,
            horizon_h=float(self.grid.H),
        )
