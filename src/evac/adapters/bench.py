"""The planner benchmark: generated scenarios at fixed seeds × planners → one row each.

Scenarios (DESIGN §5): S 1,000, M 25,000, L 150,000 and XL 1,000,000 people, on the Syria-2013
network and on a synthetic country of 2,000+ road nodes. The people come from the seeded
generator; then the *surge* the design asks about is applied: every undecided household decides
to leave, so about half the people travel. Fleets scale with the population (the Syria fleet is
sized for 25,000 people; L gets six times as many coaches, XL forty times); crossings, flights and
closures stay as they are, so the large scenarios are genuinely short of time.

Every row runs in a fresh process (``spawn``) so that its peak memory is its own. A row whose process
does not answer is reported for what happened to it: ``timed out`` (still running at the row's limit,
then killed) or ``crashed`` (an exception, with its message, or the process died: exit code or signal).
Nothing here is a test: numbers are printed and written to ``bench/results/``.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import queue as queue_mod
import resource
import time
import traceback
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from evac.adapters.scenario.loader import build_scenario, read_scenario_file, resolve_scenario_path
from evac.core.check import check_plan
from evac.core.model import Fleet, PlaceKind, Policy, Population, Scenario
from evac.core.network.synthetic import synthetic_fleets, synthetic_network
from evac.core.planner import PLANNERS
from evac.core.population.generator import generate_population
from evac.core.population.surge import surge

if TYPE_CHECKING:
    from collections.abc import Callable

SIZES = {"S": 1_000, "M": 25_000, "L": 150_000, "XL": 1_000_000}
NETWORKS = ("syria", "grid")
POPULATION_SEED = 2013
SURGE_SEED = 7
REFERENCE_SIZE = 25_000  # the Syria fleet is sized for this many people


@dataclass(frozen=True, slots=True)
class Row:
    scenario: str
    planner: str
    people: int
    travelling: int
    wall_s: float
    peak_rss_mb: float
    safe: int
    safe_weighted: float
    clearance_h: float | None
    bound_safe_weighted: float | None
    bound_clearance_h: float | None
    bound_method: str | None
    gap: float | None
    check_ok: bool
    check_s: float = math.nan  # seconds the independent checker took on the plan
    status: str = "ok"  # "ok", "timed out" or "crashed" (then ``wall_s`` is inf and ``error`` says why)
    error: str | None = None
    bound_status: str = "ok"  # what became of the bound's own process (a failed bound leaves the gap empty)

    def public(self) -> dict[str, Any]:
        """The keys the issue promises to scripts (``evac bench --json``), then extras."""
        return {
            "scenario": self.scenario, "planner": self.planner,
            "wall_s": round(self.wall_s, 3) if math.isfinite(self.wall_s) else None,
            "peak_rss_mb": round(self.peak_rss_mb, 1) if math.isfinite(self.peak_rss_mb) else None,
            "safe": self.safe,
            "safe_weighted": round(self.safe_weighted, 1),
            "clearance_h": None if self.clearance_h is None else round(self.clearance_h, 2),
            "bound_safe_weighted": None if self.bound_safe_weighted is None else round(self.bound_safe_weighted, 1),
            "bound_clearance_h": None if self.bound_clearance_h is None else round(self.bound_clearance_h, 2),
            "gap": None if self.gap is None else round(self.gap, 4), "check_ok": self.check_ok,
            "people": self.people, "travelling": self.travelling, "bound_method": self.bound_method,
            "status": self.status, "timed_out": self.status == TIMED_OUT, "error": self.error,
            "check_s": round(self.check_s, 3) if math.isfinite(self.check_s) else None,
            "bound_status": self.bound_status,
        }


def build_bench_scenario(network: str, size: str) -> Scenario:
    """The benchmark scenario ``network``-``size`` (e.g. ``syria``-``M``), deterministic."""
    n = SIZES[size]
    if network == "syria":
        path = resolve_scenario_path("syria-2013")
        model, _ = read_scenario_file(path)
        base = build_scenario(model, base_dir=path.parent, population=Population((), ()))
        gen = model.population.generator
        cities = [p for p in base.places if p.kind is PlaceKind.CITY and p.country == base.country]
        pop = generate_population(cities, size=n, seed=POPULATION_SEED,
                                  diplomats_at=gen.diplomats_at if gen else None,
                                  military_at=tuple(gen.military_at) if gen else (), year=base.epoch.year)
        scale = max(1.0, n / REFERENCE_SIZE)
        fleets = tuple(replace(f, count=math.ceil(f.count * scale)) for f in base.fleets)
        return replace(base, id=f"syria-{size}", fleets=fleets, population=surge(pop, share=1.0, seed=SURGE_SEED))
    if network == "grid":
        places, links, threats, services = synthetic_network(nodes=2000, seed=POPULATION_SEED)
        cities = sorted((p for p in places if p.kind is PlaceKind.CITY), key=lambda p: -(p.population or 0))
        pop = surge(generate_population(cities, size=n, seed=POPULATION_SEED, diplomats_at=cities[0].id,
                                        year=2013), share=1.0, seed=SURGE_SEED)
        travelling = sum(1 for p in pop.people if p.travels)
        fleets: tuple[Fleet, ...] = synthetic_fleets([c.id for c in cities[:5]], buses=max(10, travelling // 250))
        from datetime import UTC, datetime

        return Scenario(f"grid-{size}", f"Synthetic country, 2,000 nodes, {n:,} people", "XX",
                        datetime(2013, 1, 1, tzinfo=UTC), places, links, fleets, services, threats, Policy(), pop)
    raise ValueError(f"unknown network {network!r}; choose from {', '.join(NETWORKS)}")


def best_bound(scenario: Scenario, *, time_limit_s: float = 60.0) -> Any:
    """The bound every plan of this scenario is measured against: the LP on the Syria network, the
    combinatorial bound on the 2,000-node grid (the LP's build there costs minutes and gigabytes)."""
    from evac.core.planner.evac import affordable_bound

    return affordable_bound(scenario, time_limit_s=time_limit_s)


def _gap(kpis: Any, bound: Any) -> float | None:
    if bound is None:
        return None
    try:
        from evac.core.planner.lp import gap
    except ImportError:
        return None
    result: float | None = gap(kpis, bound, kpis.travelling_weighted)
    return result


def _run_row(network: str, size: str, planner: str, bound: Any) -> Row:
    scenario = build_bench_scenario(network, size)
    t0 = time.perf_counter()
    plan = PLANNERS[planner].plan(scenario)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    t1 = time.perf_counter()
    report = check_plan(plan, scenario)
    check_s = time.perf_counter() - t1
    k = report.kpis
    return Row(
        scenario=scenario.id, planner=planner, people=k.registered, travelling=k.travelling, wall_s=wall,
        peak_rss_mb=peak, safe=k.safe, safe_weighted=k.safe_weighted, clearance_h=k.clearance_h,
        bound_safe_weighted=None if bound is None else bound.safe_weighted_max,
        bound_clearance_h=None if bound is None else bound.clearance_h_min,
        bound_method=None if bound is None else bound.method, gap=_gap(k, bound), check_ok=report.ok,
        check_s=check_s,
    )


def _run_bound(network: str, size: str, time_limit_s: float) -> tuple[Any, float]:
    scenario = build_bench_scenario(network, size)
    t0 = time.perf_counter()
    bound = best_bound(scenario, time_limit_s=time_limit_s)
    return bound, time.perf_counter() - t0


OK, TIMED_OUT, CRASHED = "ok", "timed out", "crashed"


@dataclass(frozen=True, slots=True)
class ChildOutcome:
    """What a child process gave back: ``status`` OK with its ``value``, or TIMED_OUT / CRASHED with ``error``."""

    status: str
    value: Any = None
    error: str | None = None


def _child_main(target: Callable[..., Any], args: tuple[Any, ...], answers: Any) -> None:
    """The child's entry point: report the value, or the exception that stopped it, on the queue."""
    try:
        answers.put((OK, target(*args)))
    except BaseException as exc:
        answers.put((CRASHED, traceback.format_exception_only(type(exc), exc)[-1].strip()))
        raise


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"killed by signal {-exitcode}"
    return f"exited with code {exitcode} without answering"


def in_child(target: Callable[..., Any], *args: Any, timeout_s: float | None = None,
             poll_s: float = 0.2) -> ChildOutcome:
    """Run ``target(*args)`` in a fresh ``spawn`` process and say what happened.

    - OK: it returned (``value``);
    - CRASHED: it raised (``error`` is the exception's last line) or its process died without answering
      (segfault, out-of-memory kill, ``os._exit``: ``error`` gives the exit code or signal);
    - TIMED_OUT: it was still running after ``timeout_s`` seconds and was killed.

    ``target`` must be importable by name (a module-level function), as ``spawn`` requires.
    """
    ctx = mp.get_context("spawn")
    answers = ctx.Queue()
    proc = ctx.Process(target=_child_main, args=(target, args, answers))
    proc.start()
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    try:
        while True:
            wait = poll_s if deadline is None else max(0.0, min(poll_s, deadline - time.monotonic()))
            try:
                status, payload = answers.get(timeout=wait)
            except queue_mod.Empty:
                if not proc.is_alive():
                    try:  # it may have answered just before it exited
                        status, payload = answers.get(timeout=1.0)
                    except queue_mod.Empty:
                        return ChildOutcome(CRASHED, error=_exit_reason(proc.exitcode))
                elif deadline is not None and time.monotonic() >= deadline:
                    return ChildOutcome(TIMED_OUT, error=f"no answer after {timeout_s:g} s")
                else:
                    continue
            if status == OK:
                return ChildOutcome(OK, value=payload)
            return ChildOutcome(CRASHED, error=str(payload))
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        answers.close()


def run_bench(
    sizes: list[str], planners: list[str], networks: list[str], *, bound_time_limit_s: float = 60.0,
    row_timeout_s: float = 600.0, on_row: Callable[[Row], None] | None = None,
) -> list[Row]:
    """Run every scenario × planner in its own process; call ``on_row`` as rows finish.

    A row that takes longer than ``row_timeout_s`` (scenario generation included) is stopped and
    reported with ``status`` TIMED_OUT; a row whose process raises or dies is reported CRASHED with the
    reason in ``error``. Either way ``wall_s`` is inf and ``check_ok`` False: a planner too slow to
    answer, or one that fails, is a result. The bound's own process is reported in ``bound_status``.
    """
    rows: list[Row] = []
    for network in networks:
        for size in sizes:
            answer = in_child(_run_bound, network, size, bound_time_limit_s, timeout_s=row_timeout_s)
            bound = answer.value[0] if answer.status == OK else None
            bound_status = answer.status if answer.status == OK else f"{answer.status}: {answer.error}"
            for planner in planners:
                got = in_child(_run_row, network, size, planner, bound, timeout_s=row_timeout_s)
                if got.status == OK:
                    row: Row = replace(got.value, bound_status=bound_status)
                else:
                    row = Row(f"{network}-{size}", planner, SIZES[size], 0, math.inf, math.nan, 0, 0.0, None,
                              None if bound is None else bound.safe_weighted_max,
                              None if bound is None else bound.clearance_h_min,
                              None if bound is None else bound.method, None, False,
                              status=got.status, error=got.error, bound_status=bound_status)
                rows.append(row)
                if on_row is not None:
                    on_row(row)
    return rows
