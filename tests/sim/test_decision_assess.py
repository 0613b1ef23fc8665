"""assess(): the latest safe start on the tiny scenario follows from its one uncertain closure."""

from __future__ import annotations

import numpy as np
from sim_helpers import make_job

from evac.core.decision import assess, latest_start_at, summarise
from evac.core.decision.montecarlo import SweepPoint
from evac.core.planner import GreedyPlanner
from evac.core.sim import SimMode, Uncertainty, simulate_runs


def test_latest_safe_start_is_consistent_with_the_threats(tiny):  # type: ignore[no-untyped-def]
    starts = [6.0 + 6 * i for i in range(10)]
    a = assess(tiny, starts, GreedyPlanner())
    cut = next(t for t in tiny.threats if t.id == "north-road-cut")
    closes_h = cut.when.quantile(tiny.policy.closure_quantile)
    assert a.latest_safe_start_h is not None
    # safe up to some start, then never again once the road to the north has closed
    assert [r.all_safe for r in a.starts] == [r.start_h <= a.latest_safe_start_h for r in a.starts]
    assert a.latest_safe_start_h < closes_h
    assert all(not r.all_safe for r in a.starts if r.start_h > closes_h)
    last = next(r for r in a.starts if r.start_h == a.latest_safe_start_h)
    assert last.last_safe_h is not None and last.binding == "north-road-cut"
    assert last.slack_h is not None and last.slack_h >= 0
    assert [w.threat_id for w in a.closures] == ["north-road-cut"]
    assert a.closures[0].early_h <= a.closures[0].planning_h <= a.closures[0].late_h
    assert set(a.latest_safe_start_by_class_h) == {c.name for c in tiny.policy.priority_classes}


def test_probability_falls_as_the_start_nears_the_closure(tiny):  # type: ignore[no-untyped-def]
    points = []
    for s in (6.0, 30.0, 42.0):
        job = make_job(tiny, s)
        m = summarise(simulate_runs(job, range(300)), start_h=s, grid_h=job.grid_h, class_names=job.ctx.class_names)
        points.append(SweepPoint(s, m.runs, m.p_all_safe, m.p_all_safe_ci))
        assert m.fan[0.05].shape == job.grid_h.shape
        assert np.all(m.fan[0.05] <= m.fan[0.5]) and np.all(m.fan[0.5] <= m.fan[0.95])
    assert points[0].p_all_safe > points[1].p_all_safe > points[2].p_all_safe
    best = latest_start_at(points, 0.9)
    assert best is not None and best.start_h == 30.0
    assert latest_start_at(points, 1.01) is None


def test_replan_mode_carries_late_deciders_and_reacts_to_events(tiny):  # type: ignore[no-untyped-def]
    unc = Uncertainty(decide_per_day=0.5, breakdown_per_h=0.05)
    base = make_job(tiny, 24.0, unc=unc)
    replan = make_job(tiny, 24.0, unc=unc, mode=SimMode.REPLAN, scenario=tiny, planner=GreedyPlanner())
    a = simulate_runs(base, range(40))
    b = simulate_runs(replan, range(40))
    assert all(r.ok for r in a + b)
    assert sum(r.replans for r in b) > 0
    assert sum(r.late_carried for r in b) >= sum(r.late_carried for r in a)
    assert [r.late_decided for r in a] == [r.late_decided for r in b]  # same futures
