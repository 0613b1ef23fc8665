"""The optimising planner stops on work, not on time: the same inputs and seed give the same plan on a fast
or a slow machine, and a plan the wall-clock safety net cut says so."""

from __future__ import annotations

import itertools

import pytest
from evac_cases import assert_valid, essence, tiny

from evac.core.planner.evac import EvacParams, EvacPlanner
from evac.core.planner.opt import search as search_module

CROWD = [("north", 5)] * 10 + [("coast", 4)] * 10 + [("capital", 6)] * 10


def test_a_slow_machine_gives_the_same_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = tiny(CROWD)
    planner = EvacPlanner(params=EvacParams(time_limit_s=1e6))
    fast = planner.plan(sc, seed=5)
    clock = itertools.count(0.0, 0.5)  # every look at the clock costs half a second: a very slow machine
    monkeypatch.setattr(search_module.time, "perf_counter", lambda: next(clock))
    slow = planner.plan(sc, seed=5)
    assert essence(slow) == essence(fast)
    assert fast.meta["stopped_by"] == slow.meta["stopped_by"] == "work"
    assert fast.meta["grasp_limit"] > 0 and fast.meta["grasp_iterations"] == fast.meta["grasp_limit"]


def test_a_plan_cut_by_the_safety_net_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = tiny(CROWD)
    clock = itertools.count(0.0, 10.0)  # the net (30 s) fires within a few looks at the clock
    monkeypatch.setattr(search_module.time, "perf_counter", lambda: next(clock))
    plan = EvacPlanner(params=EvacParams(time_limit_s=30.0)).plan(sc, seed=5)
    assert_valid(plan, sc)
    assert plan.meta["stopped_by"] == "time"


def test_a_negative_work_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="work_limit"):
        EvacParams(work_limit=-1)


def test_a_failed_bound_is_recorded_in_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    import evac.core.planner.lp as lp

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(lp, "lp_bound", broken)
    sc = tiny(CROWD)
    plan = EvacPlanner(params=EvacParams(time_limit_s=60.0, work_limit=0)).plan(sc)
    assert plan.meta["bound_failures"] == ["lp: RuntimeError: solver exploded"]
    assert plan.bound is not None and plan.bound.method.startswith("comb")  # the weaker bound, still valid
