"""The HiGHS wrapper: statuses, errors, and Ctrl-C cancelling a solve (with a fake engine)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from evac.core.errors import EvacError
from evac.core.planner.lp.builder import ModelBuilder
from evac.core.planner.lp.highs import LpSolver, ModelInfeasibleError, SolveStatus, run_interruptibly


def _lp(upper: float, lower_row: float = -np.inf) -> LpSolver:
    b = ModelBuilder()
    x = b.add_cols(2, cost=[1.0, 2.0], upper=upper)
    r = b.add_rows(1, lower=lower_row, upper=3.0)
    b.add_coefs([r[0], r[0]], x, [1.0, 1.0])
    return LpSolver(b.build(maximize=True))


def test_optimal_lp() -> None:
    sol = _lp(2.0).solve()
    assert sol.status is SolveStatus.OPTIMAL
    assert sol.objective == pytest.approx(5.0)  # x = (1, 2)
    assert list(sol.x) == pytest.approx([1.0, 2.0])


def test_infeasible_raises_evac_error() -> None:
    with pytest.raises(ModelInfeasibleError) as info:
        _lp(1.0, lower_row=2.5).solve()
    assert isinstance(info.value, EvacError)


def test_duplicate_coefficients_are_summed() -> None:
    b = ModelBuilder()
    x = b.add_cols(1, cost=1.0)
    r = b.add_rows(1, upper=4.0)
    b.add_coefs([r[0], r[0]], [x[0], x[0]], [1.0, 1.0])  # 2 x <= 4
    assert LpSolver(b.build(maximize=True)).solve().objective == pytest.approx(2.0)


class _FakeEngine:
    """Starts, is interrupted once by Ctrl-C while waiting, and must then be cancelled and waited for."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.waits = 0

    def startSolve(self) -> Any:
        self.calls.append("start")

    def wait(self, timeout: float = -1.0) -> tuple[bool, Any]:
        self.waits += 1
        if self.waits == 2:
            raise KeyboardInterrupt
        done = "cancel" in self.calls and self.waits >= 4
        return done, None

    def cancelSolve(self) -> Any:
        self.calls.append("cancel")


def test_ctrl_c_cancels_the_solve_and_propagates() -> None:
    engine = _FakeEngine()
    with pytest.raises(KeyboardInterrupt):
        run_interruptibly(engine, poll_s=0.0)
    assert engine.calls == ["start", "cancel"]
    assert engine.waits >= 4  # waited for the solver thread to stop before re-raising
