"""``evac demo --workspace W``: a ready operation to open in the browser, made the way a consul would make it.

The chain is the real one, not a shortcut: the default scenario's synthetic people (never real) are
written as a messy consular list (some people twice, spelled differently), imported by the same
importer as any list, de-duplicated (the likely matches accepted, as a consul would, each merge logged
and undoable; the unsure pairs left in the review queue), planned, and activated; one user per role is
added with a random password that is printed once. Only the encrypted workspace stays on disk: the
list goes to a temporary folder that is removed after the import.

Why a separate command and not a test fixture: the issue's "done when" is that someone on a fresh clone
can see the console with its map, status board and decision chart — that needs data.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

#: the demo's users: name → (role, assembly point); field officers at the two biggest assembly points
DEMO_USERS: dict[str, tuple[str, str | None]] = {
    "admin": ("admin", None),
    "planner": ("planner", None),
    "viewer": ("viewer", None),
    "officer-damascus": ("field_officer", "damascus"),
    "officer-aleppo": ("field_officer", "aleppo"),
}


class DemoWorkspaceError(Exception):
    """The demo workspace cannot be made (the folder is in use, the scenario is broken…)."""


@dataclass
class DemoWorkspace:
    """What was made: counts for the summary and the users' one-time passwords."""

    path: Path
    records: int = 0
    households: int = 0
    merged: int = 0
    review_pairs: int = 0
    travelling: int = 0
    safe: int = 0
    trips: int = 0
    plan_start: str = ""
    passwords: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def build_demo_workspace(path: Path, *, scenario_ref: str = "syria-2013", size: int | None = None, seed: int = 2013,
                         duplicates: float = 0.03, env: dict[str, str] | None = None,
                         say: Callable[[str], None] = lambda _: None) -> DemoWorkspace:
    """Make workspace ``path`` (which must not exist or be empty) with a live operation on ``scenario_ref``.

    ``size`` people (default: the scenario's own population size), ``duplicates`` the share of them listed
    twice. ``say`` receives one line per step (the CLI prints them). Raises :class:`DemoWorkspaceError`.
    """
    from evac.adapters.importers.export import write_records_csv
    from evac.adapters.importers.tabular import read_table
    from evac.adapters.passes.tokens import Argon2Hasher
    from evac.adapters.scenario.loader import build_scenario, read_scenario_file, resolve_scenario_path
    from evac.adapters.store.ops_repo import ops_uow_factory
    from evac.adapters.store.ops_scenario import operation_scenario
    from evac.adapters.store.workspace import init_workspace
    from evac.core.model import PlaceKind, Population
    from evac.core.population.generator import generate_population
    from evac.core.registry.variants import with_duplicates
    from evac.services import registry as reg
    from evac.services.operations import activate
    from evac.services.ops_ports import Clock, Role
    from evac.services.planning import plan_scenario
    from evac.services.users import add_user

    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise DemoWorkspaceError(f"{path}: already exists and is not empty; choose a new folder for the demo "
                                 "workspace (nothing was changed)")
    made = DemoWorkspace(path)
    t0 = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal t0
        made.seconds[step] = time.perf_counter() - t0
        t0 = time.perf_counter()

    scenario_path = resolve_scenario_path(scenario_ref)
    model, _ = read_scenario_file(scenario_path)
    sc = build_scenario(model, base_dir=scenario_path.parent, population=Population((), ()))
    gen = model.population.generator
    n = size if size is not None else (gen.size if gen else 25_000)
    cities = [p for p in sc.places if p.kind is PlaceKind.CITY and p.country == sc.country]
    pop = generate_population(cities, size=n, seed=seed, diplomats_at=gen.diplomats_at if gen else None,
                              military_at=tuple(gen.military_at) if gen else (), year=sc.epoch.year)
    lap("generate")
    say(f"generated {len(pop.people):,} synthetic people in {len(pop.households):,} households")

    store = init_workspace(path, env)
    try:
        with tempfile.TemporaryDirectory(prefix="evac-demo-") as tmp:
            listing = Path(tmp) / "consular-list.csv"
            write_records_csv(with_duplicates(pop.people, rate=duplicates, seed=seed).records, listing)
            table = read_table(listing)
            if table.errors:
                first = table.errors[0]
                raise DemoWorkspaceError(f"{listing.name}:{first.line}: {first.field}: {first.reason}")
            res = reg.import_records(uow=store.uow(), file_name="demo-consular-list.csv", sha256=table.sha256,
                                     records=table.records, problems=[], rows=table.rows)
        made.records, made.households = res.imported, res.households
        lap("import")
        say(f"imported a messy consular list: {res.imported:,} records, {res.households:,} households")
        dd = reg.dedup(uow=store.uow(), seed=seed)
        # What a consul does first with a fresh queue: accept the likely band (each merge logged, audited and
        # undoable), so the board counts people rather than records; the unsure pairs stay for review.
        acc = reg.accept_likely(uow=store.uow(), actor="demo")
        made.merged, made.review_pairs = acc.merged, dd.reviews
        lap("dedup")
        say(f"de-duplicated: {acc.pairs:,} likely matches accepted ({acc.merged:,} records merged into their best "
            f"record), {dd.reviews:,} pairs left to review")

        scenario, _unknown = operation_scenario(store, scenario_ref)
        plan = plan_scenario(scenario, planner="greedy").plan  # raises PlanRejected if the check fails
        now = datetime.now(UTC)
        out = activate(uow_factory=ops_uow_factory(store), plan=plan, scenario=scenario, scenario_ref=scenario_ref,
                       clock=Clock(now, plan.start_h, scenario.epoch, scenario_ref), actor="demo", now=now)
        assert plan.kpis is not None
        made.travelling, made.safe, made.trips = plan.kpis.travelling, plan.kpis.safe, int(out["trips"])
        made.plan_start = scenario.moment(plan.start_h).isoformat()
        lap("plan+activate")
        say(f"planned and activated: {made.trips:,} trips, {made.safe:,} of {made.travelling:,} travelling people "
            "safe; call-forward messages queued")

        hasher = Argon2Hasher()
        for name, (role, place) in DEMO_USERS.items():
            password = secrets.token_urlsafe(12)
            add_user(uow=ops_uow_factory(store)(), hasher=hasher, username=name, password=password, role=Role(role),
                     place=place)
            made.passwords[name] = password
        lap("users")
    finally:
        store.close()
    return made


__all__ = ["DEMO_USERS", "DemoWorkspace", "DemoWorkspaceError", "build_demo_workspace"]
