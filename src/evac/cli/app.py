"""The ``evac`` command: one root app, one module per command group, thin wrappers over the core."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from evac import __version__
from evac.cli.audit import audit_app
from evac.cli.backup import backup_cli, restore_cli
from evac.cli.bench import bench_app
from evac.cli.common import fail_with_problems, validate_only
from evac.cli.console import err, fail, out, plan_rejected, progress_bar
from evac.cli.ops import ops_app, serve_cli, users_app
from evac.cli.registry import init_cli, keys_app, registry_app

if TYPE_CHECKING:
    from evac.core.model import Population

app = typer.Typer(
    name="evac",
    help="Plan and run the evacuation of a country's citizens from a war zone.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
generate_app = typer.Typer(help="Generate synthetic data (never real people).", no_args_is_help=True)
schema_app = typer.Typer(help="Print JSON Schemas of evac's file formats.", no_args_is_help=True)
app.add_typer(generate_app, name="generate")
app.add_typer(bench_app, name="bench")
app.add_typer(registry_app, name="registry")
app.add_typer(keys_app, name="keys")
app.command("init")(init_cli)
app.add_typer(users_app, name="users")
app.add_typer(ops_app, name="ops")
app.command("serve")(serve_cli)
app.add_typer(audit_app, name="audit")  # `evac audit [-w W …]` lists, `evac audit verify` checks the chain
app.add_typer(schema_app, name="schema")
app.command("backup")(backup_cli)
app.command("restore")(restore_cli)

ScenarioOpt = Annotated[str, typer.Option("--scenario", "-s", help="Scenario file, or a bundled name.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"evac {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """evac: register, model, decide, plan and run an evacuation."""


@app.command("plan")
def plan_cli(
    scenario: ScenarioOpt = "syria-2013",
    start: Annotated[str | None, typer.Option(help="Start: YYYY-MM-DD or ISO-8601 with zone.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for plan.json and report.html.")] = Path("out"),
    planner: Annotated[str, typer.Option(help="Planner: evac (the default: optimising, never worse than greedy, "
                                         "FCFS or CCRP, with a bound and its gap; about 6 s of planning on the "
                                         "bundled Syria scenario, 2 cores), greedy (instant), fcfs, ccrp, exact.")
                       ] = "evac",
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=0.0, help="Seconds the optimising planner (evac) may search; default by size.")] = None,
    no_bound: Annotated[bool, typer.Option("--no-bound", help="Skip the bound (and the gap) on the plan.")] = False,
    population: Annotated[Path | None, typer.Option(help="Population JSON replacing the scenario's.")] = None,
    workspace: Annotated[Path | None, typer.Option("--workspace", "-w", envvar="EVAC_WORKSPACE",
                                                   help="Plan for the people in this workspace's registry.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for planners that randomise.")] = 0,
    surge: Annotated[float, typer.Option(min=0.0, max=1.0, help="What if this share (0-1) of undecided "
                                         "households decide to leave?")] = 0.0,
    as_json: JsonOpt = False,
) -> None:
    """Plan an evacuation: write plan.json and report.html, print the KPIs."""
    from evac.cli.planning import run_plan

    run_plan(scenario, start=start, out_dir=out_dir, planner=planner, population=population, seed=seed,
             as_json=as_json, surge=surge, workspace=workspace, time_limit=time_limit, bound=not no_bound)


@app.command("demo")
def demo_cli(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo's outputs.")] = Path("demo-out"),
    workspace: Annotated[Path | None, typer.Option(
        "--workspace", "-w", help="Instead of the report: make this (new) workspace with a live operation to "
        "open with `evac serve` — the scenario's synthetic people imported from a messy list, de-duplicated, "
        "planned and activated, one user per role.")] = None,
    size: Annotated[int | None, typer.Option(min=1, help="People in the demo workspace (default: the "
                                                           "scenario's population size).")] = None,
) -> None:
    """Run the whole default chain on the bundled Syria-2013 scenario and say where the report is."""
    if workspace is not None:
        _demo_workspace(workspace, size)
        return
    from evac.cli.planning import run_plan

    out.print("[bold]evac demo[/]: Syria, 22 January 2013 — synthetic population, plan with its bound, "
              "independent check.")
    out.print("The demo plans with the instant greedy planner; `evac plan` runs the optimising planner (evac) "
              "by default, about 6 s more here.")
    run_plan("syria-2013", start=None, out_dir=out_dir, planner="greedy", population=None, seed=0, as_json=False,
             hint=True)


def _demo_workspace(workspace: Path, size: int | None) -> None:
    from rich.table import Table

    from evac.cli.demo_workspace import DEMO_USERS, DemoWorkspaceError, build_demo_workspace
    from evac.core.errors import EvacError
    from evac.services.planning import PlanRejected

    out.print(f"[bold]evac demo[/]: a live operation in workspace {workspace} (synthetic people, never real)")
    try:
        made = build_demo_workspace(workspace, size=size, say=lambda line: out.print(f"  {line}"))
    except PlanRejected as exc:
        plan_rejected(exc)
        return
    except (DemoWorkspaceError, EvacError) as exc:
        fail(str(exc))
        return
    users = Table(title="users (passwords are shown once: note them)", title_justify="left")
    for col in ("user", "role", "assembly point", "password"):
        users.add_column(col)
    for name, password in made.passwords.items():
        role, place = DEMO_USERS[name]
        users.add_row(name, role, place or "—", password)
    out.print(users)
    out.print(f"open it:  [bold]evac serve --workspace {workspace}[/]  then http://127.0.0.1:8000/console "
              "(crisis cell) and /field (field officers)")
    out.print(f"made in {sum(made.seconds.values()):.0f} s "
              f"({', '.join(f'{k} {v:.1f} s' for k, v in made.seconds.items())})")


@app.command("assess")
def assess_cmd(
    scenario: ScenarioOpt = "syria-2013",
    from_: Annotated[str | None, typer.Option(
        "--from", help="First candidate start (YYYY-MM-DD or ISO-8601 with zone; default: scenario start).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last candidate start (default: 6 weeks on).")] = None,
    step_days: Annotated[float, typer.Option("--step-days", help="Days between candidate starts.")] = 1.0,
    planner: Annotated[str, typer.Option(help="Planner to use.")] = "greedy",
    population: Annotated[Path | None, typer.Option(help="Population JSON replacing the scenario's.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for decision.html and charts.")] = Path(
        "assess-out"),
    as_json: JsonOpt = False,
) -> None:
    """When must we start? Plan each candidate start: clearance against closures; the latest safe start."""
    from evac.cli.decision import assess_cli

    assess_cli(scenario, first=from_, last=to, step_days=step_days, planner=planner, population=population,
               out_dir=out_dir, as_json=as_json)


@app.command("simulate")
def simulate_cmd(
    scenario: ScenarioOpt = "syria-2013",
    start: Annotated[str | None, typer.Option(help="Start: YYYY-MM-DD or ISO-8601 with zone.")] = None,
    runs: Annotated[int, typer.Option(help="Simulated futures at --start.")] = 1000,
    workers: Annotated[int, typer.Option(help="Local worker processes (or Dask workers for --dask local).")] = 1,
    dask: Annotated[str | None, typer.Option(help="'local' or tcp://HOST:PORT of a Dask scheduler.")] = None,
    seed: Annotated[int, typer.Option(help="Base seed; run i uses SeedSequence([seed, i]).")] = 0,
    mode: Annotated[str, typer.Option(help="as_planned or replan.")] = "as_planned",
    threshold: Annotated[float, typer.Option(help="P(all safe) a start must reach.")] = 0.9,
    from_: Annotated[str | None, typer.Option("--from", help="First start of the sweep (default --start).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last start of the sweep (default 6 weeks later).")] = None,
    step_days: Annotated[float, typer.Option(
        "--step-days", help="Days between candidate starts (daily, as the console's decision page).")] = 1.0,
    sweep_runs: Annotated[int | None, typer.Option(
        "--sweep-runs", help="Runs per sweep start (default min(runs, 200)).")] = None,
    planner: Annotated[str, typer.Option(help="Planner to use.")] = "greedy",
    population: Annotated[Path | None, typer.Option(help="Population JSON replacing the scenario's.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for simulate.html and charts.")] = Path(
        "simulate-out"),
    replay: Annotated[int | None, typer.Option(help="Re-run only this run index and print it (JSON).")] = None,
    no_show: Annotated[float | None, typer.Option(
        "--no-show", help="No-show probability of willing households.")] = None,
    breakdown_per_h: Annotated[float | None, typer.Option("--breakdown-per-h", help="Breakdowns per operating hour.")
                               ] = None,
    crossing_delay_h: Annotated[float | None, typer.Option("--crossing-delay-h",
                                                           help="Median extra hours at a crossing.")] = None,
    decide_per_day: Annotated[float | None, typer.Option(
        "--decide-per-day", help="Undecided households deciding to leave per day.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Monte Carlo: P(every willing, eligible person safe), people left behind, fan chart, latest safe start."""
    from evac.cli.decision import simulate_cli

    simulate_cli(scenario, start=start, runs=runs, workers=workers, dask=dask, seed=seed, mode=mode,
                 threshold=threshold, first=from_, last=to, step_days=step_days, sweep_runs=sweep_runs,
                 planner=planner, population=population, out_dir=out_dir, replay=replay, no_show=no_show,
                 breakdown_per_h=breakdown_per_h, crossing_delay_h=crossing_delay_h,
                 decide_per_day=decide_per_day, as_json=as_json)


@app.command("replan")
def replan_cmd(
    plan_path: Annotated[Path, typer.Option("--plan", help="plan.json to re-plan.")],
    events_path: Annotated[Path, typer.Option("--events", help="Events file: a YAML or JSON list.")],
    now: Annotated[str, typer.Option("--now", help="The present: ISO-8601 with zone, or YYYY-MM-DD.")],
    scenario: ScenarioOpt = "syria-2013",
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the new plan.json.")] = Path("out-replan"),
    as_json: JsonOpt = False,
) -> None:
    """Keep what has happened, apply field events, re-plan the rest; print the KPIs before and after."""
    from evac.cli.replan import replan_cli

    replan_cli(plan_path, events_path, now, scenario, out_dir, as_json)


@app.command("check")
def check_cli(
    plan_path: Annotated[Path, typer.Argument(metavar="PLAN", help="plan.json to verify.")],
    scenario: ScenarioOpt = "syria-2013",
    population: Annotated[Path | None, typer.Option(help="Population JSON the plan was made with.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify every hard constraint of a plan and recompute its KPIs (exit 1 if it breaks any)."""
    from evac.cli.planning import run_check

    raise typer.Exit(run_check(plan_path, scenario, population=population, as_json=as_json))


@app.command("validate")
def validate_cli(scenario: Annotated[str, typer.Argument(help="Scenario file or bundled name.")]) -> None:
    """Check a scenario file and report every problem with its line and path (exit 2 if any)."""
    validate_only(scenario)
    out.print(f"{scenario}: valid")


@generate_app.command("population")
def generate_population_cli(
    size: Annotated[int, typer.Option(min=0, help="Number of people.")] = 25_000,
    seed: Annotated[int, typer.Option(help="Seed; the same seed gives byte-identical output.")] = 2013,
    scenario: ScenarioOpt = "syria-2013",
    out_path: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output JSON (default: stdout); a name ending in .csv writes a consular list.")] = None,
    duplicates: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Write a messy consular list (CSV, --out required) in which this share of people "
        "appears more than once, spelled differently; the truth goes to OUT.truth.csv.")] = 0.0,
) -> None:
    """Generate a synthetic population over the scenario's cities."""
    from evac.adapters.population_io import dumps_population
    from evac.adapters.scenario.loader import read_scenario_file, resolve_scenario_path
    from evac.core.errors import EvacError, ScenarioError
    from evac.core.model import PlaceKind
    from evac.core.population.generator import generate_population

    try:
        model, _ = read_scenario_file(resolve_scenario_path(scenario))
    except ScenarioError as exc:
        fail_with_problems(scenario, exc)
    from evac.adapters.scenario.loader import build_scenario
    from evac.core.model import Population

    empty = Population((), ())
    sc = build_scenario(model, base_dir=Path("."), population=empty)
    gen = model.population.generator
    cities = [p for p in sc.places if p.kind is PlaceKind.CITY and p.country == sc.country]
    try:
        with progress_bar("generating", quiet=out_path is None) as cb:
            cb.on_start(size)
            pop = generate_population(cities, size=size, seed=seed,
                                      diplomats_at=gen.diplomats_at if gen else None,
                                      military_at=tuple(gen.military_at) if gen else (),
                                      year=sc.epoch.year, on_progress=cb.on_progress)
    except EvacError as exc:
        fail(str(exc))
    if duplicates > 0 or (out_path is not None and out_path.suffix.lower() == ".csv"):
        # A .csv name asks for a consular list (the importer's format), never JSON under a CSV name.
        _write_messy_list(pop, out_path, rate=duplicates, seed=seed)
        return
    text = dumps_population(pop)
    if out_path is None:
        typer.echo(text, nl=False)
    else:
        out_path.write_text(text, encoding="utf-8")
        err.print(f"wrote {len(pop.people):,} people in {len(pop.households):,} households to {out_path}")


def _write_messy_list(pop: Population, out_path: Path | None, *, rate: float, seed: int) -> None:
    import csv

    from evac.adapters.importers.export import write_records_csv
    from evac.core.registry.variants import with_duplicates

    if out_path is None or out_path.suffix.lower() != ".csv":
        fail("--duplicates writes a CSV list: give --out LIST.csv")
        return
    ev = with_duplicates(pop.people, rate=rate, seed=seed)
    n = write_records_csv(ev.records, out_path)
    truth = out_path.with_suffix(".truth.csv")
    with truth.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("a", "b"))
        for i, j in sorted(ev.truth):
            writer.writerow((ev.records[i].external_id, ev.records[j].external_id))
    err.print(f"wrote {n:,} records of {len(pop.people):,} people to {out_path}; "
              f"{len(ev.truth):,} true duplicate pairs to {truth}")


@schema_app.command("scenario")
def schema_scenario_cli() -> None:
    """Print the JSON Schema of scenario files."""
    from evac.adapters.scenario.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@schema_app.command("population")
def schema_population_cli() -> None:
    """Print the JSON Schema of population files."""
    from evac.adapters.population_schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def main() -> None:
    app()


__all__ = ["app", "main"]
