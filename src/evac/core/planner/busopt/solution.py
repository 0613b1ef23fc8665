"""Solutions of a :class:`BusProblem`: each bus's trips with their times, and an independent verifier.

A route is rebuilt from the bare sequence of (pickup, shelter, people) trips by :func:`timed_routes`, so
every time in a solution follows from the problem's matrices and nothing a solver claims. Times are in the
problem's unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.planner.busopt.problem import BusProblem

__all__ = ["BusRoute", "BusSolution", "BusTrip", "Sequence3", "makespan_of", "settle_bound", "timed_routes",
           "verify"]

Sequence3 = tuple[tuple[int, int, int], ...]
"""A bus's trips as (pickup, shelter, people), in driving order."""

TIME_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class BusTrip:
    """One loaded trip: the bus reaches ``pickup`` at ``load_at`` (and leaves at once, loading takes no
    time) and unloads ``people`` at ``shelter`` at ``unload_at``."""

    pickup: int
    shelter: int
    people: int
    load_at: float
    unload_at: float


@dataclass(frozen=True, slots=True)
class BusRoute:
    """Bus ``bus`` (of depot ``depot``) leaves the depot at ``start`` and drives ``trips`` in order."""

    bus: int
    depot: int
    start: float
    trips: tuple[BusTrip, ...]

    @property
    def finish(self) -> float:
        """Arrival at the last shelter; ``start`` for an idle bus (which never counts in a makespan)."""
        return self.trips[-1].unload_at if self.trips else self.start

    @property
    def people(self) -> int:
        return sum(t.people for t in self.trips)


@dataclass(frozen=True)
class BusSolution:
    """The result of a solver.

    ``makespan`` is the latest arrival of any bus at a shelter (time unit of the problem, measured from
    time 0, not from each bus's release). ``lower_bound`` is a value no solution can beat (see
    :mod:`evac.core.planner.busopt.bounds`); ``proven_optimal`` says the makespan equals the optimum.
    ``method`` names what produced the routes and ``bound_method`` what proved the bound (``bounds``: the
    bounds module; ``cp-sat``: the exact model); ``iterations`` and ``runtime_s`` (wall seconds) are for
    reports.
    """

    routes: tuple[BusRoute, ...]
    makespan: float
    lower_bound: float
    proven_optimal: bool
    method: str
    seed: int = 0
    iterations: int = 0
    runtime_s: float = 0.0
    bound_method: str = "bounds"

    def gap(self) -> float:
        """Relative gap ``(makespan - bound) / makespan``; 0 when both are 0."""
        if self.makespan <= 0:
            return 0.0
        return max(0.0, (self.makespan - self.lower_bound) / self.makespan)

    def is_feasible(self, problem: BusProblem) -> bool:
        return not verify(problem, self)

    def summary(self) -> str:
        opt = " (optimal)" if self.proven_optimal else ""
        return (f"{self.method}: makespan {self.makespan:g}{opt}, bound {self.lower_bound:g}, "
                f"gap {self.gap():.1%}, {sum(len(r.trips) for r in self.routes)} trips, "
                f"{self.iterations} iterations, {self.runtime_s:.2f} s")

    def sequences(self) -> tuple[Sequence3, ...]:
        """The bare (pickup, shelter, people) trips of each bus, to warm-start another solver."""
        return tuple(tuple((t.pickup, t.shelter, t.people) for t in r.trips) for r in self.routes)


def settle_bound(makespan: float, bound: float, *, tol: float | None = None) -> tuple[float, bool]:
    """The lower bound to report beside ``makespan``, and whether it proves ``makespan`` optimal.

    Every solver decides optimality here and only here, on the bound it will report, after that bound is
    final: ``optimal`` iff ``final_bound >= makespan - tol`` (``tol``: ``TIME_TOL`` relative to the
    makespan unless given). The bound is clamped down to the makespan only within ``tol`` (floating-point
    noise); a bound above a feasible makespan by more than that is wrong somewhere and is reported as it is,
    so that :func:`verify` and the BEP benchmark say so instead of a clamp hiding it behind a claim of
    optimality.
    """
    if tol is None:
        tol = TIME_TOL * max(1.0, abs(makespan))
    final = min(bound, makespan) if bound <= makespan + tol else bound
    return final, final >= makespan - tol


def timed_routes(problem: BusProblem, sequences: Sequence[Sequence[tuple[int, int, int]]]) -> tuple[BusRoute, ...]:
    """Times of every trip when each bus leaves at its release and drives without waiting.

    Waiting never helps (nothing in the problem opens later), so these are the earliest and best times.
    ``sequences`` has one entry per bus. Deadlines are not enforced here; :func:`verify` reports them.
    """
    if len(sequences) != problem.n_buses:
        raise ValueError(f"{len(sequences)} routes for {problem.n_buses} buses")
    dp, ps, sp = problem.depot_to_pickup, problem.pickup_to_shelter, problem.shelter_to_pickup
    routes: list[BusRoute] = []
    for b, seq in enumerate(sequences):
        depot = problem.bus_depot[b]
        t = start = problem.release_of(b)
        trips: list[BusTrip] = []
        prev_shelter = -1
        for i, j, people in seq:
            t += float(dp[depot, i] if prev_shelter < 0 else sp[prev_shelter, i])
            load_at = t
            t += float(ps[i, j])
            trips.append(BusTrip(int(i), int(j), int(people), load_at, t))
            prev_shelter = j
        routes.append(BusRoute(b, depot, start, tuple(trips)))
    return tuple(routes)


def makespan_of(routes: Sequence[BusRoute]) -> float:
    """Latest arrival at a shelter over buses that drive at least one trip (0 when none does)."""
    return max((r.finish for r in routes if r.trips), default=0.0)


def verify(problem: BusProblem, solution: BusSolution) -> list[str]:
    """Every way ``solution`` breaks the problem's rules, as messages (empty: feasible).

    Checks: one route per bus in bus order, each starting at its depot at or after its release; trip times
    that follow the matrices; seats; every pickup's demand moved exactly, in its loads; shelter capacity;
    deadlines; and the declared makespan.
    """
    problems: list[str] = []
    if len(solution.routes) != problem.n_buses:
        return [f"{len(solution.routes)} routes for {problem.n_buses} buses"]
    expected = timed_routes(problem, solution.sequences())
    moved = [0] * problem.n_pickups
    trips_at = [0] * problem.n_pickups
    received = [0] * problem.n_shelters
    for route, want in zip(solution.routes, expected, strict=True):
        if route.bus != want.bus or route.depot != want.depot:
            problems.append(f"route of bus {want.bus}: labelled bus {route.bus} of depot {route.depot}")
        if route.start < problem.release_of(want.bus) - TIME_TOL:
            problems.append(f"bus {want.bus}: leaves at {route.start:g}, before its release")
        for k, (got, exp) in enumerate(zip(route.trips, want.trips, strict=True)):
            where = f"bus {want.bus} trip {k}"
            if not 0 <= got.pickup < problem.n_pickups or not 0 <= got.shelter < problem.n_shelters:
                problems.append(f"{where}: unknown pickup {got.pickup} or shelter {got.shelter}")
                continue
            if not math.isfinite(exp.unload_at):
                problems.append(f"{where}: uses a leg no bus may drive")
            elif (got.load_at < exp.load_at - TIME_TOL * max(1.0, abs(exp.load_at))
                  or abs(got.unload_at - got.load_at - (exp.unload_at - exp.load_at))
                  > TIME_TOL * max(1.0, exp.unload_at)):
                problems.append(f"{where}: times {got.load_at:g}..{got.unload_at:g} do not follow the matrices "
                                f"({exp.load_at:g}..{exp.unload_at:g})")
            if not 0 < got.people <= problem.seats:
                problems.append(f"{where}: {got.people} people on {problem.seats} seats")
            if got.load_at > problem.deadline_of(got.pickup) + TIME_TOL:
                problems.append(f"{where}: reaches pickup {got.pickup} at {got.load_at:g}, after its deadline "
                                f"{problem.deadline_of(got.pickup):g}")
            moved[got.pickup] += got.people
            trips_at[got.pickup] += 1
            received[got.shelter] += got.people
    for i, (m, w) in enumerate(zip(moved, problem.demand, strict=True)):
        if m != w:
            problems.append(f"pickup {i}: {m} people moved, {w} wait")
        if trips_at[i] != len(problem.loads[i]):
            problems.append(f"pickup {i}: {trips_at[i]} trips, its demand needs {len(problem.loads[i])}")
    for j, (r, c) in enumerate(zip(received, problem.capacity, strict=True)):
        if r > c:
            problems.append(f"shelter {j}: receives {r} people, holds {c}")
    actual = makespan_of(expected)
    if abs(actual - solution.makespan) > TIME_TOL * max(1.0, actual):
        problems.append(f"declared makespan {solution.makespan:g}, routes give {actual:g}")
    if solution.lower_bound > actual + TIME_TOL * max(1.0, actual):
        problems.append(f"lower bound {solution.lower_bound:g} above the makespan {actual:g}")
    if solution.proven_optimal and solution.lower_bound < actual - TIME_TOL * max(1.0, actual):
        problems.append(f"declared optimal, but its bound {solution.lower_bound:g} is below the makespan {actual:g}")
    return problems
