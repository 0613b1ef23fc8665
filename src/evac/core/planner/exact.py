"""The exact planner for tiny instances: the lexicographic MIP of :mod:`evac.core.planner.lp.exact_model`.

It exists to measure the others: on instances of at most 30 travellers and 3 vehicles with whole-hour
data it returns an optimal plan (weighted people safe first, then clearance), which the property tests
put between the LP bound and the greedy plan. The plan carries its own values as its bound
(``method="exact-mip"``) when optimality is proved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evac.core.model import Bound, Plan
from evac.core.model.kpis import compute_kpis
from evac.core.planner.base import Callbacks, planning_scenario
from evac.core.planner.lp.exact_model import InexactDataError, solve_exact

if TYPE_CHECKING:
    from evac.core.model import Policy, Scenario

__all__ = ["ExactPlanner"]


class ExactPlanner:
    """Exact MIP planner (see the module docstring).

    ``horizon_h``: hours after the start the grid covers (default: until no asset can move, or 48 h when a
    fleet has no end); ``time_limit_s``: limit of each of the two MIP solves.
    """

    name = "exact"

    def __init__(self, *, horizon_h: float | None = None, time_limit_s: float = 60.0) -> None:
        self.horizon_h = horizon_h
        self.time_limit_s = time_limit_s

    def plan(
        self,
        scenario: Scenario,
        *,
        policy: Policy | None = None,
        start_h: float | None = None,
        seed: int = 0,
        callbacks: Callbacks | None = None,
    ) -> Plan:
        cb = callbacks or Callbacks()
        sc = planning_scenario(scenario, policy, start_h)
        _refuse_unmodelled(sc)
        cb.on_start(1)
        res = solve_exact(sc, horizon_h=self.horizon_h, time_limit_s=self.time_limit_s)
        everyone = not res.left_behind
        bound = None
        if res.proved_optimal and res.meta.get("horizon_covers_all", False):
            bound = Bound("exact-mip", res.safe_weighted, res.clearance_h if everyone else None)
        plan = Plan(
            scenario_id=sc.id, planner=self.name, start_h=sc.policy.start_h, trips=tuple(res.trips),
            itineraries=tuple(res.itineraries), left_behind=tuple(res.left_behind), bound=bound,
            meta={"proved_optimal": res.proved_optimal, "horizon_h": res.horizon_h, **res.meta},
        )
        cb.on_progress(1)
        cb.on_end()
        return plan.with_kpis(compute_kpis(plan, sc))


def _refuse_unmodelled(sc: Scenario) -> None:
    """The MIP models neither rates that change over time, closures that end, service areas nor boarding
    times: refuse such a scenario rather than return a plan the checker would reject."""
    bad = [f"place {p.id} has processing_changes" for p in sc.places if p.processing_changes]
    bad += [f"fleet {f.id} has a service area" for f in sc.fleets if f.serves]
    bad += [f"threat {t.id} ends (until)" for t in sc.threats if t.until is not None]
    bad += [f"fleet {f.id} shuttles ({f.mode})" for f in sc.fleets if f.shuttle_to is not None]
    bad += [f"fleet {f.id} has boarding or unloading times" for f in sc.fleets
            if f.boarding_h is not None or f.unloading_h is not None]
    if bad:
        raise InexactDataError("the exact MIP does not model this scenario: " + ", ".join(bad[:5]))
