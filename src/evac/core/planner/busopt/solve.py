"""``solve(problem, stop=…, seed=…)``: the bus optimiser's one entry point.

1. Bound: :func:`~evac.core.planner.busopt.bounds.lower_bound` (reach, trips and work bounds).
2. Warm start: iterated local search for ``warm_iterations`` iterations (or until ``stop``).
3. Exact: when the problem is small (at most ``exact_max_loads`` loads and ``exact_max_buses`` buses) and
   has no deadlines, CP-SAT on the aggregated-route model, hinted with the warm start, for at most
   ``exact_time_s`` seconds (and at most ``exact_share`` of what ``stop`` has left, when it reports it).
   A proof of optimality ends the run; otherwise CP-SAT's incumbent and bound are kept.
4. Local search again from the best solution until ``stop`` or until the makespan meets the bound.

The returned solution carries the best bound found by any phase, and ``proven_optimal`` is decided on
that final bound (:func:`~evac.core.planner.busopt.solution.settle_bound`). With :class:`MaxIterations` and the
exact phase off (``exact_max_loads=0``) the result depends only on the seed; CP-SAT is deterministic for
a seed only when it finishes (proves optimality) within its time limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from evac.core.planner.busopt.bounds import lower_bound as compute_lower_bound
from evac.core.planner.busopt.callbacks import SolverCallbacks
from evac.core.planner.busopt.exact import ExactParams, solve_exact
from evac.core.planner.busopt.ils import IlsParams, iterated_local_search
from evac.core.planner.busopt.solution import settle_bound
from evac.core.planner.stop import FirstOf, MaxIterations

if TYPE_CHECKING:
    from evac.core.planner.busopt.problem import BusProblem
    from evac.core.planner.busopt.solution import BusSolution
    from evac.core.planner.stop import StoppingCriterion

__all__ = ["SolveParams", "solve"]


@dataclass(frozen=True)
class SolveParams:
    """How :func:`solve` splits its effort (see the module docstring); checks itself."""

    warm_iterations: int = 200
    exact_max_loads: int = 20
    exact_max_buses: int = 8
    exact_time_s: float = 30.0
    exact_share: float = 0.5
    exact_workers: int = 8
    ils: IlsParams = field(default_factory=IlsParams)

    def __post_init__(self) -> None:
        if self.warm_iterations < 0 or self.exact_max_loads < 0 or self.exact_max_buses < 0:
            raise ValueError("warm_iterations, exact_max_loads and exact_max_buses must not be negative")
        if self.exact_time_s < 0:
            raise ValueError(f"exact_time_s must not be negative, got {self.exact_time_s}")
        if not 0 < self.exact_share <= 1:
            raise ValueError(f"exact_share must be in (0, 1], got {self.exact_share}")
        if self.exact_workers < 1:
            raise ValueError(f"exact_workers must be at least 1, got {self.exact_workers}")


class _Relay(SolverCallbacks):
    """Passes a phase's callbacks on, without its own start and end."""

    def __init__(self, inner: SolverCallbacks) -> None:
        self.inner = inner

    def on_iteration(self, iteration: int, current: float, best: float) -> None:
        self.inner.on_iteration(iteration, current, best)

    def on_best(self, makespan: float, method: str) -> None:
        self.inner.on_best(makespan, method)


def solve(
    problem: BusProblem,
    *,
    stop: StoppingCriterion,
    seed: int = 0,
    callbacks: SolverCallbacks | None = None,
    params: SolveParams | None = None,
) -> BusSolution:
    """Minimise the makespan of ``problem``; anytime (``stop``), seeded, with a proven lower bound.

    Returns a solution whose routes move every load; ``lower_bound`` is the best bound proven by the
    bounds module or CP-SAT, ``proven_optimal`` whether the makespan meets it.
    """
    t0 = time.perf_counter()
    par = params or SolveParams()
    cb = callbacks or SolverCallbacks()
    relay = _Relay(cb)
    lb = compute_lower_bound(problem)
    cb.on_start(lb)
    warm = iterated_local_search(problem, stop=FirstOf(stop, MaxIterations(par.warm_iterations)), seed=seed,
                                 callbacks=relay, params=par.ils, lower_bound=lb)
    best = warm
    bound_by = "bounds"
    iterations = warm.iterations
    small = (problem.n_loads <= par.exact_max_loads and problem.n_buses <= par.exact_max_buses
             and not problem.has_deadlines)
    if small and not best.proven_optimal and not stop(best.makespan):
        budget = par.exact_time_s
        budget = min(budget, par.exact_share * stop.remaining_s())
        result = solve_exact(problem, params=ExactParams(time_limit_s=budget, workers=par.exact_workers),
                             seed=seed, hint=best.sequences(), upper_bound=best.makespan, lower_bound=lb)
        if math.isfinite(result.bound) and result.bound > lb:
            lb, bound_by = result.bound, "cp-sat"
        if result.solution is not None and result.solution.makespan < best.makespan:
            best = result.solution
            cb.on_best(best.makespan, "cp-sat")
    tol = 1e-9 * max(1.0, best.makespan)
    if best.makespan > lb + tol and not stop(best.makespan):
        more = iterated_local_search(problem, stop=stop, seed=seed + 1, callbacks=relay, params=par.ils,
                                     initial=best.sequences(), lower_bound=lb)
        iterations += more.iterations
        if more.makespan < best.makespan - tol:
            best = more
    # the bound is final only now (bounds module, then CP-SAT): optimality is decided on it, never before
    lb, optimal = settle_bound(best.makespan, lb)
    cb.on_end(best.makespan, lb)
    return replace(best, lower_bound=lb, proven_optimal=optimal, seed=seed, iterations=iterations,
                   runtime_s=time.perf_counter() - t0, bound_method=bound_by)
