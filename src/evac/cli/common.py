"""Argument parsing shared by commands: scenario loading with errors, start times."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

from evac.adapters.scenario.loader import load_scenario, read_scenario_file, resolve_scenario_path
from evac.cli.console import err, fail, progress_bar
from evac.core.errors import EvacError, ScenarioError

if TYPE_CHECKING:
    from pathlib import Path

    from evac.core.model import Scenario


def open_scenario(
    name: str, *, population: Path | None = None, workspace: Path | None = None, quiet: bool = False
) -> Scenario:
    """Load a scenario or exit 2 with every problem listed (no traceback).

    The people come from the scenario's own population block, or a population file, or the registry of
    a workspace (``--workspace``), in that order of preference reversed.
    """
    if workspace is not None:
        return _with_registry(name, workspace)
    try:
        pop = None
        if population is not None:
            from evac.adapters.population_io import read_population

            pop = read_population(population)
        with progress_bar("generating population", quiet=quiet) as cb:
            return load_scenario(name, population=pop, on_progress=cb.on_progress)
    except ScenarioError as exc:
        fail_with_problems(name, exc)
    except EvacError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


def parse_start(text: str | None, scenario: Scenario, *, option: str = "--start") -> float | None:
    """``YYYY-MM-DD`` (at the scenario's default start time of day) or ISO-8601 with zone → hours."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a date (YYYY-MM-DD) or an ISO-8601 time with zone")
    if len(text) == 10:  # a bare date
        default = scenario.moment(scenario.policy.start_h)
        moment = datetime.combine(moment.date(), time(default.hour, default.minute), tzinfo=default.tzinfo)
    elif moment.tzinfo is None:
        fail(f"{option}: {text!r} has no time zone (write e.g. {text}+02:00)")
    return scenario.hours(moment)


def validate_only(name: str) -> int:
    """Check a scenario file's structure and references without generating its people."""
    try:
        read_scenario_file(resolve_scenario_path(name))
    except ScenarioError as exc:
        fail_with_problems(name, exc)
    return 0


def fail_with_problems(name: str, exc: ScenarioError) -> None:
    """Exit 2 listing every problem of a scenario, one per line, as ``file:line: path: message``."""
    n = len(exc.problems)
    fail(f"{name}: {n} problem{'s' if n != 1 else ''}:\n" + "\n".join(f"  {p}" for p in exc.problems))


def _with_registry(name: str, workspace: Path) -> Scenario:
    """The scenario's network with the people of a workspace's registry, matched to places by id or name."""
    from evac.adapters.scenario.loader import build_scenario
    from evac.adapters.store.workspace import open_workspace
    from evac.core.model import Population
    from evac.services.registry import population_report

    try:
        path = resolve_scenario_path(name)
        model, _ = read_scenario_file(path)
        base = build_scenario(model, base_dir=path.parent, population=Population((), ()))
        store = open_workspace(workspace)
        try:
            report = population_report(uow=store.uow(), year=base.epoch.year)
        finally:
            store.close()
    except ScenarioError as exc:
        fail_with_problems(name, exc)
    except EvacError as exc:
        fail(str(exc))
    pop = report.population
    if report.note():  # on stderr, so that --json output stays one JSON document
        err.print(f"--workspace {workspace}: {report.note()}", markup=False, highlight=False)
    places = {p.id.casefold(): p.id for p in base.places}
    places.update({p.name.casefold(): p.id for p in base.places})
    unknown = sorted({h.location for h in pop.households if h.location.casefold() not in places})
    if unknown:
        fail(f"--workspace {workspace}: cities not in scenario {base.id}: {', '.join(unknown[:20])}")
    from dataclasses import replace

    people = tuple(replace(p, location=places[p.location.casefold()]) for p in pop.people)
    households = tuple(replace(h, location=places[h.location.casefold()]) for h in pop.households)
    return base.with_population(Population(people, households))
