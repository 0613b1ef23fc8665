"""Terminal output shared by commands: progress bars from core callbacks, KPI tables, errors."""

from __future__ import annotations

import resource
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from evac.core.planner import Callbacks

if TYPE_CHECKING:
    from collections.abc import Iterator

    from evac.core.model import KPIs, Plan, Scenario
    from evac.services.planning import PlanRejected

# Piped output (CI logs, files) gets a width that fits the wide tables instead of Rich's 80 columns.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class _Bar(Callbacks):
    def __init__(self, progress: Progress, label: str) -> None:
        self.progress = progress
        self.task = progress.add_task(label, total=None)

    def on_start(self, total: int) -> None:
        self.progress.update(self.task, total=total)

    def on_progress(self, done: int) -> None:
        self.progress.update(self.task, completed=done)


@contextmanager
def progress_bar(label: str, *, quiet: bool = False) -> Iterator[Callbacks]:
    """A Rich progress bar driven by the core's callbacks (to stderr, so ``--json`` stays clean)."""
    if quiet or not err.is_terminal:
        yield Callbacks()
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        yield _Bar(progress, label)


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


def plan_rejected(exc: PlanRejected, *, shown: int = 20) -> None:
    """Say that a plan failed the independent check (a planner bug, not the user's) and exit 1: the plan
    is withheld (neither written nor activated), so nobody mistakes it for a safe one."""
    violations = exc.report.violations
    err.print(f"[bold red]error:[/] the {exc.plan.planner} plan fails the independent check with "
              f"{len(violations)} violation(s) and is withheld — neither written nor activated (a planner bug):",
              highlight=False)
    for v in violations[:shown]:  # each message ends with its rule in brackets: not Rich markup
        err.print(f"  {v.message}", markup=False, highlight=False)
    if len(violations) > shown:
        err.print(f"  … and {len(violations) - shown} more")
    sys.exit(1)


def _h(x: float | None) -> str:
    return "—" if x is None else f"{x:,.1f} h"


def kpi_table(plan: Plan, scenario: Scenario, *, run_s: float | None = None, peak_mb: float | None = None) -> Table:
    k: KPIs | None = plan.kpis
    assert k is not None
    start = scenario.moment(plan.start_h)
    table = Table(title=f"{scenario.name} — planner {plan.planner}, start {start:%Y-%m-%d %H:%M %Z}",
                  show_header=True, header_style="bold", title_justify="left")
    table.add_column("indicator")
    table.add_column("value", justify="right")
    rows: list[tuple[str, str]] = [
        ("registered people", f"{k.registered:,}"),
        ("eligible", f"{k.eligible:,}"),
        ("willing to leave", f"{k.willing:,}"),
        ("travelling (eligible and willing)", f"{k.travelling:,}"),
        ("safe", f"{k.safe:,} ({_pct(k.safe, k.travelling)})"),
        ("safe, priority-weighted", f"{k.safe_weighted:,.0f} of {k.travelling_weighted:,.0f}"),
        ("clearance time", _h(k.clearance_h)
         + (f" (last safe {scenario.moment(plan.start_h + k.clearance_h):%Y-%m-%d %H:%M})" if k.clearance_h else "")),
    ]
    for name, n in k.travelling_by_class.items():
        rows.append((f"  safe before closures: {name}", f"{k.safe_by_class.get(name, 0):,} of {n:,}"))
    rows.append(("left behind", f"{k.left_behind:,}"))
    for reason, n in sorted(k.left_behind_by_reason.items()):
        if n:
            rows.append((f"  {reason.replace('_', ' ')}", f"{n:,}"))
    rows += [
        ("exposure", f"{k.exposure_person_h:,.0f} person-h"),
        ("seat utilisation (vehicles)", f"{k.seat_utilisation:.0%}"),
        ("trips", f"{k.trips:,}"),
    ]
    if plan.bound is not None:
        from evac.core.planner.lp import gap

        b = plan.bound
        rows.append(("bound: weighted safe at most", f"{b.safe_weighted_max:,.0f} ({b.method})"))
        rows.append(("bound: clearance at least", _h(b.clearance_h_min)))
        g = gap(k, b, k.travelling_weighted)
        rows.append(("gap to the bound", "—" if g is None else f"{g:.1%}"))
    if run_s is not None:
        rows.append(("run time", f"{run_s:.2f} s"))
    if peak_mb is not None:
        rows.append(("peak memory", f"{peak_mb:,.0f} MiB"))
    for indicator, value in rows:
        table.add_row(indicator, value)
    return table


def _pct(a: int, b: int) -> str:
    return f"{a / b:.0%}" if b else "—"
