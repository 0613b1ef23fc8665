"""evac bench: rows with the promised keys, each plan checked; bad options rejected."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from evac.adapters.bench import build_bench_scenario
from evac.cli.app import app

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
