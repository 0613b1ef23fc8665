"""Published Bus Evacuation Problem (BEP) instances: read them, turn them into evac scenarios, and turn a
bus-optimiser solution into an evac :class:`~evac.core.model.Plan`.

The file format (Bish 2011 instances as shipped by the BEP-GRASP study) is whitespace-separated numbers::

    B Q                      buses, seats per bus
    D b_1 .. b_D             depots, buses at each (sum = B)
    P W w_1 .. w_P           pickup points, total demand, people at each (sum = W)
    S C c_1 .. c_S           shelters, total capacity, capacity of each (sum = C)
    D rows: d t(d,1) .. t(d,P)      depot -> pickup times (the leading row label must be d)
    P rows: i t(i,1) .. t(i,S)      pickup -> shelter times; shelter -> pickup uses the same value

Line breaks are not significant to the original reader, but every error here names the file, the line and
the field (``BEP-1-2-2-2-i1.txt:3: demand of pickup 2: 'x' is not a whole number``).

Mapping to evac (documented in ``docs/bep.md``):

- depots become places of kind ``city`` (bus terminals) with one fleet each (the depot's buses, ``Q``
  seats, road mode, available from time 0); pickups become ``assembly_point`` places where synthetic
  households wait (their sizes cycle through 4, 3, 5, 2, 1 and are cut so that every busload is filled
  exactly by whole households; person ids ``bep-p1-0001``); shelters become ``safe_haven`` places with
  ``capacity`` = the shelter's capacity;
- a two-way road joins every depot to every pickup and every pickup to every shelter, with
  ``travel_h = t * hours_per_unit`` (1 for the abstract random instances; 1/40,000 for the Valparaíso
  instances, whose times are metres, at the thesis's 40 km/h). The model needs positive travel times, so a
  0 in the file becomes :data:`ZERO_LEG_H` (1e-12 h; reported makespans are rounded to 1e-6 units);
- policy: start 0, ``boarding_h = 0``, ``min_connection_h = 0``; no threats, no scheduled services.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from evac.core.errors import ScenarioError
from evac.core.model import (
    Boarding,
    Bound,
    Category,
    Eligibility,
    Fleet,
    Household,
    Itinerary,
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
    Sex,
    Trip,
    Willingness,
)
from evac.core.planner.busopt import BusProblem

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from evac.core.planner.busopt import BusSolution, SolveParams, StoppingCriterion

__all__ = [
    "RULES",
    "ZERO_LEG_H",
    "BepFormatError",
    "BepInstance",
    "BepModel",
    "BepRecount",
    "load_households",
    "model",
    "read_bep",
    "recount",
    "solution_to_plan",
    "to_scenario",
]

ZERO_LEG_H = 1e-12
"""Travel time (hours) given to a road whose published time is 0: the model needs positive times."""
_HOUSEHOLD_SIZES = (4, 3, 5, 2, 1)
_REAL_NAME = re.compile(r"^BEP-(\d+)-(\d+)-(\d+)-(\d+)$")


class BepFormatError(ScenarioError):
    """A BEP instance file cannot be read; ``problems`` holds one ``file:line: field: message``."""


@dataclass(frozen=True)
class BepInstance:
    """A parsed instance: the abstract problem (times in the file's unit) and where it came from."""

    name: str
    path: Path
    problem: BusProblem


class _Tokens:
    """Whitespace-separated tokens with their line numbers, read in order."""

    def __init__(self, path: Path, text: str) -> None:
        self.file = path.name
        self.items: list[tuple[int, str]] = [
            (n, tok) for n, line in enumerate(text.splitlines(), start=1) for tok in line.split()
        ]
        self.pos = 0
        self.last_line = text.count("\n") + 1

    def error(self, line: int, what: str, message: str) -> BepFormatError:
        return BepFormatError([f"{self.file}:{line}: {what}: {message}"])

    def _next(self, what: str) -> tuple[int, str]:
        if self.pos >= len(self.items):
            raise self.error(self.last_line, what, "missing (the file ends early)")
        item = self.items[self.pos]
        self.pos += 1
        return item

    def integer(self, what: str, *, minimum: int = 0) -> tuple[int, int]:
        line, tok = self._next(what)
        try:
            value = int(tok)
        except ValueError:
            try:
                f = float(tok)
            except ValueError:
                raise self.error(line, what, f"{tok!r} is not a whole number") from None
            if not f.is_integer():
                raise self.error(line, what, f"{tok!r} is not a whole number") from None
            value = int(f)
        if value < minimum:
            raise self.error(line, what, f"{value} is below {minimum}")
        return line, value

    def time(self, what: str) -> float:
        line, tok = self._next(what)
        try:
            value = float(tok)
        except ValueError:
            raise self.error(line, what, f"{tok!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise self.error(line, what, f"{tok!r} is not a non-negative finite time")
        return value

    def counts(self, what: str, n: int) -> list[int]:
        return [self.integer(f"{what} {k + 1}")[1] for k in range(n)]

    def end(self) -> None:
        if self.pos < len(self.items):
            line, tok = self.items[self.pos]
            raise self.error(line, "end of file", f"unexpected extra value {tok!r}")


def read_bep(path: str | Path) -> BepInstance:
    """Read one BEP instance file.

    Raises
    ------
    BepFormatError
        The file is missing or malformed; the message names the file, line and field.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BepFormatError([f"{p}: cannot read the file: {exc}"]) from None
    tok = _Tokens(p, text)
    _, n_bus = tok.integer("bus count B")
    _, seats = tok.integer("bus capacity Q", minimum=1)
    _, n_depots = tok.integer("depot count D", minimum=1)
    line, _ = tok.items[tok.pos - 1] if tok.pos else (1, "")
    depot_buses = tok.counts("buses at depot", n_depots)
    if sum(depot_buses) != n_bus:
        raise tok.error(line, "buses at depots", f"sum {sum(depot_buses)} differs from B = {n_bus}")
    line, n_p = tok.integer("pickup count P")
    _, total_w = tok.integer("total demand W")
    demand = tok.counts("demand of pickup", n_p)
    if sum(demand) != total_w:
        raise tok.error(line, "demand", f"sum {sum(demand)} differs from W = {total_w}")
    line, n_s = tok.integer("shelter count S", minimum=1)
    _, total_c = tok.integer("total capacity C")
    capacity = tok.counts("capacity of shelter", n_s)
    if sum(capacity) != total_c:
        raise tok.error(line, "capacity", f"sum {sum(capacity)} differs from C = {total_c}")
    dp = np.zeros((n_depots, n_p))
    for d in range(n_depots):
        line, label = tok.integer(f"row label of depot {d + 1}")
        if label != d + 1:
            raise tok.error(line, f"row label of depot {d + 1}", f"reads {label}; rows must come in order")
        for i in range(n_p):
            dp[d, i] = tok.time(f"time depot {d + 1} -> pickup {i + 1}")
    ps = np.zeros((n_p, n_s))
    for i in range(n_p):
        line, label = tok.integer(f"row label of pickup {i + 1}")
        if label != i + 1:
            raise tok.error(line, f"row label of pickup {i + 1}", f"reads {label}; rows must come in order")
        for j in range(n_s):
            ps[i, j] = tok.time(f"time pickup {i + 1} -> shelter {j + 1}")
    tok.end()
    name = p.stem
    try:
        problem = BusProblem(seats, tuple(depot_buses), tuple(demand), tuple(capacity), dp, ps, ps.T.copy(),
                             name=name)
    except ValueError as exc:
        raise BepFormatError([f"{p.name}: {exc}"]) from None
    return BepInstance(name, p, problem)


# -- evac scenario ---------------------------------------------------------------------------------
def depot_id(d: int) -> str:
    return f"depot-{d + 1}"


def pickup_id(i: int) -> str:
    return f"pickup-{i + 1}"


def shelter_id(j: int) -> str:
    return f"shelter-{j + 1}"


def fleet_id(d: int) -> str:
    return f"buses-{d + 1}"


def _link_id(a: str, b: str) -> str:
    return f"{a}--{b}"


def _sizes(load: int) -> Iterator[int]:
    """Household sizes filling one load exactly."""
    left, k = load, 0
    while left > 0:
        n = min(_HOUSEHOLD_SIZES[k % len(_HOUSEHOLD_SIZES)], left)
        yield n
        left -= n
        k += 1


def load_households(problem: BusProblem, pickup: int) -> list[list[str]]:
    """Household ids of each load of ``pickup``, in load order (what :func:`to_scenario` creates)."""
    out: list[list[str]] = []
    h = 0
    for load in problem.loads[pickup]:
        ids = []
        for _ in _sizes(load):
            h += 1
            ids.append(f"bep-p{pickup + 1}-h{h:04d}")
        out.append(ids)
    return out


def to_scenario(instance: BepInstance, *, hours_per_unit: float = 1.0) -> Scenario:
    """The evac scenario of a BEP instance (see the module docstring for the mapping)."""
    if not hours_per_unit > 0:
        raise ValueError("hours_per_unit must be positive")
    pr = instance.problem
    places: list[Place] = []
    for d in range(pr.n_depots):
        places.append(Place(depot_id(d), f"Depot {d + 1}", PlaceKind.CITY, 0.0, -0.01 * d, "XX"))
    for i in range(pr.n_pickups):
        places.append(Place(pickup_id(i), f"Pickup point {i + 1}", PlaceKind.ASSEMBLY_POINT, 0.01 * i, 0.1, "XX"))
    for j in range(pr.n_shelters):
        places.append(Place(shelter_id(j), f"Shelter {j + 1}", PlaceKind.SAFE_HAVEN, 0.01 * j, 0.2, "XX",
                            capacity=pr.capacity[j]))
    links: list[Link] = []

    def road(a: str, b: str, t: float) -> None:
        if math.isfinite(t):
            links.append(Link(_link_id(a, b), a, b, Mode.ROAD, max(t * hours_per_unit, ZERO_LEG_H)))

    for d in range(pr.n_depots):
        for i in range(pr.n_pickups):
            road(depot_id(d), pickup_id(i), float(pr.depot_to_pickup[d, i]))
    for i in range(pr.n_pickups):
        for j in range(pr.n_shelters):
            road(pickup_id(i), shelter_id(j), float(pr.pickup_to_shelter[i, j]))
    fleets = tuple(Fleet(fleet_id(d), f"Buses of depot {d + 1}", Mode.ROAD, pr.seats, n, depot_id(d), 0.0)
                   for d, n in enumerate(pr.depot_buses))
    people: list[Person] = []
    households: list[Household] = []
    for i in range(pr.n_pickups):
        seq = 0
        ids = load_households(pr, i)
        for load, hids in zip(pr.loads[i], ids, strict=True):
            for hid, size in zip(hids, _sizes(load), strict=True):
                members = []
                for k in range(size):
                    seq += 1
                    pid = f"bep-p{i + 1}-{seq:04d}"
                    members.append(pid)
                    people.append(Person(
                        id=pid, household_id=hid, given="Evacuee", family=f"P{i + 1}-{seq}", patronymic="",
                        script=Script.LATIN, given_latin="Evacuee", family_latin=f"P{i + 1}-{seq}",
                        patronymic_latin="", birth=PartialDate(1970 + (seq % 40)),
                        sex=Sex.FEMALE if seq % 2 else Sex.MALE, nationalities=("XX",),
                        category=Category.RESIDENT, vulnerabilities=frozenset(),
                        willingness=Willingness.WANTS_TO_LEAVE, eligibility=Eligibility.CITIZEN,
                        location=pickup_id(i), registration_seq=len(people),
                        relation=Relation.HEAD if k == 0 else Relation.OTHER,
                    ))
                households.append(Household(hid, tuple(members), pickup_id(i)))
    policy = Policy(start_h=0.0, boarding_h=0.0, min_connection_h=0.0)
    return Scenario(
        id=f"bep-{instance.name}", name=f"BEP {instance.name}", country="XX",
        epoch=datetime(2014, 4, 12, tzinfo=UTC), places=tuple(places), links=tuple(links), fleets=fleets,
        services=(), threats=(), policy=policy, population=Population(tuple(people), tuple(households)),
    )


# -- rules: which legs a bus drives ------------------------------------------------------------------
RULES = ("bish", "bep", "roads")
"""``bish`` (the default): Bish's model as the published MIP (``BEPSolver_fixed.mod``) states it. Its demand
constraint is ``trips loading at i >= w_i / Q``, so a round may load nobody: a bus may drive an empty
"trip" pickup -> shelter to reposition, which costs that shelter one busload of capacity (its capacity
constraint counts trips). That is how CPLEX proves 8 on set3-i5. ``bep``: Bish's model as the GRASP code
implements it (every round carries a load; every empty leg is the published direct leg). ``roads``: what an
evac bus can do on the scenario's roads: it drives the shortest road path between stops, empty through any
place (also back through a depot), loaded through no safe haven."""


@dataclass(frozen=True)
class BepModel:
    """An instance under one set of rules: the problem the optimiser solves (times in the file's unit),
    the evac scenario, and the road path (place ids) of every leg the problem's matrices price."""

    instance: BepInstance
    rules: str
    hours_per_unit: float
    problem: BusProblem
    scenario: Scenario
    paths: dict[tuple[str, str], tuple[str, ...]]
    direct: BusProblem | None = None  # ``bish``: the problem without empty trips, if those do not fit

    def path(self, origin: str, destination: str) -> tuple[str, ...]:
        """Places from ``origin`` to ``destination`` inclusive (two places for a direct leg)."""
        return self.paths.get((origin, destination), (origin, destination))


def model(instance: BepInstance, *, rules: str = "bep", hours_per_unit: float | None = None) -> BepModel:
    """Build the scenario and, for ``roads`` rules, the shortest-path problem (see :data:`RULES`).

    ``hours_per_unit`` defaults to 1/40,000 for instances with more than one depot (the Valparaíso ones,
    in metres at 40 km/h) and 1 otherwise.
    """
    if rules not in RULES:
        raise ValueError(f"rules must be one of {', '.join(RULES)}, got {rules!r}")
    pr = instance.problem
    hpu = hours_per_unit if hours_per_unit is not None else (1 / 40_000 if pr.n_depots > 1 else 1.0)
    scenario = to_scenario(instance, hours_per_unit=hpu)
    if rules == "bep":
        return BepModel(instance, rules, hpu, pr, scenario, {})
    if rules == "bish":
        return _bish(instance, hpu, scenario, frozenset())
    from evac.core.model.feasibility import ClosureSchedule
    from evac.core.network import RoadGraph

    graph = RoadGraph(scenario, ClosureSchedule.of({}))
    unit = {}  # link id -> time in the file's unit
    for d in range(pr.n_depots):
        for i in range(pr.n_pickups):
            unit[_link_id(depot_id(d), pickup_id(i))] = float(pr.depot_to_pickup[d, i])
    for i in range(pr.n_pickups):
        for j in range(pr.n_shelters):
            unit[_link_id(pickup_id(i), shelter_id(j))] = float(pr.pickup_to_shelter[i, j])
    shelters = [shelter_id(j) for j in range(pr.n_shelters)]
    paths: dict[tuple[str, str], tuple[str, ...]] = {}

    def leg(source: str, targets: list[str], *, loaded: bool) -> list[float]:
        _, pred = graph.earliest_arrival(source, 0.0, sinks=shelters if loaded else ())
        out = []
        for target in targets:
            if target not in pred:
                out.append(math.inf)
                continue
            arcs = graph.path(pred, source, target)
            paths[source, target] = (source, *(a.head for a in arcs))
            out.append(sum(unit[a.link_id] for a in arcs))
        return out

    pickups = [pickup_id(i) for i in range(pr.n_pickups)]
    dp = np.array([leg(depot_id(d), pickups, loaded=False) for d in range(pr.n_depots)])
    ps = np.array([leg(pickups[i], shelters, loaded=True) for i in range(pr.n_pickups)])
    sp = np.array([leg(shelters[j], pickups, loaded=False) for j in range(pr.n_shelters)])
    problem = BusProblem(pr.seats, pr.depot_buses, pr.demand, pr.capacity, dp.reshape(pr.n_depots, pr.n_pickups),
                         ps.reshape(pr.n_pickups, pr.n_shelters), sp.reshape(pr.n_shelters, pr.n_pickups),
                         name=pr.name)
    return BepModel(instance, rules, hpu, problem, scenario, paths)


def _bish(instance: BepInstance, hpu: float, scenario: Scenario, blocked: frozenset[int]) -> BepModel:
    """Bish's MIP with its empty repositioning rounds (see :data:`RULES`).

    An empty round ``i -> j`` followed by the drive ``j -> i'`` is only a way from one stop to the next, so
    the optimiser sees the empty legs as shortest paths over the published legs a bus may drive empty —
    depot -> pickup, pickup -> shelter, shelter -> pickup — and the loaded legs as published. Every shelter
    such a path passes is one empty round there, which the MIP charges a busload of that shelter's capacity:
    :func:`empty_round_problems` checks that for a solution. When the shelters have no spare busload at all
    (Valparaíso: capacity = demand), no empty round fits and the rules are exactly ``bep``. Paths never pass
    the shelters in ``blocked`` (their room is needed for loads: :func:`solve_model`).
    """
    pr = instance.problem
    spare = sum(int(c) // pr.seats for c in pr.capacity) - pr.n_loads
    if spare <= 0:
        return BepModel(instance, "bish", hpu, pr, scenario, {})
    n_p, n_s = pr.n_pickups, pr.n_shelters
    n = n_p + n_s
    dist = np.full((n, n), np.inf)
    np.fill_diagonal(dist, 0.0)
    dist[:n_p, n_p:] = pr.pickup_to_shelter
    dist[n_p:, :n_p] = pr.shelter_to_pickup
    nxt = np.tile(np.arange(n), (n, 1))  # nxt[u, v]: the node after u on the best path to v
    for k in (k for k in range(n) if k - n_p not in blocked):  # Floyd-Warshall, passing no blocked shelter;
        # strict improvement keeps the direct leg on ties
        via = dist[:, k:k + 1] + dist[k:k + 1, :]
        better = via < dist - 1e-9 * np.maximum(1.0, np.abs(np.where(np.isfinite(dist), dist, 0.0)))
        dist = np.where(better, via, dist)
        nxt = np.where(better, nxt[:, k:k + 1], nxt)

    def node(u: int) -> str:
        return pickup_id(u) if u < n_p else shelter_id(u - n_p)

    def walk(u: int, v: int) -> list[str]:
        out = [node(u)]
        while u != v:
            u = int(nxt[u, v])
            out.append(node(u))
        return out

    paths: dict[tuple[str, str], tuple[str, ...]] = {}
    dp = np.array(pr.depot_to_pickup, dtype=np.float64)
    for d in range(pr.n_depots):
        for i in range(n_p):
            via_k = dp[d, :] + dist[:n_p, i]
            k = int(np.argmin(via_k))
            if via_k[k] < pr.depot_to_pickup[d, i] - 1e-9 * max(1.0, float(pr.depot_to_pickup[d, i])):
                dp[d, i] = via_k[k]
                paths[depot_id(d), pickup_id(i)] = (depot_id(d), *walk(k, i))
    sp = np.array(pr.shelter_to_pickup, dtype=np.float64)
    for j in range(n_s):
        for i in range(n_p):
            if dist[n_p + j, i] < pr.shelter_to_pickup[j, i] - 1e-9 * max(1.0, float(pr.shelter_to_pickup[j, i])):
                sp[j, i] = dist[n_p + j, i]
                paths[shelter_id(j), pickup_id(i)] = tuple(walk(n_p + j, i))
    if not paths:  # the published legs already satisfy the triangle inequality: nothing to gain
        return BepModel(instance, "bish", hpu, pr, scenario, {})
    problem = BusProblem(pr.seats, pr.depot_buses, pr.demand, pr.capacity, dp, pr.pickup_to_shelter, sp,
                         name=pr.name)
    return BepModel(instance, "bish", hpu, problem, scenario, paths, direct=pr)


def empty_round_problems(bm: BepModel, solution: BusSolution) -> list[str]:
    """Shelters whose capacity the solution exceeds under Bish's MIP, which charges every round a busload of
    its shelter's capacity, empty repositioning rounds included (empty for ``bep`` and ``roads``)."""
    pr = bm.problem
    return [f"shelter {j + 1}: {used} people and empty rounds' seats, capacity {int(pr.capacity[j])}"
            for j, used in _overfull(bm, solution)]


def _overfull(bm: BepModel, solution: BusSolution) -> list[tuple[int, int]]:
    """``(shelter, people + seats of empty rounds)`` for each shelter over its capacity under Bish's MIP."""
    if bm.rules != "bish" or not bm.paths:
        return []
    pr = bm.problem
    shelter_of = {shelter_id(j): j for j in range(pr.n_shelters)}
    used = [0] * pr.n_shelters
    for route in solution.routes:
        where = depot_id(route.depot)
        for trip in route.trips:
            for place in bm.path(where, pickup_id(trip.pickup))[1:-1]:
                if place in shelter_of:
                    used[shelter_of[place]] += pr.seats
            used[trip.shelter] += trip.people
            where = shelter_id(trip.shelter)
    return [(j, used[j]) for j in range(pr.n_shelters) if used[j] > pr.capacity[j]]


MAX_REPAIRS = 3
"""Re-solves with shelters closed to empty rounds before :func:`solve_model` falls back to published legs."""


def solve_model(bm: BepModel, *, stop: Callable[[], StoppingCriterion], seed: int = 0,
                params: SolveParams | None = None) -> tuple[BepModel, BusSolution]:
    """Solve ``bm`` under its rules; returns the model whose paths the plan must drive, and the solution.

    ``stop`` makes a fresh stopping criterion for each solve (a re-solve gets the same budget again).
    Under ``bish`` rules the optimiser works on the repositioning shortest paths; its bound is valid for
    Bish's model (those paths ignore only the capacity empty rounds take: a relaxation). When its routes
    pass shelters without room for their empty rounds (:func:`empty_round_problems`), those shelters are
    closed to empty rounds and the instance is solved again (at most :data:`MAX_REPAIRS` times, then on the
    published legs alone, where no round is empty). The bound stays the first, valid one, so a solution is
    called optimal only when it meets it.
    """
    from dataclasses import replace

    from evac.core.planner.busopt import settle_bound, solve

    sol = solve(bm.problem, stop=stop(), seed=seed, params=params)
    first = sol
    blocked: frozenset[int] = frozenset()
    repairs = 0
    while over := _overfull(bm, sol):
        repairs += 1
        blocked |= {j for j, _ in over}
        if repairs > MAX_REPAIRS:
            blocked = frozenset(range(bm.instance.problem.n_shelters))
        bm = _bish(bm.instance, bm.hours_per_unit, bm.scenario, blocked)
        sol = solve(bm.problem, stop=stop(), seed=seed, params=params)
    if sol is first:
        return bm, sol
    bound, proven = settle_bound(sol.makespan, first.lower_bound)
    return bm, replace(sol, lower_bound=bound, proven_optimal=proven,
                       method=f"{sol.method} (empty rounds kept out of shelters {sorted(j + 1 for j in blocked)})")


# -- solution -> plan --------------------------------------------------------------------------------
def solution_to_plan(bm: BepModel, solution: BusSolution) -> Plan:
    """An evac plan driving the solution's routes on the scenario's roads.

    Each loaded BEP trip becomes one evac trip: the empty legs from where the bus is (its depot, or the
    shelter of its previous trip) to the pickup, then the loaded legs to the shelter. The households of
    one load (see :func:`load_households`) board together at the pickup; a load of fewer people than the
    seats takes that pickup's partial load. Times are hours: the solution's times times ``hours_per_unit``,
    laid leg by leg on the links' own ``travel_h``.
    """
    sc = bm.scenario
    links = sc.link_by_id
    pop = sc.population
    remaining: dict[int, list[list[str]]] = {}
    for i in range(bm.problem.n_pickups):
        remaining[i] = load_households(bm.problem, i)
    trips: list[Trip] = []
    itineraries: list[Itinerary] = []
    counter = [0] * bm.problem.n_depots
    for route in solution.routes:
        d = route.depot
        unit = counter[d]
        counter[d] += 1
        where = depot_id(d)
        t_h = route.start * bm.hours_per_unit
        for k, trip in enumerate(route.trips):
            legs: list[Leg] = []
            pickup, shelter = pickup_id(trip.pickup), shelter_id(trip.shelter)
            empty = bm.path(where, pickup)
            loaded = bm.path(pickup, shelter)
            for a, b in [*pairwise(empty), *pairwise(loaded)]:
                lid = _link_id(a, b) if _link_id(a, b) in links else _link_id(b, a)
                arrive = t_h + links[lid].travel_h
                legs.append(Leg(lid, a, b, t_h, arrive))
                t_h = arrive
            first_loaded = len(empty) - 1
            households = _take_load(remaining[trip.pickup], pop, trip.people, trip.pickup)
            trip_id = f"{fleet_id(d)}-{unit + 1}-{k + 1}"
            boardings = tuple(Boarding(h, pop.travellers(h), first_loaded, len(legs) - 1) for h in households)
            trips.append(Trip(trip_id, fleet_id(d), unit, tuple(legs), boardings))
            itineraries.extend(Itinerary(h, (trip_id,), t_h, shelter) for h in households)
            where = shelter
    lb_h = solution.lower_bound * bm.hours_per_unit
    travellers = sum(len(pop.travellers(h.id)) for h in pop.households)
    return Plan(sc.id, f"busopt-{solution.method}", sc.policy.start_h, tuple(trips), tuple(itineraries), (),
                bound=Bound(f"busopt {solution.method}", float(travellers), lb_h),
                meta={"bep_rules": bm.rules, "hours_per_unit": bm.hours_per_unit})


def _take_load(loads: list[list[str]], pop: Population, people: int, pickup: int) -> list[str]:
    """Households of one not-yet-driven load of ``people`` people at ``pickup`` (removed from ``loads``)."""
    for k, hids in enumerate(loads):
        if sum(len(pop.travellers(h)) for h in hids) == people:
            return loads.pop(k)
    raise ValueError(f"pickup {pickup}: no load of {people} people left to drive")


# -- independent recount ------------------------------------------------------------------------------
@dataclass(frozen=True)
class BepRecount:
    """What a plan achieves under the BEP's objective, recomputed from the plan alone.

    ``makespan`` is in the file's unit (last arrival at a shelter minus the plan start, divided by
    ``hours_per_unit``); ``problems`` lists broken BEP rules the checker does not know yet (shelter
    capacity, people left behind).
    """

    makespan: float
    people_by_shelter: dict[str, int]
    moved: int
    problems: tuple[str, ...]


def recount(plan: Plan, scenario: Scenario, *, hours_per_unit: float) -> BepRecount:
    """Recompute the makespan and shelter loads of ``plan`` (not trusting the solver's numbers)."""
    safe = {p.id: p for p in scenario.places if p.kind is PlaceKind.SAFE_HAVEN}
    received = dict.fromkeys(safe, 0)
    last = plan.start_h
    moved = 0
    for trip in plan.trips:
        for b in trip.boardings:
            dest = trip.legs[b.last_leg].destination
            if dest in received:
                received[dest] += len(b.person_ids)
                moved += len(b.person_ids)
                last = max(last, trip.legs[b.last_leg].arrive_h)
    problems = [f"shelter {sid}: receives {n} people, capacity {safe[sid].capacity}"
                for sid, n in received.items() if safe[sid].capacity is not None and n > (safe[sid].capacity or 0)]
    travellers = sum(len(scenario.population.travellers(h.id)) for h in scenario.population.households)
    if moved != travellers:
        problems.append(f"{moved} people reach a shelter, {travellers} must")
    makespan = round((last - plan.start_h) / hours_per_unit, 6)
    return BepRecount(makespan, received, moved, tuple(problems))
