"""Scenarios and plans built in Python for the checker and KPI tests (synthetic people, never real ones).

``tiny_scenario`` and ``tiny_plan`` are small enough to compute every KPI by hand (see test_kpis.py);
``make_large_case`` builds valid plans of any size for speed tests. All are immutable, so the fixtures
are built once per session.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from evac.core.model import (
    Boarding,
    Category,
    Effect,
    Eligibility,
    Fixed,
    Fleet,
    Household,
    Itinerary,
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
    Scenario,
    Script,
    Service,
    Sex,
    Threat,
    Vulnerability,
    Willingness,
)
from evac.core.model.plan import Trip

EPOCH = datetime(2013, 1, 22, tzinfo=UTC)
W, U, D = Willingness.WANTS_TO_LEAVE, Willingness.UNDECIDED, Willingness.DECLINES
C, F, INEL = Eligibility.CITIZEN, Eligibility.FAMILY_MEMBER, Eligibility.INELIGIBLE
V = Vulnerability


def person(pid: str, hid: str, location: str, willingness: Willingness = W, eligibility: Eligibility = C,
           *vulnerabilities: Vulnerability) -> Person:
    """A synthetic person; only the fields the checker reads vary."""
    return Person(
        id=pid, household_id=hid, given="Мария", family="Тестова", patronymic="", script=Script.CYRILLIC,
        given_latin="Maria", family_latin="Testova", patronymic_latin="", birth=PartialDate(1980),
        sex=Sex.FEMALE, nationalities=("RU",), category=Category.RESIDENT,
        vulnerabilities=frozenset(vulnerabilities), willingness=willingness, eligibility=eligibility,
        location=location,
    )


def tiny_population() -> Population:
    """Seven households at Damascus (``dam``) and Latakia airport (``lta``).

    Travellers (eligible and wanting to leave) by class: medical p41 p61; children p12 p42 p43 p44;
    elderly p21; general p11 p22 p51 p71 p72 — 12 of 16 people. H3 has no traveller.
    """
    people = [
        person("p11", "H1", "dam"), person("p12", "H1", "dam", W, F, V.CHILD),
        person("p13", "H1", "dam", W, INEL),  # the Syrian husband: wants to go, may not
        person("p21", "H2", "dam", W, C, V.ELDERLY), person("p22", "H2", "dam"),
        person("p23", "H2", "dam", D),  # declines
        person("p31", "H3", "dam", U),  # undecided: nobody in H3 travels
        person("p41", "H4", "dam", W, C, V.PREGNANT), person("p42", "H4", "dam", W, F, V.CHILD),
        person("p43", "H4", "dam", W, F, V.CHILD), person("p44", "H4", "dam", W, F, V.CHILD),
        person("p51", "H5", "dam"), person("p52", "H5", "dam", D, INEL),
        person("p61", "H6", "lta", W, C, V.REDUCED_MOBILITY),
        person("p71", "H7", "dam"), person("p72", "H7", "dam"),
    ]
    households: dict[str, list[str]] = {}
    for p in people:
        households.setdefault(p.household_id, []).append(p.id)
    return Population(tuple(people), tuple(Household(hid, tuple(ms), "lta" if hid == "H6" else "dam")
                                           for hid, ms in households.items()))


def build_tiny_scenario() -> Scenario:
    """Damascus → Masnaa crossing (8 people/h) → Chtaura (safe); Damascus → Latakia airport → Moscow.

    Two 10-seat buses from 0.25 h; an Il-76 with 5 seats for evacuees at 8 h and 32 h. The Damascus–
    Latakia road closes at 6 h; Damascus is dangerous from 0.75 h, Masnaa from 6.25 h, Latakia from 7 h.
    The two roads through Masnaa take one vehicle per clock hour.
    """
    places = (
        Place("dam", "Damascus", PlaceKind.CITY, 33.51, 36.29, "SY"),
        Place("masnaa", "Masnaa", PlaceKind.BORDER_CROSSING, 33.69, 36.08, "SY", processing_per_h=8),
        Place("leb", "Chtaura", PlaceKind.SAFE_HAVEN, 33.82, 35.85, "LB"),
        Place("lta", "Latakia airport", PlaceKind.AIRPORT, 35.40, 35.95, "SY"),
        Place("mow", "Moscow", PlaceKind.SAFE_HAVEN, 55.75, 37.62, "RU"),
    )
    links = (
        Link("dam--masnaa", "dam", "masnaa", Mode.ROAD, 1.0, capacity_vehicles_per_h=1),
        Link("masnaa--leb", "masnaa", "leb", Mode.ROAD, 0.5, capacity_vehicles_per_h=1),
        Link("dam--lta", "dam", "lta", Mode.ROAD, 4.0),
        Link("lta--mow", "lta", "mow", Mode.AIR, 4.0),
    )
    threats = (
        Threat("cut", "Damascus–Latakia road cut", "dam--lta", Effect.CLOSE, Fixed(6.0)),
        Threat("shelling", "Shelling of Damascus", "dam", Effect.DANGER, Fixed(0.75)),
        Threat("border", "Fighting near Masnaa", "masnaa", Effect.DANGER, Fixed(6.25)),
        Threat("raids", "Raids on Latakia", "lta", Effect.DANGER, Fixed(7.0)),
    )
    return Scenario(
        id="tiny-check", name="Tiny checker scenario", country="SY", epoch=EPOCH, places=places, links=links,
        fleets=(Fleet("bus", "Coach", Mode.ROAD, seats=10, count=2, depot="dam", available_from_h=0.25,
                      available_until_h=48.0),),
        services=(Service("il76", "Il-76", Mode.AIR, "lta", "mow", seats=5, first_departure_h=8.0,
                          cadence_h=24.0, departures=2),),
        threats=threats, policy=Policy(), population=tiny_population(),
    )


def leg(link_id: str, depart_h: float, arrive_h: float) -> Leg:
    """A leg along ``link_id`` in the direction its id is written (``origin--destination``)."""
    origin, destination = link_id.split("--")
    return Leg(link_id, origin, destination, depart_h, arrive_h)


def back(link_id: str, depart_h: float, arrive_h: float) -> Leg:
    """A leg along ``link_id`` against the direction its id is written."""
    origin, destination = link_id.split("--")
    return Leg(link_id, destination, origin, depart_h, arrive_h)


def build_tiny_plan() -> Plan:
    """A valid plan for :func:`build_tiny_scenario` (every number checked by hand in test_kpis.py).

    Bus 0: T1 carries H1 and H2 to Chtaura, T4 returns empty, T5 carries H5. Bus 1: T2 carries H4 to
    Latakia airport, where H4 and H6 (who lives there) take the 8 h Il-76 (T3) to Moscow. H7 is left
    behind; H3 has nobody who travels.
    """
    trips = (
        Trip("T1", "bus", 0, (leg("dam--masnaa", 0.5, 1.5), leg("masnaa--leb", 2.0, 2.5)),
             (Boarding("H1", ("p11", "p12"), 0, 1), Boarding("H2", ("p21", "p22"), 0, 1))),
        Trip("T2", "bus", 1, (leg("dam--lta", 1.0, 5.0),),
             (Boarding("H4", ("p41", "p42", "p43", "p44"), 0, 0),)),
        Trip("T3", "il76", 0, (leg("lta--mow", 8.0, 12.0),),
             (Boarding("H4", ("p41", "p42", "p43", "p44"), 0, 0), Boarding("H6", ("p61",), 0, 0))),
        Trip("T4", "bus", 0, (back("masnaa--leb", 3.0, 3.5), back("dam--masnaa", 3.5, 4.5))),
        Trip("T5", "bus", 0, (leg("dam--masnaa", 5.0, 6.0), leg("masnaa--leb", 6.5, 7.0)),
             (Boarding("H5", ("p51",), 0, 1),)),
    )
    itineraries = (
        Itinerary("H1", ("T1",), 2.5, "leb"),
        Itinerary("H2", ("T1",), 2.5, "leb"),
        Itinerary("H4", ("T2", "T3"), 12.0, "mow"),
        Itinerary("H5", ("T5",), 7.0, "leb"),
        Itinerary("H6", ("T3",), 12.0, "mow"),
    )
    left_behind = (LeftBehind("H7", ("p71", "p72"), LeftBehindReason.NO_CAPACITY),)
    return Plan("tiny-check", "by hand", 0.0, trips, itineraries, left_behind)


@pytest.fixture(scope="session")
def tiny_scenario() -> Scenario:
    return build_tiny_scenario()


@pytest.fixture(scope="session")
def tiny_plan() -> Plan:
    return build_tiny_plan()


LargeCase = Callable[[int], tuple[Scenario, Plan]]


def build_large_case(people: int, *, cities: int = 20, seats: int = 50,
                     seed: int = 7) -> tuple[Scenario, Plan]:
    """A valid plan moving about ``people`` people by coach from ``cities`` cities over one crossing.

    Every city has its own fleet (depot in the city); each coach shuttles city → crossing → haven and back,
    six and a half hours a round (a quarter of an hour at the crossing, which processes ``people`` an hour,
    at least 20,000: every round's coaches arrive together), full of whole households of 1 to 5 travellers (about one
    in five households also has an ineligible member who stays). About ``2 * people / 45`` trips.
    """
    rng = random.Random(seed)
    places = [Place(f"c{i}", f"City {i}", PlaceKind.CITY, 33.0 + i * 0.01, 36.0, "SY") for i in range(cities)]
    rate = max(20_000.0, float(people))  # people per hour at the crossing
    places += [Place("x", "Crossing", PlaceKind.BORDER_CROSSING, 33.7, 36.1, "SY", processing_per_h=rate),
               Place("safe", "Haven", PlaceKind.SAFE_HAVEN, 33.8, 35.9, "LB")]
    links = [Link(f"c{i}--x", f"c{i}", "x", Mode.ROAD, 2.0, capacity_vehicles_per_h=1e6)
             for i in range(cities)]
    links.append(Link("x--safe", "x", "safe", Mode.ROAD, 1.0, capacity_vehicles_per_h=1e6))

    persons: list[Person] = []
    households: list[Household] = []
    by_city: list[list[tuple[str, tuple[str, ...]]]] = [[] for _ in range(cities)]
    n = 0
    while n < people:
        hid = f"H{len(households)}"
        city = rng.randrange(cities)
        size = rng.randint(1, 5)
        travellers = tuple(f"{hid}.{j}" for j in range(size))
        members = list(travellers)
        for pid in travellers:
            persons.append(person(pid, hid, f"c{city}"))
        if rng.random() < 0.2:
            persons.append(person(f"{hid}.s", hid, f"c{city}", W, INEL))
            members.append(f"{hid}.s")
        households.append(Household(hid, tuple(members), f"c{city}"))
        by_city[city].append((hid, travellers))
        n += size

    fleets: list[Fleet] = []
    trips: list[Trip] = []
    itineraries: list[Itinerary] = []
    for city, queue in enumerate(by_city):
        loads: list[list[tuple[str, tuple[str, ...]]]] = [[]]
        on_board = 0
        for hid, travellers in queue:
            if on_board + len(travellers) > seats:
                loads.append([])
                on_board = 0
            loads[-1].append((hid, travellers))
            on_board += len(travellers)
        vehicles = max(1, len(loads) // 10)
        fleets.append(Fleet(f"coach-c{city}", "Coach", Mode.ROAD, seats, vehicles, f"c{city}", 0.0))
        link, home, fleet = f"c{city}--x", f"c{city}", f"coach-c{city}"
        for k, load in enumerate(loads):
            unit, round_ = k % vehicles, k // vehicles
            t = 6.5 * round_
            tid = f"T{city}-{k}"
            out = (Leg(link, home, "x", t, t + 2.0), Leg("x--safe", "x", "safe", t + 2.25, t + 3.25))
            trips.append(Trip(tid, fleet, unit, out, tuple(Boarding(hid, tr, 0, 1) for hid, tr in load)))
            itineraries.extend(Itinerary(hid, (tid,), t + 3.25, "safe") for hid, _ in load)
            back_ = (Leg("x--safe", "safe", "x", t + 3.25, t + 4.25), Leg(link, "x", home, t + 4.25, t + 6.25))
            trips.append(Trip(f"R{city}-{k}", fleet, unit, back_))
    scenario = Scenario(
        id="large", name="Large synthetic", country="SY", epoch=EPOCH, places=tuple(places),
        links=tuple(links), fleets=tuple(fleets), services=(),
        threats=(Threat("late", "Late cut", "x", Effect.CLOSE, Fixed(1e6)),),
        policy=Policy(), population=Population(tuple(persons), tuple(households)),
    )
    return scenario, Plan("large", "synthetic", 0.0, tuple(trips), tuple(itineraries), ())


@pytest.fixture(scope="session")
def make_large_case() -> LargeCase:
    return build_large_case
