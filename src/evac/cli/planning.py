"""``evac plan``, ``evac check`` and ``evac demo``: thin wrappers over :mod:`evac.services.planning`."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, replace
from typing import TYPE_CHECKING

from evac.adapters.plan_io import read_plan, write_plan
from evac.cli.common import open_scenario, parse_start
from evac.cli.console import err, fail, kpi_table, out, peak_rss_mb, plan_rejected, progress_bar
from evac.core.check import check_plan
from evac.core.errors import PlanFormatError
from evac.services.planning import PlanRejected, UnknownPlanner, plan_scenario, resolve_planner, scenario_for

if TYPE_CHECKING:
    from pathlib import Path


def run_plan(
    scenario_name: str,
    *,
    start: str | None,
    out_dir: Path,
    planner: str,
    population: Path | None,
    seed: int,
    as_json: bool,
    hint: bool = False,
    surge: float = 0.0,
    workspace: Path | None = None,
    time_limit: float | None = None,
    bound: bool = True,
) -> None:
    """Plan through :func:`evac.services.planning.plan_scenario` (which checks the plan independently), write
    plan.json, run.json and report.html, print the KPIs. A plan that fails the check is not written: the
    violations go to stderr and the command exits 1."""
    try:
        chosen = resolve_planner(planner, time_limit_s=time_limit)
    except UnknownPlanner as exc:
        fail(f"--planner: {exc}")
        return
    t0 = time.perf_counter()
    scenario = open_scenario(scenario_name, population=population, workspace=workspace, quiet=as_json)
    start_h = parse_start(start, scenario)
    t1 = time.perf_counter()
    try:
        with progress_bar("planning households", quiet=as_json) as cb:
            done = plan_scenario(scenario, planner=chosen, start_h=start_h, seed=seed, surge=surge, bound=bound,
                                 callbacks=cb)
    except PlanRejected as exc:
        plan_rejected(exc)
        return
    plan, scenario, plan_s = done.plan, done.scenario, done.plan_s
    peak = peak_rss_mb()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"--out: cannot create {out_dir}: {exc.strerror}")
    plan_path = out_dir / "plan.json"
    write_plan(plan, plan_path, scenario)
    run_info = {"load_s": round(t1 - t0, 3), "plan_s": round(plan_s, 3), "peak_rss_mb": round(peak, 1)}
    (out_dir / "run.json").write_text(json.dumps(run_info, indent=1) + "\n", encoding="utf-8")

    from evac.adapters.reports.html import render_report

    report_path = out_dir / "report.html"
    shown = replace(plan, meta={**plan.meta, "run time (s)": round(plan_s, 2), "peak memory (MiB)": round(peak)})
    report_path.write_text(render_report(scenario, shown), encoding="utf-8")

    if as_json:
        assert plan.kpis is not None
        print(json.dumps({**asdict(plan.kpis), "planner": plan.planner, "run_s": round(plan_s, 3),
                          "peak_rss_mb": round(peak, 1), "plan": str(plan_path), "report": str(report_path)}))
        return
    out.print(kpi_table(plan, scenario, run_s=plan_s, peak_mb=peak))
    out.print("independent check: [green]all hard constraints hold[/]")
    out.print(f"plan:   {plan_path}\nreport: [bold]{report_path.resolve()}[/] (open it in a browser; works offline)")
    if surge == 0 and hint:
        out.print("What if the undecided decide to leave? Try: evac plan --surge 0.33 --out out-surge")


def run_check(plan_path: Path, scenario_name: str, *, population: Path | None, as_json: bool) -> int:
    try:
        plan = read_plan(plan_path)
    except PlanFormatError as exc:
        fail(str(exc))
    scenario = scenario_for(plan, open_scenario(scenario_name, population=population, quiet=as_json))
    if plan.scenario_id != scenario.id:
        fail(f"{plan_path}: plan is for scenario {plan.scenario_id!r}, not {scenario.id!r}")
    t0 = time.perf_counter()
    report = check_plan(plan, scenario)
    took = time.perf_counter() - t0
    if as_json:
        print(json.dumps({"ok": report.ok, "violations": [
            {"rule": v.rule.value, "subject": v.subject, "message": v.message} for v in report.violations],
            "kpis": asdict(report.kpis), "check_s": round(took, 3)}, ensure_ascii=False))
        return 0 if report.ok else 1
    if report.ok:
        out.print(f"[green]OK[/]: {plan_path} satisfies every hard constraint ({len(plan.trips):,} trips, "
                  f"{report.kpis.safe:,} people safe; checked in {took:.2f} s)")
        return 0
    err.print(f"[red]{len(report.violations)} violation(s)[/] in {plan_path}:")
    for v in report.violations[:200]:  # each message ends with its rule in brackets: not Rich markup
        err.print(f"  {v.message}", markup=False, highlight=False)
    if len(report.violations) > 200:
        err.print(f"  … and {len(report.violations) - 200} more (use --json for all)")
    return 1
