"""assess_cli / simulate_cli through a Typer app of the test's own: output, --json keys, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import pytest
import typer
from sim_helpers import TINY
from typer.testing import CliRunner

from evac.adapters.scenario.loader import read_scenario_file
from evac.cli.decision import JSON_KEYS, assess_cli, simulate_cli
from evac.core.errors import ModelError, ScenarioError
from evac.core.sim import Uncertainty

app = typer.Typer()


@app.command("assess")
def _assess(scenario: str = str(TINY), first: Annotated[str | None, typer.Option("--from")] = None,
            to: str | None = None, step_days: float = 0.25, out: Path = Path("."),
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    assess_cli(scenario, first=first, last=to, step_days=step_days, out_dir=out, as_json=as_json)


@app.command("simulate")
def _simulate(scenario: str = str(TINY), start: str | None = None, runs: int = 50, workers: int = 1,
              mode: str = "as_planned", to: str | None = None, step_days: float = 0.5, out: Path = Path("."),
              replay: int | None = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    simulate_cli(scenario, start=start, runs=runs, workers=workers, mode=mode, last=to, step_days=step_days,
                 out_dir=out, replay=replay, as_json=as_json)


runner = CliRunner()


def test_assess_prints_latest_safe_start_and_writes_report(tmp_path: Path) -> None:
    res = runner.invoke(app, ["assess", "--from", "2013-01-22", "--to", "2013-01-24", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "latest safe start: 2013-01-23" in res.output
    html = (tmp_path / "decision.html").read_text(encoding="utf-8")
    assert "Clearance against closures" in html and "<svg" in html
    assert not re.search(r"(src|href)=\"https?://", html)  # offline
    assert (tmp_path / "decision.svg").read_text().startswith("<?xml")


def test_simulate_json_has_exactly_the_issue_keys(tmp_path: Path) -> None:
    res = runner.invoke(app, ["simulate", "--to", "2013-01-24", "--out", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert tuple(data) == JSON_KEYS
    assert data["runs"] == 50 and 0 <= data["p_all_safe"] <= 1 and len(data["p_all_safe_ci"]) == 2
    html = (tmp_path / "simulate.html").read_text(encoding="utf-8")
    for section in ('id="decision"', 'id="probability"', 'id="fan"'):
        assert section in html
    for name in ("decision", "p_all_safe", "fan"):
        assert (tmp_path / f"{name}.svg").exists()


def test_simulate_terminal_output_and_replay(tmp_path: Path) -> None:
    res = runner.invoke(app, ["simulate", "--to", "2013-01-23", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "P(all safe) =" in res.output and "latest safe start" in res.output
    res = runner.invoke(app, ["simulate", "--replay", "7"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["seed"] == [0, 7]


@pytest.mark.parametrize(("args", "message"), [
    (["simulate", "--runs", "0"], "--runs must be at least 1"),
    (["simulate", "--start", "2013-02-30"], "is not a date"),
    (["simulate", "--start", "yesterday"], "is not a date"),
    (["simulate", "--mode", "wishful"], "--mode"),
    (["assess", "--from", "2013-01-25", "--to", "2013-01-22"], "is before --from"),
    (["assess", "--to", "tomorrow"], "is not a date"),
    (["assess", "--scenario", "no-such-scenario"], "no such file"),
])
def test_bad_input_exits_2_with_a_clear_message(args: list[str], message: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert message in res.output


def test_nonsense_distributions_are_rejected_at_load_with_their_path(tmp_path: Path) -> None:
    text = TINY.read_text(encoding="utf-8").replace(
        'latest: "2013-01-26T00:00:00+02:00"', 'latest: "2013-01-20T00:00:00+02:00"')
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        read_scenario_file(bad)
    assert "threats[0].when.triangular" in str(exc.value)


def test_uncertainty_checks_itself() -> None:
    with pytest.raises(ModelError, match=r"no_show\.wants_to_leave"):
        Uncertainty(no_show={"wants_to_leave": 1.5})
    with pytest.raises(ModelError, match="repair_median_h"):
        Uncertainty(repair_median_h=-1.0)
    with pytest.raises(ModelError, match="unknown willingness"):
        Uncertainty(no_show={"maybe": 0.1})
