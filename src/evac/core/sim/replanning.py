"""Re-planning inside a simulated run: what the crisis cell knows at an event, and a new plan from there.

``evac.core.planner.replan`` (the operational re-planner) did not exist when this was written, so a run in
``replan`` mode re-plans by re-running the greedy planner on what is left, from where the vehicles are:

- households already on the road (their first vehicle left before the event) stay on their trips, and a
  vehicle in the middle of a trip finishes it (DESIGN §4: re-planning changes only the future);
- every other household that shows up, and every late decider who has decided by then, is planned anew;
- each surviving vehicle becomes a one-vehicle fleet at the place and time it is free;
- closures that have happened are known exactly; the others are planned at the policy's quantile of their
  distribution *conditional on not having happened yet*.

Seats already booked on scheduled services are not visible to the new plan; the executor enforces them
(an overbooked household is rebooked on the next departure with seats).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from evac.core.model import Effect, Eligibility, Fixed, Fleet, Population, Threat, Willingness

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.model import Scenario
    from evac.core.sim.compiled import CompiledPlan, SimContext
    from evac.core.sim.compiled import Distribution as _Distribution
    from evac.core.sim.engine import Execution, RunState

__all__ = ["conditional_quantile", "fleets_at", "scenario_at"]


def conditional_quantile(when: _Distribution, q: float, now_h: float) -> float:
    """The ``q`` quantile of ``when`` given that it is later than ``now_h`` (hours).

    Found by bisection on the distribution's quantile function (60 steps: exact to float precision for the
    distributions evac has), so any distribution with a monotone ``quantile`` works.
    """
    if when.quantile(0.0) > now_h:
        return when.quantile(q)
    lo, hi = 0.0, 1.0
    if when.quantile(1.0 - 1e-12) <= now_h:
        return now_h + 1e-3  # all its mass is in the past, yet it has not happened: assume it is imminent
    for _ in range(60):
        mid = (lo + hi) / 2
        if when.quantile(mid) <= now_h:
            lo = mid
        else:
            hi = mid
    return max(when.quantile(hi + q * (1.0 - hi)), now_h + 1e-3)


def fleets_at(fleets: Sequence[Fleet], cp: CompiledPlan, ex: Execution, ctx: SimContext, now_h: float,
              ) -> tuple[Fleet, ...]:
    """Every vehicle still usable at ``now_h`` as a one-vehicle fleet where and when it is next free.

    A vehicle whose trip started before ``now_h`` finishes it; a vehicle stranded by then (a closure or a
    write-off on a trip it started) is gone.
    """
    trips_of = dict(zip(cp.vehicle_keys, cp.vehicle_trips, strict=True))
    v_index = {k: v for v, k in enumerate(cp.vehicle_keys)}
    out: list[Fleet] = []
    for f in fleets:
        for unit in range(f.count):
            key = (f.id, unit)
            free_h, at, lost = max(now_h, f.available_from_h), f.depot, False
            for ti in trips_of.get(key, ()):
                first = cp.trip_first_leg[ti]
                if ex.leg_dep[first] >= now_h:
                    break
                last = first + cp.trip_n_legs[ti] - 1
                if ex.trip_fail[ti] < cp.trip_n_legs[ti]:
                    lost = True
                    break
                free_h, at = max(now_h, ex.leg_arr[last]), ctx.elements[cp.leg_dest[last]]
            v = v_index.get(key)
            if v is not None and ex.vehicle_lost_h[v] <= now_h:
                lost = True
            if lost or free_h >= f.available_until_h:
                continue
            if f.shuttle_to is not None and at != f.depot:
                continue  # a shuttling vessel away from its home port is not re-planned (as in dispatch)
            fid = f.id if f.count == 1 else f"{f.id}.{unit}"
            out.append(replace(f, id=fid, count=1, depot=at, available_from_h=free_h))
    return tuple(out)


def scenario_at(scenario: Scenario, ctx: SimContext, st: RunState, households: Sequence[int],
                fleets: tuple[Fleet, ...], now_h: float) -> Scenario:
    """The scenario as the crisis cell sees it at ``now_h``: the households still to move (global indices;
    late deciders' eligible undecided members now want to leave), the surviving vehicles, the closures
    known so far, and the policy's start moved to ``now_h``."""
    pop = scenario.population
    people = []
    hhs = []
    for g in households:
        h = pop.household_by_id[ctx.hh_ids[g]]
        hhs.append(h)
        for m in h.members:
            p = pop.person_by_id[m]
            if (g >= ctx.n_target and p.eligibility is not Eligibility.INELIGIBLE
                    and p.willingness is Willingness.UNDECIDED):
                p = replace(p, willingness=Willingness.WANTS_TO_LEAVE)
            people.append(p)
    q = scenario.policy.closure_quantile
    threats: list[Threat] = []
    j = 0
    for t in scenario.threats:
        if t.effect is not Effect.CLOSE:
            threats.append(t)
            continue
        c = st.threat_h[j]
        j += 1
        at = c if c <= now_h else conditional_quantile(t.when, q, now_h)
        threats.append(replace(t, when=Fixed(at if math.isfinite(at) else 1e12)))
    return replace(scenario, fleets=fleets, threats=tuple(threats),
                   policy=replace(scenario.policy, start_h=now_h),
                   population=Population(tuple(people), tuple(hhs)))
