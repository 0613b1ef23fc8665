"""The optimising planner's search: a portfolio of constructions, then seeded improvement until a stop.

Order of work (every candidate is a complete plan, judged by :func:`~evac.core.planner.opt.objective.better`
on the KPIs of :func:`compute_kpis`, and kept only when :func:`check_plan` finds no violation — except in a
re-plan from :class:`Commitments`, whose candidates are only the future part of a plan, which the
checker cannot judge alone; the re-planner's merged plan is what gets checked then):

1. **Greedy rule**: a guided dispatch run with the greedy rule (priority first, best exit), on a cached
   road graph: a valid plan within a second or two.
2. **Bus optimiser**: when the scenario reduces to the bus evacuation problem (one seat count) and its
   first solution fits the time, its iterated local search chooses each vehicle's (origin, exit) sequence
   for a share of the time limit, and guided runs re-time those routes through the dispatch machinery
   (look-ahead and best exit). Then CCRP (see 3; run before the rest as the baseline likeliest to clear
   sooner), a guided run with the clearance rule (soonest-safe origin, look-ahead exit) and one with the
   longest-trip-first rule (far origins first, so they do not form the tail).
3. **Baselines**: CCRP (run in 2), greedy and FCFS themselves, each always to the end, so their plans are
   candidates and evac is never worse than any of them on the whole lexicographic objective. Whether a
   baseline runs is decided by counted work, never by the clock: it runs when its estimated work
   (:func:`baseline_work`) is within ``SearchParams.baseline_work``, or whatever its size when the best plan
   so far does not reach the bound on weighted people safe (so evac is never worse than any baseline on the
   first objective). A skipped baseline is named in ``meta["baselines_skipped"]``.
4. **GRASP**: guided runs with a random rule (origin and exit rule, noise on origin scores), with or
   without the optimiser's routes, until the stopping criterion (a number of iterations) says stop.

**Deterministic.** Randomness comes only from ``random.Random(seed)`` and every limit is a count of work
(bus-optimiser and GRASP iterations), so the same inputs and seed give the same plan on any machine. The
wall-clock limit is a safety net only: when it fires (large scenarios, a slow machine) the plan is still
valid, but ``meta["stopped_by"] == "time"`` says it depends on the machine.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from evac.core.check import check_plan
from evac.core.planner.base import Callbacks
from evac.core.planner.opt.guided import GuidedRun, Rule, priority_order
from evac.core.planner.opt.objective import better, saves_everyone

if TYPE_CHECKING:
    from evac.core.model import Bound, Plan, Scenario
    from evac.core.planner.opt.graph import CachedRoadGraph
    from evac.core.planner.state import Commitments, CommittablePlanner, VehicleKey
    from evac.core.planner.stop import StoppingCriterion

__all__ = ["SearchParams", "baseline_work", "search"]


@dataclass(frozen=True)
class SearchParams:
    """Knobs of the search; each checks itself.

    - ``busopt_share``: most of the time limit the bus optimiser may use (0 turns it off);
    - ``busopt_iterations``: most iterations it may run (keeps seeded runs reproducible);
    - ``busopt_work``: its work limit in load-bus pairs per iteration summed: it runs
      ``min(busopt_iterations, busopt_work // (loads × buses))`` iterations, a count, not a time;
    - ``baselines``: run greedy, FCFS and CCRP themselves (``False`` only for experiments: it drops the
      guarantee of never being worse than them);
    - ``baseline_work``: largest estimated work (:func:`baseline_work`, abstract units) of a baseline that is
      run when the first objective is already at its bound; the default runs every baseline up to the
      2,000-node grid at M (CCRP there: 4.4e7 units, about 50 s on 2 cores) and skips CCRP on the grid at L
      (2.6e8, about 250 s). A count decided by the problem's size, so the same inputs give the same plan;
    - ``max_noise``: largest GRASP noise on origin scores.
    """

    busopt_share: float = 0.6
    busopt_iterations: int = 100
    busopt_work: int = 500_000
    baselines: bool = True
    baseline_work: float = 6e7
    max_noise: float = 0.3

    def __post_init__(self) -> None:
        if not 0 <= self.busopt_share <= 1:
            raise ValueError(f"busopt_share must be in [0, 1], got {self.busopt_share}")
        if self.busopt_work < 0:
            raise ValueError(f"busopt_work must not be negative, got {self.busopt_work}")
        if self.busopt_iterations < 0:
            raise ValueError(f"busopt_iterations must not be negative, got {self.busopt_iterations}")
        if not self.baseline_work >= 0:
            raise ValueError(f"baseline_work must be a non-negative number, got {self.baseline_work}")
        if not 0 <= self.max_noise <= 10:
            raise ValueError(f"max_noise must be in [0, 10], got {self.max_noise}")


_FIRST_SOLUTION_S = 1.2 / (250 * 45)  # seconds per (load x bus) for the bus optimiser's first solution


class _OutOfTime(Exception):
    """Raised from a baseline's progress callback to abandon it when the time limit is up."""


class _Abort(Callbacks):
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def on_progress(self, done: int) -> None:
        if time.perf_counter() > self.deadline:
            raise _OutOfTime


@dataclass
class _Best:
    plan: Plan | None = None
    source: str = ""
    candidates: int = 0
    rejected: int = 0


def search(
    scenario: Scenario,
    *,
    commitments: Commitments | None,
    stop: StoppingCriterion,
    seed: int,
    callbacks: Callbacks,
    params: SearchParams,
    bound: Bound | None,
    safety_s: float = math.inf,
) -> tuple[Plan, dict[str, Any]]:
    """Best plan found for ``scenario`` (its policy in force) and what the search did (for ``plan.meta``).

    ``stop`` limits the GRASP iterations: a *work* limit, so the same inputs and seed give the same plan on
    any machine. ``safety_s`` is a wall-clock safety net (seconds): when a run would pass it, guided runs
    are cut and GRASP ends (baselines are never cut: whether they run is decided by :func:`baseline_work`);
    ``meta["stopped_by"]`` then says ``"time"`` — the plan is valid but depends on the machine.
    ``bound`` (valid for this scenario, or ``None``) tells when the first objective cannot be improved.
    """
    from evac.core.planner.ccrp import CcrpPlanner
    from evac.core.planner.fcfs import FcfsPlanner
    from evac.core.planner.greedy import GreedyPlanner

    rng = random.Random(seed)
    best = _Best()
    meta: dict[str, Any] = {}
    t_start = time.perf_counter()
    limit_s = safety_s
    fired: list[str] = []  # what the safety net stopped
    callbacks.on_start(1000)

    def progress() -> None:
        if math.isfinite(limit_s) and limit_s > 0:
            callbacks.on_progress(min(1000, int(1000 * (time.perf_counter() - t_start) / limit_s)))

    def offer(plan: Plan, source: str) -> None:
        best.candidates += 1
        assert plan.kpis is not None
        if best.plan is None or better(plan.kpis, best.plan.kpis):
            if commitments is not None or check_plan(plan, scenario).ok:
                best.plan, best.source = plan, source
            else:
                best.rejected += 1
        progress()

    graph: CachedRoadGraph | None = None

    deadline = t_start + limit_s if math.isfinite(limit_s) else math.inf
    cut: list[str] = []  # guided runs stopped at the deadline

    def guided(rule: Rule, routes: dict[VehicleKey, list[tuple[str, str]]] | None, name: str) -> None:
        """One guided run; once there is a plan, a run still going at the deadline is stopped (the time
        limit is the caller's: on XL one run takes a quarter of it)."""
        nonlocal graph
        cb: Callbacks = Callbacks() if best.plan is None else _Abort(deadline)
        run = GuidedRun(scenario, cb, commitments, rule=rule, routes=routes, rng=rng, graph=graph)
        graph = run.graph
        try:
            offer(run.run("evac"), name)
        except _OutOfTime:
            cut.append(name)
            fired.append(name)

    bound_w = bound.safe_weighted_max if bound is not None else math.inf
    skipped: dict[str, float] = {}

    def baseline(planner: CommittablePlanner) -> None:
        """Run a baseline to the end, unless the first objective is at its bound and the baseline's estimated
        work is over the limit (a decision on the problem's size, never on the clock)."""
        if not params.baselines:
            return
        needed = best.plan is None or best.plan.kpis is None or not saves_everyone(best.plan.kpis, bound_w)
        work = baseline_work(planner.name, scenario)
        if not needed and work > params.baseline_work:
            skipped[planner.name] = work
            return
        offer(planner.plan(scenario, seed=seed, callbacks=Callbacks(), commitments=commitments),
              f"baseline:{planner.name}")

    # 1. the greedy rule; 2. the bus optimiser's routes; then CCRP (the baseline likeliest to clear sooner)
    guided(Rule("priority", "best"), None, "rule:priority/best")
    routes = _bus_routes(scenario, commitments, graph, limit_s, deadline, seed, params, meta, fired)
    if routes is not None:
        for exit_rule in ("lookahead", "best"):
            guided(Rule("soonest", exit_rule), routes, f"busopt:{exit_rule}")
    baseline(CcrpPlanner())
    guided(Rule("soonest", "lookahead"), None, "rule:soonest/lookahead")
    guided(Rule("longest", "lookahead"), None, "rule:longest/lookahead")
    # 3. the other baselines
    baseline(GreedyPlanner())
    baseline(FcfsPlanner())
    meta["baselines_skipped"] = {k: float(f"{v:.3g}") for k, v in skipped.items()}
    meta["guided_cut"] = cut
    # 4. GRASP
    iterations = 0
    while not stop(_cost(best.plan)):
        if time.perf_counter() >= deadline:
            fired.append("grasp")
            break
        rule = Rule(rng.choice(("priority", "soonest", "longest")), rng.choice(("best", "lookahead")),
                    rng.uniform(0.0, params.max_noise))
        use_routes = routes is not None and rng.random() < 0.5
        guided(rule, routes if use_routes else None, "grasp" + (":busopt" if use_routes else ""))
        iterations += 1
    if best.plan is None:  # every candidate was refused (never seen): nobody moved is still a valid plan
        best.plan, best.source = _nobody_moves(scenario, commitments), "empty"
    meta["stopped_by"] = "time" if fired else "work"
    meta.update({"construction": best.source, "candidates": best.candidates, "grasp_iterations": iterations,
                 "rejected_by_checker": best.rejected, "search_s": round(time.perf_counter() - t_start, 3)})
    callbacks.on_progress(1000)
    callbacks.on_end()
    return best.plan, meta


def baseline_work(name: str, scenario: Scenario) -> float:
    """Estimated work of running baseline ``name`` on ``scenario``, in abstract units (one unit ≈ 1–3 µs on
    this project's 2-core machine; measured: CCRP on syria-M 2.5e5 units in 0.44 s, on syria-L 1.5e6 in 4.1
    s, on grid-S 1.5e6 in 3.9 s, on grid-M 4.4e7 in 52 s).

    Every dispatch of a busload searches the road graph (``places + links``); CCRP searches it once per
    origin with people waiting, the greedy and FCFS planners once. Busloads are travellers / the smallest
    road seat count. A function of the scenario only, so the decision it drives is reproducible.
    """
    trav = [p for p in scenario.population.people if p.travels]
    seats = min((f.seats for f in scenario.fleets if f.count > 0 and f.seats > 0), default=1)
    loads = math.ceil(len(trav) / seats)
    graph = len(scenario.places) + len(scenario.links)
    sources = len({p.location for p in trav}) if name == "ccrp" else 0
    return float(len(trav) + loads * (sources + 1) * graph)


def _bus_routes(
    scenario: Scenario, commitments: Commitments | None, graph: CachedRoadGraph | None, limit_s: float,
    deadline: float, seed: int, params: SearchParams, meta: dict[str, Any], fired: list[str],
) -> dict[VehicleKey, list[tuple[str, str]]] | None:
    """Each vehicle's (origin, exit) sequence from the bus optimiser, or ``None`` when it does not apply.

    Whether it runs is decided on the problem's size against the configured limit (not on the time left,
    which depends on the machine); it stops on ``busopt_iterations``, its share of the time left being
    only a safety net."""
    if params.busopt_share <= 0 or params.busopt_iterations <= 0:
        return None
    from evac.core.planner.opt.reduce import busloads

    budget = params.busopt_share * limit_s
    run = GuidedRun(scenario, Callbacks(), commitments, rule=Rule(), graph=graph)
    queues, _, _ = run.households(priority_order)
    fleets = run.road_fleets()
    seats = min((f.seats for f in fleets if f.count > 0), default=0)
    n_buses = len(run.vehicles(fleets))
    n_loads = sum(len(busloads([len(h.people) for h in q.items], seats)) for q in queues.values()) if seats else 0
    # the optimiser's first solution costs about 1.2 s for 250 loads and 45 buses, growing with their
    # product, and it ignores the stop until it has one: skip it when that would not fit the budget
    if n_loads == 0 or n_buses == 0 or _FIRST_SOLUTION_S * n_loads * n_buses > budget:
        meta["busopt"] = {"skipped": f"{n_loads} loads x {n_buses} buses, {budget:.1f} s"}
        return None
    from evac.core.planner.busopt import BusProblemError, FirstOf, MaxIterations, MaxRuntime, SolveParams, solve
    from evac.core.planner.opt.reduce import reduce_to_bus_problem

    reduction = reduce_to_bus_problem(run, queues, with_services=False)
    if reduction is None:
        return None
    net_s = params.busopt_share * max(0.0, deadline - time.perf_counter())
    iterations = min(params.busopt_iterations, params.busopt_work // max(1, n_loads * n_buses))
    t0 = time.perf_counter()
    try:
        sol = solve(reduction.problem, stop=FirstOf(MaxIterations(iterations), MaxRuntime(net_s)),
                    seed=seed, params=_busopt_params(SolveParams))
    except (BusProblemError, ValueError):
        return None
    if time.perf_counter() - t0 >= net_s:
        fired.append("busopt")
    # no wall time here: the plan's bytes must not depend on the machine (run.json holds timings)
    meta["busopt"] = {"makespan_h": round(sol.makespan, 3), "lower_bound_h": round(sol.lower_bound, 3),
                      "iterations": sol.iterations, "loads": reduction.problem.n_loads}
    return reduction.routes(sol)


def _busopt_params(cls: Any) -> Any:
    """No exact phase (CP-SAT is reproducible only when it finishes; the routes are a guide anyway)."""
    return replace(cls(), exact_max_loads=0)


def _nobody_moves(scenario: Scenario, commitments: Commitments | None) -> Plan:
    """The plan that moves nobody: every travelling household left behind with its reason."""
    run = GuidedRun(scenario, Callbacks(), commitments, rule=Rule())
    queues, left, total = run.households(priority_order)
    return run.finish("evac", queues, left, total)


def _cost(plan: Plan | None) -> float:
    """The cost a stopping criterion sees: the best plan's clearance (hours; ``inf`` with no plan yet)."""
    k = None if plan is None else plan.kpis
    return math.inf if k is None or k.clearance_h is None else k.clearance_h
