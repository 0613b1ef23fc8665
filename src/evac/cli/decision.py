"""``evac assess`` and ``evac simulate``: when must the operation start, and how likely is everyone safe?

Thin wrappers: parse and check options (exit 2 with a clear message on bad input), call the core and the
Monte Carlo sweep of :mod:`evac.services.decision` (the console's decision page runs the same one), print a
compact table (or ``--json``), write the decision report and its chart files. The root app wires them in.
"""

from __future__ import annotations

import json
import math
import time
from typing import TYPE_CHECKING, Any

from evac.cli.common import open_scenario, parse_start
from evac.cli.console import err, fail, out, peak_rss_mb, progress_bar
from evac.core.errors import EvacError
from evac.services.planning import UnknownPlanner, resolve_planner

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from evac.core.decision import Assessment
    from evac.core.model import Scenario
    from evac.core.planner import Planner
    from evac.core.sim import RunResult

__all__ = ["assess_cli", "simulate_cli"]

MAX_STARTS = 400
JSON_KEYS = ("runs", "p_all_safe", "p_all_safe_ci", "left_behind_mean", "left_behind_p95", "latest_safe_start",
             "wall_s")


def _starts(scenario: Scenario, first: str | None, last: str | None, step_days: float, *,
            default_span_days: float) -> list[float]:
    if not (step_days > 0 and math.isfinite(step_days)):
        fail(f"--step-days must be a positive number of days, got {step_days}")
    a = parse_start(first, scenario, option="--from")
    a = scenario.policy.start_h if a is None else a
    b = parse_start(last, scenario, option="--to")
    b = a + 24.0 * default_span_days if b is None else b
    if b < a:
        fail(f"--to ({scenario.moment(b):%Y-%m-%d}) is before --from ({scenario.moment(a):%Y-%m-%d})")
    n = math.floor((b - a) / (24.0 * step_days) + 1e-9) + 1
    if n > MAX_STARTS:
        fail(f"{n} candidate starts: at most {MAX_STARTS} (raise --step-days)")
    return [a + i * 24.0 * step_days for i in range(n)]


def _planner(name: str) -> Planner:
    try:
        return resolve_planner(name)
    except UnknownPlanner as exc:
        fail(f"--planner: {exc}")
        raise AssertionError("unreachable") from exc


def _day(scenario: Scenario, h: float | None) -> str | None:
    return None if h is None else scenario.moment(h).strftime("%Y-%m-%d")


def _write_report(out_dir: Path, name: str, report: Any) -> Path:
    from evac.adapters.reports.decision import render_decision_report, write_chart_files

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"--out: cannot create {out_dir}: {exc.strerror}")
    path = out_dir / name
    path.write_text(render_decision_report(report), encoding="utf-8")
    _, note = write_chart_files(report, out_dir)
    if note:
        err.print(note)
    return path


def _assess_table(scenario: Scenario, a: Assessment, p_by_start: dict[float, Any] | None = None) -> Any:
    from rich.table import Table

    table = Table(title=f"{scenario.name}: clearance against closures (quantile {a.quantile})",
                  title_justify="left", header_style="bold")
    for col, just in (("start", "left"), ("clearance", "right"), ("last safe", "left"), ("safe", "right"),
                      ("left", "right"), ("slack", "right"), ("binding closure", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    if p_by_start is not None:
        table.add_column("P(all safe) [95 % CI]", justify="right")
    for r in a.starts:
        ok = "green" if r.all_safe else "red"
        row = [scenario.moment(r.start_h).strftime("%a %d %b %Y"),
               "—" if r.clearance_h is None else f"{r.clearance_h:.1f} h",
               "—" if r.last_safe_h is None else scenario.moment(r.last_safe_h).strftime("%d %b %H:%M"),
               f"[{ok}]{r.safe:,}/{r.travelling:,}[/]", f"{r.left_behind:,}",
               "—" if r.slack_h is None else f"{r.slack_h:,.0f} h", r.binding or "—"]
        if p_by_start is not None:
            p = p_by_start.get(round(r.start_h, 6))
            row.append(f"{p.p_all_safe:.3f} [{p.ci[0]:.3f}, {p.ci[1]:.3f}]" if p else "")
        table.add_row(*row)
    return table


def assess_cli(
    scenario_name: str = "syria-2013",
    *,
    first: str | None = None,
    last: str | None = None,
    step_days: float = 1.0,
    planner: str = "greedy",
    population: Path | None = None,
    out_dir: Path | None = None,
    as_json: bool = False,
) -> None:
    """Plan every candidate start from ``first`` to ``last`` and report the latest safe start."""
    from pathlib import Path as _Path

    from evac.adapters.reports.decision import DecisionReport
    from evac.core.decision import assess

    t0 = time.perf_counter()
    p = _planner(planner)
    scenario = open_scenario(scenario_name, population=population, quiet=as_json)
    starts = _starts(scenario, first, last, step_days, default_span_days=42)
    try:
        with progress_bar("planning starts", quiet=as_json) as cb:
            a = assess(scenario, starts, p, callbacks=cb)
    except EvacError as exc:
        fail(str(exc))
    report = _write_report(out_dir or _Path("assess-out"), "decision.html", DecisionReport(scenario, planner, a))
    wall = time.perf_counter() - t0
    if as_json:
        print(json.dumps({
            "latest_safe_start": _day(scenario, a.latest_safe_start_h),
            "latest_safe_start_by_class": {k: _day(scenario, v) for k, v in a.latest_safe_start_by_class_h.items()},
            "starts": [{"start": scenario.moment(r.start_h).isoformat(), "clearance_h": r.clearance_h,
                        "travelling": r.travelling, "safe": r.safe, "all_safe": r.all_safe, "slack_h": r.slack_h,
                        "binding": r.binding, "safe_by_class": r.safe_by_class} for r in a.starts],
            "report": str(report), "wall_s": round(wall, 3)}))
        return
    out.print(_assess_table(scenario, a))
    out.print(f"latest safe start: [bold]{_day(scenario, a.latest_safe_start_h) or 'none in the range'}[/]"
              f" (every traveller safe before the closures, planned at quantile {a.quantile})")
    for k, v in a.latest_safe_start_by_class_h.items():
        out.print(f"  {k}: {_day(scenario, v) or 'none'}")
    out.print(f"report: [bold]{report.resolve()}[/] ({wall:.1f} s)")


def simulate_cli(
    scenario_name: str = "syria-2013",
    *,
    start: str | None = None,
    runs: int = 1000,
    workers: int = 1,
    dask: str | None = None,
    seed: int = 0,
    mode: str = "as_planned",
    threshold: float = 0.9,
    first: str | None = None,
    last: str | None = None,
    step_days: float = 1.0,
    sweep_runs: int | None = None,
    planner: str = "greedy",
    population: Path | None = None,
    out_dir: Path | None = None,
    replay: int | None = None,
    no_show: float | None = None,
    breakdown_per_h: float | None = None,
    crossing_delay_h: float | None = None,
    decide_per_day: float | None = None,
    as_json: bool = False,
) -> None:
    """Monte Carlo: execute the plan against ``runs`` sampled futures at ``start``, and P(all safe) over a
    sweep of starts (``sweep_runs`` each, default ``min(runs, 200)``)."""
    from dataclasses import replace
    from pathlib import Path as _Path

    from evac.adapters.reports.decision import DecisionReport
    from evac.adapters.runners import run_jobs
    from evac.core.sim import SimJob, SimMode, Uncertainty, simulate_run
    from evac.services.decision import SPAN_DAYS, decide_starts, sim_job, sweep

    t0 = time.perf_counter()
    if runs < 1:
        fail(f"--runs must be at least 1, got {runs}")
    if workers < 1:
        fail(f"--workers must be at least 1, got {workers}")
    if not 0 < threshold <= 1:
        fail(f"--threshold must be in (0, 1], got {threshold}")
    if mode not in ("as_planned", "replan"):
        fail(f"--mode must be as_planned or replan, got {mode!r}")
    if sweep_runs is not None and sweep_runs < 1:
        fail(f"--sweep-runs must be at least 1, got {sweep_runs}")
    unc = Uncertainty()
    try:
        if no_show is not None:
            unc = replace(unc, no_show={**unc.no_show, "wants_to_leave": no_show})
        if breakdown_per_h is not None:
            unc = replace(unc, breakdown_per_h=breakdown_per_h)
        if crossing_delay_h is not None:
            unc = replace(unc, crossing_delay_median_h=crossing_delay_h)
        if decide_per_day is not None:
            unc = replace(unc, decide_per_day=decide_per_day)
    except EvacError as exc:
        fail(str(exc))
    p = _planner(planner)
    scenario = open_scenario(scenario_name, population=population, quiet=as_json)
    main_h = parse_start(start, scenario)
    main_h = scenario.policy.start_h if main_h is None else main_h
    sweep_starts = _starts(scenario, first or scenario.moment(main_h).isoformat(), last, step_days,
                           default_span_days=SPAN_DAYS)
    sim_mode = SimMode(mode)
    if replay is not None:
        plan = p.plan(scenario, start_h=main_h, seed=seed)
        r = simulate_run(sim_job(scenario, plan, uncertainty=unc, seed=seed, mode=sim_mode, planner=p), replay)
        print(json.dumps({"run": r.run, "seed": list(r.seed), "error": r.error, "target": r.target, "safe": r.safe,
                          "left_behind": r.left_behind, "all_safe": r.all_safe, "clearance_h": r.clearance_h,
                          "no_show": r.no_show, "late_decided": r.late_decided, "late_carried": r.late_carried,
                          "replans": r.replans, "breakdowns": r.breakdowns, "write_offs": r.write_offs}))
        return
    n_sweep = sweep_runs if sweep_runs is not None else min(runs, 200)

    def run(jobs: Sequence[SimJob], counts: Sequence[int]) -> list[list[RunResult]]:
        with progress_bar("simulated runs", quiet=as_json) as cb:
            cb.on_start(sum(counts))
            return run_jobs(jobs, counts, workers=workers, dask=dask, on_progress=cb.on_progress)

    try:
        # the latest safe start: the decision page's procedure and definition (daily candidates by default)
        with progress_bar("planning starts", quiet=as_json) as cb:
            decided = decide_starts(scenario, sweep_starts, p, runs=n_sweep, seed=seed, uncertainty=unc,
                                    mode=sim_mode, threshold=threshold, chart_every=max(1, round(7 / step_days)),
                                    run=run, callbacks=cb)
        main_plan = next((q for q in decided.plans if abs(q.start_h - main_h) < 1e-6), None)
        if main_plan is None:
            main_plan = p.plan(scenario, start_h=main_h, seed=seed)
        main = sweep(scenario, [main_plan], [runs], uncertainty=unc, seed=seed, mode=sim_mode, planner=p,
                     run=run).summaries[0]
    except EvacError as exc:
        fail(str(exc))
        return
    except OSError as exc:
        fail(f"--dask {dask}: cannot reach the cluster: {exc}")
        return
    sums = [main, *decided.summaries.values()]
    points = decided.points
    latest = decided.latest
    best = latest.point
    assessment = decided.assessment
    wall = time.perf_counter() - t0
    report = _write_report(out_dir or _Path("simulate-out"), "simulate.html", DecisionReport(
        scenario, planner, assessment, main, points, best, threshold, mode.replace("_", " "), seed))
    if as_json:
        print(json.dumps({
            "runs": main.runs, "p_all_safe": main.p_all_safe, "p_all_safe_ci": list(main.p_all_safe_ci),
            "left_behind_mean": main.left_behind_mean, "left_behind_p95": main.left_behind_p95,
            "latest_safe_start": _day(scenario, best.start_h) if best else None, "wall_s": round(wall, 3)}))
        return
    out.print(_assess_table(scenario, assessment, {round(q.start_h, 6): q for q in points}))
    lo, hi = main.p_all_safe_ci
    out.print(f"start {scenario.moment(main_h):%Y-%m-%d %H:%M}, {main.runs:,} futures ({mode.replace('_', ' ')}): "
              f"P(all safe) = [bold]{main.p_all_safe:.3f}[/] (95 % CI {lo:.3f}–{hi:.3f}); left behind mean "
              f"{main.left_behind_mean:,.2f}, p95 {main.left_behind_p95:,.0f}; late deciders carried "
              f"{main.late_carried_mean:,.0f} of {main.late_decided_mean:,.0f}")
    if best is not None:
        out.print(f"latest safe start (the plan clears the closures and P(all safe) ≥ {threshold:.0%}): "
                  f"[bold]{_day(scenario, best.start_h)}[/] (P = {best.p_all_safe:.3f}, 95 % CI "
                  f"{best.ci[0]:.3f}–{best.ci[1]:.3f}, {best.runs} runs)")
    else:
        out.print(f"[red]no start in the range is safe (the plan clears the closures and P(all safe) ≥ "
                  f"{threshold:.0%})[/]")
    for q in latest.rejected:
        out.print(f"  {_day(scenario, q.start_h)}: the plan clears the closures but P(all safe) = "
                  f"{q.p_all_safe:.3f} < {threshold:.0%}")
    for s in sums:
        for f in s.failed:
            err.print(f"[red]run {f.run} failed[/] (seed {list(f.seed)}; replay with --replay {f.run} --seed "
                      f"{seed}): {f.error}", highlight=False)
    done = sum(s.runs for s in sums)
    out.print(f"{done:,} runs in {wall:.1f} s ({done / wall:,.0f} runs/s, {workers} worker(s)"
              f"{', dask ' + dask if dask else ''}); peak memory {peak_rss_mb():,.0f} MiB")
    out.print(f"report: [bold]{report.resolve()}[/]")
