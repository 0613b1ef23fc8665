"""BEP instance -> evac scenario -> plan: the checker accepts the plan and the recount matches the solver."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from bep_cases import EXAMPLE, write

from evac.adapters.bep import load_households, model, read_bep, recount, solution_to_plan, to_scenario
from evac.core.check import check_plan
from evac.core.model import PlaceKind
from evac.core.planner.busopt import MaxIterations, MaxRuntime, SolveParams, solve

if TYPE_CHECKING:
    from pathlib import Path

MULTI = """4 30
2 3 1
3 140 50 60 30
2 150 90 60

1 1200 0 2500
2 3100 1800 900

1 700 1500
2 2000 400
3 1300 1100
"""
"""Two depots, partial loads (50 = 30 + 20), a zero-length depot leg, times in metres."""


def test_scenario_mirrors_the_instance(tmp_path: Path) -> None:
    inst = read_bep(write(tmp_path, MULTI, "BEP-2-3-2-4-x.txt"))
    sc = to_scenario(inst, hours_per_unit=1 / 40_000)
    kinds = [p.kind for p in sc.places]
    assert kinds.count(PlaceKind.CITY) == 2 and kinds.count(PlaceKind.ASSEMBLY_POINT) == 3
    assert [p.capacity for p in sc.safe_havens] == [90, 60]
    assert [(f.count, f.seats, f.depot) for f in sc.fleets] == [(3, 30, "depot-1"), (1, 30, "depot-2")]
    assert len(sc.links) == 2 * 3 + 3 * 2
    assert sc.link_by_id["depot-1--pickup-2"].travel_h == pytest.approx(1e-12, abs=1e-15)
    assert sc.link_by_id["depot-1--pickup-1"].travel_h == pytest.approx(1200 / 40_000)
    people = {p.id: 0 for p in sc.places if p.kind is PlaceKind.ASSEMBLY_POINT}
    for person in sc.population.people:
        people[person.location] += 1
    assert people == {"pickup-1": 50, "pickup-2": 60, "pickup-3": 30}
    assert sc.population.people[0].id == "bep-p1-0001"
    assert sc.policy.boarding_h == 0 and sc.policy.min_connection_h == 0 and not sc.threats
    sizes = [sum(len(sc.population.household_by_id[h].members) for h in load)
             for load in load_households(inst.problem, 0)]
    assert sizes == [30, 20]


@pytest.mark.parametrize("rules", ["bep", "roads"])
@pytest.mark.parametrize(("text", "name"), [(EXAMPLE, "BEP-1-2-2-2-i1.txt"), (MULTI, "BEP-2-3-2-4-x.txt")])
def test_plan_passes_the_checker_and_recount_matches(tmp_path: Path, text: str, name: str, rules: str) -> None:
    bm = model(read_bep(write(tmp_path, text, name)), rules=rules)
    sol = solve(bm.problem, stop=MaxRuntime(5), seed=0, params=SolveParams(exact_workers=2))
    plan = solution_to_plan(bm, sol)
    report = check_plan(plan, bm.scenario)
    assert report.ok, report.violations[:5]
    rc = recount(plan, bm.scenario, hours_per_unit=bm.hours_per_unit)
    assert rc.problems == ()
    assert rc.makespan == pytest.approx(sol.makespan, rel=1e-6)
    assert rc.moved == sum(bm.problem.demand)
    assert report.kpis.safe == sum(bm.problem.demand)
    assert report.kpis.clearance_h == pytest.approx(sol.makespan * bm.hours_per_unit, rel=1e-6)


def test_roads_rules_can_only_help(tmp_path: Path) -> None:
    inst = read_bep(write(tmp_path, EXAMPLE))
    strict = solve(model(inst).problem, stop=MaxIterations(200), seed=0, params=SolveParams(exact_workers=2))
    roads = solve(model(inst, rules="roads").problem, stop=MaxIterations(200), seed=0,
                  params=SolveParams(exact_workers=2))
    assert roads.makespan <= strict.makespan


def test_recount_catches_an_overfull_shelter(tmp_path: Path) -> None:
    bm = model(read_bep(write(tmp_path, EXAMPLE)))
    sol = solve(bm.problem, stop=MaxIterations(50), seed=0, params=SolveParams(exact_max_loads=0))
    plan = solution_to_plan(bm, sol)
    small = [p if p.kind is not PlaceKind.SAFE_HAVEN else type(p)(p.id, p.name, p.kind, p.lat, p.lon, p.country,
                                                                  capacity=0) for p in bm.scenario.places]
    from dataclasses import replace

    rc = recount(plan, replace(bm.scenario, places=tuple(small)), hours_per_unit=1.0)
    assert any("capacity 0" in p for p in rc.problems)
