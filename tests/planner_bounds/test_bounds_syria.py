"""The bounds are valid against greedy on the bundled scenarios (small generated populations)."""

from __future__ import annotations

import pytest

from evac.adapters.scenario.loader import load_scenario
from evac.core.model import PlaceKind
from evac.core.planner.greedy import GreedyPlanner
from evac.core.planner.lp import combinatorial_bound, gap, lp_bound
from evac.core.population.generator import generate_population
from evac.core.population.surge import surge


@pytest.fixture(scope="module")
def syria_small():  # type: ignore[no-untyped-def]
    base = load_scenario("syria-2013")
    cities = [p for p in base.places if p.kind is PlaceKind.CITY and p.population]
    pop = generate_population(cities, size=3000, seed=7, diplomats_at="damascus", military_at=["tartus"])
    return base.with_population(surge(pop, share=0.5, seed=7))


def test_tiny_yaml_bounds_hold() -> None:
    sc = load_scenario("tests/data/tiny.yaml")
    plan = GreedyPlanner().plan(sc)
    k = plan.kpis
    assert k is not None and k.clearance_h is not None
    for b in (lp_bound(sc), combinatorial_bound(sc)):
        assert b.safe_weighted_max >= k.safe_weighted - 1e-6
        assert b.clearance_h_min is not None and b.clearance_h_min <= k.clearance_h + 1e-6
    g = gap(k, lp_bound(sc), k.travelling_weighted)
    assert g is not None and 0.0 <= g < 0.5


def test_syria_small_bounds_hold(syria_small) -> None:  # type: ignore[no-untyped-def]
    plan = GreedyPlanner().plan(syria_small)
    k = plan.kpis
    assert k is not None
    lp, comb = lp_bound(syria_small), combinatorial_bound(syria_small)
    assert lp.safe_weighted_max <= comb.safe_weighted_max + 1e-6
    for b in (lp, comb):
        assert b.safe_weighted_max >= k.safe_weighted - 1e-6
        if k.safe == k.travelling and b.clearance_h_min is not None:
            assert k.clearance_h is not None and b.clearance_h_min <= k.clearance_h + 1e-6
    g = gap(k, lp, k.travelling_weighted)
    assert g is None or 0.0 <= g <= 1.0
