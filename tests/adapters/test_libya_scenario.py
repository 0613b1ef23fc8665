"""The second bundled real operation (China from Libya, 2011): work crews, two land borders, a ferry then a
flight. Every planner's plan passes the independent checker; the crews' population validates like a
scenario, with errors that name the path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from evac.adapters.scenario.loader import bundled_scenarios, load_scenario, read_scenario_file
from evac.core.check import check_plan
from evac.core.errors import ModelError, ScenarioError
from evac.core.model import Relation
from evac.core.planner.ccrp import CcrpPlanner
from evac.core.planner.fcfs import FcfsPlanner
from evac.core.planner.greedy import GreedyPlanner
from evac.core.population.teams import generate_teams

if TYPE_CHECKING:
    from evac.core.model import Scenario
    from evac.core.planner.state import CommittablePlanner

BUNDLED = Path(__file__).parents[2] / "src" / "evac" / "data" / "scenarios" / "libya-2011.yaml"


@pytest.fixture(scope="module")
def libya() -> Scenario:
    return load_scenario("libya-2011")


def test_the_crews_are_as_the_sources_count_them(libya: Scenario) -> None:
    assert "libya-2011" in bundled_scenarios()
    pop = libya.population
    assert len(pop.people) == 35_860  # Xinhua via China Daily, 5 March 2011
    sizes = [len(h.members) for h in pop.households]
    assert min(sizes[:-1]) >= 1 and max(sizes) <= 45  # every crew fits a coach
    heads = [pop.person_by_id[h.members[0]].relation for h in pop.households]
    assert set(heads) == {Relation.HEAD}
    by_site: dict[str, int] = {}
    for h in pop.households:
        by_site[h.location] = by_site.get(h.location, 0) + len(h.members)
    assert by_site == {"benghazi": 15390, "tripoli": 11900, "tobruk": 4000, "misrata": 3000, "sabha": 1570}


@pytest.mark.parametrize("planner", [GreedyPlanner(), FcfsPlanner(), CcrpPlanner()], ids=lambda p: p.name)
def test_every_planner_gives_a_plan_the_checker_accepts(libya: Scenario, planner: CommittablePlanner) -> None:
    plan = planner.plan(libya)
    report = check_plan(plan, libya)
    assert report.ok, [str(v) for v in report.violations[:5]]
    assert plan.kpis is not None and plan.kpis.safe > 30_000
    trips = {t.id: t for t in plan.trips}
    routes = {tuple(trips[t].asset_id for t in it.trip_ids) for it in plan.itineraries}
    assert ("buses-benghazi", "ferries-crete", "charters-crete") in routes  # ferry, then flight home
    assert any(r[-2:] == ("il76-sabha", "il76-onward") for r in routes)  # two flights in a row


def test_the_same_seed_gives_the_same_crews() -> None:
    a = generate_teams([("x", 100), ("y", 7)], team_size=(5, 9), nationality="CN", seed=1, year=2011)
    b = generate_teams([("x", 100), ("y", 7)], team_size=(5, 9), nationality="CN", seed=1, year=2011)
    assert a.people == b.people and a.households == b.households
    assert sum(len(h.members) for h in a.households) == 107
    assert sorted(p.registration_seq for p in a.people) == list(range(1, 108))


@pytest.mark.parametrize(("sites", "size", "match"), [
    ([("x", 10)], (0, 5), "team_size"), ([("x", 10)], (6, 5), "team_size"), ([("x", -1)], (1, 5), "negative"),
])
def test_bad_crew_parameters_are_refused(sites: list[tuple[str, int]], size: tuple[int, int], match: str) -> None:
    with pytest.raises(ModelError, match=match):
        generate_teams(sites, team_size=size, nationality="CN", seed=0, year=2011)


@pytest.mark.parametrize(("old", "new", "path", "message"), [
    ("{at: sabha, people: 1570}", "{at: murzuq, people: 1570}", "population.teams.sites[4].at", "unknown place"),
    ("team_max: 45", "team_max: 10", "population.teams", "below team_min"),
    ("team_min: 20", "team_min: 0", "population.teams.team_min", "greater than or equal to 1"),
])
def test_a_broken_crews_block_names_its_path(tmp_path: Path, old: str, new: str, path: str, message: str) -> None:
    text = BUNDLED.read_text()
    assert old in text
    broken = tmp_path / "libya.yaml"
    broken.write_text(text.replace(old, new))
    with pytest.raises(ScenarioError) as info:
        read_scenario_file(broken)
    problems = "\n".join(info.value.problems)
    assert f": {path}" in problems and message in problems, problems
