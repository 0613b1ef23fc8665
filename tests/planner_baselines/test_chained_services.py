"""Two scheduled services in a row (a ferry to an island, then a flight home): every planner books the whole
chain, the checker accepts it, and an itinerary that stops at the island makes nobody safe."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from baseline_cases import ALL_PLANNERS, PLANNER_IDS, assert_valid
from people_factory import make_population

from evac.adapters.scenario.loader import load_scenario
from evac.core.check import Rule, check_plan
from evac.core.model import Itinerary, Scenario
from evac.core.model.kpis import compute_kpis
from evac.core.planner.evac import EvacPlanner

if TYPE_CHECKING:
    from evac.core.planner.state import CommittablePlanner

ISLANDS = Path(__file__).parents[1] / "data" / "islands.yaml"


@pytest.fixture(scope="module")
def islands() -> Scenario:
    return load_scenario(ISLANDS, population=make_population([("town", 4)] * 60 + [("town", 7)] * 10))


@pytest.mark.parametrize("planner", [*ALL_PLANNERS, EvacPlanner(time_limit_s=2.0)],
                         ids=[*PLANNER_IDS, "evac"])
def test_every_planner_books_the_ferry_then_the_flight(islands: Scenario, planner: CommittablePlanner) -> None:
    plan = planner.plan(islands)
    assert_valid(plan, islands)
    assert plan.kpis is not None and plan.kpis.safe == plan.kpis.travelling == 310
    by_id = {t.id: t for t in plan.trips}
    for it in plan.itineraries:
        assets = [by_id[t].asset_id for t in it.trip_ids]
        assert assets == ["buses", "ferry", "charter"] and it.safe_place == "home"


def test_an_itinerary_that_ends_on_the_island_saves_nobody(islands: Scenario) -> None:
    plan = ALL_PLANNERS[0].plan(islands)
    short = tuple(Itinerary(it.household_id, it.trip_ids[:2], it.safe_at_h, "isle") for it in plan.itineraries)
    bad = replace(plan, itineraries=short)
    assert compute_kpis(bad, islands).safe == 0
    rules = {v.rule for v in check_plan(bad, islands).violations}
    assert Rule.ITINERARY in rules
