"""Scenario files: valid files load; broken ones report every problem with file, line and path."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from evac.adapters.scenario.loader import bundled_scenarios, load_scenario, read_scenario_file
from evac.adapters.scenario.schema import json_schema
from evac.core.errors import ScenarioError
from evac.core.model import Mode, PlaceKind, Triangular

DATA = Path(__file__).parent.parent / "data"


def test_tiny_scenario_loads_with_hours_from_epoch() -> None:
    sc = load_scenario(DATA / "tiny.yaml")
    assert sc.id == "tiny"
    assert sc.policy.start_h == 6.0
    assert sc.place_by_id["border"].processing_per_h == 60
    assert sc.link_by_id["airport--home"].mode is Mode.AIR
    airlift = sc.service_by_id["airlift"]
    assert airlift.first_departure_h == 12.0 and airlift.departures == 10
    cut = sc.threats[0].when
    assert isinstance(cut, Triangular) and (cut.earliest, cut.mode, cut.latest) == (24.0, 48.0, 96.0)
    assert len(sc.population.people) == 300
    assert math.isinf(sc.fleet_by_id["buses"].available_until_h)
    assert {p.kind for p in sc.safe_havens} == {PlaceKind.SAFE_HAVEN}


def test_json_is_accepted(tmp_path: Path) -> None:
    import json

    import yaml

    data = yaml.safe_load((DATA / "tiny.yaml").read_text())
    data["epoch"] = "2013-01-22T00:00:00+02:00"
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(data, default=str))
    assert load_scenario(path).id == "tiny"


def _broken(tmp_path: Path, old: str, new: str, name: str = "broken.yaml") -> Path:
    text = (DATA / "tiny.yaml").read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new))
    return path


def test_three_problems_reported_at_once_with_lines_and_paths(tmp_path: Path) -> None:
    path = tmp_path / "syria.yaml"
    text = (DATA / "tiny.yaml").read_text()
    text = text.replace("to: north, mode: road", "to: Homs2, mode: road")
    text = text.replace("seats: 40, count: 3", "seats: -40, count: 3")
    text = text.replace('epoch: "2013-01-22T00:00:00+02:00"', 'epoch: "2013-02-30T00:00:00+02:00"')
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        read_scenario_file(path)
    problems = info.value.problems
    assert len(problems) == 3, problems
    lines = text.splitlines()
    by_path = {p.split(": ")[1]: p for p in problems}
    assert set(by_path) == {"epoch", "links[2].to", "fleets[0].seats"}
    assert "unknown place 'Homs2'" in by_path["links[2].to"]
    for problem in problems:
        file_line = problem.split(": ")[0]
        name, line = file_line.split(":")
        assert name == "syria.yaml"
        assert lines[int(line) - 1].strip()  # points at a real line of the file
    assert "greater than 0" in by_path["fleets[0].seats"]


@pytest.mark.parametrize(
    ("old", "new", "path_fragment", "message"),
    [
        ("target: capital--north", "target: nowhere", "threats[0].target", "unknown place or link 'nowhere'"),
        ('mode: "2013-01-24T00:00:00+02:00"', 'mode: "2013-01-27T00:00:00+02:00"', "threats[0].when.triangular",
         "earliest <= mode <= latest"),
        ("processing_per_h: 60", "processing_per_h: -60", "places[3].processing_per_h", "greater than 0"),
        ("kind: airport", "kind: aeroport", "places[5].kind", "'aeroport'"),
        ("travel_h: 4.0", "travel_h: 0", "links[5].travel_h", "greater than 0"),
        ("cadence_h: 12", "cadence_h: 12, colour: red", "services[0].colour", "unknown field"),
        ("depot: capital", "depot: elsewhere", "fleets[0].depot", "unknown place 'elsewhere'"),
        ("diplomats_at: capital", "diplomats_at: embassy", "population.generator.diplomats_at", "unknown place"),
        ("closure_quantile: 0.1", "closure_quantile: 1.5", "policy.closure_quantile", "less than or equal to 1"),
        ('fixed: "2013-01-22T00:00:00+02:00"', 'fixed: "2013-01-22T00:00:00"', "threats[1].when.fixed", "timezone"),
    ],
)
def test_each_problem_names_its_path(tmp_path: Path, old: str, new: str, path_fragment: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        read_scenario_file(_broken(tmp_path, old, new))
    text = "\n".join(info.value.problems)
    assert f": {path_fragment}: " in text, text
    assert message in text, text


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, "places:\n", "places:\n  - {id: [unclosed\n")
    with pytest.raises(ScenarioError) as info:
        read_scenario_file(path)
    assert info.value.problems[0].startswith("broken.yaml:1")


def test_missing_file_is_a_clear_error() -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario("does-not-exist.yaml")


def test_bundled_default_scenario_is_valid() -> None:
    assert "syria-2013" in bundled_scenarios()
    model, _ = read_scenario_file(Path(__file__).parents[2] / "src/evac/data/scenarios/syria-2013.yaml")
    assert model.id == "syria-2013"
    assert len([p for p in model.places if p.kind == PlaceKind.CITY]) >= 13


def test_json_schema_names_every_top_level_field() -> None:
    schema = json_schema()
    assert set(schema["properties"]) >= {"epoch", "places", "links", "fleets", "services", "threats", "policy"}
