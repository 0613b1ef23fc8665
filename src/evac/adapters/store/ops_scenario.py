"""The operation's scenario: the network of the scenario the plan was made for, with the registry's people.

The scenario reference (a bundled name such as ``syria-2013`` or a path) is kept in the workspace with
the operation clock, so a re-plan hours later loads the same network. People are matched to places by
id or name, case-insensitively, as ``evac plan --workspace`` does; people in unknown cities are left out
(and counted in ``unknown``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from evac.adapters.scenario.loader import build_scenario, read_scenario_file, resolve_scenario_path
from evac.core.model import Population
from evac.services.registry import population as registry_population

if TYPE_CHECKING:
    from evac.adapters.store.workspace import Store
    from evac.core.model import Scenario


def operation_scenario(store: Store, ref: str) -> tuple[Scenario, list[str]]:
    """(scenario with the registry's population, cities not found in the scenario)."""
    path = resolve_scenario_path(ref)
    model, _ = read_scenario_file(path)
    base = build_scenario(model, base_dir=path.parent, population=Population((), ()))
    pop = registry_population(uow=store.uow(), year=base.epoch.year)
    places = {p.id.casefold(): p.id for p in base.places}
    places.update({p.name.casefold(): p.id for p in base.places})
    unknown = sorted({h.location for h in pop.households if h.location.casefold() not in places})
    keep = {h.id for h in pop.households if h.location.casefold() in places}
    people = tuple(replace(p, location=places[p.location.casefold()]) for p in pop.people if p.household_id in keep)
    households = tuple(replace(h, location=places[h.location.casefold()]) for h in pop.households if h.id in keep)
    return base.with_population(Population(people, households)), unknown
