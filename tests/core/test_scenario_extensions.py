"""The scenario model's extensions (issue 14) and everything that must follow them: checker, planners,
simulator, file format. Each rule has a checker test of a plan that breaks it, a planner test that plans
keep it, and a file test that a bad value is reported as ``file:line: path: message``.

Synthetic scenarios only: the ``tests/data/tiny.yaml`` network with hand-built variations.
"""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evac.adapters.scenario.loader import load_scenario
from evac.core.check import Rule, check_plan
from evac.core.errors import EvacError, ModelError, ScenarioError
from evac.core.model import Effect, Fixed, Fleet, Leg, Link, Mode, Plan, Scenario, Threat, Uniform
from evac.core.model.feasibility import ClosureSchedule, ProcessingProfile, ready_after, serves, service_area
from evac.core.model.plan import Trip
from evac.core.planner import CcrpPlanner, EvacPlanner, ExactPlanner, FcfsPlanner, GreedyPlanner
from evac.core.planner.crossing import CrossingCalendar
from evac.core.planner.events import Closure
from evac.core.planner.lp import combinatorial_bound, lp_bound
from evac.core.planner.lp.exact_model import InexactDataError
from evac.core.planner.replan import replan_result
from evac.core.sim import SimContext, SimJob, SimMode, Uncertainty, compile_plan
from evac.core.sim.engine import execute
from evac.core.sim.replanning import fleets_at
from evac.core.sim.run import _initial_state, simulate_run

if TYPE_CHECKING:
    from collections.abc import Callable

DATA = Path(__file__).parents[1] / "data"
DISPATCH = (GreedyPlanner(), FcfsPlanner(), CcrpPlanner())


def _tiny() -> Scenario:
    return load_scenario(DATA / "tiny.yaml")


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = (DATA / "tiny.yaml").read_text()
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new))
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def _fleet_legs_outside(plan: Plan, scenario: Scenario) -> list[str]:
    out = []
    for trip in plan.trips:
        fleet = scenario.fleet_by_id.get(trip.asset_id)
        area = None if fleet is None else scenario.service_area(fleet)
        if area is None:
            continue
        out += [
            f"{trip.id}:{leg.origin}->{leg.destination}"
            for leg in trip.legs
            if leg.origin not in area or leg.destination not in area
        ]
    return out


# -- 1. fleets restricted to places or a region --------------------------------------------------------
def _with_host_fleet(count_home: int = 3) -> Scenario:
    """tiny with the Lebanese side tagged ``lb`` (the crossing and the haven) and a fleet of host-country
    buses based at the haven that serves only region ``lb``; the home fleet keeps ``count_home`` buses."""
    sc = _tiny()
    places = tuple(replace(p, region="lb") if p.id in ("border", "haven") else p for p in sc.places)
    home = replace(sc.fleets[0], count=count_home)
    host = Fleet(
        "host-buses", "Host-country buses", home.mode, 50, 4, "haven", home.available_from_h, serves=frozenset({"lb"})
    )
    return replace(sc, places=places, fleets=(home, host))


def test_service_area_rule_in_the_kernel() -> None:
    sc = _with_host_fleet()
    host = sc.fleet_by_id["host-buses"]
    assert service_area(host, sc.places) == frozenset({"border", "haven"})
    assert sc.service_area(sc.fleet_by_id["buses"]) is None
    assert serves(frozenset(), "anywhere", None)
    assert serves(frozenset({"capital"}), "capital", None)
    assert not serves(frozenset({"lb"}), "capital", None)


def test_model_refuses_an_area_without_its_depot_or_naming_nothing() -> None:
    sc = _with_host_fleet()
    host = sc.fleet_by_id["host-buses"]
    with pytest.raises(ModelError, match="depot haven is outside"):
        replace(sc, fleets=(replace(host, serves=frozenset({"border"})),))
    with pytest.raises(EvacError, match="'atlantis', neither a place nor a region"):
        replace(sc, fleets=(replace(host, serves=frozenset({"lb", "atlantis"})),))


def test_checker_flags_a_host_fleet_driven_into_the_war_zone() -> None:
    sc = _with_host_fleet()
    plan = GreedyPlanner().plan(sc)
    assert check_plan(plan, sc).ok
    # the host buses drive from the haven over the border to the capital: outside their area
    legs = (
        Leg("border--haven", "haven", "border", 10.0, 11.0),
        Leg("capital--border", "border", "capital", 11.0, 12.0),
    )
    bad = replace(plan, trips=(*plan.trips, Trip("X1", "host-buses", 0, legs)), kpis=None)
    report = check_plan(bad, sc)
    found = report.of(Rule.SERVICE_AREA)
    assert len(found) == 1, report.violations
    assert "trip X1 leg 1 (border--capital): fleet host-buses serves only lb, not capital" in found[0].message
    assert found[0].message.endswith("[service_area]")


@pytest.mark.parametrize("planner", DISPATCH, ids=lambda p: p.name)
def test_dispatch_planners_keep_fleets_inside_their_area(planner: GreedyPlanner) -> None:
    sc = _with_host_fleet()
    plan = planner.plan(sc)
    report = check_plan(plan, sc)
    assert report.ok, report.violations[:5]
    assert _fleet_legs_outside(plan, sc) == []
    # with no home buses, the host fleet cannot reach anyone: nobody is saved, and nothing illegal is planned
    only_host = _with_host_fleet(count_home=0)
    plan = planner.plan(only_host)
    assert check_plan(plan, only_host).ok
    assert not [t for t in plan.trips if t.asset_id == "host-buses" and t.boardings]
    unrestricted = replace(only_host, fleets=tuple(replace(f, serves=frozenset()) for f in only_host.fleets))
    assert GreedyPlanner().plan(unrestricted).kpis.safe > 0  # type: ignore[union-attr]  # the area is what stops it


def test_evac_planner_keeps_fleets_inside_their_area() -> None:
    sc = _with_host_fleet()
    plan = EvacPlanner(time_limit_s=2).plan(sc)
    assert check_plan(plan, sc).ok
    assert _fleet_legs_outside(plan, sc) == []


def test_scenario_file_fleet_serves(tmp_path: Path) -> None:
    path = _broken(
        tmp_path, "{id: haven, name: Haven, kind: safe_haven,", "{id: haven, region: lb, name: Haven, kind: safe_haven,"
    )
    text = path.read_text().replace(
        "fleets:\n",
        "fleets:\n  - {id: host, seats: 50, count: 2, depot: haven, serves: [lb, border],"
        ' available_from: "2013-01-22T06:00:00+02:00"}\n',
    )
    path.write_text(text)
    sc = load_scenario(path)
    assert sc.service_area(sc.fleet_by_id["host"]) == frozenset({"haven", "border"})
    assert sc.place_by_id["haven"].region == "lb"


def test_scenario_file_bad_serves_names_file_line_and_path(tmp_path: Path) -> None:
    path = _broken(
        tmp_path, "seats: 40, count: 3, depot: capital,", "seats: 40, count: 3, depot: capital, serves: [north, mars],"
    )
    problems = _problems(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "serves: [north, mars]" in t)
    assert f"broken.yaml:{line}: fleets[0].serves[1]: 'mars' is neither a place id nor a region" in problems
    assert f"broken.yaml:{line}: fleets[0].depot: depot 'capital' is outside the places the fleet serves" in problems


# -- 2a. processing rates that change over time -----------------------------------------------------------
def _with_rate_changes(changes: tuple[tuple[float, float], ...]) -> Scenario:
    sc = _tiny()
    places = tuple(replace(p, processing_changes=changes) if p.id == "border" else p for p in sc.places)
    return replace(sc, places=places)


def test_processing_profile_is_the_integral_of_the_rate() -> None:
    p = ProcessingProfile(60.0, ((10.0, 0.0), (12.0, 30.0)))
    assert p.capacity(9.0) == -60.0 and p.capacity(11.0) == 0.0 and p.capacity(14.0) == 60.0
    assert p.rate_at(9.99) == 60.0 and p.rate_at(10.0) == 0.0 and p.rate_at(13.0) == 30.0
    assert p.time_at(-60.0) == 9.0
    assert p.time_at(0.0) == 10.0  # the earliest time the capacity is reached: before the stop
    assert p.time_at(30.0) == 13.0
    assert p.finish(9.5, 60) == 13.0  # 30 before the stop, none for two hours, 30 in the hour at 30 per hour
    stopped = ProcessingProfile(60.0, ((10.0, 0.0),))
    assert stopped.time_at(1.0) == math.inf


def test_checker_judges_a_crossing_by_the_rate_in_force() -> None:
    sc = _tiny()
    plan = GreedyPlanner().plan(sc)
    assert check_plan(plan, sc).ok
    slower = _with_rate_changes(((0.0, 5.0),))  # from the epoch on the post processes 5 an hour, not 60
    report = check_plan(plan, slower)
    found = report.of(Rule.CROSSING_THROUGHPUT)
    assert found, report.violations
    assert "its rate changes over time (60 per hour, then 5 from 0 h)" in found[0].message
    assert found[0].subject == "border"
    # raising the rate later never breaks a plan made for the lower one
    assert check_plan(plan, _with_rate_changes(((100.0, 600.0),))).ok


@pytest.mark.parametrize(
    "changes",
    [((0.0, 5.0),), ((8.0, 0.0), (20.0, 60.0)), ((7.0, 120.0), (9.0, 10.0))],
    ids=["drop", "stop-and-resume", "surge-then-drop"],
)
@pytest.mark.parametrize("planner", DISPATCH, ids=lambda p: p.name)
def test_planners_respect_a_varying_rate_and_the_bound_stays_valid(
    planner: GreedyPlanner, changes: tuple[tuple[float, float], ...]
) -> None:
    sc = _with_rate_changes(changes)
    plan = planner.plan(sc)
    report = check_plan(plan, sc)
    assert report.ok, report.violations[:3]
    kpis = report.kpis
    for bound in (lp_bound(sc), combinatorial_bound(sc)):
        assert bound.safe_weighted_max >= kpis.safe_weighted - 1e-6
        if bound.clearance_h_min is not None and kpis.left_behind == 0 and kpis.clearance_h is not None:
            assert bound.clearance_h_min <= kpis.clearance_h + 1e-6


def test_evac_planner_respects_a_varying_rate() -> None:
    sc = _with_rate_changes(((8.0, 0.0), (20.0, 60.0)))
    plan = EvacPlanner(time_limit_s=2).plan(sc)
    assert check_plan(plan, sc).ok
    assert plan.kpis is not None and plan.kpis.safe > 0


def test_crossing_calendar_with_a_profile_books_on_the_warped_clock() -> None:
    cal = CrossingCalendar(60.0, ProcessingProfile(60.0, ((10.0, 0.0), (12.0, 30.0))))
    assert cal.allocate(9.5, 30) == 10.0
    assert cal.allocate(9.5, 30) == 13.0  # queued behind the first, across the stop
    assert cal.finish(13.0, 30) == 14.0
    assert cal.busy() == [(9.5, 13.0)]


def test_scenario_file_processing_changes(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        "processing_per_h: 60}",
        "processing_per_h: 60, processing_changes: "
        '[{from: "2013-01-22T10:00:00+02:00", per_h: 0}, {from: "2013-01-22T22:00:00+02:00", per_h: 20}]}',
    )
    sc = load_scenario(path)
    assert sc.place_by_id["border"].processing_changes == ((10.0, 0.0), (22.0, 20.0))
    assert sc.place_by_id["border"].peak_processing_per_h == 60.0


@pytest.mark.parametrize(
    ("new", "where", "message"),
    [
        (
            'processing_per_h: 60, processing_changes: [{from: "2013-01-22T10:00:00+02:00", per_h: -3}]}',
            "places[3].processing_changes[0].per_h",
            "greater than or equal to 0",
        ),
        (
            'processing_per_h: 60, processing_changes: [{from: "2013-01-22T10:00:00+02:00", per_h: 3},'
            ' {from: "2013-01-22T09:00:00+02:00", per_h: 5}]}',
            "places[3]",
            "increasing time order",
        ),
        (
            'processing_changes: [{from: "2013-01-22T10:00:00", per_h: 3}]}',
            "places[3].processing_changes[0].from",
            "timezone",
        ),
    ],
)
def test_scenario_file_bad_processing_changes(tmp_path: Path, new: str, where: str, message: str) -> None:
    path = _broken(tmp_path, "processing_per_h: 60}", new)
    problems = _problems(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "processing_changes" in t)
    hits = [p for p in problems if p.startswith(f"broken.yaml:{line}: {where}: ") and message in p]
    assert hits, problems


# -- 2b. closures that end (reopenings) ---------------------------------------------------------------------
def _with_spell(target: str, start_h: float, end_h: float) -> Scenario:
    """tiny with ``target`` closed from ``start_h`` until it reopens at ``end_h`` (fixed times)."""
    sc = _tiny()
    spell = Threat("spell", "Closed for a while", target, Effect.CLOSE, Fixed(start_h), until=Fixed(end_h))
    return replace(sc, threats=(*sc.threats, spell))


def test_a_closure_that_ends_is_a_window_in_the_kernel() -> None:
    t = Threat("x", "x", "road", Effect.CLOSE, Uniform(10.0, 20.0), until=Uniform(30.0, 50.0))
    sched = ClosureSchedule.from_threats((t,), quantile=0.1)
    assert sched.times == {} and sched.windows == {"road": ((11.0, 48.0),)}  # start at q, end at 1 - q
    assert sched.leg_open("a", "road", "b", 8.0, 11.0)  # arrives as it closes
    assert sched.blocker("a", "road", "b", 8.0, 12.0) == ("road", 11.0)
    assert sched.leg_open("a", "road", "b", 48.0, 50.0)  # leaves as it reopens
    assert sched.next_departure("a", "road", "b", 2.0, 10.0) == 48.0
    assert sched.latest_departure_by("a", "road", "b", 2.0, 47.0) == 9.0
    head = ClosureSchedule.from_threats((replace(t, target="b"),), quantile=0.1)
    assert head.next_departure("a", "road", "b", 2.0, 10.0) == 46.0  # arrives as b reopens
    with pytest.raises(ModelError, match="only a closure can end"):
        Threat("d", "d", "road", Effect.DANGER, Fixed(1.0), until=Fixed(2.0))


def test_checker_flags_a_leg_inside_a_closed_spell() -> None:
    sc = _tiny()
    plan = GreedyPlanner().plan(sc)
    leg = next(lg for t in plan.trips for lg in t.legs if lg.link_id == "capital--border")
    spell = _with_spell("capital--border", leg.depart_h + 0.25, leg.depart_h + 5)
    found = check_plan(plan, spell).of(Rule.CLOSURE)
    assert found, "the plan drives into the closed spell"
    assert "while it is closed from" in found[0].message and "until it reopens at" in found[0].message
    # the same road closed before the plan starts and reopened before it drives: nothing to say
    assert check_plan(plan, _with_spell("capital--border", -10.0, 0.0)).ok


@pytest.mark.parametrize("planner", DISPATCH, ids=lambda p: p.name)
def test_planners_wait_for_a_reopening_and_the_bound_stays_valid(planner: GreedyPlanner) -> None:
    sc = _with_spell("border", 5.0, 12.0)  # the crossing is shut until noon, then reopens for good
    plan = planner.plan(sc)
    report = check_plan(plan, sc)
    assert report.ok, report.violations[:3]
    through = [lg for t in plan.trips for lg in t.legs if "border" in (lg.origin, lg.destination)]
    assert all(not 5.0 + 1e-6 < lg.arrive_h < 12.0 - 1e-6 for lg in through)
    assert report.kpis.safe > 0
    for bound in (lp_bound(sc), combinatorial_bound(sc)):
        assert bound.safe_weighted_max >= report.kpis.safe_weighted - 1e-6
    # closed for good instead, nobody crosses there
    shut = replace(sc, threats=tuple(replace(t, until=None) for t in sc.threats))
    assert not [lg for t in planner.plan(shut).trips for lg in t.legs if lg.destination == "border"]


def test_evac_planner_waits_for_a_reopening() -> None:
    sc = _with_spell("capital--border", 6.0, 14.0)
    plan = EvacPlanner(time_limit_s=2).plan(sc)
    assert check_plan(plan, sc).ok


def test_simulator_runs_into_a_spell_the_plan_did_not_know() -> None:
    plain = _tiny()
    spell = _with_spell("capital--border", 0.0, 30.0)
    plan = GreedyPlanner().plan(plain)
    ctx = SimContext.of(spell)
    job = SimJob(ctx, compile_plan(plan, spell, ctx), Uncertainty.none(), 0, np.linspace(0, 48, 97), 48.0)
    hit = simulate_run(job, 0)
    ctx0 = SimContext.of(plain)
    job0 = SimJob(ctx0, compile_plan(plan, plain, ctx0), Uncertainty.none(), 0, np.linspace(0, 48, 97), 48.0)
    assert hit.safe < simulate_run(job0, 0).safe
    # a plan made knowing the spell is carried out in full in the future it planned for
    known = GreedyPlanner().plan(spell)
    job1 = SimJob(ctx, compile_plan(known, spell, ctx), Uncertainty.none(), 0, np.linspace(0, 96, 97), 96.0)
    assert simulate_run(job1, 0).safe == known.kpis.safe  # type: ignore[union-attr]


def test_scenario_file_until(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        "target: capital--north, effect: close,",
        'target: capital--north, effect: close, until: {fixed: "2013-01-25T00:00:00+02:00"},',
    )
    sc = load_scenario(path)
    assert sc.threats[0].until == Fixed(72.0)
    bad = _broken(
        tmp_path,
        'effect: danger, when: {fixed: "2013-01-22T00:00:00+02:00"}',
        'effect: danger, when: {fixed: "2013-01-22T00:00:00+02:00"}, until: {fixed: "2013-01-23T00:00:00Z"}',
    )
    problems = _problems(bad)
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "until:" in t)
    assert any(p.startswith(f"broken.yaml:{line}: threats[1]: ") and "needs effect close" in p for p in problems)
    naive = _broken(
        tmp_path,
        "target: capital--north, effect: close,",
        'target: capital--north, effect: close, until: {fixed: "2013-01-25T00:00:00"},',
    )
    problems = _problems(naive)
    line = next(i for i, t in enumerate(naive.read_text().splitlines(), 1) if "until:" in t)
    assert any(p.startswith(f"broken.yaml:{line}: threats[0].until.fixed: ") and "timezone" in p for p in problems)


def test_greedy_crosses_the_border_once_it_reopens() -> None:
    sc = _with_spell("border", 5.0, 12.0)
    plan = GreedyPlanner().plan(sc)
    through = [lg for t in plan.trips for lg in t.legs if lg.destination == "border"]
    assert through and min(lg.arrive_h for lg in through) >= 12.0 - 1e-6


# -- 3. boarding and unloading times per fleet ---------------------------------------------------------------
def _with_slow_boarding(boarding_h: float = 2.0, unloading_h: float = 1.0) -> Scenario:
    sc = _tiny()
    fleets = tuple(replace(f, boarding_h=boarding_h, unloading_h=unloading_h) for f in sc.fleets)
    return replace(sc, fleets=fleets)


def test_ready_after_unloads_then_boards() -> None:
    f = _with_slow_boarding().fleets[0]
    assert ready_after(10.0, alighted=True, boards=True, fleet=f) == 13.0
    assert ready_after(10.0, alighted=False, boards=True, fleet=f) == 12.0
    assert ready_after(10.0, alighted=True, boards=False, fleet=f) == 11.0
    plain = _tiny().fleets[0]
    assert ready_after(10.0, alighted=True, boards=True, fleet=plain, default_boarding_h=0.5) == 10.5


def test_checker_flags_a_vehicle_that_leaves_before_boarding_is_done() -> None:
    plan = GreedyPlanner().plan(_tiny())  # planned with the policy's half hour
    slow = _with_slow_boarding()
    found = check_plan(plan, slow).of(Rule.BOARDING_TIME)
    assert found
    assert (
        "boarding take 2 h (fleet buses)" in found[0].message or "unloading and boarding take 3 h" in found[0].message
    ), found[0].message
    assert check_plan(plan, _tiny()).ok  # without the fleet's times it is a habit, not a rule


@pytest.mark.parametrize("planner", DISPATCH, ids=lambda p: p.name)
def test_planners_give_each_fleet_its_boarding_and_unloading_time(planner: GreedyPlanner) -> None:
    sc = _with_slow_boarding()
    plan = planner.plan(sc)
    report = check_plan(plan, sc)
    assert report.ok, report.violations[:3]
    assert report.kpis.safe > 0
    by_vehicle: dict[tuple[str, int], list[Trip]] = {}
    for t in plan.trips:
        if t.asset_id == "buses":
            by_vehicle.setdefault((t.asset_id, t.unit), []).append(t)
    for trips in by_vehicle.values():
        trips.sort(key=lambda t: t.depart_h)
        for prev, cur in pairwise(trips):
            assert cur.depart_h >= prev.arrive_h + 1.0 - 1e-6  # unloaded before it moves on
    quick = planner.plan(_tiny()).kpis
    assert quick is not None and report.kpis.clearance_h is not None and quick.clearance_h is not None
    assert report.kpis.clearance_h >= quick.clearance_h  # slower loading never clears sooner here


def test_evac_planner_and_simulator_keep_boarding_times() -> None:
    sc = _with_slow_boarding()
    plan = EvacPlanner(time_limit_s=2).plan(sc)
    assert check_plan(plan, sc).ok
    ctx = SimContext.of(sc)
    job = SimJob(ctx, compile_plan(plan, sc, ctx), Uncertainty.none(), 0, np.linspace(0, 96, 97), 96.0)
    assert simulate_run(job, 0).safe == plan.kpis.safe  # type: ignore[union-attr]


def test_scenario_file_boarding_times(tmp_path: Path) -> None:
    path = _broken(tmp_path, "seats: 40, count: 3,", "seats: 40, count: 3, boarding_h: 1.5, unloading_h: 0.25,")
    f = load_scenario(path).fleets[0]
    assert (f.boarding_h, f.unloading_h) == (1.5, 0.25)
    bad = _broken(tmp_path, "seats: 40, count: 3,", "seats: 40, count: 3, boarding_h: -1,")
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "boarding_h: -1" in t)
    assert any(
        p.startswith(f"broken.yaml:{line}: fleets[0].boarding_h: ") and "greater than or equal to 0" in p
        for p in _problems(bad)
    )


# -- 5. sea and air fleets that the operation cycles ---------------------------------------------------------
def _with_airlift(
    count: int = 2, boarding_h: float = 1.0, unloading_h: float = 2.0, from_h: float = 6.0, until_h: float = math.inf
) -> Scenario:
    """tiny with an aircraft fleet of its own shuttling between the coast airport and home (and the flight
    back), instead of the scheduled airlift; the land border is shut."""
    sc = _tiny()
    back = Link("home--airport", "home", "airport", Mode.AIR, 4.0)
    jets = Fleet(
        "jets",
        "Chartered jets",
        Mode.AIR,
        60,
        count,
        "airport",
        from_h,
        until_h,
        boarding_h=boarding_h,
        unloading_h=unloading_h,
        shuttle_to="home",
    )
    shut = Threat("border-shut", "Border shut", "border", Effect.CLOSE, Fixed(0.0))  # so the way out is by air
    return replace(sc, links=(*sc.links, back), fleets=(*sc.fleets, jets), services=(), threats=(*sc.threats, shut))


def _jets(plan: Plan) -> dict[int, list[Trip]]:
    out: dict[int, list[Trip]] = {}
    for t in plan.trips:
        if t.asset_id == "jets":
            out.setdefault(t.unit, []).append(t)
    return {u: sorted(ts, key=lambda t: t.depart_h) for u, ts in out.items()}


@pytest.mark.parametrize("planner", DISPATCH, ids=lambda p: p.name)
def test_planners_cycle_an_air_fleet_and_the_checker_accepts_it(planner: GreedyPlanner) -> None:
    sc = _with_airlift()
    plan = planner.plan(sc)
    report = check_plan(plan, sc)
    assert report.ok, report.violations[:3]
    jets = _jets(plan)
    assert jets, "the fleet flies"
    for trips in jets.values():
        assert trips[0].legs[0].origin == "airport" and trips[0].depart_h >= 6.0 + 1.0 - 1e-6
        for t in trips:
            assert [lg.link_id for lg in t.legs][:1] == ["airport--home"] and t.boardings
            if len(t.legs) == 2:  # back, after unloading at home
                assert t.legs[1].depart_h >= t.legs[0].arrive_h + 2.0 - 1e-6
        for prev, cur in pairwise(trips):
            assert cur.depart_h >= prev.arrive_h + 1.0 - 1e-6  # loads again before it leaves
    for bound in (lp_bound(sc), combinatorial_bound(sc)):
        assert bound.safe_weighted_max >= report.kpis.safe_weighted - 1e-6


def test_checker_flags_a_ferry_that_turns_round_too_fast() -> None:
    sc = _with_airlift()
    plan = GreedyPlanner().plan(sc)
    trip = next(t for ts in _jets(plan).values() for t in ts if len(t.legs) == 2)
    out, back = trip.legs
    hasty = replace(trip, legs=(out, replace(back, depart_h=out.arrive_h + 0.5, arrive_h=out.arrive_h + 4.5)))
    bad = replace(plan, trips=tuple(hasty if t.id == trip.id else t for t in plan.trips), kpis=None)
    found = check_plan(bad, sc).of(Rule.BOARDING_TIME)
    assert found and f"trip {trip.id} leg 1 (home--airport)" in found[0].message
    assert "unloading take 2 h (fleet jets)" in found[0].message


def test_simulator_flies_the_cycled_fleet_as_planned() -> None:
    sc = _with_airlift()
    plan = CcrpPlanner().plan(sc)
    ctx = SimContext.of(sc)
    job = SimJob(ctx, compile_plan(plan, sc, ctx), Uncertainty.none(), 0, np.linspace(0, 96, 97), 96.0)
    assert simulate_run(job, 0).safe == plan.kpis.safe  # type: ignore[union-attr]


def test_evac_planner_cycles_the_fleet() -> None:
    sc = _with_airlift()
    plan = EvacPlanner(time_limit_s=2).plan(sc)
    assert check_plan(plan, sc).ok and _jets(plan)


@pytest.mark.parametrize(
    ("new", "where", "message"),
    [
        ("seats: 40, count: 3, mode: sea,", "fleets[0]", "a sea fleet needs shuttle_to"),
        ("seats: 40, count: 3, shuttle_to: north,", "fleets[0]", "shuttle_to is for sea and air fleets"),
        (
            "seats: 40, count: 3, mode: air, depot: airport, shuttle_to: haven, depot_was: x,",
            "fleets[0].depot_was",
            "unknown field",
        ),
    ],
)
def test_scenario_file_bad_cycled_fleet(tmp_path: Path, new: str, where: str, message: str) -> None:
    path = _broken(tmp_path, "seats: 40, count: 3,", new)
    if "depot: airport" in new:
        path.write_text(path.read_text().replace("depot_was: x, depot: capital,", "depot_was: x,"))
    problems = _problems(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "id: buses" in t)
    assert any(p.startswith(f"broken.yaml:{line}: {where}: ") and message in p for p in problems), problems


def test_scenario_file_cycled_fleet_needs_its_link(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        "seats: 40, count: 3, depot: capital,",
        "seats: 40, count: 3, mode: air, depot: airport, shuttle_to: haven,",
    )
    problems = _problems(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "id: buses" in t)
    assert f"broken.yaml:{line}: fleets[0].shuttle_to: no air link from 'airport' to 'haven' to shuttle on" in problems


def test_libya_ferries_are_a_fleet_the_operation_cycles() -> None:
    sc = load_scenario("libya-2011")
    ferries = sc.fleet_by_id["ferries-crete"]
    assert (ferries.mode, ferries.shuttle_to, ferries.boarding_h) == (Mode.SEA, "heraklion", 6.0)
    assert "ferries-crete" not in sc.service_by_id
    plan = GreedyPlanner().plan(sc)
    assert check_plan(plan, sc).ok
    sailings = [t for t in plan.trips if t.asset_id in ("ferries-crete", "ferry-venizelos")]
    assert len(sailings) >= 3 and sum(t.people for t in sailings) > 5_000
    by_vessel: dict[tuple[str, int], list[Trip]] = {}
    for t in sailings:
        by_vessel.setdefault((t.asset_id, t.unit), []).append(t)
    assert any(len(ts) > 1 for ts in by_vessel.values())  # a vessel came back for more
    for ts in by_vessel.values():
        for t in ts:
            assert t.legs[0].origin == "benghazi-port" and t.legs[0].destination == "heraklion"


# -- re-plans keep every new rule ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        _with_host_fleet,
        lambda: _with_rate_changes(((8.0, 0.0), (20.0, 60.0))),
        lambda: _with_spell("border", 5.0, 12.0),
        _with_slow_boarding,
        _with_airlift,
    ],
    ids=["service-area", "varying-rate", "reopening", "boarding-times", "cycled-fleet"],
)
@pytest.mark.parametrize("planner", DISPATCH, ids=lambda p: p.name)
def test_a_replan_after_a_closure_keeps_the_new_rules(make: Callable[[], Scenario], planner: GreedyPlanner) -> None:
    sc = make()
    plan = planner.plan(sc)
    now = 9.0
    result = replan_result(sc, plan, [Closure(now, "capital--north")], now, planner=planner)
    report = check_plan(result.plan, result.scenario)
    assert report.ok, report.violations[:3]


@pytest.mark.parametrize(
    "make",
    [
        _with_host_fleet,
        lambda: _with_rate_changes(((8.0, 0.0),)),
        lambda: _with_spell("border", 5.0, 12.0),
        _with_slow_boarding,
        _with_airlift,
    ],
    ids=["service-area", "varying-rate", "reopening", "boarding-times", "cycled-fleet"],
)
def test_the_exact_mip_refuses_what_it_does_not_model(make: Callable[[], Scenario]) -> None:
    with pytest.raises(InexactDataError, match="does not model this scenario"):
        ExactPlanner().plan(make())


def test_monte_carlo_with_replanning_runs_a_cycled_fleet() -> None:
    sc = _with_airlift()
    plan = GreedyPlanner().plan(sc)
    ctx = SimContext.of(sc)
    job = SimJob(
        ctx,
        compile_plan(plan, sc, ctx),
        Uncertainty(),
        3,
        np.linspace(0, 96, 97),
        96.0,
        mode=SimMode.REPLAN,
        scenario=sc,
        planner=GreedyPlanner(),
        replan_every_h=6.0,
    )
    results = [simulate_run(job, r) for r in range(4)]
    assert all(r.error is None for r in results), [r.error for r in results]


def test_sim_replanning_leaves_a_vessel_away_from_home_alone() -> None:
    sc = _with_airlift(from_h=20.0, until_h=30.0)  # one flight each (21 to 25 h), no time to fly back
    plan = GreedyPlanner().plan(sc)
    assert check_plan(plan, sc).ok
    flights = [t for ts in _jets(plan).values() for t in ts]
    assert flights and all(len(t.legs) == 1 for t in flights)
    ctx = SimContext.of(sc)
    cp = compile_plan(plan, sc, ctx)
    job = SimJob(ctx, cp, Uncertainty.none(), 0, np.linspace(0, 96, 97), 96.0)
    ex = execute(cp, ctx, _initial_state(job, np.random.default_rng(0)))
    now = max(t.arrive_h for t in flights) + 0.5
    fleets = fleets_at(sc.fleets, cp, ex, ctx, now)
    assert not any(f.id.startswith("jets") and f.depot == "home" for f in fleets)


def test_the_console_map_shows_when_a_closure_ends() -> None:
    from evac.adapters.reports.geo_json import situation

    sc = _with_spell("border", 5.0, 12.0)
    plan = GreedyPlanner().plan(sc)
    d = situation(sc, plan, start_at=sc.moment(plan.start_h), posted=(), now_h=plan.start_h)
    [spell] = [c for c in d["closures"] if c["id"] == "spell"]
    assert spell["from_h"] == pytest.approx(5.0 - plan.start_h) and spell["to_h"] == pytest.approx(12.0 - plan.start_h)
    assert all(c["to_h"] is None for c in d["closures"] if c["id"] != "spell")


# -- properties: any mix of the new rules, every dispatch planner's plan passes the checker -------------------
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rates=st.lists(st.tuples(st.floats(0.0, 60.0), st.sampled_from([0.0, 5.0, 30.0, 120.0])), max_size=3),
    spell=st.one_of(
        st.none(),
        st.tuples(
            st.sampled_from(["border", "capital--border", "airport", "coast"]),
            st.floats(0.0, 40.0),
            st.floats(0.5, 30.0),
        ),
    ),
    boarding=st.one_of(st.none(), st.tuples(st.floats(0.0, 3.0), st.floats(0.0, 3.0))),
    airlift=st.booleans(),
)
def test_any_mix_of_the_new_rules_gives_valid_plans(
    rates: list[tuple[float, float]],
    spell: tuple[str, float, float] | None,
    boarding: tuple[float, float] | None,
    airlift: bool,
) -> None:
    sc = _with_airlift() if airlift else _tiny()
    changes = tuple(sorted({round(t, 3): r for t, r in rates}.items()))
    places = tuple(replace(p, processing_changes=changes) if p.id == "border" else p for p in sc.places)
    threats = sc.threats
    if spell is not None:
        target, start, length = spell
        threats = (*threats, Threat("spell", "spell", target, Effect.CLOSE, Fixed(start), until=Fixed(start + length)))
    fleets = sc.fleets
    if boarding is not None:
        fleets = tuple(replace(f, boarding_h=boarding[0], unloading_h=boarding[1]) for f in fleets)
    sc = replace(sc, places=places, threats=threats, fleets=fleets)
    for planner in DISPATCH:
        plan = planner.plan(sc)
        report = check_plan(plan, sc)
        assert report.ok, (planner.name, [str(v) for v in report.violations[:3]])
        bound = combinatorial_bound(sc)
        assert bound.safe_weighted_max >= report.kpis.safe_weighted - 1e-6
