"""The console's decision page: when must we start, and how sure are we?

For the operation's scenario (its people from the registry) plus the closures posted during the operation
(each a known, fixed closure), from the next full hour after *now* on:

- **assessment** (:func:`evac.core.decision.assess`): one greedy plan per candidate start, every
  :data:`STEP_H` hours for :data:`SPAN_DAYS` days; the latest start at which every traveller (eligible and
  wanting to leave) is safe before the closures at the policy's quantile, overall and per priority class;
  the clearance of each start against the windows of the closures that matter;
- **probability** (:mod:`evac.core.sim`, mode *as planned*): P(every traveller who shows up is safe) with
  its 95 % Wilson interval, from :data:`RUNS` sampled futures (seed :data:`SEED`) at every
  :data:`MC_EVERY`-th candidate start plus the latest safe start and the candidate after it.

The probability is **not** monotone in the start: a later start can be safer (a threat passes, assets
arrive), and each point is an estimate from its own runs; nothing here assumes otherwise.

Cost (``bench/bench_decision.py``, one core): the 300-person test operation 0.3 s; the 25,000-person Syria
population 2.3 s as generated (1,550 travellers), 7.8 s when a third of the households want to leave (9,087),
18.8 s when everyone eligible does (23,821) — two thirds planning, one third simulation. So
:class:`DecisionCache` computes in a background thread and a request waits only :data:`WAIT_S` seconds.

Times: hours since the operation's start (the active plan's ``start_h``; re-plans keep it) for charts, and
the same moment as a UTC datetime. Only counts and place, link and threat ids leave this module.

The Monte Carlo sweep itself (:func:`sweep`: plans → simulation jobs → runs → summaries and the
P(all safe) points) is the one implementation behind both this page and ``evac simulate``; the CLI passes
its own runner (process pool or Dask, with a progress bar), the page runs in process.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from evac.core.decision import STEP_H as CANDIDATE_STEP_H
from evac.core.decision import THRESHOLD as CORE_THRESHOLD
from evac.core.decision import SweepPoint, assess_plans, latest_safe_start, plan_starts, summarise
from evac.core.model.feasibility import reported_closure
from evac.core.oplog import ClosureEvent, EventType
from evac.core.sim import SimContext, SimJob, SimMode, Uncertainty, compile_plan, simulate_runs
from evac.services.operations import NoActivePlan

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Sequence

    from evac.core.decision import Assessment, LatestSafeStart, MonteCarloSummary
    from evac.core.model import Plan, Scenario, Threat
    from evac.core.planner.base import Callbacks, Planner
    from evac.core.sim import RunResult
    from evac.services.ops_ports import Clock, OpsUnitOfWork

    UowFactory = Callable[[], OpsUnitOfWork]
    RunJobs = Callable[[Sequence[SimJob], Sequence[int]], list[list[RunResult]]]

__all__ = ["MC_EVERY", "RUNS", "SEED", "SPAN_DAYS", "STEP_H", "THRESHOLD", "WAIT_S", "DecisionCache",
           "DecisionInputs", "DecisionResult", "StartsDecision", "Sweep", "compute", "decide_starts", "prepare",
           "run_here", "sim_job", "sweep", "view"]

STEP_H = CANDIDATE_STEP_H
"""Hours between candidate starts (the core's one definition: daily)."""
SPAN_DAYS = 42
"""Days of candidate starts after the first (43 plans: the CLI's ``evac assess`` default)."""
RUNS = 100
"""Monte Carlo runs per start: the 95 % interval is about ±0.07 at P = 0.85 (modest: it must answer fast)."""
SEED = 0
"""Base seed of the runs (run *i* draws from ``SeedSequence([SEED, i])``: the same answer every time)."""
MC_EVERY = 7
"""A probability point every this many candidate starts (weekly), plus the latest safe start and the next."""
THRESHOLD = CORE_THRESHOLD
"""The probability a start must reach (:data:`evac.core.decision.THRESHOLD`; the CLI's ``--threshold``)."""
WAIT_S = 2.0
"""Seconds a request waits for a fresh computation before answering 202 (computing)."""

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class DecisionInputs:
    """What a computation depends on (``key``) and what it needs, read in one unit of work."""

    scenario_ref: str
    people: str  # the registry revision (record count and merges) the result was computed for
    plan_id: int
    generation: int
    clock: Clock
    origin_h: float  # the operation's start (scenario hours): hour 0 of the charts
    first_start_h: float  # the next full hour after now (scenario hours)
    reported: tuple[tuple[float, str], ...]  # closures posted in the operation: (scenario hour, target)

    @property
    def key(self) -> Hashable:
        return (self.scenario_ref, self.people, self.plan_id, self.first_start_h, self.reported)


@dataclass(frozen=True, eq=False)
class DecisionResult:
    """One computation: the assessment of every candidate start and the probability sweep."""

    inputs: DecisionInputs
    planner: str
    scenario_name: str
    assessment: Assessment
    threat_names: dict[str, str]
    reported_ids: frozenset[str]
    points: tuple[SweepPoint, ...]
    failed_runs: int
    computed_at: datetime
    compute_s: float
    latest: LatestSafeStart


def prepare(*, uow_factory: UowFactory, now: datetime) -> DecisionInputs:
    """Read the active plan, the clock, the registry size and the posted closures; raise
    :class:`NoActivePlan` when the operation has no plan yet."""
    with uow_factory() as uow:
        active, clock = uow.ops.active_plan(), uow.ops.clock()
        if active is None or clock is None:
            raise NoActivePlan("no active plan: run `evac ops activate` first")
        people = uow.registry.revision()  # changes with imports and with merges (which delete no row)
        reported = tuple((clock.hours(ev.effective_at), ev.target)
                         for _, ev in uow.ops.events(types=[EventType.CLOSURE.value])
                         if isinstance(ev, ClosureEvent))
    first = float(math.ceil(clock.hours(now) - 1e-9))
    return DecisionInputs(clock.scenario, people, active.id, active.generation, clock, active.plan.start_h, first,
                          reported)


def with_reported(scenario: Scenario, reported: Sequence[tuple[float, str]]) -> Scenario:
    """The scenario plus each closure posted in the operation as a closure known to happen at its time."""
    known = {t.id for t in scenario.threats}
    extra: dict[str, Threat] = {}
    for at_h, target in reported:
        if target in scenario.place_by_id or target in scenario.link_by_id:
            t = reported_closure(target, at_h)
            if t.id not in known:
                extra.setdefault(t.id, t)
    return replace(scenario, threats=(*scenario.threats, *extra.values())) if extra else scenario


# -- the Monte Carlo sweep over start times (this page and `evac simulate`) -----------------------------
GRID_POINTS = 241
"""Samples of the people-safe curve over a run's horizon."""


def sim_job(scenario: Scenario, plan: Plan, *, uncertainty: Uncertainty, seed: int,
            mode: SimMode = SimMode.AS_PLANNED, planner: Planner | None = None,
            ctx: SimContext | None = None) -> SimJob:
    """The simulation job of ``plan``: its horizon is twice the planned clearance (24 h when nothing clears),
    at least 48 h. ``planner`` re-plans in :attr:`SimMode.REPLAN` only; ``ctx`` may be shared by the plans of
    one scenario (it is built from the scenario when omitted)."""
    ctx = SimContext.of(scenario) if ctx is None else ctx
    clear = plan.kpis.clearance_h if plan.kpis is not None and plan.kpis.clearance_h is not None else 24.0
    horizon = max(48.0, 2.0 * clear)
    replan = mode is SimMode.REPLAN
    return SimJob(ctx, compile_plan(plan, scenario, ctx), uncertainty, seed, np.linspace(0.0, horizon, GRID_POINTS),
                  horizon, mode, scenario if replan else None, planner if replan else None,
                  label=scenario.moment(plan.start_h).isoformat())


def run_here(jobs: Sequence[SimJob], counts: Sequence[int]) -> list[list[RunResult]]:
    """Runs ``0 … counts[j] - 1`` of each job, in this process (the default runner of :func:`sweep`)."""
    return [simulate_runs(job, range(n)) for job, n in zip(jobs, counts, strict=True)]


@dataclass(frozen=True, eq=False)
class Sweep:
    """A Monte Carlo sweep: one summary per plan (in the plans' order) and the P(all safe) points by start."""

    summaries: tuple[MonteCarloSummary, ...]
    points: tuple[SweepPoint, ...]

    @property
    def failed_runs(self) -> int:
        """Runs that raised instead of finishing, over every start."""
        return sum(len(s.failed) for s in self.summaries)


def sweep(scenario: Scenario, plans: Sequence[Plan], runs: Sequence[int], *, uncertainty: Uncertainty | None = None,
          seed: int = SEED, mode: SimMode = SimMode.AS_PLANNED, planner: Planner | None = None,
          run: RunJobs = run_here) -> Sweep:
    """Simulate ``runs[i]`` sampled futures of each of ``plans`` (one per start) and summarise them.

    Run *k* of every start draws from ``SeedSequence([seed, k])``, so the answer does not depend on
    ``run`` (in process, a process pool, Dask). Raises :class:`ValueError` unless there is one positive run
    count per plan; ``run`` may raise what its executor raises (e.g. :class:`OSError` for an unreachable
    cluster).
    """
    if len(runs) != len(plans) or any(n < 1 for n in runs):
        raise ValueError(f"one positive run count per plan: {len(plans)} plans, counts {list(runs)}")
    unc = Uncertainty() if uncertainty is None else uncertainty
    ctx = SimContext.of(scenario)
    jobs = [sim_job(scenario, p, uncertainty=unc, seed=seed, mode=mode, planner=planner, ctx=ctx) for p in plans]
    results = run(jobs, runs)
    names = tuple(c.name for c in scenario.policy.priority_classes)
    sums = tuple(summarise(res, start_h=plan.start_h, grid_h=job.grid_h, class_names=names)
                 for res, plan, job in zip(results, plans, jobs, strict=True))
    points = sorted((SweepPoint(s.start_h, s.runs, s.p_all_safe, s.p_all_safe_ci) for s in sums),
                    key=lambda q: q.start_h)
    return Sweep(sums, tuple(points))


@dataclass(frozen=True, eq=False)
class StartsDecision:
    """Every candidate start planned and assessed, the starts simulated (the chart's points and those the
    search for the latest safe start asked about), and that latest safe start."""

    plans: tuple[Plan, ...]
    assessment: Assessment
    summaries: dict[float, MonteCarloSummary]  # by start (hours from the epoch)
    latest: LatestSafeStart

    @property
    def points(self) -> tuple[SweepPoint, ...]:
        """P(all safe) at every simulated start, earliest first."""
        return tuple(sorted((SweepPoint(s.start_h, s.runs, s.p_all_safe, s.p_all_safe_ci)
                             for s in self.summaries.values()), key=lambda q: q.start_h))

    @property
    def failed_runs(self) -> int:
        return sum(len(s.failed) for s in self.summaries.values())


def decide_starts(scenario: Scenario, starts: Sequence[float], planner: Planner, *, runs: int, seed: int = SEED,
                  uncertainty: Uncertainty | None = None, mode: SimMode = SimMode.AS_PLANNED,
                  threshold: float = THRESHOLD, chart_every: int = MC_EVERY, run: RunJobs = run_here,
                  callbacks: Callbacks | None = None) -> StartsDecision:
    """Plan and assess every candidate start, simulate ``runs`` futures at every ``chart_every``-th start (the
    chart) and then decide the latest safe start with :func:`evac.core.decision.latest_safe_start`, simulating
    lazily the candidates its search asks about. The one procedure behind the decision page and ``evac
    simulate``: the same scenario, starts, planner, runs, seed and threshold give the same answer.

    The first batch also holds the latest start that passes the plan test and the candidate after it (where
    the answer usually is), so a process pool or cluster runs them together; further probes run one by one.
    """
    plans = plan_starts(scenario, starts, planner, seed=seed, callbacks=callbacks)
    a = assess_plans(scenario, plans)
    by_start = {p.start_h: p for p in plans}
    picks = set(range(0, len(plans), max(1, chart_every)))
    if a.latest_safe_start_h is not None:
        i = next(k for k, p in enumerate(plans) if p.start_h == a.latest_safe_start_h)
        picks.update({i, min(i + 1, len(plans) - 1)})
    sums: dict[float, MonteCarloSummary] = {}

    def simulate(chosen: list[Plan]) -> None:
        swept = sweep(scenario, chosen, [runs] * len(chosen), uncertainty=uncertainty, seed=seed, mode=mode,
                      planner=planner, run=run)
        for summary in swept.summaries:
            sums[summary.start_h] = summary

    simulate([plans[i] for i in sorted(picks)])

    def probability(h: float) -> SweepPoint:
        if h not in sums:
            simulate([by_start[h]])
        s = sums[h]
        return SweepPoint(s.start_h, s.runs, s.p_all_safe, s.p_all_safe_ci)

    latest = latest_safe_start(a, probability, threshold=threshold)
    return StartsDecision(tuple(plans), a, sums, latest)


def compute(inputs: DecisionInputs, scenario: Scenario, *, planner: Planner, planner_name: str = "greedy",
            runs: int = RUNS, seed: int = SEED, span_days: int = SPAN_DAYS, step_h: float = STEP_H,
            mc_every: int = MC_EVERY, threshold: float = THRESHOLD) -> DecisionResult:
    """Assess every candidate start and simulate the probability points (see the module docstring)."""
    t0 = time.perf_counter()
    sc = with_reported(scenario, inputs.reported)
    starts = [inputs.first_start_h + i * step_h for i in range(span_days * int(24 / step_h) + 1)]
    d = decide_starts(sc, starts, planner, runs=runs, seed=seed, chart_every=mc_every, threshold=threshold)
    reported_ids = frozenset(t.id for t in sc.threats[len(scenario.threats):])
    return DecisionResult(inputs, planner_name, sc.name, d.assessment, {t.id: t.name for t in sc.threats},
                          reported_ids, d.points, d.failed_runs, datetime.now(UTC), time.perf_counter() - t0, d.latest)


def _utc(clock: Clock, h: float | None) -> datetime | None:
    return None if h is None else clock.moment(h).astimezone(UTC)


def _latest(r: DecisionResult, h: float | None, now_h: float) -> dict[str, Any]:
    """A latest safe start as the page shows it: the moment, hours from now, too late, at the range's end."""
    i = r.inputs
    last = r.assessment.starts[-1].start_h if r.assessment.starts else None
    if h is None or h < now_h:
        return {"at": None, "h": None, "in_h": None, "too_late": True, "beyond_range": False}
    return {"at": _utc(i.clock, h), "h": h - i.origin_h, "in_h": round(h - now_h, 3), "too_late": False,
            "beyond_range": last is not None and h >= last}


def view(r: DecisionResult, *, now: datetime) -> dict[str, Any]:
    """The JSON of ``GET /decision`` at moment ``now`` (only "hours from now" depends on it)."""
    i, a, clock = r.inputs, r.assessment, r.inputs.clock
    now_h = clock.hours(now)
    o = i.origin_h
    first = a.starts[0] if a.starts else None
    starts = [{"start": _utc(clock, s.start_h), "start_h": s.start_h - o, "clearance_h": s.clearance_h,
               "last_safe": _utc(clock, s.last_safe_h), "last_safe_h": None if s.last_safe_h is None
               else s.last_safe_h - o, "travelling": s.travelling, "safe": s.safe, "left_behind": s.left_behind,
               "all_safe": s.all_safe, "slack_h": s.slack_h, "binding": s.binding,
               "binding_name": r.threat_names.get(s.binding) if s.binding else None,
               "travelling_by_class": s.travelling_by_class, "safe_by_class": s.safe_by_class,
               "left_behind_by_reason": s.left_behind_by_reason} for s in a.starts]
    closures = [{"id": w.threat_id, "name": w.name, "target": w.target, "kind": w.kind,
                 "reported": w.threat_id in r.reported_ids,
                 "planning": _utc(clock, w.planning_h), "planning_h": w.planning_h - o,
                 "early": _utc(clock, w.early_h), "early_h": w.early_h - o,
                 "late": _utc(clock, w.late_h), "late_h": w.late_h - o} for w in a.closures]
    by_class = [{"name": n, "travelling": first.travelling_by_class.get(n, 0) if first else 0,
                 "latest_safe_start": _latest(r, a.latest_safe_start_by_class_h.get(n), now_h)}
                for n in a.class_names]
    best = r.latest.point

    def point(p: SweepPoint) -> dict[str, Any]:
        return {"start": _utc(clock, p.start_h), "start_h": p.start_h - o, "runs": p.runs,
                "p_all_safe": None if math.isnan(p.p_all_safe) else p.p_all_safe,
                "ci_low": p.ci[0], "ci_high": p.ci[1]}

    offset = clock.epoch.utcoffset()
    return {
        "status": "ready",
        "now": _utc(clock, now_h), "now_h": now_h - o,
        "start": _utc(clock, o), "utc_offset_min": int(offset.total_seconds() // 60) if offset else 0,
        "scenario": r.scenario_name, "plan": i.plan_id, "generation": i.generation, "planner": r.planner,
        "quantile": a.quantile, "step_h": STEP_H if len(a.starts) < 2 else a.starts[1].start_h - a.starts[0].start_h,
        "latest_safe_start": _latest(r, r.latest.start_h, now_h),
        "planned_latest_start": _latest(r, a.latest_safe_start_h, now_h),
        "rejected": [point(p) for p in r.latest.rejected],
        "by_class": by_class, "starts": starts, "closures": closures,
        "probability": {"runs": max((p.runs for p in r.points), default=0), "seed": SEED, "mode": "as_planned",
                        "confidence": 0.95, "threshold": r.latest.threshold, "failed_runs": r.failed_runs,
                        "points": [point(p) for p in r.points],
                        "latest_at_threshold": point(best) if best is not None else None},
        "computed_at": r.computed_at, "compute_s": round(r.compute_s, 3),
    }


@dataclass(eq=False)
class _Entry(Generic[_T]):
    started_at: datetime
    done: threading.Event = field(default_factory=threading.Event)
    value: _T | None = None
    error: Exception | None = None


class DecisionCache(Generic[_T]):
    """Results by key, each computed once in a background (daemon) thread; one computation at a time.

    :meth:`get` starts the computation of a new key and waits up to ``wait_s`` seconds: it returns the value
    when ready, ``None`` while computing, or raises the computation's error (once: the next call retries).
    At most ``keep`` keys are kept (the oldest go first); a computation whose key was dropped before it could
    start is skipped (its waiters see ``None`` and their next call starts it again).
    """

    def __init__(self, *, keep: int = 2) -> None:
        self._entries: dict[Hashable, _Entry[_T]] = {}
        self._lock = threading.Lock()
        self._run = threading.Lock()
        self._keep = keep

    def get(self, key: Hashable, compute: Callable[[], _T], *, wait_s: float = WAIT_S) -> _T | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = _Entry(datetime.now(UTC))
                self._entries[key] = entry
                while len(self._entries) > self._keep:
                    old = next(k for k in self._entries if k != key)
                    del self._entries[old]
                threading.Thread(target=self._work, args=(key, entry, compute), name="evac-decision",
                                 daemon=True).start()
        if not entry.done.wait(wait_s):
            return None
        if entry.error is not None:
            with self._lock:
                if self._entries.get(key) is entry:
                    del self._entries[key]
            raise entry.error
        return entry.value

    def started_at(self, key: Hashable) -> datetime | None:
        with self._lock:
            entry = self._entries.get(key)
        return None if entry is None else entry.started_at

    def _work(self, key: Hashable, entry: _Entry[_T], compute: Callable[[], _T]) -> None:
        with self._run:
            try:
                with self._lock:
                    dropped = self._entries.get(key) is not entry
                if not dropped:
                    entry.value = compute()
            except Exception as exc:  # handed to the caller, who maps it to a status
                entry.error = exc
            finally:
                entry.done.set()

