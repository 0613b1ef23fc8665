"""``evac bench``: the planner benchmark table (and ``evac bench bep`` for the published instances)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from evac.cli.console import err, fail, out

bench_app = typer.Typer(help="Benchmarks: planners on generated scenarios; published BEP instances.",
                        invoke_without_command=True)


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


@bench_app.callback()
def bench_cli(
    ctx: typer.Context,
    sizes: Annotated[str, typer.Option(help="Comma-separated sizes: S (1k), M (25k), L (150k), XL (1M).")] = "S,M",
    planners: Annotated[str | None, typer.Option(help="Comma-separated planners (default: all).")] = None,
    networks: Annotated[str, typer.Option(help="Comma-separated networks: syria, grid.")] = "syria,grid",
    results: Annotated[Path, typer.Option(help="Folder for the result files.")] = Path("bench/results"),
    row_timeout: Annotated[float, typer.Option(
        help="Seconds before a row is stopped and reported as timed out (a row that fails is reported as crashed).")
                           ] = 600.0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per row on stdout.")] = False,
) -> None:
    """Plan generated scenarios with each planner; print and save the table."""
    if ctx.invoked_subcommand is not None:
        return
    from evac.adapters.bench import NETWORKS, SIZES, Row, run_bench
    from evac.core.planner import PLANNERS

    size_list, net_list = _split(sizes), _split(networks)
    plan_list = _split(planners) if planners else [p for p in PLANNERS if p != "exact"]
    for name, values, known in (("--sizes", size_list, SIZES), ("--networks", net_list, NETWORKS),
                                ("--planners", plan_list, PLANNERS)):
        bad = [v for v in values if v not in known]
        if bad or not values:
            fail(f"{name}: unknown {', '.join(bad) or '(empty)'}; choose from {', '.join(known)}")

    def show(row: Row) -> None:
        if as_json:
            print(json.dumps(row.public()), flush=True)
        elif row.status != "ok":
            err.print(f"  {row.scenario:<10} {row.planner:<7} [red]{row.status}[/]: {row.error}", highlight=False)
        else:
            err.print(f"  {row.scenario:<10} {row.planner:<7} {row.wall_s:8.2f} s  safe {row.safe:,}  "
                      f"gap {'—' if row.gap is None else f'{100 * row.gap:.1f} %'}  check {row.check_s:.2f} s")
        if row.bound_status != "ok" and not as_json:
            err.print(f"  {row.scenario:<10} bound   [red]{row.bound_status}[/]", highlight=False)

    rows = run_bench(size_list, plan_list, net_list, row_timeout_s=row_timeout, on_row=show)
    table = render_table(rows)
    if not as_json:
        out.print(table)
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {"cores": os.cpu_count(), "when": stamp, "rows": [r.public() for r in rows]}
    (results / "planners-latest.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    (results / "planners-latest.md").write_text(markdown_table(rows), encoding="utf-8")
    if not as_json:
        out.print(f"written: {results / 'planners-latest.md'} ({os.cpu_count()} cores)")


def _fmt(x: float | None, spec: str) -> str:
    return "—" if x is None else format(x, spec)


COLUMNS = ("scenario", "planner", "travelling", "wall s", "peak MiB", "safe", "weighted safe", "clearance h",
           "bound (weighted)", "bound clearance h", "gap", "check")


def _cells(r: object) -> list[str]:
    from evac.adapters.bench import Row

    assert isinstance(r, Row)
    if r.status != "ok":  # "timed out" or "crashed": the reason goes in the check column
        why = (r.error or "")[:80]
        return [r.scenario, r.planner, "—", r.status, "—", "—", "—", "—", _fmt(r.bound_safe_weighted, ",.0f"),
                _fmt(r.bound_clearance_h, ",.1f"), "—", why or "—"]
    return [r.scenario, r.planner, f"{r.travelling:,}", f"{r.wall_s:.2f}", f"{r.peak_rss_mb:,.0f}", f"{r.safe:,}",
            f"{r.safe_weighted:,.0f}", _fmt(r.clearance_h, ",.1f"), _fmt(r.bound_safe_weighted, ",.0f"),
            _fmt(r.bound_clearance_h, ",.1f"), _fmt(None if r.gap is None else 100 * r.gap, ".2f") + (
                "" if r.gap is None else " %"), "ok" if r.check_ok else "FAIL"]


def render_table(rows: list[object]) -> Table:
    table = Table(title=f"evac planner benchmark ({os.cpu_count()} cores)", title_justify="left")
    for c in COLUMNS:
        table.add_column(c, justify="left" if c in ("scenario", "planner") else "right")
    for r in rows:
        table.add_row(*_cells(r))
    return table


def markdown_table(rows: list[object]) -> str:
    lines = [f"Planner benchmark on {os.cpu_count()} cores.", "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


@bench_app.command("bep")
def bench_bep_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per instance.")] = False,
    sets: Annotated[str, typer.Option(help="Comma-separated sets: set2, set3, set10, real (default: all).")] = "",
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds per instance.")] = 30.0,
    rules: Annotated[str, typer.Option(help="bish (the published MIP, empty repositioning rounds allowed), bep "
                                        "(every round loaded, as GRASP) or roads (shortest road paths).")] = "bish",
    seed: Annotated[int, typer.Option(help="Seed of the local search.")] = 0,
) -> None:
    """Solve the published Bus Evacuation Problem instances; check and recount every plan."""
    from evac.cli.bench_bep import bench_bep_cli

    bench_bep_cli(as_json, _split(sets), time_limit, rules=rules, seed=seed)
