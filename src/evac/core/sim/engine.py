"""Execute one compiled plan against one sampled future: the discrete-event core of a Monte Carlo run.

Events are processed in time order per vehicle (a vehicle's legs are a chain: each leg can leave only when
the previous one has arrived and loading is done), then per household (its rides in order, with the
connection rules). Vehicles do not interact except through seats on scheduled services, so walking each
vehicle's chain in turn *is* a time-ordered event simulation, at O(legs + rides) per run with no Python
object per person.

What can go wrong in a sampled future (all times hours from the epoch):

- a leg leaves a place after it closed, or arrives on a link or at a place after it closed (the checker's
  rule, with the *sampled* closure times): the trip stops there; everyone still aboard or still to board is
  not safe, and the vehicle's later trips are cancelled (it is stuck);
- a breakdown (Poisson in operating hours) holds the vehicle for a repair time; a repair longer than the
  write-off time strands the vehicle like a closure does;
- a border crossing takes longer than planned (extra processing time);
- delays propagate along the vehicle's chain, absorbed by planned waits beyond the loading time and, at a
  crossing, beyond the processing of the people on board (a late vehicle still waits ``people / rate``
  hours there: its people are processed after it arrives);
- what is *not* modelled: vehicles sharing a crossing's queue. Each vehicle's chain is walked on its own
  (vehicles interact only through seats on scheduled services), so a late vehicle does not push back the
  vehicles queued behind it; the random extra delay at each crossing stands in for such queueing;
- a household that reaches an airport or port too late for its booked departure takes the next departure of
  that service with seats (rebooking is routine, not re-planning); with no such departure it is not safe;
- no-show households leave empty seats; late deciders (in :func:`fill_late_deciders`) may take empty seats
  on a vehicle that leaves their town for a safe haven after they decided.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from evac.core.model.feasibility import HEAD, LINK, TAIL, first_blocked, leg_fits, window_blocker
from evac.core.model.tolerance import TOLERANCE_H

if TYPE_CHECKING:
    import numpy.typing as npt

    from evac.core.sim.compiled import CompiledPlan, SimContext
    from evac.core.sim.uncertainty import Uncertainty

EPS_H = TOLERANCE_H  # hours: the kernel's slack, for closures and connections alike

__all__ = ["EPS_H", "Execution", "RunState", "execute", "fill_late_deciders", "service_ok"]


@dataclass(slots=True)
class RunState:
    """The sampled future of one run and what has been committed so far (mutable, one per run).

    ``close_h`` is the sampled closure time per element (``inf``: never); ``threat_h`` per closure threat.
    ``shows`` and ``decide_h`` are per global household (``decide_h`` is ``inf`` unless a potential late
    decider decides within the run's window). ``service_used`` counts seats already taken per
    ``(service, departure)``; ``safe_h`` is each household's committed safe time (``inf``: not safe).
    """

    rng: np.random.Generator
    unc: Uncertainty
    close_h: list[float]
    threat_h: list[float]
    shows: npt.NDArray[np.bool_]
    decide_h: npt.NDArray[np.float64]
    safe_h: npt.NDArray[np.float64]
    done: npt.NDArray[np.bool_]
    service_used: dict[tuple[int, int], int] = field(default_factory=dict)
    windows: dict[int, list[tuple[float, float]]] = field(default_factory=dict)  # element -> sampled
    # temporary closures (start, reopening), hours
    breakdowns: int = 0
    write_offs: int = 0


@dataclass(slots=True)
class Execution:
    """What happened to one plan in one future. ``disruptions`` lists ``(observed_at_h, what)`` for each
    failed leg: the closure time of the element that failed it, or the time of a write-off."""

    leg_dep: list[float]
    leg_arr: list[float]
    trip_fail: list[int]  # first failed leg (local index) per trip; == n_legs when the trip completed
    vehicle_lost_h: list[float]  # per vehicle of the plan: when it was stranded (inf: never)
    disruptions: list[tuple[float, str]]
    hh_safe_h: list[float]  # aligned with plan.plan_hh (inf: not safe or no-show)
    hh_pickup_h: list[float]  # actual departure of each household's first ride
    hh_bookings: list[list[tuple[int, int, int]]]  # per plan household: (service, departure, people)


def _lognormal(rng: np.random.Generator, median: float, sigma: float) -> float:
    if median <= 0:
        return 0.0
    if sigma == 0:
        return median
    return median * math.exp(sigma * float(rng.standard_normal()))


def service_ok(cp: CompiledPlan, close_h: list[float], s: int, k: int,
               windows: dict[int, list[tuple[float, float]]] | None = None) -> bool:
    """May departure ``k`` of service ``s`` fly or sail in this future (the checker's closure rule, with the
    sampled temporary closures ``windows`` per element)?"""
    dep = cp.service_first_h[s] + k * cp.service_cadence_h[s]
    arr = dep + cp.service_travel_h[s]
    o, link, d = cp.service_elems[s]
    if not leg_fits(dep, arr, close_h[o], close_h[link], close_h[d]):
        return False
    return not windows or window_blocker(dep, arr, windows.get(o, ()), windows.get(link, ()),
                                         windows.get(d, ())) is None


def _drive(cp: CompiledPlan, st: RunState, ex: Execution) -> None:
    """Walk every vehicle's chain of legs with delays, breakdowns and closures."""
    unc = st.unc
    rng = st.rng
    close = st.close_h
    rate = unc.breakdown_per_h
    dep, arr, dwell, cross = cp.leg_depart, cp.leg_arrive, cp.leg_min_dwell, cp.leg_crossing
    lo, ld, ll = cp.leg_origin, cp.leg_dest, cp.leg_link
    a_dep, a_arr, trip_fail = ex.leg_dep, ex.leg_arr, ex.trip_fail
    for v, trips in enumerate(cp.vehicle_trips):
        prev_arr = -math.inf
        lost = False
        until_break = float(rng.exponential(1.0 / rate)) if rate > 0 else math.inf
        for ti in trips:
            f, n = cp.trip_first_leg[ti], cp.trip_n_legs[ti]
            if lost:
                trip_fail[ti] = 0
                for g in range(f, f + n):
                    a_dep[g] = a_arr[g] = math.inf
                continue
            for li in range(n):
                g = f + li
                t = max(dep[g], prev_arr + dwell[g])
                if cross[g]:
                    t += _lognormal(rng, unc.crossing_delay_median_h, unc.crossing_delay_sigma)
                remaining = arr[g] - dep[g]
                clock = t
                while until_break < remaining:
                    clock += until_break
                    remaining -= until_break
                    st.breakdowns += 1
                    repair = _lognormal(rng, unc.repair_median_h, unc.repair_sigma)
                    if repair > unc.write_off_h:
                        lost = True
                        st.write_offs += 1
                        ex.disruptions.append((clock, f"vehicle {cp.vehicle_keys[v][0]}#{cp.vehicle_keys[v][1]}"
                                                      " written off"))
                        break
                    clock += repair
                    until_break = float(rng.exponential(1.0 / rate))
                a_dep[g] = t
                if lost:
                    a_arr[g] = math.inf
                    ex.vehicle_lost_h[v] = clock
                else:
                    until_break -= remaining
                    clock += remaining
                    a_arr[g] = clock
                    observed = _closed(close, lo[g], ll[g], ld[g], t, clock, st.windows)
                    if observed is not None:
                        lost = True
                        ex.vehicle_lost_h[v] = min(clock, observed[0])
                        ex.disruptions.append(observed)
                if lost:
                    trip_fail[ti] = li
                    for g2 in range(g + 1, f + n):
                        a_dep[g2] = a_arr[g2] = math.inf
                    break
                prev_arr = clock


def _closed(close: list[float], origin: int, link: int, dest: int, t_dep: float, t_arr: float,
            windows: dict[int, list[tuple[float, float]]] | None = None) -> tuple[float, str] | None:
    """``(closure time, element)`` of the first closure a leg runs into (the kernel's leg rule with the
    sampled closure times and temporary closures), else ``None``. A vehicle that meets a temporary closure is
    stopped like one that meets a closure for good: the simulator does not wait for reopenings (pessimistic)."""
    k = first_blocked(t_dep, t_arr, close[origin], close[link], close[dest])
    if k < 0:
        if not windows:
            return None
        w = window_blocker(t_dep, t_arr, windows.get(origin, ()), windows.get(link, ()), windows.get(dest, ()))
        if w is None:
            return None
        e = {TAIL: origin, LINK: link, HEAD: dest}[w[0]]
        return w[1], f"temporary closure of element {e}"
    e = {TAIL: origin, LINK: link, HEAD: dest}[k]
    return close[e], f"closure of element {e}"


def _book(cp: CompiledPlan, st: RunState, used: dict[tuple[int, int], int], s: int, k: int, ready_h: float,
          n: int) -> int | None:
    """First departure of service ``s`` at or after index ``k`` that leaves at or after ``ready_h``, can fly,
    and has ``n`` seats free; ``None`` if none."""
    first, cadence = cp.service_first_h[s], cp.service_cadence_h[s]
    if ready_h > first + k * cadence + EPS_H:
        k = max(k, math.ceil((ready_h - first) / cadence - 1e-9))
    seats = cp.service_seats[s]
    close = st.close_h
    while k < cp.service_departures[s]:
        if not service_ok(cp, close, s, k, st.windows):
            if first + k * cadence > close[cp.service_elems[s][0]] + TOLERANCE_H:
                return None  # the port has closed: no later departure either
            k += 1
            continue
        if used.get((s, k), 0) + n <= seats:
            return k
        k += 1
    return None


def execute(cp: CompiledPlan, ctx: SimContext, st: RunState) -> Execution:
    """Run ``cp`` in the future ``st`` describes; commits nothing (the caller decides what to keep).

    Seats on services start from ``st.service_used``; households that make their booked departure are
    seated first, rebooked ones after them (first come, first served in plan order).
    """
    ex = Execution(leg_dep=list(cp.leg_depart), leg_arr=list(cp.leg_arrive), trip_fail=list(cp.trip_n_legs),
                   vehicle_lost_h=[math.inf] * len(cp.vehicle_trips), disruptions=[],
                   hh_safe_h=[math.inf] * len(cp.plan_hh), hh_pickup_h=[math.inf] * len(cp.plan_hh),
                   hh_bookings=[[] for _ in cp.plan_hh])
    _drive(cp, st, ex)
    used = dict(st.service_used)
    min_conn = ctx.min_connection_h
    # pass 1: rides as booked; households that miss or lose their departure wait for pass 2
    pending: list[tuple[int, int, float]] = []  # (plan household, ride, ready time)
    for i, g in enumerate(cp.plan_hh):
        if st.shows[g]:
            ex.hh_safe_h[i] = _follow(cp, st, ex, used, i, cp.hh_ride_start[i], math.nan, min_conn, pending)
    for i, r, ready in pending:
        ex.hh_safe_h[i] = _follow(cp, st, ex, used, i, r, ready, min_conn, None)
    return ex


def _follow(cp: CompiledPlan, st: RunState, ex: Execution, used: dict[tuple[int, int], int], i: int, r0: int,
            ready: float, min_conn: float, pending: list[tuple[int, int, float]] | None) -> float:
    """Follow household ``i``'s rides from ride ``r0`` (ready at ``ready``; ``nan``: at its origin).

    Returns its safe time, ``inf`` when it is not safe, or ``nan`` when a service ride was deferred to the
    rebooking pass (``pending`` given). With ``pending`` ``None`` the first ride ``r0`` is rebooked.
    """
    rebook = pending is None
    r1 = cp.hh_ride_start[i + 1]
    t_prev = ready
    for r in range(r0, r1):
        ti = cp.ride_trip[r]
        s = cp.trip_service[ti]
        n = cp.ride_people[r]
        if r == cp.hh_ride_start[i]:
            ex.hh_pickup_h[i] = ex.leg_dep[cp.ride_first_leg[r]] if s < 0 else (
                cp.service_first_h[s] + cp.trip_departure[ti] * cp.service_cadence_h[s])
        if s < 0:
            if ex.trip_fail[ti] <= cp.ride_last_leg[r] - cp.trip_first_leg[ti]:
                return math.inf
            if not math.isnan(t_prev) and ex.leg_dep[cp.ride_first_leg[r]] + EPS_H < t_prev:
                return math.inf  # missed a transfer between two vehicles
            t_prev = ex.leg_arr[cp.ride_last_leg[r]]
            continue
        k = cp.trip_departure[ti]
        need = -math.inf if math.isnan(t_prev) else t_prev + min_conn
        if not rebook or r != r0:
            dep = cp.service_first_h[s] + k * cp.service_cadence_h[s]
            if (dep + EPS_H >= need and service_ok(cp, st.close_h, s, k, st.windows)
                    and used.get((s, k), 0) + n <= cp.service_seats[s]):
                used[(s, k)] = used.get((s, k), 0) + n
                ex.hh_bookings[i].append((s, k, n))
                t_prev = dep + cp.service_travel_h[s]
                continue
            if pending is not None:
                pending.append((i, r, t_prev))
                return math.nan
        k2 = _book(cp, st, used, s, k, need, n)
        if k2 is None:
            return math.inf
        used[(s, k2)] = used.get((s, k2), 0) + n
        ex.hh_bookings[i].append((s, k2, n))
        t_prev = cp.service_first_h[s] + k2 * cp.service_cadence_h[s] + cp.service_travel_h[s]
    return t_prev


def fill_late_deciders(cp: CompiledPlan, ctx: SimContext, st: RunState, ex: Execution, *, from_h: float,
                       until_h: float) -> dict[int, float]:
    """Seat late deciders on empty seats of vehicles leaving their town for a safe haven.

    Households are taken in order of their decision (in ``[from_h, until_h]``); each boards the first
    completed trip leaving its location at or after its decision with enough empty seats on every remaining
    leg. Returns ``{global household: safe time}``. Empty seats = seats − planned load + no-shows − earlier
    late deciders. Trips ending at an airport are not used (a seat on a flight would be needed too).
    """
    late = [g for g in range(ctx.n_target, ctx.n_households)
            if from_h <= st.decide_h[g] <= until_h and st.shows[g] and not st.done[g]]
    if not late:
        return {}
    load = cp.leg_load.copy()
    for i, g in enumerate(cp.plan_hh):
        if not st.shows[g]:
            for r in range(cp.hh_ride_start[i], cp.hh_ride_start[i + 1]):
                if cp.trip_service[cp.ride_trip[r]] < 0:
                    load[cp.ride_first_leg[r]:cp.ride_last_leg[r] + 1] -= cp.ride_people[r]
    leg_trip = np.repeat(np.arange(len(cp.trip_first_leg)), cp.trip_n_legs)
    seats = np.asarray(cp.trip_seats, dtype=np.int64)[leg_trip] if len(leg_trip) else np.zeros(0, np.int64)
    spare = seats - load
    out: dict[int, float] = {}
    late.sort(key=lambda g: (st.decide_h[g], g))
    for g in late:
        n = int(ctx.hh_people[g])
        for leg in cp.pickups_at.get(ctx.hh_origin[g], ()):
            if ex.leg_dep[leg] < st.decide_h[g]:
                continue
            ti = int(leg_trip[leg])
            end = cp.trip_first_leg[ti] + cp.trip_n_legs[ti]
            if ex.trip_fail[ti] < cp.trip_n_legs[ti] or int(spare[leg:end].min()) < n:
                continue
            spare[leg:end] -= n
            out[g] = ex.leg_arr[end - 1]
            break
    return out
