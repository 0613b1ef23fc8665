"""Re-planning: keep what has happened, change only the future.

``replan(scenario, plan, events, now_h)`` takes a plan under way, the facts reported since
(:mod:`evac.core.planner.events`) and the present moment, and returns a plan that

- keeps the past: every trip that left before ``now_h`` stays in the plan as it was (the same
  :class:`~evac.core.model.Trip` object, so the same bytes in ``plan.json``), with the people on it;
  scheduled departures that have left are kept; households already safe stay safe;
- keeps journeys under way: a household on a kept trip keeps the rest of its journey, including its
  booking on a later flight or sailing, as long as every part still works under the new closures;
- re-plans everything else with a planner (default greedy) that starts from the operation's state:
  vehicles where they are and busy until their kept trip ends, crossings' processing time, link hours
  and seats already used by kept trips (:class:`~evac.core.planner.state.Commitments`).

**Events.** A :class:`Closure` becomes a reported closure threat (below). A
:class:`Breakdown` stops its vehicle from ``at_h`` until ``at_h + repair_h`` (for good when ``None``); it
is not used again before its repair, even when the breakdown lies ahead of ``now_h``. A :class:`NoShow`
household is not planned again and is listed as left behind (reason ``not_reached``); its boardings are
taken off every trip, past ones included (it was never on board). A :class:`Registration` adds a
household. A :class:`Boarded` event is checked against the plan (the trip must carry the household and
must not have left its pick-up before the boarding) and *freezes* its trip: a trip with people on board
is kept, like a trip that has left.

**A trip in progress that the events make impossible** (a leg not yet started runs into a new closure,
or its vehicle breaks down) stops at the last place it can still reach: legs already started are kept
(the vehicle that was on the road when it closed got through, or limps on to the next place), legs not
yet started are kept while they remain open, and the trip ends before the first one that is not. Its
vehicle stays there (unless broken for good). Households on board get off there and are re-planned
*from there*, from the moment they arrive: their itinerary becomes the kept part followed by the new
trips. Households that would only have boarded later are re-planned from where they were. The
vehicle's later trips are dropped and re-planned.

**Stranded households.** When a household left somewhere by a cut trip cannot be reached by any new
trip, it is listed as left behind *at* that place since it got there (``LeftBehind.at``/``since_h``, with
the planner's reason) and keeps its boardings on the kept trips: the plan says where the people are, and
the checker checks that their rides bring them there. It is also in ``plan.meta["replan"]["stranded"]``,
so the operators know where to look; a later re-plan starts it from there, not from home.

**Minimal change.** Every trip of the plan is kept while the facts allow it — past, under way and future —
with its id, vehicle, times and passengers, so a re-plan with nothing new changes nothing and tells nobody
anything. A future trip that can no longer run whole is dropped with its vehicle's later trips, and only
the households they carried (and those waiting without a seat) are planned again, around the kept trips.

**Closures and the past.** A reported closure becomes a threat known from ``now_h``
(:func:`~evac.core.model.feasibility.reported_closure`); its time is never moved. A leg that departed
before the closure was known is history and is not judged against it (by the kernel and by the checker
alike), so a closure reported late (``at_h`` before a leg already driven on the closed road) does not turn
the past into a violation, while every leg from ``now_h`` on respects the time as reported. The same
closure reported twice is one threat. :func:`updated_scenario` gives the scenario the result is checked
against (``check_plan(result, updated_scenario(...))``).

**Changed households** (for notifications): ``plan.meta["replan"]["changed_households"]`` lists every
household whose journey differs from the old plan in what a person would notice — vehicle, pick-up or
drop-off place and time, safe place and time, or being left behind (ids are not compared, as new trips
get new ids). :func:`replan_result` also returns it as a tuple.

New fleet trips are named ``R<generation>-<planner's id>``; departures of scheduled services keep their
ids (``service#0007``) and kept and new boardings on one departure are merged. Times are hours from the
scenario epoch. Cost: the planner's run plus O(plan size): 0.04 s after one closure on the 25,000-person
Syria scenario, 0.5 s when all 23,821 eligible people there want to leave (``docs/planner-baselines.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from evac.core.errors import ModelError
from evac.core.model import (
    Boarding,
    Itinerary,
    LeftBehind,
    LeftBehindReason,
    Plan,
    Population,
    Scenario,
    Trip,
)
from evac.core.model.feasibility import ready_after, reported_closure
from evac.core.model.kpis import compute_kpis
from evac.core.model.tolerance import TOLERANCE_H
from evac.core.planner.events import (
    Boarded,
    Breakdown,
    Closure,
    EventConflict,
    NoShow,
    Registration,
    clock,
    describe,
)
from evac.core.planner.greedy import GreedyPlanner
from evac.core.planner.state import Commitments, VehicleKey, VehicleState, Waiting

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.model import Household, Leg, Person, Threat
    from evac.core.model.feasibility import ClosureSchedule
    from evac.core.planner.events import Event
    from evac.core.planner.state import CommittablePlanner


@dataclass(frozen=True)
class ReplanResult:
    """A re-plan: the new ``plan``, the ``scenario`` it is valid for, and who must be told.

    ``changed``: households whose journey differs (see the module docstring), sorted.
    ``stranded``: households a cut trip left short of safety that no new trip reaches.
    """

    plan: Plan
    scenario: Scenario
    changed: tuple[str, ...]
    stranded: tuple[str, ...]


def replan(
    scenario: Scenario,
    plan: Plan,
    events: Sequence[Event],
    now_h: float,
    *,
    planner: CommittablePlanner | None = None,
    seed: int = 0,
) -> Plan:
    """Keep the past of ``plan``, apply ``events`` and re-plan the future from ``now_h``.

    Parameters
    ----------
    scenario
        The scenario ``plan`` was made for (before the events).
    plan
        The plan under way.
    events
        Facts reported since; any order (they are applied by time).
    now_h
        The present, hours from the epoch: trips that left before it are the past.
    planner
        Plans the future from the kept state (default: greedy).
    seed
        Passed to the planner.

    Returns
    -------
    Plan
        Valid for ``updated_scenario(scenario, plan, events, now_h)``; ``meta["replan"]`` records what
        was kept, cut, stranded and changed.

    Raises
    ------
    EventConflict
        An event contradicts the plan or the scenario; nothing is re-planned.
    """
    return replan_result(scenario, plan, events, now_h, planner=planner, seed=seed).plan


def updated_scenario(scenario: Scenario, plan: Plan, events: Sequence[Event], now_h: float) -> Scenario:
    """The scenario after ``events``, as :func:`replan` uses it to check and score its result."""
    return replan_result(scenario, plan, events, now_h, planner=_NoPlanner()).scenario


def replan_result(
    scenario: Scenario,
    plan: Plan,
    events: Sequence[Event],
    now_h: float,
    *,
    planner: CommittablePlanner | None = None,
    seed: int = 0,
) -> ReplanResult:
    """:func:`replan`, also returning the updated scenario, the changed and the stranded households."""
    if not math.isfinite(now_h):
        raise EventConflict(f"now must be a finite time, got {now_h} h")
    run = _Replan(scenario, plan, list(events), now_h)
    return run.run(planner or GreedyPlanner(), seed)


class _NoPlanner:
    """Plans nothing: lets :func:`updated_scenario` share the event handling without planning."""

    name = "none"

    def plan(self, scenario: Scenario, *, commitments: Commitments | None = None, **_: Any) -> Plan:
        return Plan(scenario.id, self.name, scenario.policy.start_h, (), (), ())


@dataclass(slots=True)
class _Cut:
    """A kept fleet trip whose legs from ``keep`` on are dropped (``keep == len(legs)``: kept whole)."""

    trip: Trip
    keep: int


class _Replan:
    def __init__(self, scenario: Scenario, plan: Plan, events: list[Event], now_h: float) -> None:
        self.sc0 = scenario
        self.plan = plan
        self.now = now_h
        self.epoch = scenario.epoch  # messages give clock times, not hours from the epoch
        self.trip_by_id = {t.id: t for t in plan.trips}
        self.closures: list[tuple[float, str]] = []
        self.broken: dict[VehicleKey, tuple[float, float]] = {}  # vehicle -> (from_h, until_h)
        self.no_show: dict[str, float] = {}
        self.frozen: set[str] = set()
        self.boarded: dict[str, int] = {}  # household -> index of its Boarded event
        self.population = scenario.population
        self._read(events)

    # -- events -------------------------------------------------------------------------------
    def _read(self, events: list[Event]) -> None:
        sc = self.sc0
        new_people: list[Person] = []
        new_households: list[Household] = []
        order = sorted(range(len(events)), key=lambda i: (events[i].at_h, i))
        for i in order:
            ev = events[i]
            what = describe(ev, self.epoch)
            if not math.isfinite(ev.at_h):
                raise EventConflict(f"{what}: the time must be finite", index=i)
            if isinstance(ev, Closure):
                if ev.target not in sc.place_by_id and ev.target not in sc.link_by_id:
                    raise EventConflict(f"{what}: no place or link {ev.target!r} in scenario {sc.id}",
                                        index=i)
                self.closures.append((ev.at_h, ev.target))
            elif isinstance(ev, Breakdown):
                fleet = sc.fleet_by_id.get(ev.asset_id)
                if fleet is None or not 0 <= ev.unit < fleet.count:
                    raise EventConflict(f"{what}: no vehicle {ev.unit} in a fleet {ev.asset_id!r}", index=i)
                until = math.inf if ev.repair_h is None else ev.at_h + ev.repair_h
                before = self.broken.get((ev.asset_id, ev.unit))
                if before is not None:
                    until = max(until, before[1])
                self.broken[(ev.asset_id, ev.unit)] = (min(ev.at_h, before[0]) if before else ev.at_h, until)
            elif isinstance(ev, NoShow):
                if ev.household_id not in self.population.household_by_id and not any(
                        h.id == ev.household_id for h in new_households):
                    raise EventConflict(f"{what}: no household {ev.household_id!r}", index=i)
                if ev.household_id in self.boarded:
                    raise EventConflict(f"{what}: event #{self.boarded[ev.household_id]} reports it "
                                        "boarded", index=i)
                self.no_show[ev.household_id] = ev.at_h
            elif isinstance(ev, Registration):
                known = self.population.household_by_id
                if ev.household.id in known or any(h.id == ev.household.id for h in new_households):
                    raise EventConflict(f"{what}: household {ev.household.id!r} is already registered",
                                        index=i)
                if ev.household.location not in sc.place_by_id:
                    raise EventConflict(f"{what}: unknown location {ev.household.location!r}", index=i)
                new_households.append(ev.household)
                new_people.extend(ev.people)
            else:
                self._boarded(ev, i)
        if new_households:
            try:
                self.population = Population((*self.population.people, *new_people),
                                             (*self.population.households, *new_households))
            except ModelError as exc:
                raise EventConflict(f"registrations: {exc}") from None

    def _boarded(self, ev: Boarded, i: int) -> None:
        trip = self.trip_by_id.get(ev.trip_id)
        what = describe(ev, self.epoch)
        if trip is None:
            raise EventConflict(f"{what}: the plan has no trip {ev.trip_id!r}", index=i)
        board = next((b for b in trip.boardings if b.household_id == ev.household_id), None)
        if board is None:
            on = [t.id for t in self.plan.trips if any(b.household_id == ev.household_id for b in t.boardings)]
            where = f"; the plan puts it on {', '.join(on)}" if on else ""
            raise EventConflict(f"{what}: trip {trip.id} does not carry household "
                                f"{ev.household_id}{where}", index=i)
        leg = trip.legs[board.first_leg]
        if leg.depart_h < ev.at_h - TOLERANCE_H:
            raise EventConflict(f"{what}: trip {trip.id} left {leg.origin} "
                                f"at {clock(leg.depart_h, self.epoch)}, before the reported boarding "
                                f"at {clock(ev.at_h, self.epoch)}", index=i)
        if ev.at_h > self.now + TOLERANCE_H:
            raise EventConflict(f"{what}: reported for {clock(ev.at_h, self.epoch)}, "
                                f"after now ({clock(self.now, self.epoch)})", index=i)
        if ev.household_id in self.no_show:
            raise EventConflict(f"{what}: the household is also reported as a no-show", index=i)
        self.boarded[ev.household_id] = i
        self.frozen.add(trip.id)

    # -- the past -----------------------------------------------------------------------------
    @staticmethod
    def _leg_open(leg: Leg, closes: ClosureSchedule) -> bool:
        return closes.leg_open(leg.origin, leg.link_id, leg.destination, leg.depart_h, leg.arrive_h)

    def _fleet_fates(self, closes: ClosureSchedule) -> dict[str, _Cut]:
        """Which fleet trips are kept, and how many of their legs (absent: dropped).

        Minimal change: every trip is kept as planned while the facts allow it. A trip under way (or with
        people on board) that the facts make impossible is cut before its first impossible leg; a trip not
        yet started that can no longer run whole is dropped, with the vehicle's later trips (it will not be
        where they start)."""
        by_vehicle: dict[VehicleKey, list[Trip]] = {}
        fleets = self.sc0.fleet_by_id
        for t in self.plan.trips:
            if t.asset_id in fleets and t.legs:
                by_vehicle.setdefault((t.asset_id, t.unit), []).append(t)
        fates: dict[str, _Cut] = {}
        for key, trips in by_vehicle.items():
            trips.sort(key=lambda t: (t.depart_h, t.arrive_h, t.id))
            broken_from, broken_until = self.broken.get(key, (math.inf, math.inf))
            for trip in trips:
                keep = len(trip.legs)
                for i, leg in enumerate(trip.legs):
                    broken = broken_from <= leg.depart_h < broken_until
                    if broken or (leg.depart_h >= self.now and not self._leg_open(leg, closes)):
                        keep = i
                        break
                started = trip.depart_h < self.now or trip.id in self.frozen
                if not started and keep < len(trip.legs):
                    break  # the future that can no longer run: re-planned, with the vehicle's later trips
                if keep > 0:
                    fates[trip.id] = _Cut(trip, keep)
                if keep < len(trip.legs):
                    break
        return fates

    def run(self, planner: CommittablePlanner, seed: int) -> ReplanResult:
        sc0, plan, now = self.sc0, self.plan, self.now
        known = {t.id for t in sc0.threats}
        raw: dict[str, Threat] = {}
        for at_h, target in self.closures:
            t = reported_closure(target, at_h, reported_h=now)
            if t.id not in known:  # the same closure reported again is the same fact
                raw.setdefault(t.id, t)
        planning = replace(sc0, population=self.population, threats=(*sc0.threats, *raw.values()))
        closes = planning.closure_schedule()
        fates = self._fleet_fates(closes)

        kept_rides: set[tuple[str, str]] = set()  # (trip id, household id) boardings that stay
        cut_boardings: dict[tuple[str, str], int] = {}  # truncated boardings: new last leg
        settled: set[str] = set(self.no_show)
        waiting: dict[str, Waiting] = {}
        prefix: dict[str, list[str]] = {}  # kept trip ids of households re-planned from elsewhere
        safe_at_cut: dict[str, Itinerary] = {}
        services = sc0.service_by_id
        boarding_of = {(t.id, b.household_id): b for t in plan.trips for b in t.boardings}
        # every household's journey so far: the itineraries, and the rides of households stranded on the way
        chains: list[tuple[str, tuple[str, ...], tuple[str, float] | None]] = [
            (it.household_id, it.trip_ids, None) for it in plan.itineraries]
        for gone in plan.left_behind:
            if gone.at is not None and gone.since_h is not None:
                chains.append((gone.household_id, self._rides_of(gone.household_id), (gone.at, gone.since_h)))
        for hid, trip_ids, stuck in chains:
            if hid in self.no_show or hid not in self.population.household_by_id:
                continue
            rides: list[str] = []
            where: tuple[str, float] | None = None  # where the chain breaks: (place, since)
            intact = True
            for tid in trip_ids:
                trip = self.trip_by_id.get(tid)
                b = boarding_of.get((tid, hid))
                if trip is None or b is None:
                    intact = False
                    break
                if trip.asset_id in services:
                    leg = trip.legs[0]
                    if leg.depart_h < now or self._leg_open(leg, closes):
                        rides.append(tid)
                        continue
                    intact = False
                    break
                fate = fates.get(tid)
                if fate is None or b.first_leg >= fate.keep:
                    intact = False
                    break
                rides.append(tid)
                if b.last_leg >= fate.keep:
                    last = trip.legs[fate.keep - 1]
                    cut_boardings[(tid, hid)] = fate.keep - 1
                    where = (last.destination, last.arrive_h)
                    intact = False
                    break
            kept_rides.update((tid, hid) for tid in rides)
            if intact and stuck is not None:  # stranded before and still there: it waits where it was left
                intact, where = False, stuck
            if intact:
                settled.add(hid)
                continue
            if not rides:
                continue  # re-planned from home
            if where is None:  # broke at a trip not taken: wait where the last kept ride left them
                last_trip = self.trip_by_id[rides[-1]]
                lb = boarding_of[(rides[-1], hid)]
                end = last_trip.legs[cut_boardings.get((rides[-1], hid), lb.last_leg)]
                where = (end.destination, end.arrive_h)
            place, since = where
            if place in planning.place_by_id and planning.place_by_id[place].is_safe:
                settled.add(hid)
                safe_at_cut[hid] = Itinerary(hid, tuple(rides), since, place)
            else:
                waiting[hid] = Waiting(place, since)
                prefix[hid] = rides

        kept_trips = self._kept_trips(fates, kept_rides, cut_boardings)
        commitments = Commitments(
            vehicles=self._vehicle_states(kept_trips),
            withdrawn=frozenset(k for k, (_, until) in self.broken.items() if math.isinf(until)),
            trips=tuple(kept_trips),
            settled=frozenset(settled),
            waiting=waiting,
            start_h=plan.start_h,
        )
        new = planner.plan(planning, start_h=max(now, plan.start_h), seed=seed, commitments=commitments)
        return self._merge(planning, kept_trips, new, settled, safe_at_cut, waiting, prefix, fates)

    def _rides_of(self, hid: str) -> tuple[str, ...]:
        """Ids of the trips ``hid`` boards in the plan, in order of boarding."""
        rides = sorted((t.legs[b.first_leg].depart_h, t.id) for t in self.plan.trips for b in t.boardings
                       if b.household_id == hid and 0 <= b.first_leg < len(t.legs))
        return tuple(tid for _, tid in rides)

    def _kept_trips(self, fates: dict[str, _Cut], kept_rides: set[tuple[str, str]],
                    cut_boardings: dict[tuple[str, str], int]) -> list[Trip]:
        """Kept trips in plan order: the same objects when nothing in them changed."""
        out: list[Trip] = []
        services = self.sc0.service_by_id
        for trip in self.plan.trips:
            fate = fates.get(trip.id)
            if fate is None and trip.asset_id not in services:
                continue
            boardings = []
            for b in trip.boardings:
                if (trip.id, b.household_id) not in kept_rides:
                    continue
                last = cut_boardings.get((trip.id, b.household_id))
                boardings.append(b if last is None else Boarding(b.household_id, b.person_ids, b.first_leg, last))
            if fate is None:  # a scheduled departure: kept for the boardings that stay on it
                if not boardings:
                    continue
                keep = len(trip.legs)
            else:
                keep = fate.keep
            if keep == len(trip.legs) and len(boardings) == len(trip.boardings) and not any(
                    (trip.id, b.household_id) in cut_boardings for b in trip.boardings):
                out.append(trip)
            else:
                out.append(Trip(trip.id, trip.asset_id, trip.unit, trip.legs[:keep], tuple(boardings)))
        return out

    def _vehicle_states(self, kept: list[Trip]) -> dict[VehicleKey, VehicleState]:
        fleets = self.sc0.fleet_by_id
        last: dict[VehicleKey, Trip] = {}
        for t in kept:
            if t.asset_id in fleets:
                key = (t.asset_id, t.unit)
                if key not in last or t.arrive_h > last[key].arrive_h:
                    last[key] = t
        out = {k: VehicleState(t.legs[-1].destination, ready_after(  # after unloading whoever got off
            t.arrive_h, alighted=any(b.last_leg == len(t.legs) - 1 for b in t.boardings), boards=False,
            fleet=fleets[k[0]])) for k, t in last.items()}
        for key, (_, until) in self.broken.items():
            if math.isfinite(until):
                at = out[key].at if key in out else fleets[key[0]].depot
                free = max(until, out[key].free_h) if key in out else until
                out[key] = VehicleState(at, free)
        return out

    # -- merging ------------------------------------------------------------------------------
    def _merge(self, planning: Scenario, kept: list[Trip], new: Plan, settled: set[str],
               safe_at_cut: dict[str, Itinerary], waiting: dict[str, Waiting], prefix: dict[str, list[str]],
               fates: dict[str, _Cut]) -> ReplanResult:
        plan, services = self.plan, self.sc0.service_by_id
        generation = int((plan.meta.get("replan") or {}).get("generation", 0)) + 1
        taken = {t.id for t in kept}
        rename: dict[str, str] = {}
        new_fleet: list[Trip] = []
        new_service: dict[str, Trip] = {}
        for t in new.trips:
            if t.asset_id in services:
                new_service[t.id] = t
                continue
            name = f"R{generation}-{t.id}"
            while name in taken:
                name += "'"
            taken.add(name)
            rename[t.id] = name
            new_fleet.append(Trip(name, t.asset_id, t.unit, t.legs, t.boardings))

        # stranded: waiting households nobody collects keep their kept rides (where they are is the truth)
        left = {lb.household_id: lb for lb in new.left_behind}
        stranded = sorted(h for h in waiting if h in left)
        fleet_kept: list[Trip] = []
        service_kept: dict[str, Trip] = {}
        for t in kept:
            if t.asset_id in services:
                if t.boardings:
                    service_kept[t.id] = t
            else:
                fleet_kept.append(t)
        service_trips: list[Trip] = []
        for tid in sorted(set(service_kept) | set(new_service),
                          key=lambda i: ((service_kept.get(i) or new_service[i]).asset_id,
                                         (service_kept.get(i) or new_service[i]).unit)):
            a, b = service_kept.get(tid), new_service.get(tid)
            if a is None or b is None:
                service_trips.append(a or b)  # type: ignore[arg-type]
            else:
                merged = tuple(sorted((*a.boardings, *b.boardings), key=lambda x: x.household_id))
                service_trips.append(Trip(tid, a.asset_id, a.unit, a.legs, merged))

        itineraries: dict[str, Itinerary] = {}
        for it in plan.itineraries:
            if it.household_id in settled and it.household_id not in self.no_show:
                itineraries[it.household_id] = it
        itineraries.update(safe_at_cut)
        for it in new.itineraries:
            tids = tuple(rename.get(t, t) for t in it.trip_ids)
            itineraries[it.household_id] = Itinerary(
                it.household_id, (*prefix.get(it.household_id, ()), *tids), it.safe_at_h, it.safe_place)
        left_behind = [lb if lb.household_id not in waiting else
                       LeftBehind(lb.household_id, lb.person_ids, lb.reason, waiting[lb.household_id].at,
                                  waiting[lb.household_id].ready_h)
                       for lb in new.left_behind]
        for hid in sorted(self.no_show):
            travellers = self.population.travellers(hid)
            if travellers:
                left_behind.append(LeftBehind(hid, travellers, LeftBehindReason.NO_SHOW))

        trips = (*fleet_kept, *new_fleet, *service_trips)
        final = planning
        cut = sorted(tid for tid, f in fates.items() if f.keep < len(f.trip.legs))
        out = Plan(
            scenario_id=plan.scenario_id,
            planner=new.planner,
            start_h=plan.start_h,
            trips=trips,
            itineraries=tuple(itineraries[h] for h in sorted(itineraries)),
            left_behind=tuple(sorted(left_behind, key=lambda lb: lb.household_id)),
            bound=None,
            meta={},
        )
        changed = _changed(plan, out)
        out.meta.update({k: v for k, v in plan.meta.items() if k != "replan"})
        out.meta["replan"] = {
            "generation": generation,
            "now_h": self.now,
            "replanned_from": plan.planner,
            "kept_trips": len(kept),
            "cut_trips": cut,
            "no_show": sorted(self.no_show),
            "stranded": [{"household": h, "place": waiting[h].at, "since_h": waiting[h].ready_h,
                          "reason": left[h].reason.value} for h in stranded],
            "changed_households": list(changed),
        }
        out = out.with_kpis(compute_kpis(out, final))
        return ReplanResult(out, final, changed, tuple(stranded))


def _signatures(plan: Plan) -> dict[str, tuple[object, ...]]:
    """What a household would notice of its journey: vehicles, places and times, or being left behind."""
    by_id = {t.id: t for t in plan.trips}
    boarding = {(t.id, b.household_id): b for t in plan.trips for b in t.boardings}
    out: dict[str, tuple[object, ...]] = {}
    for it in plan.itineraries:
        rides: list[object] = []
        for tid in it.trip_ids:
            t = by_id.get(tid)
            b = boarding.get((tid, it.household_id))
            if t is None or b is None:
                rides.append(tid)
                continue
            on, off = t.legs[b.first_leg], t.legs[b.last_leg]
            rides.append((t.asset_id, t.unit, on.origin, round(on.depart_h, 6), off.destination,
                          round(off.arrive_h, 6)))
        out[it.household_id] = ("safe", it.safe_place, round(it.safe_at_h, 6), *rides)
    for lb in plan.left_behind:
        out[lb.household_id] = ("left", lb.reason.value)
    return out


def _changed(old: Plan, new: Plan) -> tuple[str, ...]:
    a, b = _signatures(old), _signatures(new)
    return tuple(sorted(h for h in a.keys() | b.keys() if a.get(h) != b.get(h)))
