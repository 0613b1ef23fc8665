"""Population JSON files: round trip, byte-identical output, and errors that say where the problem is."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from evac.adapters.population_io import (
    dumps_population,
    population_from_dicts,
    population_to_dicts,
    read_population,
    write_population,
)
from evac.core.errors import ScenarioError
from evac.core.model import Place, PlaceKind, Population
from evac.core.population.generator import generate_population

if TYPE_CHECKING:
    from pathlib import Path

CITIES = (
    Place("damascus", "Damascus", PlaceKind.CITY, 33.51, 36.29, "SY", population=1_552_161),
    Place("latakia", "Latakia", PlaceKind.CITY, 35.53, 35.79, "SY", population=383_786),
)


def make(size: int = 300, seed: int = 5) -> Population:
    return generate_population(CITIES, size=size, seed=seed, diplomats_at="damascus",
                               military_at=("latakia",))


@pytest.fixture(scope="module")
def pop() -> Population:
    return make()


def problems_of(data: Any) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        population_from_dicts(data, source="people.json")
    return info.value.problems


def test_round_trip_gives_an_equal_population(pop: Population, tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    write_population(pop, path)
    back = read_population(path)
    assert back == pop
    assert [p.registration_seq for p in back.people] == [p.registration_seq for p in pop.people]
    assert back.people[0].birth == pop.people[0].birth


def test_same_population_gives_byte_identical_files(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    write_population(make(), a)
    write_population(make(), b)
    write_population(read_population(a), c)
    assert a.read_bytes() == b.read_bytes() == c.read_bytes()
    assert a.read_bytes() != dumps_population(make(seed=6)).encode()


def test_file_is_json_with_one_person_per_line_in_original_scripts(pop: Population, tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    write_population(pop, path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data == population_to_dicts(pop)
    assert data["schema_version"] == 1
    lines = text.splitlines()
    assert len(lines) == len(pop.people) + len(pop.households) + 5
    assert json.loads(lines[2].rstrip(","))["id"] == "P000001"
    assert any("\u0600" <= ch <= "\u06ff" for ch in text) and any("а" <= ch <= "я" for ch in text)
    assert "\\u" not in text
    first = data["people"][0]
    assert first["vulnerabilities"] == sorted(first["vulnerabilities"])
    assert isinstance(first["nationalities"], list)


def test_empty_population_round_trips(tmp_path: Path) -> None:
    empty = Population((), ())
    path = tmp_path / "empty.json"
    write_population(empty, path)
    assert read_population(path) == empty


def test_a_bad_field_is_named_with_file_index_and_field(pop: Population, tmp_path: Path) -> None:
    data = population_to_dicts(pop)
    data["people"][12]["sex"] = "X"
    path = tmp_path / "people.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_population(path)
    assert info.value.problems == [f"{path}:1: people[12].sex: expected one of F, M, got 'X'"]  # one-line file


def test_all_problems_are_reported_not_just_the_first(pop: Population) -> None:
    data = population_to_dicts(pop)
    data["people"][1]["birth"] = "1980-13-01"
    data["people"][2]["registration_seq"] = "7"
    data["people"][3]["vulnerabilities"] = ["child", "sleepy"]
    del data["people"][4]["given"]
    data["people"][5]["shoe_size"] = 42
    data["people"][6]["nationalities"] = "RU"
    k = len(data["households"][0]["members"])
    data["households"][0]["members"].append("P999999")
    problems = problems_of(data)
    assert problems == [
        "people.json: people[1].birth: expected a date YYYY, YYYY-MM, YYYY-MM-DD or \"\", got '1980-13-01'",
        "people.json: people[2].registration_seq: expected an integer, got a string",
        "people.json: people[3].vulnerabilities: expected one of child, elderly, pregnant, medical, "
        "reduced_mobility, got 'sleepy'",
        "people.json: people[4].given: missing",
        "people.json: people[5].shoe_size: unknown field",
        "people.json: people[6].nationalities: expected a list, got a string",
        f"people.json: households[0].members[{k}]: unknown person 'P999999'",
    ]  # people first, in file order, then households


def test_broken_references_are_reported(pop: Population) -> None:
    data = population_to_dicts(pop)
    h0, h1 = data["households"][0], data["households"][1]
    moved = h1["members"][0]
    h0["members"].append(moved)  # listed by the wrong household
    h1["members"].remove(moved)  # and no longer by its own
    data["people"][0]["household_id"] = "H99999"
    data["people"].append(dict(data["people"][1]))  # a duplicate id
    problems = problems_of(data)
    assert any(p.endswith(f"person {moved!r} belongs to household {h1['id']!r}") for p in problems), problems
    assert any(f"does not list person {moved!r}" in p for p in problems), problems
    assert "people.json: people[0].household_id: no household 'H99999'" in problems
    assert any(p.startswith(f"people.json: people[{len(pop.people)}].id: duplicate id") for p in problems)


@pytest.mark.parametrize(("data", "message"), [
    ([], "top level: expected an object, got a list"),
    ({"schema_version": 2, "people": [], "households": []}, "schema_version: expected 1, got 2"),
    ({"schema_version": 1, "people": {}, "households": []}, "people: expected a list, got an object"),
    ({"schema_version": 1, "people": [3], "households": []},
     "people[0]: expected an object, got a number (3)"),
    ({"schema_version": 1, "people": [], "households": [], "extra": 1}, "extra: unknown field"),
])
def test_wrong_shapes(data: Any, message: str) -> None:
    assert problems_of(data) == [f"people.json: {message}"]


def test_invalid_json_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    path.write_text('{"schema_version":1,\n"people":[\n{"id": }\n]}', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"people.json:3:8: invalid JSON"):
        read_population(path)
    with pytest.raises(ScenarioError, match="cannot read"):
        read_population(tmp_path / "absent.json")
