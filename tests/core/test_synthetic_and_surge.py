"""The synthetic benchmark country and the willingness surge."""

from __future__ import annotations

import pytest
from people_factory import make_population

from evac.core.errors import ModelError
from evac.core.model import PlaceKind, Willingness
from evac.core.network import RoadGraph
from evac.core.network.synthetic import synthetic_fleets, synthetic_network
from evac.core.population.surge import surge


def test_synthetic_network_is_large_connected_and_deterministic() -> None:
    places, links, threats, services = synthetic_network(nodes=2000, seed=3)
    assert len([p for p in places if p.kind is not PlaceKind.SAFE_HAVEN]) == 2000
    assert len([p for p in places if p.kind is PlaceKind.BORDER_CROSSING]) == 6
    assert synthetic_network(nodes=2000, seed=3) == (places, links, threats, services)
    assert synthetic_network(nodes=2000, seed=4)[1] != links
    # every node reaches a safe haven when nothing is closed
    from datetime import UTC, datetime

    from evac.core.model import Policy, Population, Scenario

    sc = Scenario("g", "g", "XX", datetime(2013, 1, 1, tzinfo=UTC), places, links,
                  synthetic_fleets(["n00010"], buses=3), services, (), Policy(), Population((), ()))
    graph = RoadGraph(sc)
    arrival, _ = graph.earliest_arrival(places[0].id, 0.0)
    assert all(p.id in arrival for p in places if p.kind is PlaceKind.SAFE_HAVEN and p.id != "abroad")


def test_synthetic_network_rejects_impossible_sizes() -> None:
    with pytest.raises(ValueError, match="nodes"):
        synthetic_network(nodes=5, cities=10)


def test_surge_turns_undecided_households_only() -> None:
    pop = make_population([("a", 2, {"willingness": Willingness.UNDECIDED})] * 50
                          + [("a", 1, {"willingness": Willingness.DECLINES})] * 10)
    all_in = surge(pop, share=1.0, seed=1)
    assert sum(p.willingness is Willingness.WANTS_TO_LEAVE for p in all_in.people) == 100
    assert sum(p.willingness is Willingness.DECLINES for p in all_in.people) == 10
    half = surge(pop, share=0.5, seed=1)
    turned = {p.household_id for p in half.people if p.willingness is Willingness.WANTS_TO_LEAVE}
    assert 10 < len(turned) < 40
    for h in half.households:  # households decide together
        assert len({half.person_by_id[m].willingness for m in h.members}) == 1
    assert surge(pop, share=0.5, seed=1) == half
    with pytest.raises(ModelError):
        surge(pop, share=1.5)
