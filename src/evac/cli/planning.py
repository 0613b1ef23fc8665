"""``evac plan``, ``evac check`` and ``evac demo``: plan, verify, report."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, replace
from typing import TYPE_CHECKING

from evac.adapters.plan_io import read_plan, write_plan
from evac.cli.common import open_scenario, parse_start
from evac.cli.console import err, fail, kpi_table, out, peak_rss_mb, progress_bar
from evac.core.check import check_plan
from evac.core.errors import PlanFormatError
from evac.core.planner import PLANNERS

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
    check: bool = False,
    surge: float = 0.0,
    workspace: Path | None = None,
    time_limit: float | None = None,
    bound: bool = True,
) -> None:
    if planner not in PLANNERS:
        fail(f"--planner: unknown planner {planner!r}; choose from {', '.join(sorted(PLANNERS))}")
    t0 = time.perf_counter()
    scenario = open_scenario(scenario_name, population=population, workspace=workspace, quiet=as_json)
    start_h = parse_start(start, scenario)
    if surge > 0:
        from evac.core.population.surge import surge as apply_surge

        scenario = scenario.with_population(apply_surge(scenario.population, share=surge, seed=seed))
    t1 = time.perf_counter()
    with progress_bar("planning households", quiet=as_json) as cb:
        chosen = PLANNERS[planner]
        if time_limit is not None:
            from evac.core.planner.evac import EvacPlanner

            if isinstance(chosen, EvacPlanner):
                chosen = EvacPlanner(time_limit_s=time_limit, params=chosen.params)
        plan = chosen.plan(scenario, start_h=start_h, seed=seed, callbacks=cb)
    if plan.bound is None and bound:  # every plan reports how good it is, whichever planner made it
        from evac.core.planner.evac import affordable_bound

        plan = replace(plan, bound=affordable_bound(scenario.with_policy(replace(scenario.policy,
                                                                                 start_h=plan.start_h))))
    if surge > 0:  # recorded so that `evac check` rebuilds the same population
        plan = replace(plan, meta={**plan.meta, "surge": surge, "surge_seed": seed})
    plan_s = time.perf_counter() - t1
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

    verdict = None
    if check:
        report = check_plan(plan, scenario)
        verdict = report.ok
    if as_json:
        assert plan.kpis is not None
        print(json.dumps({**asdict(plan.kpis), "planner": plan.planner, "run_s": round(plan_s, 3),
                          "peak_rss_mb": round(peak, 1), "plan": str(plan_path), "report": str(report_path)}))
        return
    out.print(kpi_table(plan, scenario, run_s=plan_s, peak_mb=peak))
    if verdict is not None:
        out.print("independent check: " + ("[green]all hard constraints hold[/]" if verdict
                                           else "[red]VIOLATIONS — run evac check for details[/]"))
    out.print(f"plan:   {plan_path}\nreport: [bold]{report_path.resolve()}[/] (open it in a browser; works offline)")
    if surge == 0 and check:
        out.print("What if the undecided decide to leave? Try: evac plan --surge 0.33 --out out")


def run_check(plan_path: Path, scenario_name: str, *, population: Path | None, as_json: bool) -> int:
    try:
        plan = read_plan(plan_path)
    except PlanFormatError as exc:
        fail(str(exc))
    scenario = open_scenario(scenario_name, population=population, quiet=as_json)
    if plan.meta.get("surge"):
        from evac.core.population.surge import surge as apply_surge

        share, seed = float(plan.meta["surge"]), int(plan.meta.get("surge_seed", 0))
        scenario = scenario.with_population(apply_surge(scenario.population, share=share, seed=seed))
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
    for v in report.violations[:200]:
        err.print(f"  [{v.rule.value}] {v.message}", highlight=False)
    if len(report.violations) > 200:
        err.print(f"  … and {len(report.violations) - 200} more (use --json for all)")
    return 1
