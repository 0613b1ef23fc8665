"""``evac replan --plan P --events E --now T``: keep the past of a plan, apply field events, re-plan the rest.

The events file is YAML or JSON: a list of objects, each with a ``type`` and an ``at`` time (ISO-8601 with
a zone)::

    - {type: closure, at: "2013-01-22T14:00:00+02:00", target: damascus--masnaa}   # place or link id
    - {type: breakdown, at: "2013-01-22T09:30:00+02:00", asset: coaches-damascus, unit: 3, repair_h: 6}
    - {type: no_show, at: "2013-01-22T08:00:00+02:00", household: H000123}
    - {type: boarded, at: "2013-01-22T07:40:00+02:00", household: H000042, trip: T00007}
    - type: registration
      at: "2013-01-22T11:00:00+02:00"
      household: {id: H900001, location: damascus, members: [P900001]}
      people: [{id: P900001, household_id: H900001, ...}]   # the population-file person record

``repair_h`` is hours of repair (omit or ``null``: lost for good). Every problem in the file is reported
at once as ``<file>: [<index>].<field>: <message>`` and the command exits 2; so does an event that
contradicts the plan (e.g. a boarding on a trip that has already left).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from rich.table import Table

from evac.adapters.plan_io import read_plan, write_plan
from evac.adapters.population_io import population_from_dicts
from evac.cli.common import open_scenario, parse_start
from evac.cli.console import err, fail, out
from evac.core.check import check_plan, compute_kpis
from evac.core.errors import EvacError, PlanFormatError, ScenarioError
from evac.core.planner.events import Boarded, Breakdown, Closure, NoShow, Registration
from evac.core.planner.replan import replan_result

if TYPE_CHECKING:
    from pathlib import Path

    from evac.core.model import KPIs, Scenario
    from evac.core.planner.events import Event


class _EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: AwareDatetime


class ClosureIn(_EventIn):
    type: Literal["closure"]
    target: str = Field(min_length=1)


class BreakdownIn(_EventIn):
    type: Literal["breakdown"]
    asset: str = Field(min_length=1)
    unit: int = Field(ge=0)
    repair_h: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class NoShowIn(_EventIn):
    type: Literal["no_show"]
    household: str = Field(min_length=1)


class BoardedIn(_EventIn):
    type: Literal["boarded"]
    household: str = Field(min_length=1)
    trip: str = Field(min_length=1)


class RegistrationIn(_EventIn):
    type: Literal["registration"]
    household: dict[str, Any]
    people: list[dict[str, Any]] = Field(min_length=1)


EventIn = Annotated[ClosureIn | BreakdownIn | NoShowIn | BoardedIn | RegistrationIn, Field(discriminator="type")]
_EVENTS = TypeAdapter(list[EventIn])


def read_events(path: Path, scenario: Scenario) -> list[Event]:
    """Parse and validate an events file into core events; every problem at once in a ScenarioError."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{name}: cannot read: {exc}"]) from None
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError([f"{name}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}"]
                            ) from None
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise ScenarioError([f"{name}: top level: expected a list of events, got {type(raw).__name__}"])
    try:
        parsed = _EVENTS.validate_python(raw)
    except ValidationError as exc:
        raise ScenarioError([f"{name}: {_where(e['loc'])}: {e['msg']}" for e in exc.errors()]) from None
    events: list[Event] = []
    problems: list[str] = []
    for i, ev in enumerate(parsed):
        at_h = scenario.hours(ev.at)
        if isinstance(ev, ClosureIn):
            events.append(Closure(at_h, ev.target))
        elif isinstance(ev, BreakdownIn):
            events.append(Breakdown(at_h, ev.asset, ev.unit, ev.repair_h))
        elif isinstance(ev, NoShowIn):
            events.append(NoShow(at_h, ev.household))
        elif isinstance(ev, BoardedIn):
            events.append(Boarded(at_h, ev.household, ev.trip))
        else:
            try:
                pop = population_from_dicts({"schema_version": 1, "people": ev.people, "households": [ev.household]},
                                            source=f"{name}: [{i}]")
            except ScenarioError as exc:
                problems.extend(exc.problems)
                continue
            events.append(Registration(at_h, pop.households[0], pop.people))
    if problems:
        raise ScenarioError(problems)
    return events


def _where(loc: tuple[int | str, ...]) -> str:
    """``(2, 'closure', 'target')`` → ``[2].target`` (pydantic puts the union tag in the location)."""
    parts: list[str] = []
    for k, item in enumerate(loc):
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif k == 1 and item in ("closure", "breakdown", "no_show", "boarded", "registration"):
            continue
        else:
            parts.append(f".{item}")
    return "".join(parts).lstrip(".") or "(top level)"


def replan_cli(plan_path: Path, events_path: Path, now: str, scenario: str, out_dir: Path, as_json: bool) -> None:
    """Re-plan ``plan_path`` after the events in ``events_path`` as of ``now``; write ``out_dir/plan.json``.

    Prints the KPIs before and after (or JSON with ``as_json``). Exits 2 on a bad plan, events file, time
    or an event that contradicts the plan; exits 1 if the new plan fails the independent check (a bug).
    """
    try:
        plan = read_plan(plan_path)
    except PlanFormatError as exc:
        fail(str(exc))
    sc = open_scenario(scenario, quiet=as_json)
    if plan.scenario_id != sc.id:
        fail(f"{plan_path}: plan is for scenario {plan.scenario_id!r}, not {sc.id!r}")
    now_h = parse_start(now, sc, option="--now")
    assert now_h is not None
    try:
        events = read_events(events_path, sc)
    except ScenarioError as exc:
        n = len(exc.problems)
        fail(f"{events_path}: {n} problem{'s' if n != 1 else ''}:\n" + "\n".join(f"  {p}" for p in exc.problems))
    before = plan.kpis or compute_kpis(plan, sc)
    t0 = time.perf_counter()
    try:
        result = replan_result(sc, plan, events, now_h)
    except EvacError as exc:
        fail(f"{events_path}: {exc}")
    took = time.perf_counter() - t0
    report = check_plan(result.plan, result.scenario)
    if not report.ok:  # withheld: nobody may mistake a plan the independent checker refuses for a safe one
        from evac.cli.console import plan_rejected
        from evac.services.planning import PlanRejected

        plan_rejected(PlanRejected(result.plan, report))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"--out: cannot create {out_dir}: {exc.strerror}")
    new_path = out_dir / "plan.json"
    write_plan(result.plan, new_path, result.scenario)
    after = result.plan.kpis
    assert after is not None
    if as_json:
        print(json.dumps({"before": asdict(before), "after": asdict(after), "ok": report.ok,
                          "changed_households": list(result.changed), "stranded": list(result.stranded),
                          "replan_s": round(took, 3), "plan": str(new_path)}, ensure_ascii=False))
    else:
        out.print(_table(before, after, sc, now_h))
        out.print(f"{len(events)} event(s) applied as of {sc.moment(now_h):%Y-%m-%d %H:%M %Z}; "
                  f"{len(result.changed):,} household(s) to notify; re-planned in {took:.2f} s")
        if result.stranded:
            err.print(f"[yellow]{len(result.stranded)} household(s) stranded short of safety:[/] "
                      + ", ".join(result.stranded[:10]) + (" …" if len(result.stranded) > 10 else ""))
        out.print("independent check: [green]all hard constraints hold[/]")
        out.print(f"plan: {new_path}")


def _table(before: KPIs, after: KPIs, sc: Scenario, now_h: float) -> Table:
    table = Table(title=f"{sc.name} — re-plan as of {sc.moment(now_h):%Y-%m-%d %H:%M}", title_justify="left",
                  header_style="bold")
    table.add_column("indicator")
    table.add_column("before", justify="right")
    table.add_column("after", justify="right")

    def h(x: float | None) -> str:
        return "—" if x is None else f"{x:,.1f} h"

    rows = [
        ("travelling", f"{before.travelling:,}", f"{after.travelling:,}"),
        ("safe", f"{before.safe:,}", f"{after.safe:,}"),
        ("safe, priority-weighted", f"{before.safe_weighted:,.0f}", f"{after.safe_weighted:,.0f}"),
        ("clearance time", h(before.clearance_h), h(after.clearance_h)),
        ("left behind", f"{before.left_behind:,}", f"{after.left_behind:,}"),
        ("exposure", f"{before.exposure_person_h:,.0f} person-h", f"{after.exposure_person_h:,.0f} person-h"),
        ("seat utilisation", f"{before.seat_utilisation:.0%}", f"{after.seat_utilisation:.0%}"),
        ("trips", f"{before.trips:,}", f"{after.trips:,}"),
    ]
    for row in rows:
        table.add_row(*row)
    return table


__all__ = ["read_events", "replan_cli"]

