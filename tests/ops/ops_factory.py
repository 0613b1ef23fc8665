"""A synthetic operation for the ops tests: a registry of generated people (never real), an active plan,
and one user per role. Built once per session and copied per test (SQLite) or built fresh (PostgreSQL)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from evac.adapters.passes.tokens import Argon2Hasher
from evac.adapters.scenario.loader import build_scenario, read_scenario_file, resolve_scenario_path
from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.ops_scenario import operation_scenario
from evac.adapters.store.workspace import init_workspace
from evac.core.model import PlaceKind, Population, Willingness
from evac.core.planner import PLANNERS
from evac.core.population.generator import generate_population
from evac.core.registry.variants import with_duplicates
from evac.services import registry as reg
from evac.services.operations import activate
from evac.services.ops_ports import Clock, Role
from evac.services.users import add_user

if TYPE_CHECKING:
    from pathlib import Path

    from evac.adapters.store.workspace import Store

SCENARIO = "syria-2013"
PASSWORD = "correct-horse-battery"
HASHER = Argon2Hasher(time_cost=1, memory_cost_kib=8192)  # fast in tests; verify reads the cost from the hash
USERS = {"admin": (Role.ADMIN, None), "planner": (Role.PLANNER, None), "viewer": (Role.VIEWER, None),
         "officer": (Role.FIELD_OFFICER, "damascus"), "officer2": (Role.FIELD_OFFICER, "aleppo")}


def build(path: Path, env: dict[str, str], *, size: int = 300, seed: int = 7, share: float = 0.7) -> Store:
    store = init_workspace(path, env)
    model, _ = read_scenario_file(resolve_scenario_path(SCENARIO))
    sc = build_scenario(model, base_dir=resolve_scenario_path(SCENARIO).parent, population=Population((), ()))
    cities = [p for p in sc.places if p.kind is PlaceKind.CITY and p.country == sc.country]
    pop = generate_population(cities, size=size, seed=seed, year=2013)
    ev = with_duplicates(pop.people, rate=0.0, seed=seed)
    rng = random.Random(seed)
    leave = {h: rng.random() < share for h in sorted({r.household_key for r in ev.records})}  # not hash order
    records = [(i + 2, replace(r, willingness=Willingness.WANTS_TO_LEAVE) if leave[r.household_key] else r)
               for i, r in enumerate(ev.records)]
    reg.import_records(uow=store.uow(), file_name="synthetic.csv", sha256="0" * 64, records=records, problems=[],
                       rows=len(records))
    scenario, _ = operation_scenario(store, SCENARIO)
    plan = PLANNERS["greedy"].plan(scenario)
    now = datetime.now(UTC)
    activate(uow_factory=ops_uow_factory(store), plan=plan, scenario=scenario, scenario_ref=SCENARIO,
             clock=Clock(now, plan.start_h, scenario.epoch, SCENARIO), actor="test", now=now)
    for name, (role, place) in USERS.items():
        add_user(uow=ops_uow_factory(store)(), hasher=HASHER, username=name, password=PASSWORD, role=role,
                 place=place)
    return store
