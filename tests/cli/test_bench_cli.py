"""evac bench: rows with the promised keys, each plan checked; bad options rejected; a row that crashes
is reported as a crash and one that overruns as a time-out."""

from __future__ import annotations

import json
import operator
import os
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from evac.adapters.bench import CRASHED, OK, TIMED_OUT, build_bench_scenario, in_child, run_bench
from evac.cli.app import app
from evac.cli.bench import _cells, markdown_table

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()
KEYS = {"scenario", "planner", "wall_s", "peak_rss_mb", "safe", "safe_weighted", "clearance_h",
        "bound_safe_weighted", "bound_clearance_h", "gap", "check_ok"}


def test_bench_json_rows(tmp_path: Path) -> None:
    result = runner.invoke(app, ["bench", "--sizes", "S", "--networks", "syria", "--planners", "greedy",
                                 "--results", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(rows) == 1
    assert set(rows[0]) >= KEYS
    assert rows[0]["scenario"] == "syria-S" and rows[0]["check_ok"] is True
    assert (tmp_path / "planners-latest.md").exists()


def test_bench_rejects_unknown_size(tmp_path: Path) -> None:
    result = runner.invoke(app, ["bench", "--sizes", "XXL", "--results", str(tmp_path)])
    assert result.exit_code == 2
    assert "--sizes: unknown XXL" in result.output


def test_bench_scenarios_are_deterministic_and_surged() -> None:
    a = build_bench_scenario("syria", "S")
    assert a == build_bench_scenario("syria", "S")
    travelling = sum(p.travels for p in a.population.people)
    assert len(a.population.people) == 1000 and travelling > 300


# -- a row's process: answered, crashed or timed out, never confused -------------------------------------
def test_a_child_that_answers_is_ok() -> None:
    got = in_child(operator.add, 2, 3, timeout_s=60.0)
    assert (got.status, got.value, got.error) == (OK, 5, None)


def test_a_child_that_raises_is_a_crash_with_its_exception_not_a_time_out() -> None:
    got = in_child(operator.truediv, 1, 0, timeout_s=600.0)  # a long limit: a crash must not wait for it
    assert got.status == CRASHED and got.error == "ZeroDivisionError: division by zero"


def test_a_child_that_dies_is_a_crash_with_its_exit_code() -> None:
    got = in_child(os._exit, 3, timeout_s=600.0)
    assert got.status == CRASHED and got.error is not None and "code 3" in got.error


def test_a_child_still_running_at_its_limit_is_a_time_out() -> None:
    got = in_child(time.sleep, 600.0, timeout_s=1.0)  # sleeps far past the limit, on any machine
    assert got.status == TIMED_OUT and got.value is None


def test_a_crashed_row_is_reported_as_crashed() -> None:
    rows = run_bench(["S"], ["no-such-planner"], ["syria"], bound_time_limit_s=30.0, row_timeout_s=600.0)
    [row] = rows
    assert row.status == CRASHED and row.error is not None and "KeyError" in row.error
    assert not row.check_ok and row.bound_status == "ok"
    assert row.public()["status"] == CRASHED and row.public()["timed_out"] is False
    cells = _cells(row)
    assert cells[3] == "crashed" and "KeyError" in cells[-1]
    timed_out = replace(row, status=TIMED_OUT, error="no answer after 600 s")
    assert _cells(timed_out)[3] == "timed out" and timed_out.public()["timed_out"] is True
    assert "crashed" in markdown_table([row, timed_out]) and "timed out" in markdown_table([row, timed_out])
