"""Tiny scenarios built in Python for the bound and exact-MIP tests (synthetic people, never real ones).

Everything is on whole hours (start, travel times, fleet windows, departures), so the exact MIP's one-hour
grid is exact. ``random_instance`` draws the small random networks the hypothesis tests use.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime

from evac.core.model import (
    Category,
    Effect,
    Eligibility,
    Fixed,
    Fleet,
    Household,
    Link,
    Mode,
    PartialDate,
    Person,
    Place,
    PlaceKind,
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

EPOCH = datetime(2013, 1, 22, tzinfo=UTC)


def population(households: list[tuple[str, int]] | list[tuple[str, int, frozenset[Vulnerability]]]) -> Population:
    """``(location, size[, vulnerabilities])`` per household; everyone an eligible citizen wanting to leave."""
    people: list[Person] = []
    hhs: list[Household] = []
    seq = 0
    for hi, spec in enumerate(households):
        location, size = spec[0], spec[1]
        vuln: frozenset[Vulnerability] = spec[2] if len(spec) > 2 else frozenset()  # type: ignore[misc]
        hid = f"H{hi + 1:03d}"
        members = []
        for _ in range(size):
            seq += 1
            pid = f"P{seq:04d}"
            people.append(Person(
                id=pid, household_id=hid, given="Анна", family="Тестова", patronymic="", script=Script.CYRILLIC,
                given_latin="Anna", family_latin="Testova", patronymic_latin="", birth=PartialDate(1980),
                sex=Sex.FEMALE, nationalities=("RU",), category=Category.RESIDENT, vulnerabilities=vuln,
                willingness=Willingness.WANTS_TO_LEAVE, eligibility=Eligibility.CITIZEN, location=location,
                registration_seq=seq,
            ))
            members.append(pid)
        hhs.append(Household(hid, tuple(members), location))
    return Population(tuple(people), tuple(hhs))


def place(pid: str, kind: PlaceKind = PlaceKind.CITY, **kw: float) -> Place:
    return Place(pid, pid.title(), kind, 34.0, 36.0, "SY" if kind is not PlaceKind.SAFE_HAVEN else "LB",
                 **kw)  # type: ignore[arg-type]


def scenario(
    *,
    places: list[Place],
    links: list[Link],
    fleets: list[Fleet],
    pop: Population,
    services: list[Service] | None = None,
    closures: dict[str, float] | None = None,
    start_h: float = 0.0,
    min_connection_h: float = 1.0,
) -> Scenario:
    threats = tuple(Threat(f"t-{k}", f"close {k}", k, Effect.CLOSE, Fixed(v)) for k, v in (closures or {}).items())
    return Scenario(
        id="bounds-test", name="Bounds test", country="SY", epoch=EPOCH, places=tuple(places), links=tuple(links),
        fleets=tuple(fleets), services=tuple(services or ()), threats=threats,
        policy=Policy(start_h=start_h, min_connection_h=min_connection_h), population=pop,
    )


def one_bus(*, people: int = 20, seats: int = 50, travel_h: float = 2.0, rate: float | None = None,
            until_h: float = 100.0, closures: dict[str, float] | None = None) -> Scenario:
    """One origin ``city``, one crossing ``border`` (``travel_h`` away), a haven 1 h beyond it; one bus at
    the city; ``people`` in households of at most four."""
    sizes = [4] * (people // 4) + ([people % 4] if people % 4 else [])
    kw = {} if rate is None else {"processing_per_h": rate}
    return scenario(
        places=[place("city"), place("border", PlaceKind.BORDER_CROSSING, **kw), place("haven", PlaceKind.SAFE_HAVEN)],
        links=[Link("city--border", "city", "border", Mode.ROAD, travel_h),
               Link("border--haven", "border", "haven", Mode.ROAD, 1.0)],
        fleets=[Fleet("bus", "Bus", Mode.ROAD, seats=seats, count=1, depot="city", available_from_h=0.0,
                      available_until_h=until_h)],
        pop=population([("city", n) for n in sizes]),
        closures=closures,
    )


def random_instance(seed: int, *, horizon_h: int = 12, max_people: int = 30) -> Scenario:
    """A random tiny instance: 2–3 origins, a crossing or two, one or two havens, an airport with a flight
    sometimes; integer travel times 1–3 h; 1–3 vehicles of 4–12 seats; ≤ 30 travellers in households of
    1–4; random closures; every fleet ends at ``horizon_h`` so the exact MIP covers every plan."""
    rng = random.Random(seed)
    n_orig = rng.randint(1, 3)
    origins = [f"o{k}" for k in range(n_orig)]
    places = [place(o) for o in origins]
    crossings = [f"x{k}" for k in range(rng.randint(1, 2))]
    for x in crossings:
        rate = rng.choice([None, 4, 6, 10])
        places.append(place(x, PlaceKind.BORDER_CROSSING, **({} if rate is None else {"processing_per_h": rate})))
    havens = [f"h{k}" for k in range(rng.randint(1, 2))]
    places += [place(h, PlaceKind.SAFE_HAVEN) for h in havens]
    links: list[Link] = []

    def road(a: str, b: str) -> None:
        cap = rng.choice([None, None, None, 1, 2])
        links.append(Link(f"{a}--{b}", a, b, Mode.ROAD, float(rng.randint(1, 3)), capacity_vehicles_per_h=cap))

    for k, o in enumerate(origins):
        road(o, crossings[k % len(crossings)])
        if k and rng.random() < 0.5:
            road(origins[k - 1], o)
    for k, x in enumerate(crossings):
        road(x, havens[k % len(havens)])
    services: list[Service] = []
    if rng.random() < 0.4:
        places += [place("air", PlaceKind.AIRPORT), place("home", PlaceKind.SAFE_HAVEN)]
        road(origins[-1], "air")
        links.append(Link("air--home", "air", "home", Mode.AIR, float(rng.randint(1, 3))))
        services.append(Service("flight", "Flight", Mode.AIR, "air", "home", seats=rng.randint(4, 10),
                                first_departure_h=float(rng.randint(2, 6)), cadence_h=float(rng.randint(2, 4)),
                                departures=rng.randint(1, 3)))
    depots = origins + crossings
    n_veh = rng.randint(1, 3)
    fleets: list[Fleet] = []
    left = n_veh
    k = 0
    while left:
        c = rng.randint(1, left)
        fleets.append(Fleet(f"f{k}", f"Fleet {k}", Mode.ROAD, seats=rng.randint(4, 12), count=c,
                            depot=rng.choice(depots), available_from_h=float(rng.randint(0, 2)),
                            available_until_h=float(horizon_h)))
        left -= c
        k += 1
    budget = rng.randint(1, max_people)
    hh: list[tuple[str, int, frozenset[Vulnerability]]] = []
    while budget > 0:
        n = min(budget, rng.randint(1, 4))
        vuln = frozenset({Vulnerability.CHILD}) if rng.random() < 0.3 else frozenset()
        hh.append((rng.choice(origins), n, vuln))
        budget -= n
    closures: dict[str, float] = {}
    for lk in links:
        if rng.random() < 0.25:
            closures[lk.id] = float(rng.randint(2, horizon_h))
    for o in origins:
        if rng.random() < 0.2:
            closures[o] = float(rng.randint(1, horizon_h)) + rng.choice([0.0, 0.5])
    return scenario(places=places, links=links, fleets=fleets, pop=population(hh), services=services,
                    closures=closures, start_h=0.0, min_connection_h=float(rng.choice([0, 1])))


def inf_or(x: float | None) -> float:
    return math.inf if x is None else x
