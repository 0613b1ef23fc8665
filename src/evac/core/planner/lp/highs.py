"""The only module that talks to HiGHS: a small wrapper in evac's own terms.

A model is handed over once, as CSR arrays built with numpy (one ``passModel``), then solved; later
solves may change column bounds and costs in place (HiGHS keeps its basis, so a re-solve is a warm
start). HiGHS statuses are translated into :class:`SolveStatus`; a model that cannot be solved raises an
:class:`~evac.core.errors.EvacError` subclass. The solve runs in HiGHS's own thread so that Ctrl-C
cancels it (``cancelSolve``) and then reaches the caller as the usual :class:`KeyboardInterrupt`.

HiGHS prints a banner on stdout (C level) the first time a solver object is built in a process; it is
sent to ``/dev/null`` so that machine-readable output (``evac plan --json``) stays clean.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

import highspy
import numpy as np

from evac.core.errors import EvacError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from numpy.typing import NDArray

__all__ = ["INF", "LinearProgram", "LpSolver", "ModelInfeasibleError", "Solution", "SolveStatus", "SolverError"]

INF = float(highspy.kHighsInf)
"""HiGHS's infinity: use it for missing bounds."""


class SolverError(EvacError):
    """HiGHS could not solve a model evac built (load error, numerical trouble, unexpected status)."""


class ModelInfeasibleError(SolverError):
    """A model evac built has no feasible point. Relaxations are built always feasible, so this is a bug."""


class SolveStatus(StrEnum):
    """What became of a solve, in evac's words (HiGHS's ``HighsModelStatus`` is not leaked)."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"  # stopped by the time limit; a MIP may still have a feasible incumbent
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INTERRUPTED = "interrupted"
    FAILED = "failed"


_STATUS = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kModelEmpty: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kSolutionLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: SolveStatus.UNBOUNDED,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: SolveStatus.UNBOUNDED,
    highspy.HighsModelStatus.kInterrupt: SolveStatus.INTERRUPTED,
}


@dataclass(frozen=True)
class LinearProgram:
    """``max/min c·x`` s.t. ``row_lower <= A x <= row_upper``, ``col_lower <= x <= col_upper``.

    ``A`` is CSR: row ``r`` holds ``index[start[r]:start[r+1]]`` with ``value[...]``. ``integer`` marks
    integer columns (a MIP) or is ``None`` (an LP).
    """

    cost: NDArray[np.float64]
    col_lower: NDArray[np.float64]
    col_upper: NDArray[np.float64]
    row_lower: NDArray[np.float64]
    row_upper: NDArray[np.float64]
    start: NDArray[np.int32]
    index: NDArray[np.int32]
    value: NDArray[np.float64]
    maximize: bool
    integer: NDArray[np.bool_] | None = None

    @property
    def rows(self) -> int:
        return len(self.row_lower)

    @property
    def cols(self) -> int:
        return len(self.cost)

    @property
    def nonzeros(self) -> int:
        return len(self.value)


@dataclass(frozen=True)
class Solution:
    """The outcome of one solve. ``x`` is empty when HiGHS has no primal solution (e.g. infeasible)."""

    status: SolveStatus
    objective: float
    x: NDArray[np.float64]
    seconds: float
    mip_gap: float | None = None


class _Engine(Protocol):
    """The part of ``highspy.Highs`` the interruptible solve needs (a fake implements it in tests)."""

    def startSolve(self) -> Any: ...

    def wait(self, timeout: float = -1.0) -> tuple[bool, Any]: ...

    def cancelSolve(self) -> Any: ...


def run_interruptibly(engine: _Engine, poll_s: float = 0.05) -> None:
    """Run ``engine``'s solve in its thread, waking every ``poll_s`` seconds so Ctrl-C gets through.

    On :class:`KeyboardInterrupt` the solve is cancelled, its thread is waited for (HiGHS stops within
    a few iterations), and the interrupt is re-raised: the caller sees a normal Ctrl-C, never a half-dead
    solver thread.
    """
    engine.startSolve()
    try:
        done = False
        while not done:
            done, _ = engine.wait(poll_s)
    except KeyboardInterrupt:
        engine.cancelSolve()
        done = False
        while not done:
            done, _ = engine.wait(poll_s)
        raise


_banner_done = False


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Send C-level stdout to /dev/null for the duration (HiGHS's banner bypasses Python's sys.stdout)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            try:
                yield
            finally:
                os.dup2(saved, 1)
    finally:
        os.close(saved)


def _new_highs() -> highspy.Highs:
    global _banner_done
    if _banner_done:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        with _stdout_silenced():
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        _banner_done = True
    h.setOptionValue("output_flag", False)
    return h


class LpSolver:
    """One model loaded into HiGHS, solved as often as needed with changed bounds or costs.

    Parameters
    ----------
    lp
        The model; it is passed to HiGHS once, here.
    time_limit_s
        Wall-clock limit of each solve, seconds.
    mip_rel_gap
        Relative optimality gap at which a MIP stops (ignored for an LP).
    interior_point
        Solve an LP by interior point without crossover: on the large, degenerate time-expanded LPs it is
        5-10 times faster than simplex, at the price of no warm start and an objective exact to ~1e-8
        relative (callers that need a bound add a relative slack, see ``docs/planner.md``).
    """

    def __init__(self, lp: LinearProgram, *, time_limit_s: float = 30.0, mip_rel_gap: float = 1e-6,
                 interior_point: bool = False) -> None:
        self.lp = lp
        self._h = _new_highs()
        if interior_point:
            self._h.setOptionValue("solver", "ipm")
            self._h.setOptionValue("run_crossover", "off")
        self._h.setOptionValue("time_limit", float(time_limit_s))
        self._h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
        model = highspy.HighsLp()
        model.num_col_ = lp.cols
        model.num_row_ = lp.rows
        model.col_cost_ = lp.cost
        model.col_lower_ = lp.col_lower
        model.col_upper_ = lp.col_upper
        model.row_lower_ = lp.row_lower
        model.row_upper_ = lp.row_upper
        model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        model.a_matrix_.num_col_ = lp.cols
        model.a_matrix_.num_row_ = lp.rows
        model.a_matrix_.start_ = lp.start
        model.a_matrix_.index_ = lp.index
        model.a_matrix_.value_ = lp.value
        model.sense_ = highspy.ObjSense.kMaximize if lp.maximize else highspy.ObjSense.kMinimize
        if lp.integer is not None:
            model.integrality_ = [
                highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous for flag in lp.integer
            ]
        status = self._h.passModel(model)
        if status == highspy.HighsStatus.kError:
            raise SolverError(f"HiGHS refused a model of {lp.rows} rows x {lp.cols} columns")

    def set_costs(self, cols: NDArray[np.int32], cost: NDArray[np.float64]) -> None:
        """Change the objective coefficients of ``cols``."""
        self._h.changeColsCost(len(cols), cols, cost)

    def set_bounds(self, cols: NDArray[np.int32], lower: NDArray[np.float64], upper: NDArray[np.float64]) -> None:
        """Change the bounds of ``cols``."""
        self._h.changeColsBounds(len(cols), cols, lower, upper)

    def set_row_bounds(self, rows: NDArray[np.int32], lower: NDArray[np.float64], upper: NDArray[np.float64]) -> None:
        """Change the bounds of ``rows`` (a clearance test moves the fleet-hours budget with its deadline)."""
        # in HiGHS 1.16 but not in its type stubs
        self._h.changeRowsBounds(len(rows), rows, np.clip(lower, -INF, INF), np.clip(upper, -INF, INF))  # type: ignore[attr-defined]

    def add_row(self, cols: NDArray[np.int32], values: NDArray[np.float64], lower: float, upper: float) -> None:
        """Append one row (a lexicographic stage fixes the previous objective with it)."""
        self._h.addRow(lower, upper, len(cols), cols, values)

    def solve(self, *, require_optimal: bool = True) -> Solution:
        """Solve and translate the result.

        Raises
        ------
        ModelInfeasibleError
            HiGHS proves the model infeasible.
        SolverError
            Any other failure; or, with ``require_optimal``, a time limit without an optimal answer.
        KeyboardInterrupt
            Ctrl-C during the solve (after cancelling it).
        """
        h = self._h
        run_interruptibly(h)
        raw = h.getModelStatus()
        status = _STATUS.get(raw, SolveStatus.FAILED)
        info = h.getInfo()
        seconds = float(h.getRunTime())
        if status is SolveStatus.INFEASIBLE:
            raise ModelInfeasibleError(f"HiGHS: model of {self.lp.rows} rows x {self.lp.cols} columns is infeasible")
        if status in (SolveStatus.FAILED, SolveStatus.UNBOUNDED, SolveStatus.INTERRUPTED):
            raise SolverError(f"HiGHS: {h.modelStatusToString(raw)} on {self.lp.rows} x {self.lp.cols} model")
        has_x = info.primal_solution_status == highspy.kSolutionStatusFeasible
        if status is not SolveStatus.OPTIMAL and (require_optimal or not has_x):
            raise SolverError(f"HiGHS: {h.modelStatusToString(raw)} after {seconds:.1f} s "
                              f"on {self.lp.rows} x {self.lp.cols} model")
        x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_x or status is SolveStatus.OPTIMAL \
            else np.zeros(0)
        gap = float(info.mip_gap) if self.lp.integer is not None else None
        return Solution(status, float(info.objective_function_value), x, seconds, gap)
