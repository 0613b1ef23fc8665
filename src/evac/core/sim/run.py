"""One Monte Carlo run: sample a future from a seed, execute the plan in it (re-planning if asked), summarise.

Run ``i`` of a job draws everything from ``np.random.default_rng(np.random.SeedSequence([base_seed, i]))``
and from nothing else, so its result is the same whichever process, machine or order runs it, and a run
reported as failed can be replayed alone from ``(base_seed, i)`` with :func:`simulate_run`.

Who counts: the *target* people of a run are the travellers at the start (eligible and wanting to leave,
the people the plan is for, planned or left behind) whose household shows up. A run is *all safe* when
every target person reaches a safe haven. Late deciders are counted apart (decided, carried): the plan
was not made for them, and the question "when must we start" is about the people who asked to go.
"""

from __future__ import annotations

import math
import traceback
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from evac.core.sim.compiled import compile_plan
from evac.core.sim.engine import EPS_H, RunState, execute, fill_late_deciders
from evac.core.sim.replanning import fleets_at, scenario_at

if TYPE_CHECKING:
    import numpy.typing as npt

    from evac.core.model import Fleet, Scenario
    from evac.core.planner.base import Planner
    from evac.core.sim.compiled import CompiledPlan, SimContext
    from evac.core.sim.engine import Execution
    from evac.core.sim.uncertainty import Uncertainty

__all__ = ["RunResult", "SimJob", "SimMode", "failed_run", "run_seed", "simulate_run", "simulate_runs"]


class SimMode(StrEnum):
    AS_PLANNED = "as_planned"  # nobody adapts the plan; only rebooking on services and empty-seat filling
    REPLAN = "replan"  # re-plan at each disruption (and daily while late deciders wait)


@dataclass(frozen=True, eq=False)
class SimJob:
    """Everything a worker needs to run any run of one start; built once, shipped once per worker.

    ``grid_h`` are the hours after the start at which the people-safe curve is sampled; ``window_h`` is how
    long after the start late deciders are counted (the operation's horizon). ``scenario`` and ``planner``
    are needed only in ``replan`` mode.
    """

    ctx: SimContext
    plan: CompiledPlan
    uncertainty: Uncertainty
    base_seed: int
    grid_h: npt.NDArray[np.float64]
    window_h: float
    mode: SimMode = SimMode.AS_PLANNED
    scenario: Scenario | None = None
    planner: Planner | None = None
    replan_every_h: float = 24.0
    label: str = ""


@dataclass(frozen=True, eq=False)
class RunResult:
    """The outcome of run ``run`` (seed ``(base_seed, run)``). People counts; ``clearance_h`` is hours from
    the start to the last target person safe (``None``: nobody). ``safe_curve[j]`` is target people safe by
    ``grid_h[j]`` hours after the start. ``error`` is set (and the counts are zero) when the run failed."""

    run: int
    seed: tuple[int, int]
    target: int
    safe: int
    target_by_class: tuple[int, ...]
    safe_by_class: tuple[int, ...]
    no_show: int
    late_decided: int
    late_carried: int
    replans: int
    breakdowns: int
    write_offs: int
    clearance_h: float | None
    safe_curve: npt.NDArray[np.int64]
    error: str | None = None

    @property
    def left_behind(self) -> int:
        return self.target - self.safe

    @property
    def all_safe(self) -> bool:
        return self.error is None and self.safe == self.target

    @property
    def ok(self) -> bool:
        return self.error is None


def run_seed(base_seed: int, run: int) -> np.random.SeedSequence:
    """The seed of run ``run``: independent streams for every run, whatever executes them."""
    return np.random.SeedSequence([base_seed, run])


def _decisions(ctx: SimContext, st: RunState, start_h: float) -> None:
    """Sample when each potential late decider decides: a Poisson process whose rate steps up at each
    sampled closure after the start (inverse of the piecewise-linear cumulative hazard)."""
    unc = st.unc
    n_u = ctx.n_households - ctx.n_target
    e = st.rng.standard_exponential(n_u)
    if unc.decide_per_day <= 0 or n_u == 0:
        return
    base = unc.decide_per_day / 24.0
    cuts = sorted(c for c in st.threat_h if start_h < c < math.inf)
    knots = [start_h, *cuts]
    rates = [base * (1.0 + unc.decide_boost_per_closure * j) for j in range(len(knots))]
    cum = [0.0]
    for j in range(1, len(knots)):
        cum.append(cum[-1] + rates[j - 1] * (knots[j] - knots[j - 1]))
    cum_a = np.asarray(cum)
    seg = np.searchsorted(cum_a, e, side="right") - 1
    t = np.asarray(knots)[seg] + (e - cum_a[seg]) / np.asarray(rates)[seg]
    st.decide_h[ctx.n_target:] = t


def _initial_state(job: SimJob, rng: np.random.Generator) -> RunState:
    ctx, unc = job.ctx, job.uncertainty
    threat_h = [float(w.sample(rng)) for w in ctx.threat_when]
    # closures that end: their ends are drawn after every start, so a scenario without any draws as before
    ends = [math.inf if u is None else float(u.sample(rng)) for u in ctx.threat_until]
    close = [math.inf] * len(ctx.elements)
    windows: dict[int, list[tuple[float, float]]] = {}
    for j, (e, c) in enumerate(zip(ctx.threat_elem, threat_h, strict=True)):
        if j < len(ends) and math.isfinite(ends[j]):
            if ends[j] > c:
                windows.setdefault(e, []).append((c, ends[j]))
        else:
            close[e] = min(close[e], c)
    n = ctx.n_households
    p = np.full(n, unc.no_show_p("wants_to_leave"))
    p[ctx.n_target:] = unc.no_show_p("undecided")
    shows = rng.random(n) >= p
    st = RunState(rng=rng, unc=unc, close_h=close, threat_h=threat_h, shows=shows, windows=windows,
                  decide_h=np.full(n, math.inf), safe_h=np.full(n, math.inf), done=np.zeros(n, dtype=bool))
    _decisions(ctx, st, job.plan.start_h)
    return st


def _commit(cp: CompiledPlan, st: RunState, ex: Execution, *, before_h: float = math.inf) -> None:
    """Keep the outcome of every household of ``cp`` whose first vehicle left before ``before_h``."""
    for i, g in enumerate(cp.plan_hh):
        if st.done[g] or not st.shows[g] or ex.hh_pickup_h[i] >= before_h:
            continue
        st.done[g] = True
        st.safe_h[g] = ex.hh_safe_h[i]
        for s, k, n in ex.hh_bookings[i]:
            st.service_used[(s, k)] = st.service_used.get((s, k), 0) + n


def _next_event(job: SimJob, st: RunState, ex: Execution, t0: float, window_end: float) -> float | None:
    times = [t for t, _ in ex.disruptions if t > t0 + EPS_H]
    tc = t0 + job.replan_every_h
    if tc <= window_end:
        ctx = job.ctx
        late = st.decide_h[ctx.n_target:] <= tc
        waiting = late & st.shows[ctx.n_target:] & ~st.done[ctx.n_target:]
        if bool(waiting.any()):
            times.append(tc)
    return min(times) if times else None


def _execute_all(job: SimJob, st: RunState) -> int:
    """Execute the plan (and re-plans); commit outcomes into ``st``; return the number of re-plans."""
    ctx = job.ctx
    cp = job.plan
    start = cp.start_h
    window_end = start + job.window_h
    replans = 0
    fleets: tuple[Fleet, ...] = job.scenario.fleets if job.scenario is not None else ()
    t_prev = start
    while True:
        ex = execute(cp, ctx, st)
        t_e = None
        if job.mode is SimMode.REPLAN and replans < st.unc.max_replans:
            t_e = _next_event(job, st, ex, t_prev, window_end)
        if t_e is None:
            _commit(cp, st, ex)
            for g, t in fill_late_deciders(cp, ctx, st, ex, from_h=start, until_h=window_end).items():
                st.safe_h[g] = t
                st.done[g] = True
            return replans
        assert job.scenario is not None and job.planner is not None
        _commit(cp, st, ex, before_h=t_e)
        nt = ctx.n_target
        todo = [g for g in range(ctx.n_households)
                if st.shows[g] and not st.done[g] and (g < nt or st.decide_h[g] <= t_e)]
        fleets = fleets_at(fleets, cp, ex, ctx, t_e)
        sub = scenario_at(job.scenario, ctx, st, todo, fleets, t_e)
        plan = job.planner.plan(sub, start_h=t_e, seed=0)
        cp = compile_plan(plan, sub, ctx)
        replans += 1
        t_prev = t_e


def simulate_run(job: SimJob, run: int) -> RunResult:
    """Run ``run`` of ``job``. Never raises for a failure inside the simulation: the result carries the
    error and the seed, so that the other runs complete and this one can be replayed."""
    try:
        rng = np.random.default_rng(run_seed(job.base_seed, run))
        st = _initial_state(job, rng)
        replans = _execute_all(job, st)
        return _summarise(job, st, run, replans)
    except Exception as exc:  # a failed run is data, reported with its seed
        return failed_run(job, run, traceback.format_exception_only(type(exc), exc)[-1].strip())


def failed_run(job: SimJob, run: int, error: str) -> RunResult:
    """The result of run ``run`` that did not complete (``error`` says why): zero counts, never all safe.

    Also what an executor reports for the runs of a worker that died before returning them, so that every
    run asked for comes back and the aggregation counts it (as not all safe) instead of losing it.
    """
    n_cls = len(job.ctx.class_names)
    return RunResult(run, (job.base_seed, run), 0, 0, (0,) * n_cls, (0,) * n_cls, 0, 0, 0, 0, 0, 0, None,
                     np.zeros(len(job.grid_h), dtype=np.int64), error=error or "failed")


def _summarise(job: SimJob, st: RunState, run: int, replans: int) -> RunResult:
    ctx = job.ctx
    nt = ctx.n_target
    start = job.plan.start_h
    people = ctx.hh_people
    shows_t = st.shows[:nt]
    safe_t = shows_t & np.isfinite(st.safe_h[:nt])
    cls = ctx.hh_class[:nt]
    late_shows = st.shows[nt:] & (st.decide_h[nt:] <= start + job.window_h)
    late_safe = late_shows & np.isfinite(st.safe_h[nt:])
    times = st.safe_h[:nt][safe_t] - start
    weights = people[:nt][safe_t]
    order = np.argsort(times, kind="stable")
    cum = np.concatenate(([0], np.cumsum(weights[order])))
    curve = cum[np.searchsorted(times[order], job.grid_h + EPS_H, side="right")]
    return RunResult(
        run=run, seed=(job.base_seed, run), target=int(people[:nt][shows_t].sum()),
        safe=int(weights.sum()),
        target_by_class=tuple(int(x) for x in cls[shows_t].sum(axis=0)),
        safe_by_class=tuple(int(x) for x in cls[safe_t].sum(axis=0)),
        no_show=int(people[:nt][~shows_t].sum()),
        late_decided=int(people[nt:][late_shows].sum()), late_carried=int(people[nt:][late_safe].sum()),
        replans=replans, breakdowns=st.breakdowns, write_offs=st.write_offs,
        clearance_h=float(times.max()) if len(times) else None, safe_curve=curve.astype(np.int64),
    )


def simulate_runs(job: SimJob, runs: range | list[int]) -> list[RunResult]:
    """Runs in order (the unit of work an executor ships to a worker)."""
    return [simulate_run(job, i) for i in runs]
