"""Display names of the operation's scenario: places, links and threats by id, for the console's lists.

The console shows a place as "Qamishli", not ``qamishli``; a road as "Damascus – Masnaa / Jdeidet Yabous
(Lebanon) (road)"; a threat by its name. These come from the operation's scenario file (the same one the
re-plans use), so the names follow it. No person is named here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evac.services.operations import NoActivePlan

if TYPE_CHECKING:
    from collections.abc import Callable

    from evac.core.model import Scenario
    from evac.services.ops_ports import OpsUnitOfWork

    UowFactory = Callable[[], OpsUnitOfWork]


def labels_of(scenario: Scenario) -> dict[str, Any]:
    """``places`` (id, name, kind, country), ``links`` (id, name "A – B", from, to, mode) and ``threats``
    (id, name, target), each sorted by name; a link's name joins its ends' display names and its mode."""
    name = {p.id: p.name or p.id for p in scenario.places}
    places = [{"id": p.id, "name": name[p.id], "kind": p.kind.value, "country": p.country} for p in scenario.places]
    links = [{"id": lk.id, "name": f"{name.get(lk.a, lk.a)} – {name.get(lk.b, lk.b)}", "from": lk.a, "to": lk.b,
              "mode": lk.mode.value} for lk in scenario.links]
    threats = [{"id": t.id, "name": t.name or t.id, "target": t.target} for t in scenario.threats]
    return {"scenario": scenario.id, "places": sorted(places, key=lambda x: (x["name"].casefold(), x["id"])),
            "links": sorted(links, key=lambda x: (x["name"].casefold(), x["id"])),
            "threats": sorted(threats, key=lambda x: (x["name"].casefold(), x["id"]))}


def labels(*, uow_factory: UowFactory, scenario_of: Callable[[str], Scenario]) -> dict[str, Any]:
    """:func:`labels_of` the active operation's scenario. Raises :class:`NoActivePlan` before activation."""
    with uow_factory() as uow:
        active = uow.ops.active_plan()
        if active is None:
            raise NoActivePlan("no active plan: run `evac ops activate` first")
        ref = active.scenario
    return labels_of(scenario_of(ref))


__all__ = ["labels", "labels_of"]
