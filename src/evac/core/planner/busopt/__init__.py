"""The bus evacuation optimiser: buses from depots move every person from pickups to shelters with
capacities, minimising the makespan (see :mod:`.problem`). Pure: numpy and OR-Tools only.

``solve(problem, stop=…, seed=…)`` returns a :class:`BusSolution` with routes, makespan and a lower
bound; ``lower_bound(problem)`` gives the bound alone.
"""

from __future__ import annotations

from evac.core.planner.busopt.bounds import BoundReport, bound_report, lower_bound
from evac.core.planner.busopt.callbacks import SolverCallbacks
from evac.core.planner.busopt.exact import ExactParams, ExactResult, solve_exact
from evac.core.planner.busopt.ils import IlsParams, iterated_local_search
from evac.core.planner.busopt.problem import BusProblem, BusProblemError
from evac.core.planner.busopt.solution import (
    BusRoute,
    BusSolution,
    BusTrip,
    makespan_of,
    settle_bound,
    timed_routes,
    verify,
)
from evac.core.planner.busopt.solve import SolveParams, solve
from evac.core.planner.stop import FirstOf, MaxIterations, MaxRuntime, StoppingCriterion

__all__ = [
    "BoundReport",
    "BusProblem",
    "BusProblemError",
    "BusRoute",
    "BusSolution",
    "BusTrip",
    "ExactParams",
    "ExactResult",
    "FirstOf",
    "IlsParams",
    "MaxIterations",
    "MaxRuntime",
    "SolveParams",
    "SolverCallbacks",
    "StoppingCriterion",
    "bound_report",
    "iterated_local_search",
    "lower_bound",
    "makespan_of",
    "settle_bound",
    "solve",
    "solve_exact",
    "timed_routes",
    "verify",
]
