"""Bounds and exact models: the only package that imports HiGHS (``highspy``).

- :func:`lp_bound`: the time-expanded network-flow LP (upper bound on weighted people safe, lower bound on
  clearance);
- :func:`combinatorial_bound`: cheap bounds for instances where the LP is too big;
- :func:`gap`: the relative gap of a plan to a bound;
- :class:`ExactPlanner` (in :mod:`evac.core.planner.exact`): the exact MIP for tiny instances.
"""

from evac.core.planner.lp.combinatorial import combinatorial_bound
from evac.core.planner.lp.gap import gap
from evac.core.planner.lp.highs import ModelInfeasibleError, SolverError, SolveStatus
from evac.core.planner.lp.relaxation import LpBoundReport, lp_bound, lp_bound_report

__all__ = [
    "LpBoundReport",
    "ModelInfeasibleError",
    "SolveStatus",
    "SolverError",
    "combinatorial_bound",
    "gap",
    "lp_bound",
    "lp_bound_report",
]
