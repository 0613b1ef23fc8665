"""``evac bench bep``: the planner's bus optimiser on the published Bus Evacuation Problem instances.

Reads the instances from ``shared/external/bep/`` (never copied into the project: they carry no
licence), solves each with :func:`evac.core.planner.busopt.solve`, converts the solution into an evac plan,
verifies it with the independent checker, recomputes the makespan and shelter loads from the plan, and
prints a table (or, with ``--json``, one JSON object per instance).
"""

from __future__ import annotations

import csv
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from evac.adapters.bep import (
    RULES,
    empty_round_problems,
    model,
    read_bep,
    recount,
    solution_to_plan,
    solve_model,
)
from evac.cli.console import err, fail, out
from evac.core.check import check_plan
from evac.core.errors import ScenarioError
from evac.core.planner.busopt import MaxRuntime, settle_bound

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["SETS", "BepRow", "bench_bep_cli", "find_external", "run_bep"]

SETS = {"set2": "instances/rand/set2", "set3": "instances/rand/set3", "set10": "instances/rand/set10",
        "real": "instances/real"}
"""Instance sets and their folders under ``shared/external/bep``."""


@dataclass(frozen=True)
class BepRow:
    """One instance's result; the first seven fields are the ``--json`` keys."""

    instance: str
    best_known: float | None
    best_known_optimal: bool
    makespan: float
    bound: float
    wall_s: float
    check_ok: bool
    proven_optimal: bool
    problems: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"instance": self.instance, "best_known": self.best_known,
                "best_known_optimal": self.best_known_optimal, "makespan": self.makespan, "bound": self.bound,
                "wall_s": self.wall_s, "check_ok": self.check_ok}


def find_external() -> Path | None:
    """``$EVAC_EXTERNAL`` (the ``external`` folder itself), else the first ``shared/external`` found
    walking up from the working directory and from this package's checkout."""
    env = os.environ.get("EVAC_EXTERNAL")
    if env:
        p = Path(env)
        return p if (p / "bep").is_dir() else None
    starts = [Path.cwd().resolve(), Path(__file__).resolve().parent]
    for start in starts:
        for folder in (start, *start.parents):
            cand = folder / "shared" / "external"
            if (cand / "bep").is_dir():
                return cand
    return None


def _best_known(bep: Path) -> dict[str, tuple[float, bool]]:
    out: dict[str, tuple[float, bool]] = {}
    rand = bep / "results" / "best_known_rand.csv"
    if rand.is_file():
        with rand.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("best_known_ub"):
                    out[row["instance"]] = (float(row["best_known_ub"]), row.get("best_known_is_optimal") == "yes")
    real = bep / "results" / "best_known_real.csv"
    if real.is_file():
        with real.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("grasp_min_m"):
                    out[row["instance"]] = (float(row["grasp_min_m"]), False)
    return out


def _natural(path: Path) -> list[object]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.stem)]


def run_bep(
    external: Path,
    *,
    sets: list[str],
    time_limit_s: float,
    rules: str = "bish",
    seed: int = 0,
    on_row: Callable[[BepRow], None] | None = None,
) -> list[BepRow]:
    """Solve, convert, check and recount every instance of ``sets`` (all when empty); ``on_row`` sees each
    row as soon as it is done."""
    bep = external / "bep"
    known = _best_known(bep)
    chosen = sets or list(SETS)
    files = [f for s in chosen for f in sorted((bep / SETS[s]).glob("*.txt"), key=_natural)]
    rows: list[BepRow] = []
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    with progress:
        task = progress.add_task("BEP instances", total=len(files))
        for f in files:
            progress.update(task, description=f"BEP {f.stem}")
            rows.append(_one(f, known, time_limit_s=time_limit_s, rules=rules, seed=seed))
            if on_row is not None:
                on_row(rows[-1])
            progress.advance(task)
    return rows


def _one(f: Path, known: dict[str, tuple[float, bool]], *, time_limit_s: float, rules: str, seed: int) -> BepRow:
    t0 = time.perf_counter()
    bm, sol = solve_model(model(read_bep(f), rules=rules), stop=lambda: MaxRuntime(time_limit_s), seed=seed)
    plan = solution_to_plan(bm, sol)
    report = check_plan(plan, bm.scenario)
    rc = recount(plan, bm.scenario, hours_per_unit=bm.hours_per_unit)
    problems = [str(v) for v in report.violations[:5]] + list(rc.problems) + empty_round_problems(bm, sol)
    if abs(rc.makespan - sol.makespan) > 1e-6 * max(1.0, sol.makespan):
        problems.append(f"recounted makespan {rc.makespan:g} differs from the solver's {sol.makespan:g}")
    if sol.lower_bound > rc.makespan + 1e-6 * max(1.0, rc.makespan):
        problems.append(f"bound {sol.lower_bound:g} above the makespan {rc.makespan:g}")
    wall = time.perf_counter() - t0
    best = known.get(f.stem)
    # the row's numbers are final only now: the makespan recounted from the plan, the solver's settled bound.
    # "Proven optimal" is decided on those two, not taken from the solver (whose makespan the recount may
    # contradict); the 1e-6 tolerance is the one the recount's rounding and the checks above use.
    _, proven = settle_bound(rc.makespan, sol.lower_bound, tol=1e-6 * max(1.0, rc.makespan))
    return BepRow(f.stem, best[0] if best else None, best[1] if best else False, rc.makespan,
                  round(sol.lower_bound, 6), round(wall, 2), not problems, proven and sol.proven_optimal,
                  tuple(problems))


def _num(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def bench_bep_cli(json_out: bool, sets: list[str], time_limit_s: float, *, rules: str = "bish", seed: int = 0) -> None:
    """Run the BEP benchmark and print it (see the module docstring); exit 2 when the instances are missing.

    ``sets``: any of ``set2``, ``set3``, ``set10``, ``real`` (empty: all). ``time_limit_s``: per instance
    (the solver stops sooner when it proves optimality). ``rules``: ``bish`` (the published MIP, with its
    empty repositioning rounds), ``bep`` (every round loaded, as the GRASP code) or ``roads`` (buses take the
    shortest road path); see :data:`evac.adapters.bep.RULES`.
    """
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        fail(f"--sets: unknown set {', '.join(unknown)}; choose from {', '.join(SETS)}")
    if rules not in RULES:
        fail(f"--rules: unknown rules {rules!r}; choose from {', '.join(RULES)}")
    if not time_limit_s > 0:
        fail("--time-limit must be positive")
    external = find_external()
    if external is None:
        fail("BEP instances not found: set EVAC_EXTERNAL to the shared/external folder (it must hold bep/), "
             "or run from a checkout beside shared/external")
        return

    def stream(row: BepRow) -> None:
        if json_out:
            print(json.dumps(row.as_json()), flush=True)

    try:
        rows = run_bep(external, sets=sets, time_limit_s=time_limit_s, rules=rules, seed=seed, on_row=stream)
    except ScenarioError as exc:
        fail(str(exc))
        return
    if json_out:
        return
    table = Table(title=f"Bus Evacuation Problem (rules {rules}, {time_limit_s:g} s per instance, seed {seed})",
                  title_justify="left", header_style="bold")
    for col, just in (("instance", "left"), ("best known", "right"), ("evac", "right"), ("bound", "right"),
                      ("vs best", "right"), ("wall s", "right"), ("check", "center")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in rows:
        best = "—" if r.best_known is None else _num(r.best_known) + ("*" if r.best_known_optimal else "")
        vs = "—" if not r.best_known else f"{(r.makespan - r.best_known) / r.best_known:+.1%}"
        mine = _num(r.makespan) + ("*" if r.proven_optimal else "")
        table.add_row(r.instance, best, mine, _num(r.bound), vs, f"{r.wall_s:.1f}",
                      "ok" if r.check_ok else "[red]FAIL[/]")
    out.print(table)
    out.print("* = proven optimal. vs best = (evac − best known) / best known; negative is better.")
    for r in rows:
        for p in r.problems:
            err.print(f"[red]{r.instance}[/]: {p}", highlight=False)
