"""Planning as one use case for every edge: resolve a planner, plan, bound, check independently.

``evac plan``, ``evac demo``, ``evac ops activate`` and the demo workspace all plan through
:func:`plan_scenario`, so no command or route can hand out a plan that the independent checker
(:mod:`evac.core.check`) has not passed: a plan that breaks a hard constraint raises :class:`PlanRejected`
(with the checker's report) instead of being returned. Such a plan is a planner bug; the CLI says so and
exits 1, the API answers 409 — neither shows it as a plan.

The surge what-if (a share of undecided households deciding to leave) is recorded in the plan's ``meta``
so that :func:`scenario_for` rebuilds the very population a saved plan was made for (``evac check``).

The active plan as the console's map draws it (:func:`active_situation`) is read here too, so that the
API's plan routes hold no queries.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from evac.core.check import check_plan
from evac.core.errors import EvacError
from evac.core.oplog import ClosureEvent, EventType
from evac.core.planner import PLANNERS, EvacPlanner
from evac.services.operations import NoActivePlan

if TYPE_CHECKING:
    from collections.abc import Callable

    from evac.core.check import CheckReport
    from evac.core.model import Plan, Scenario
    from evac.core.planner import Callbacks, Planner
    from evac.services.ops_ports import ActivePlan, Clock, OpsUnitOfWork

    UowFactory = Callable[[], OpsUnitOfWork]

__all__ = ["ActiveSituation", "CheckedPlan", "PlanRejected", "UnknownPlanner", "active_situation", "check",
           "plan_scenario", "planner_names", "resolve_planner", "scenario_for", "with_surge"]


class UnknownPlanner(EvacError, ValueError):
    """No planner has that name (the message lists the names there are)."""


class PlanRejected(EvacError):
    """The independent checker found violations in a plan: it must not be shown or used.

    ``report`` lists every violation; ``plan`` is kept for diagnosis only.
    """

    def __init__(self, plan: Plan, report: CheckReport) -> None:
        self.plan = plan
        self.report = report
        n = len(report.violations)
        first = report.violations[0]
        super().__init__(f"the {plan.planner} plan fails the independent check: {n} violation{'s' if n != 1 else ''}"
                         f" (first: {first.message})")


@dataclass(frozen=True, slots=True)
class CheckedPlan:
    """A plan that passed the independent check, with the scenario it was made and checked for.

    ``scenario`` is the input scenario, or its surged copy when a surge was asked for. ``plan_s``: seconds
    spent planning and bounding; ``check_s``: seconds spent checking.
    """

    plan: Plan
    scenario: Scenario
    report: CheckReport
    plan_s: float
    check_s: float


def planner_names() -> list[str]:
    """The planners an edge may offer, sorted."""
    return sorted(PLANNERS)


def resolve_planner(name: str, *, time_limit_s: float | None = None) -> Planner:
    """The planner called ``name``; ``time_limit_s`` replaces the optimising planner's search time (the
    others do not search and ignore it). Raises :class:`UnknownPlanner`."""
    if name not in PLANNERS:
        raise UnknownPlanner(f"unknown planner {name!r}; choose from {', '.join(planner_names())}")
    chosen = PLANNERS[name]
    if time_limit_s is not None and isinstance(chosen, EvacPlanner):
        chosen = EvacPlanner(time_limit_s=time_limit_s, params=chosen.params)
    return chosen


def with_surge(scenario: Scenario, *, share: float, seed: int) -> Scenario:
    """``scenario`` in which a ``share`` (0–1) of undecided households want to leave (0: unchanged).
    Raises :class:`~evac.core.errors.ModelError` for a share outside [0, 1]."""
    if share == 0:
        return scenario
    from evac.core.population.surge import surge

    return scenario.with_population(surge(scenario.population, share=share, seed=seed))


def scenario_for(plan: Plan, scenario: Scenario) -> Scenario:
    """The scenario ``plan`` was made for: ``scenario`` with the surge recorded in the plan, if any."""
    share = plan.meta.get("surge")
    if not share:
        return scenario
    return with_surge(scenario, share=float(share), seed=int(plan.meta.get("surge_seed", 0)))


def check(plan: Plan, scenario: Scenario) -> CheckReport:
    """The independent check of ``plan``; raises :class:`PlanRejected` when it breaks a hard constraint."""
    report = check_plan(plan, scenario)
    if not report.ok:
        raise PlanRejected(plan, report)
    return report


def plan_scenario(
    scenario: Scenario,
    *,
    planner: str | Planner = "greedy",
    start_h: float | None = None,
    seed: int = 0,
    surge: float = 0.0,
    time_limit_s: float | None = None,
    bound: bool = False,
    callbacks: Callbacks | None = None,
) -> CheckedPlan:
    """Plan ``scenario`` and check the plan independently before anyone sees it.

    Parameters
    ----------
    scenario
        What to plan for.
    planner
        A planner or its name (:func:`resolve_planner`; ``time_limit_s`` applies to a name only).
    start_h
        Start, hours from the scenario's epoch (default: the policy's start).
    seed
        Seed of planners that randomise, and of the surge.
    surge
        Share (0–1) of undecided households who decide to leave; recorded in the plan's ``meta``.
    bound
        Give a plan without a lower bound the affordable one (:func:`evac.core.planner.evac.affordable_bound`),
        so that every plan reports how good it is, whichever planner made it.
    callbacks
        Progress of the planner.

    Raises
    ------
    UnknownPlanner
        ``planner`` names no planner.
    PlanRejected
        The plan breaks a hard constraint (a planner bug): it is not returned.
    """
    chosen = resolve_planner(planner, time_limit_s=time_limit_s) if isinstance(planner, str) else planner
    scenario = with_surge(scenario, share=surge, seed=seed)
    t0 = time.perf_counter()
    plan = chosen.plan(scenario, start_h=start_h, seed=seed, callbacks=callbacks)
    if plan.bound is None and bound:
        from evac.core.planner.evac import affordable_bound

        plan = replace(plan, bound=affordable_bound(scenario.with_policy(replace(scenario.policy,
                                                                                 start_h=plan.start_h))))
    if surge > 0:  # so that `evac check` rebuilds the same population
        plan = replace(plan, meta={**plan.meta, "surge": surge, "surge_seed": seed})
    t1 = time.perf_counter()
    report = check(plan, scenario)
    return CheckedPlan(plan, scenario, report, t1 - t0, time.perf_counter() - t1)


@dataclass(frozen=True, slots=True)
class ActiveSituation:
    """The operation's active plan, its clock and the closures posted so far (scenario hour, target)."""

    active: ActivePlan
    clock: Clock
    posted: tuple[tuple[float, str], ...]


def active_situation(*, uow_factory: UowFactory) -> ActiveSituation:
    """Read the active plan, the clock and the posted closures in one unit of work; raises
    :class:`~evac.services.operations.NoActivePlan` when the operation has no plan yet."""
    with uow_factory() as uow:
        active, clock = uow.ops.active_plan(), uow.ops.clock()
        if active is None or clock is None:
            raise NoActivePlan("no active plan: run `evac ops activate` first")
        posted = tuple((clock.hours(ev.effective_at), ev.target)
                       for _, ev in uow.ops.events(types=[EventType.CLOSURE.value]) if isinstance(ev, ClosureEvent))
    return ActiveSituation(active, clock, posted)
