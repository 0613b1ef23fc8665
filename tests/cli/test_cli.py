"""The evac command as a user meets it: exit codes, messages, files written."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from evac.cli.app import app
from evac.core.planner import PLANNERS, GreedyPlanner

if TYPE_CHECKING:
    from evac.core.model import Plan, Scenario

runner = CliRunner()
TINY = str(Path(__file__).parents[1] / "data" / "tiny.yaml")


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("plan", "check", "demo", "validate", "generate", "schema", "replan", "assess", "simulate",
                    "bench", "registry", "init"):
        assert command in result.output


def test_schema_scenario_prints_json_schema() -> None:
    result = runner.invoke(app, ["schema", "scenario"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "places" in schema["properties"]


def test_broken_scenario_gives_three_errors_and_exit_2(tmp_path: Path) -> None:
    text = Path(TINY).read_text()
    text = text.replace("to: north, mode: road", "to: Homs2, mode: road")
    text = text.replace("seats: 40, count: 3", "seats: -40, count: 3")
    text = text.replace('epoch: "2013-01-22T00:00:00+02:00"', 'epoch: "2013-01-32T00:00:00+02:00"')
    bad = tmp_path / "syria.yaml"
    bad.write_text(text)
    for args in (["validate", str(bad)], ["plan", "--scenario", str(bad), "--out", str(tmp_path / "o")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "3 problems" in result.output
        assert "syria.yaml:" in result.output and "links[2].to: unknown place 'Homs2'" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_plan_writes_plan_report_and_json_kpis(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "--scenario", TINY, "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    kpis = json.loads(result.output)
    assert kpis["travelling"] > 0 and kpis["safe"] + kpis["left_behind"] == kpis["travelling"]
    assert (tmp_path / "plan.json").exists() and (tmp_path / "report.html").exists()
    check = runner.invoke(app, ["check", str(tmp_path / "plan.json"), "--scenario", TINY])
    assert check.exit_code == 0, check.output
    assert "OK" in check.output


class _BrokenPlanner:
    """Greedy's plan with its first trip on a vehicle that does not exist (a planner bug)."""

    name = "broken"

    def plan(self, scenario: Scenario, **kw: Any) -> Plan:
        plan = GreedyPlanner().plan(scenario, **kw)
        first, *rest = plan.trips
        return replace(plan, trips=(replace(first, unit=999), *rest))


@pytest.mark.parametrize("as_json", [False, True])
def test_a_plan_failing_the_independent_check_is_withheld_and_exits_1(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool) -> None:
    monkeypatch.setitem(PLANNERS, "broken", _BrokenPlanner())  # type: ignore[arg-type]
    result = runner.invoke(app, ["plan", "--scenario", TINY, "--planner", "broken", "--out", str(tmp_path)]
                           + (["--json"] if as_json else []))
    assert result.exit_code == 1, result.output
    assert "fails the independent check" in result.output and "[reference]" in result.output
    assert "all hard constraints hold" not in result.output and "safe" not in result.stdout
    assert not (tmp_path / "plan.json").exists() and not (tmp_path / "report.html").exists()


def test_same_inputs_give_identical_plan_json(tmp_path: Path) -> None:
    for d in ("a", "b"):
        result = runner.invoke(app, ["plan", "--scenario", TINY, "--out", str(tmp_path / d), "--json"])
        assert result.exit_code == 0
    assert (tmp_path / "a" / "plan.json").read_bytes() == (tmp_path / "b" / "plan.json").read_bytes()


def test_check_catches_a_tampered_plan(tmp_path: Path) -> None:
    runner.invoke(app, ["plan", "--scenario", TINY, "--out", str(tmp_path), "--json"])
    data = json.loads((tmp_path / "plan.json").read_text())
    trip = next(t for t in data["trips"] if t["boardings"])
    leg = trip["legs"][-1]
    leg[4] = leg[3] + 0.01  # faster than the link allows
    (tmp_path / "plan.json").write_text(json.dumps(data))
    result = runner.invoke(app, ["check", str(tmp_path / "plan.json"), "--scenario", TINY, "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert not report["ok"]
    assert any(v["rule"] == "leg_time" and trip["id"] in v["message"] for v in report["violations"])
    text = runner.invoke(app, ["check", str(tmp_path / "plan.json"), "--scenario", TINY])
    assert text.exit_code == 1 and "[leg_time]" in text.output  # the rule is shown, not taken for markup


def test_check_of_unreadable_plan_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["check", str(bad), "--scenario", TINY])
    assert result.exit_code == 2
    assert "not valid JSON" in result.output


def test_bad_start_date_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "--scenario", TINY, "--start", "2013-02-30", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--start" in result.output and "2013-02-30" in result.output


def test_unknown_planner_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "--scenario", TINY, "--planner", "magic", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown planner 'magic'" in result.output


def test_generate_population_is_byte_identical_per_seed(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    for path, seed in ((a, 5), (b, 5), (c, 6)):
        result = runner.invoke(app, ["generate", "population", "--size", "500", "--seed", str(seed),
                                     "--scenario", TINY, "--out", str(path)])
        assert result.exit_code == 0, result.output
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert len(json.loads(a.read_text())["people"]) == 500


def test_plan_with_a_population_file(tmp_path: Path) -> None:
    pop = tmp_path / "people.json"
    runner.invoke(app, ["generate", "population", "--size", "200", "--seed", "1", "--scenario", TINY,
                        "--out", str(pop)])
    result = runner.invoke(app, ["plan", "--scenario", TINY, "--population", str(pop), "--out",
                                 str(tmp_path / "o"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["registered"] == 200


def test_surge_what_if_plans_more_people_and_checks(tmp_path: Path) -> None:
    base = json.loads(runner.invoke(app, ["plan", "--scenario", TINY, "--out", str(tmp_path / "a"), "--json"]).output)
    result = runner.invoke(app, ["plan", "--scenario", TINY, "--surge", "1", "--out", str(tmp_path / "b"), "--json"])
    surged = json.loads(result.output)
    assert surged["travelling"] > base["travelling"]
    check = runner.invoke(app, ["check", str(tmp_path / "b" / "plan.json"), "--scenario", TINY])
    assert check.exit_code == 0, check.output
    bad = runner.invoke(app, ["plan", "--scenario", TINY, "--surge", "1.5", "--out", str(tmp_path / "c")])
    assert bad.exit_code == 2


def test_plan_from_a_workspace_registry(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    csv = tmp_path / "list.csv"
    csv.write_text(
        "id,surname,first name,birth date,sex,nationality,city,household,relationship,willingness\n"
        "A1,Тестова,Анна,01.02.1980,F,RU,Capital,h1,head,wants_to_leave\n"
        "A2,Тестова,Мария,2010,F,RU,Capital,h1,child,wants_to_leave\n"
        "A3,Пробная,Ольга,1950,F,RU,north,h2,head,wants_to_leave\n",
        encoding="utf-8",
    )
    imported = runner.invoke(app, ["registry", "import", str(csv), "--workspace", str(ws)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(app, ["plan", "--scenario", TINY, "--workspace", str(ws), "--out", str(tmp_path / "o"),
                                 "--json"])
    assert result.exit_code == 0, result.output
    kpis = json.loads(result.output)
    assert kpis["registered"] == 3 and kpis["safe"] == 3


def test_plan_from_a_workspace_with_unknown_city_is_a_clear_error(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    csv = tmp_path / "list.csv"
    csv.write_text("id,surname,first name,birth date,sex,nationality,city,willingness\n"
                   "A1,Тестова,Анна,1980,F,RU,Atlantis,wants_to_leave\n", encoding="utf-8")
    runner.invoke(app, ["registry", "import", str(csv), "--workspace", str(ws)])
    result = runner.invoke(app, ["plan", "--scenario", TINY, "--workspace", str(ws), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "atlantis" in result.output.lower()


def test_generate_a_messy_list_with_duplicates_and_import_it(tmp_path: Path) -> None:
    listing = tmp_path / "list.csv"
    result = runner.invoke(app, ["generate", "population", "--size", "300", "--seed", "3", "--scenario", TINY,
                                 "--duplicates", "0.2", "--out", str(listing)])
    assert result.exit_code == 0, result.output
    rows = listing.read_text(encoding="utf-8").splitlines()
    truth = (tmp_path / "list.truth.csv").read_text().splitlines()
    assert len(rows) - 1 > 300 and len(truth) > 20
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    imported = runner.invoke(app, ["registry", "import", str(listing), "--workspace", str(ws)])
    assert imported.exit_code == 0, imported.output
    dupes = runner.invoke(app, ["registry", "dupes", "--workspace", str(ws), "--json"])
    pairs = json.loads(dupes.output)
    true_pairs = {tuple(sorted(line.split(","))) for line in truth[1:]}
    found = {tuple(sorted((p["a"], p["b"]))) for p in pairs if p["decision"] == "match"}
    assert len(found & true_pairs) >= 0.8 * len(true_pairs)


def test_duplicates_need_a_csv_out(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "population", "--size", "10", "--scenario", TINY, "--duplicates", "0.1"])
    assert result.exit_code == 2
    assert "--out LIST.csv" in result.output


def test_the_optimising_planner_reports_its_bound_and_passes_the_check(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "--scenario", TINY, "--planner", "evac", "--time-limit", "1",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "gap to the bound" in result.output
    data = json.loads((tmp_path / "plan.json").read_text())
    assert data["planner"] == "evac" and data["bound"]["safe_weighted_max"] >= data["kpis"]["safe_weighted"]
    check = runner.invoke(app, ["check", str(tmp_path / "plan.json"), "--scenario", TINY])
    assert check.exit_code == 0, check.output
