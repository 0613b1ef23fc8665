"""The scenario model's extensions (issue 14) and everything that must follow them: checker, planners,
simulator, file format. Each rule has a checker test of a plan that breaks it, a planner test that plans
keep it, and a file test that a bad value is reported as ``file:line: path: message``.

Synthetic scenarios only: the ``tests/data/tiny.yaml`` network with hand-built variations.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from evac.adapters.scenario.loader import load_scenario
from evac.core.check import Rule, check_plan
from evac.core.errors import EvacError, ModelError, ScenarioError
from evac.core.model import Fleet, Leg, Plan, Scenario
from evac.core.model.feasibility import ProcessingProfile, serves, service_area
from evac.core.model.plan import Trip
from evac.core.planner import CcrpPlanner, EvacPlanner, FcfsPlanner, GreedyPlanner
from evac.core.planner.crossing import CrossingCalendar
from evac.core.planner.lp import combinatorial_bound, lp_bound

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
        out += [f"{trip.id}:{leg.origin}->{leg.destination}" for leg in trip.legs
                if leg.origin not in area or leg.destination not in area]
    return out


# -- 1. fleets restricted to places or a region --------------------------------------------------------
def _with_host_fleet(count_home: int = 3) -> Scenario:
    """tiny with the Lebanese side tagged ``lb`` (the crossing and the haven) and a fleet of host-country
    buses based at the haven that serves only region ``lb``; the home fleet keeps ``count_home`` buses."""
    sc = _tiny()
    places = tuple(replace(p, region="lb") if p.id in ("border", "haven") else p for p in sc.places)
    home = replace(sc.fleets[0], count=count_home)
    host = Fleet("host-buses", "Host-country buses", home.mode, 50, 4, "haven", home.available_from_h,
                 serves=frozenset({"lb"}))
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
    legs = (Leg("border--haven", "haven", "border", 10.0, 11.0),
            Leg("capital--border", "border", "capital", 11.0, 12.0))
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
    path = _broken(tmp_path, "{id: haven, name: Haven, kind: safe_haven,",
                   "{id: haven, region: lb, name: Haven, kind: safe_haven,")
    text = path.read_text().replace(
        "fleets:\n", "fleets:\n  - {id: host, seats: 50, count: 2, depot: haven, serves: [lb, border],"
        ' available_from: "2013-01-22T06:00:00+02:00"}\n')
    path.write_text(text)
    sc = load_scenario(path)
    assert sc.service_area(sc.fleet_by_id["host"]) == frozenset({"haven", "border"})
    assert sc.place_by_id["haven"].region == "lb"


def test_scenario_file_bad_serves_names_file_line_and_path(tmp_path: Path) -> None:
    path = _broken(tmp_path, "seats: 40, count: 3, depot: capital,",
                   "seats: 40, count: 3, depot: capital, serves: [north, mars],")
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


@pytest.mark.parametrize("changes", [((0.0, 5.0),), ((8.0, 0.0), (20.0, 60.0)), ((7.0, 120.0), (9.0, 10.0))],
                         ids=["drop", "stop-and-resume", "surge-then-drop"])
@pytest.mark.parametrize("planner", DISPATCH, ids=lambda p: p.name)
def test_planners_respect_a_varying_rate_and_the_bound_stays_valid(
        planner: GreedyPlanner, changes: tuple[tuple[float, float], ...]) -> None:
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
    path = _broken(tmp_path, "processing_per_h: 60}", 'processing_per_h: 60, processing_changes: '
                   '[{from: "2013-01-22T10:00:00+02:00", per_h: 0}, {from: "2013-01-22T22:00:00+02:00", per_h: 20}]}')
    sc = load_scenario(path)
    assert sc.place_by_id["border"].processing_changes == ((10.0, 0.0), (22.0, 20.0))
    assert sc.place_by_id["border"].peak_processing_per_h == 60.0


@pytest.mark.parametrize(("new", "where", "message"), [
    ('processing_per_h: 60, processing_changes: [{from: "2013-01-22T10:00:00+02:00", per_h: -3}]}',
     "places[3].processing_changes[0].per_h", "greater than or equal to 0"),
    ('processing_per_h: 60, processing_changes: [{from: "2013-01-22T10:00:00+02:00", per_h: 3},'
     ' {from: "2013-01-22T09:00:00+02:00", per_h: 5}]}', "places[3]", "increasing time order"),
    ('processing_changes: [{from: "2013-01-22T10:00:00", per_h: 3}]}', "places[3].processing_changes[0].from",
     "timezone"),
])
def test_scenario_file_bad_processing_changes(tmp_path: Path, new: str, where: str, message: str) -> None:
    path = _broken(tmp_path, "processing_per_h: 60}", new)
    problems = _problems(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "processing_changes" in t)
    hits = [p for p in problems if p.startswith(f"broken.yaml:{line}: {where}: ") and message in p]
    assert hits, problems
