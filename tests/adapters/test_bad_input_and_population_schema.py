"""Hostile or mistaken input gets a clear error naming file and line (never a MemoryError, never
acceptance), and the population file format has a JSON Schema that agrees with its reader.

Synthetic people only (the crew generator).
"""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evac.adapters.population_io import _PERSON_FIELDS, _PERSON_OPTIONAL, dumps_population, read_population
from evac.adapters.population_schema import PopulationFile, json_schema
from evac.adapters.scenario.loader import load_scenario, read_scenario_file
from evac.cli.app import app
from evac.core.errors import ScenarioError
from evac.core.population.teams import generate_teams

DATA = Path(__file__).parents[1] / "data"


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def _line_of(path: Path, fragment: str) -> int:
    return next(i for i, t in enumerate(path.read_text().splitlines(), 1) if fragment in t)


def _tiny_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (DATA / "tiny.yaml").read_text()
    assert old in text
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new))
    return path


# -- hostile scenario files ------------------------------------------------------------------------------
def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]  # 9**10 values
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nid: bomb\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith("bomb.yaml:7: this value expands to more than 2,000,000 values"), problems
    assert "YAML bomb" in problems[0]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: nothing expanded


def test_a_recursive_alias_and_deep_nesting_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("id: x\nplaces: &p [*p]\n")
    problems = _problems(path)
    assert problems == ["loop.yaml:2: a value contains itself (a recursive YAML alias)"] or any(
        "loop.yaml:2:" in p for p in problems
    ), problems
    deep = tmp_path / "deep.yaml"
    deep.write_text("id: x\nplaces: " + "[" * 20_000 + "]" * 20_000 + "\n")
    assert _problems(deep) == ["deep.yaml: nested too deeply to be a scenario"]


def test_a_fleet_of_a_hundred_million_vehicles_is_refused(tmp_path: Path) -> None:
    path = _tiny_with(tmp_path, "seats: 40, count: 3,", "seats: 40, count: 100000000,")
    problems = _problems(path)
    line = _line_of(path, "count: 100000000")
    assert problems == [
        f"bad.yaml:{line}: fleets[0].count: Input should be less than or equal to 100000, got 100000000"
    ]


def test_a_link_from_a_place_to_itself_is_refused_with_its_line(tmp_path: Path) -> None:
    path = _tiny_with(
        tmp_path, "{id: capital--north, from: capital, to: north,", "{id: capital--north, from: capital, to: capital,"
    )
    problems = _problems(path)
    line = _line_of(path, "to: capital,")
    assert problems == [f"bad.yaml:{line}: links[2]: the link joins 'capital' to itself: from and to must differ"]


def test_huge_seats_and_departures_are_refused(tmp_path: Path) -> None:
    path = _tiny_with(tmp_path, "seats: 60,", "seats: 60000000,")
    assert any(": services[0].seats: Input should be less than or equal to 10000" in p for p in _problems(path))


def test_the_bundled_and_test_scenarios_still_validate() -> None:
    for path in sorted(DATA.glob("*.yaml")):
        read_scenario_file(path)
    for name in ("syria-2013", "libya-2011"):
        assert load_scenario(name).fleets


# -- population files ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def crews_text() -> str:
    return dumps_population(generate_teams([("camp", 120)], team_size=(3, 6), nationality="CN", seed=3, year=2011))


def test_evac_schema_population_prints_the_schema() -> None:
    result = CliRunner().invoke(app, ["schema", "population"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema == json_schema()
    assert set(schema["properties"]) == {"schema_version", "people", "households"}


def test_the_schema_and_the_reader_agree(crews_text: str) -> None:
    person = json_schema()["$defs"]["PersonRecord"]  # type: ignore[index]
    assert set(person["properties"]) == set(_PERSON_FIELDS)
    assert set(person["required"]) == set(_PERSON_FIELDS) - _PERSON_OPTIONAL
    PopulationFile.model_validate(json.loads(crews_text))  # what evac writes is what the schema describes


def test_a_bad_field_in_a_population_file_names_its_line(tmp_path: Path, crews_text: str) -> None:
    data = json.loads(crews_text)
    data["people"][7]["willingness"] = "maybe"
    data["households"][2]["colour"] = "red"
    path = tmp_path / "crews.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_population(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    problems = info.value.problems
    assert len(problems) == 2
    for problem, key in zip(problems, ('"willingness": "maybe"', '"colour": "red"'), strict=True):
        line = int(problem.removeprefix(f"{path}:").split(":")[0])
        assert key in lines[line - 1], (problem, lines[line - 1])
    assert problems[0].endswith(
        "people[7].willingness: expected one of wants_to_leave, undecided, declines, got 'maybe'"
    )


def test_a_population_file_that_is_not_a_population(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"schema_version": 2,\n "people": [], "households": []}')
    with pytest.raises(ScenarioError) as info:
        read_population(path)
    assert info.value.problems == [f"{path}:1: schema_version: expected 1, got 2"]


def test_every_field_of_the_scenario_format_is_documented() -> None:
    """docs/scenario.md names every field a scenario file may hold (a new field without docs fails here)."""
    from evac.adapters.scenario import schema

    text = (Path(__file__).parents[2] / "docs" / "scenario.md").read_text(encoding="utf-8")
    models = [
        schema.PlaceIn,
        schema.RateChangeIn,
        schema.LinkIn,
        schema.FleetIn,
        schema.ServiceIn,
        schema.ThreatIn,
        schema.PolicyIn,
        schema.GeneratorIn,
        schema.ScenarioFile,
    ]
    missing = [
        f"{m.__name__}.{f.alias or name}"
        for m in models
        for name, f in m.model_fields.items()
        if f"`{f.alias or name}`" not in text and f".{f.alias or name}`" not in text
    ]
    assert missing == []
