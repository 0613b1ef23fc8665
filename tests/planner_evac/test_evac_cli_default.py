"""``evac plan`` runs the optimising planner unless told otherwise, and says what that costs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from evac.cli.app import app

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()
TINY = "tests/data/tiny.yaml"


def test_plan_defaults_to_evac_and_greedy_stays_available(tmp_path: Path) -> None:
    default = runner.invoke(app, ["plan", "--scenario", TINY, "--out", str(tmp_path / "a"), "--json"])
    assert default.exit_code == 0, default.output
    assert json.loads(default.output)["planner"] == "evac"
    plan = json.loads((tmp_path / "a" / "plan.json").read_text())
    assert plan["planner"] == "evac" and plan["bound"] is not None
    greedy = runner.invoke(
        app, ["plan", "--scenario", TINY, "--planner", "greedy", "--out", str(tmp_path / "b"), "--json"]
    )
    assert greedy.exit_code == 0, greedy.output
    assert json.loads(greedy.output)["planner"] == "greedy"


def test_help_names_the_default_and_its_time() -> None:
    result = runner.invoke(app, ["plan", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.replace("│", " ").split())  # Rich draws the options in a box
    assert "[default: evac]" in text and "about 6 s of planning on the bundled Syria scenario" in text


def test_an_unknown_planner_is_refused_by_name(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "--scenario", TINY, "--planner", "fastest", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "fastest" in result.output and "evac" in result.output
