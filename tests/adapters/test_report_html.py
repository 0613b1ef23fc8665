"""The HTML report, read the way a person reads it: parsed with BeautifulSoup, asserting on what is shown."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup, Tag

from evac.adapters.reports.html import MAX_TRIP_ROWS, render_report
from evac.adapters.reports.html_geo import clip_ring, decode_topojson, world_countries
from evac.core.model import (
    Boarding,
    Bound,
    Category,
    Effect,
    Eligibility,
    Fixed,
    Fleet,
    Household,
    Itinerary,
    KPIs,
    LeftBehind,
    LeftBehindReason,
    Leg,
    Link,
    Mode,
    PartialDate,
    Person,
    Place,
    PlaceKind,
    Plan,
    Policy,
    Population,
    Relation,
    Scenario,
    Script,
    Service,
    Sex,
    Threat,
    Triangular,
    Trip,
    Uniform,
    Vulnerability,
    Willingness,
)

GENERATED = datetime(2013, 1, 22, 5, 0, tzinfo=UTC)


# -- a small Syria ------------------------------------------------------------------------------------


def _person(pid: str, hid: str, given: str, family: str, loc: str, *, relation: Relation = Relation.HEAD,
            vuln: frozenset[Vulnerability] = frozenset(), willing: Willingness = Willingness.WANTS_TO_LEAVE,
            eligibility: Eligibility = Eligibility.CITIZEN, sex: Sex = Sex.FEMALE) -> Person:
    return Person(
        id=pid, household_id=hid, given=given, family=family, patronymic="", script=Script.LATIN,
        given_latin=given, family_latin=family, patronymic_latin="", birth=PartialDate(1980),
        sex=sex, nationalities=("RU",), category=Category.RESIDENT, vulnerabilities=vuln,
        willingness=willing, eligibility=eligibility, location=loc, relation=relation,
    )


def _family(hid: str, loc: str, family: str, children: int, *, husband: bool = True,
            willing: Willingness = Willingness.WANTS_TO_LEAVE) -> list[Person]:
    people = [_person(f"{hid}-m", hid, "Olga", family, loc, willing=willing)]
    if husband:
        people.append(_person(f"{hid}-h", hid, "Ahmad", family, loc, relation=Relation.SPOUSE, sex=Sex.MALE,
                              eligibility=Eligibility.INELIGIBLE))
    people += [_person(f"{hid}-c{i}", hid, f"Child{i}", family, loc, relation=Relation.CHILD,
                       vuln=frozenset({Vulnerability.CHILD}), willing=willing) for i in range(children)]
    return people


def sample_scenario(*, place_names: dict[str, str] | None = None) -> Scenario:
    """Three Syrian cities, the Masnaa crossing to Beirut, Latakia airport with flights to Moscow."""
    names = place_names or {}
    places = tuple(
        Place(pid, names.get(pid, name), kind, lat, lon, country, processing_per_h=proc, population=pop)
        for pid, name, kind, lat, lon, country, proc, pop in [
            ("dam", "Damascus", PlaceKind.CITY, 33.5131, 36.2919, "SY", None, 1_700_000),
            ("homs", "Homs", PlaceKind.CITY, 34.7268, 36.7234, "SY", None, 650_000),
            ("lat", "Latakia", PlaceKind.CITY, 35.5317, 35.7901, "SY", None, 384_000),
            ("masnaa", "Masnaa", PlaceKind.BORDER_CROSSING, 33.7029, 35.9240, "LB", 210.0, None),
            ("bey", "Beirut", PlaceKind.SAFE_HAVEN, 33.8933, 35.5016, "LB", None, None),
            ("ltk", "Latakia airport", PlaceKind.AIRPORT, 35.4008, 35.9486, "SY", None, None),
            ("mow", "Moscow Domodedovo", PlaceKind.SAFE_HAVEN, 55.4088, 37.9063, "RU", None, None),
        ]
    )
    links = (
        Link("r-dam-masnaa", "dam", "masnaa", Mode.ROAD, 1.0, 50),
        Link("r-masnaa-bey", "masnaa", "bey", Mode.ROAD, 1.5, 56),
        Link("r-homs-dam", "homs", "dam", Mode.ROAD, 2.0, 160),
        Link("r-homs-lat", "homs", "lat", Mode.ROAD, 2.2, 185),
        Link("r-lat-ltk", "lat", "ltk", Mode.ROAD, 0.4, 22),
        Link("a-ltk-mow", "ltk", "mow", Mode.AIR, 4.5, 2300),
    )
    fleets = (
        Fleet("coach", "Coach, 50 seats", Mode.ROAD, 50, 3, "dam", 6.0),
        Fleet("minibus", "Minibus, 20 seats", Mode.ROAD, 20, 1, "lat", 6.0),
    )
    services = (Service("il62", "Il-62 Latakia → Moscow", Mode.AIR, "ltk", "mow", 130, 14.0, 24.0, 5),)
    threats = (
        Threat("t-m5", "M5 cut north of Damascus", "r-homs-dam", Effect.CLOSE, Uniform(10.0, 30.0)),
        Threat("t-homs", "Homs encircled", "homs", Effect.CLOSE, Triangular(18.0, 20.0, 26.0)),
        Threat("t-masnaa", "Damascus–Masnaa road closed", "r-dam-masnaa", Effect.CLOSE, Fixed(40.0)),
        Threat("t-coast", "Homs–Latakia road cut", "r-homs-lat", Effect.CLOSE, Fixed(-24.0)),
        Threat("t-ltk", "Shelling near Latakia airport", "ltk", Effect.DANGER, Fixed(5.0)),
    )
    people: list[Person] = []
    households: list[Household] = []
    for hid, loc, family, kids, husband, willing in [
        ("h1", "dam", "Petrova", 2, True, Willingness.WANTS_TO_LEAVE),
        ("h2", "dam", "Ivanova", 1, True, Willingness.WANTS_TO_LEAVE),
        ("h3", "dam", "Sidorova", 3, False, Willingness.WANTS_TO_LEAVE),
        ("h4", "dam", "Kuznetsova", 2, True, Willingness.DECLINES),
        ("h5", "homs", "Smirnova", 2, True, Willingness.WANTS_TO_LEAVE),
        ("h6", "homs", "Volkova", 4, True, Willingness.WANTS_TO_LEAVE),
        ("h7", "lat", "Morozova", 1, True, Willingness.WANTS_TO_LEAVE),
        ("h8", "lat", "Orlova", 2, False, Willingness.UNDECIDED),
    ]:
        members = _family(hid, loc, family, kids, husband=husband, willing=willing)
        people += members
        households.append(Household(hid, tuple(p.id for p in members), loc))
    epoch = datetime(2013, 1, 22, tzinfo=ZoneInfo("Asia/Damascus"))
    return Scenario("syria-mini", "Syria, January 2013 (test)", "SY", epoch, places, links, fleets, services,
                    threats, Policy(start_h=6.0), Population(tuple(people), tuple(households)))


def _board(scenario: Scenario, hid: str, first: int, last: int) -> Boarding:
    return Boarding(hid, scenario.population.travellers(hid), first, last)


def sample_plan(scenario: Scenario) -> Plan:
    """A hand-made plan: two coaches to Beirut (one via Homs), a coach back, a minibus and a flight."""
    b = scenario.population.travellers
    trips = (
        dataclasses.replace(_trip("T1", "coach", 0, [("r-dam-masnaa", "dam", "masnaa", 6.5, 7.5),
                                                    ("r-masnaa-bey", "masnaa", "bey", 8.5, 10.0)]),
                            boardings=(_board(scenario, "h1", 0, 1), _board(scenario, "h2", 0, 1))),
        dataclasses.replace(_trip("T2", "coach", 1, [("r-homs-dam", "homs", "dam", 7.0, 9.0),
                                                    ("r-dam-masnaa", "dam", "masnaa", 9.5, 10.5),
                                                    ("r-masnaa-bey", "masnaa", "bey", 11.5, 13.0)]),
                            boardings=(_board(scenario, "h5", 0, 2), _board(scenario, "h3", 1, 2))),
        _trip("T3", "coach", 0, [("r-masnaa-bey", "bey", "masnaa", 10.5, 12.0),
                                 ("r-dam-masnaa", "masnaa", "dam", 12.5, 13.5)]),
        dataclasses.replace(_trip("T4", "minibus", 0, [("r-lat-ltk", "lat", "ltk", 10.0, 10.4)]),
                            boardings=(_board(scenario, "h7", 0, 0),)),
        dataclasses.replace(_trip("T5", "il62", 0, [("a-ltk-mow", "ltk", "mow", 14.0, 18.5)]),
                            boardings=(_board(scenario, "h7", 0, 0),)),
    )
    itineraries = (
        Itinerary("h1", ("T1",), 10.0, "bey"), Itinerary("h2", ("T1",), 10.0, "bey"),
        Itinerary("h3", ("T2",), 13.0, "bey"), Itinerary("h5", ("T2",), 13.0, "bey"),
        Itinerary("h7", ("T4", "T5"), 18.5, "mow"),
    )
    left = (LeftBehind("h6", b("h6"), LeftBehindReason.NO_CAPACITY),)
    safe = sum(len(b(h)) for h in ("h1", "h2", "h3", "h5", "h7"))
    travelling = sum(len(b(h.id)) for h in scenario.population.households)
    kpis = KPIs(
        registered=len(scenario.population.people), eligible=24, willing=23, travelling=travelling,
        travelling_weighted=52.0, safe=safe, safe_weighted=41.0, clearance_h=12.5, left_behind=len(b("h6")),
        exposure_person_h=3.25, seat_utilisation=0.234, trips=len(trips),
        safe_by_class={"children": 9, "general": 5}, travelling_by_class={"children": 13, "general": 6},
        left_behind_by_reason={"no_capacity": len(b("h6"))},
    )
    return Plan(scenario.id, "greedy-fcfs", 6.0, trips, itineraries, left, kpis,
                Bound("LP relaxation, time-expanded flow", 48.5, 7.0),
                {"run_time_s": 0.042, "peak_memory_mb": 118.3, "seed": 7})


def _trip(tid: str, asset: str, unit: int, legs: list[tuple[str, str, str, float, float]]) -> Trip:
    return Trip(tid, asset, unit, tuple(Leg(*leg) for leg in legs))


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return sample_scenario()


@pytest.fixture(scope="module")
def plan(scenario: Scenario) -> Plan:
    return sample_plan(scenario)


@pytest.fixture(scope="module")
def html(scenario: Scenario, plan: Plan) -> str:
    return render_report(scenario, plan, generated_at=GENERATED)


@pytest.fixture(scope="module")
def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _kv(table: Tag) -> dict[str, str]:
    return {tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in table.find_all("tr")}


# -- what a person sees -------------------------------------------------------------------------------


def test_header_names_the_scenario_planner_and_local_start(soup: BeautifulSoup) -> None:
    header = soup.header.get_text(" ", strip=True)
    assert "Syria, January 2013 (test)" in header
    assert "greedy-fcfs" in header
    assert "Tue 22 Jan 2013, 06:00" in header  # 6 h after a midnight epoch in Damascus time
    assert "Asia/Damascus" in header
    assert soup.title.get_text() == "Evacuation plan — Syria, January 2013 (test)"


def test_kpi_table_shows_the_plans_numbers(soup: BeautifulSoup, plan: Plan) -> None:
    kv = _kv(soup.find("table", id="kpis"))
    k = plan.kpis
    assert k is not None
    assert kv["Registered"] == str(k.registered)
    assert kv["Travelling"] == str(k.travelling)
    assert kv["Safe"] == str(k.safe)
    assert kv["Safe, weighted"] == "41.0"
    assert kv["Clearance time"] == "12.5 h"
    assert kv["Exposure"] == "3.2"  # 3.25 person-hours, rounded to even
    assert kv["Seat utilisation"] == "23.4 %"
    assert kv["Trips"] == "5"
    clearance_note = soup.find("table", id="kpis").find(string=re.compile("last person safe"))
    assert "Tue 22 Jan 2013, 18:30" in clearance_note


def test_classes_reasons_bound_and_run_are_shown(soup: BeautifulSoup) -> None:
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in soup.find("table", id="classes").tbody.find_all("tr")]
    assert ["children", "3", "13", "9", "69.2 %"] in rows
    reasons = soup.find("table", id="reasons").get_text(" ", strip=True)
    assert "no capacity in time" in reasons
    bound = [[td.get_text(strip=True) for td in tr.find_all("td")]
             for tr in soup.find("table", id="bound").tbody.find_all("tr")]
    assert bound == [["safe, weighted (at most)", "48.5", "41.0", "15.46 %"],
                     ["clearance time (at least)", "7.0 h", "12.5 h", "44.00 %"]]
    meta = _kv(soup.find("table", id="meta"))
    assert meta["run time (s)"] == "0.042"
    assert meta["peak memory (MB)"] == "118.3"
    assert meta["seed"] == "7"


def test_map_names_every_place_and_puts_moscow_at_the_edge(soup: BeautifulSoup) -> None:
    svg = soup.find("svg", class_="map")
    labels = [t.get_text() for t in svg.find_all("text")]
    for name in ("Damascus", "Homs", "Latakia", "Masnaa", "Beirut", "Latakia airport"):
        assert name in labels
    assert any("Moscow Domodedovo" in t and "off map" in t for t in labels)
    # the map is fitted to the region: Moscow does not stretch it
    _, _, w, h = (float(v) for v in svg["viewbox"].split())  # html.parser lowercases names
    assert w == 1000 and 400 <= h <= 800
    assert "LEBANON" in labels  # a neighbour's outline is drawn and named


def test_roads_are_coloured_by_status_at_the_start(soup: BeautifulSoup) -> None:
    svg = soup.find("svg", class_="map")
    by_class = {c: len(svg.select(f"path.road-{c}")) for c in ("open", "closing", "closed")}
    # Homs–Latakia closed the day before; the M5 closes at 12:00; Masnaa's road after the plan ends
    assert by_class == {"open": 3, "closing": 1, "closed": 1}
    assert len(svg.select("path.svc-air")) == 1
    assert svg.select_one("path.svc-air")["stroke-dasharray"]


def test_flow_widths_are_proportional_to_people_carried(soup: BeautifulSoup, plan: Plan) -> None:
    flows = soup.find("svg", class_="map").select("path.flow")
    widths = {f.title.get_text().split(":")[0]: float(f["stroke-width"]) for f in flows}
    # Masnaa–Beirut carries everyone on T1 and T2 (the most); Latakia–airport only household h7
    top = widths["People carried on r-masnaa-bey"]
    assert top == 18
    assert widths["People carried on r-lat-ltk"] == pytest.approx(18 * 2 / 12, abs=0.05)
    assert "People carried on r-homs-lat" not in widths


def test_chart_marks_each_closure_inside_the_window(soup: BeautifulSoup) -> None:
    chart = soup.find("svg", class_="chart")
    # window: 06:00 to a day later; the M5 (q=0.1 → 12:00) and Homs (~19:30) close inside it;
    # the coast road closed before the start and Masnaa's road closes after the window
    markers = chart.select("line.closure")
    assert len(markers) == 2
    labels = " ".join(t.get_text() for t in chart.select("text.closure-lbl"))
    assert "M5 cut north of Damascus" in labels and "Homs encircled" in labels
    assert "Masnaa" not in labels
    travelling = chart.select_one("text.travelling-lbl").get_text()
    assert travelling == "travelling: 19"
    ticks = " ".join(t.get_text(" ") for t in chart.select("text.tick"))
    assert "Tue 22 Jan" in ticks and "Wed 23 Jan" in ticks


def test_trip_table_has_one_row_per_trip_with_local_times(soup: BeautifulSoup) -> None:
    rows = soup.find("table", id="trip-table").tbody.find_all("tr")
    assert len(rows) == 5
    first = [td.get_text(strip=True) for td in rows[0].find_all("td")]
    assert first == ["T1", "Coach, 50 seats", "0", "Damascus", "Beirut", "22 Jan 06:30", "22 Jan 10:00", "5"]
    flight = [td.get_text(strip=True) for td in rows[-1].find_all("td")]
    assert flight[1:5] == ["Il-62 Latakia → Moscow", "0", "Latakia airport", "Moscow Domodedovo"]


def test_left_behind_by_origin(soup: BeautifulSoup) -> None:
    table = soup.find("table", id="left-behind")
    heads = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    assert heads == ["origin", "no capacity in time", "total"]
    assert [td.get_text(strip=True) for td in table.tbody.tr.find_all("td")] == ["Homs", "5", "5"]


def test_report_makes_no_external_request(html: str, soup: BeautifulSoup) -> None:
    for tag in soup.find_all(True):
        for attr in ("src", "href", "xlink:href", "data", "action"):
            value = tag.get(attr)
            if value:
                assert not re.match(r"\s*(https?:)?//", value), f"<{tag.name} {attr}={value}>"
    assert not soup.find_all("script")
    assert not soup.find_all("link")
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "@import" not in html
    assert "http://" not in html and "https://" not in html


def test_untrusted_names_are_escaped() -> None:
    evil = "<script>alert('x')</script>"
    scenario = sample_scenario(place_names={"homs": evil, "bey": 'Beirut" onmouseover="x'})
    html = render_report(scenario, sample_plan(scenario), title="<b>title</b>", generated_at=GENERATED)
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all("script")
    assert "<script>" not in html and "<b>title</b>" not in html
    assert evil in [t.get_text() for t in soup.find("svg", class_="map").find_all("text")]
    assert not any(tag.has_attr("onmouseover") for tag in soup.find_all(True))
    assert soup.find("table", id="left-behind").tbody.td.get_text() == evil


def test_an_empty_plan_without_kpis_renders(scenario: Scenario) -> None:
    plan = Plan(scenario.id, "none", 6.0, (), (), ())
    soup = BeautifulSoup(render_report(scenario, plan, generated_at=GENERATED), "html.parser")
    assert "no KPIs from the checker" in soup.get_text()
    kv = _kv(soup.find("table", id="kpis"))
    assert kv["Travelling"] == "19" and kv["Safe"] == "0" and kv["Clearance time"] == "—"
    assert kv["Exposure"] == "not computed"
    assert kv["Not accounted for"] == "19"
    assert "This plan has no trips." in soup.get_text()
    assert soup.find("svg", class_="chart").select_one("text.empty-lbl")
    assert not soup.find("svg", class_="map").select("path.flow")


def test_many_trips_are_cut_at_the_limit_and_the_file_stays_small(scenario: Scenario, plan: Plan) -> None:
    base = plan.trips[0]
    def shifted(leg: Leg, dt: float) -> Leg:
        return dataclasses.replace(leg, depart_h=leg.depart_h + dt, arrive_h=leg.arrive_h + dt)

    trips = tuple(dataclasses.replace(base, id=f"X{i:05d}", unit=i % 3,
                                      legs=tuple(shifted(leg, i * 0.01) for leg in base.legs))
                  for i in range(MAX_TRIP_ROWS + 50))
    big = dataclasses.replace(plan, trips=trips)
    html = render_report(scenario, big, generated_at=GENERATED)
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.find("table", id="trip-table").tbody.find_all("tr")) == MAX_TRIP_ROWS
    assert "the first 2,000 by departure are shown" in soup.get_text(" ")
    assert len(html.encode()) < 2_000_000


# -- the pieces ---------------------------------------------------------------------------------------


def test_decode_topojson_joins_arcs_and_reverses_negative_ones() -> None:
    topo = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
        "arcs": [[[0, 0], [2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2]]],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "Square"}},
            {"type": "MultiPolygon", "arcs": [[[~1, ~0]]], "properties": {"name": "Backwards"}},
            {"type": None},
        ]}},
    }
    square, backwards = decode_topojson(topo)
    assert square.name == "Square"
    assert square.polygons[0][0] == ((10, 20), (11, 20), (11, 21), (10, 21), (10, 20))
    assert backwards.polygons[0][0] == tuple(reversed(square.polygons[0][0]))
    assert square.bboxes[0] == (10, 20, 11, 21)


def test_vendored_world_atlas_has_syria_and_lebanon() -> None:
    names = {c.name for c in world_countries()}
    assert {"Syria", "Lebanon", "Jordan", "Turkey", "Russia"} <= names


def test_clip_ring_keeps_the_part_inside_the_box() -> None:
    ring = [(-5.0, -5.0), (5.0, -5.0), (5.0, 5.0), (-5.0, 5.0)]
    clipped = clip_ring(ring, 0, 0, 10, 10)
    assert sorted(set(clipped)) == [(0, 0), (0, 5), (5, 0), (5, 5)]
    assert clip_ring([(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)], 0, 0, 10, 10) == []
