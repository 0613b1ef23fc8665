"""Plans to and from JSON (``plan.json``). Same plan, same bytes: nothing time- or machine-dependent
is written here (run time and memory go to ``run.json``)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from evac.core.errors import PlanFormatError
from evac.core.model import (
    Boarding,
    Bound,
    Itinerary,
    KPIs,
    LeftBehind,
    LeftBehindReason,
    Leg,
    Plan,
    Trip,
)

if TYPE_CHECKING:
    from pathlib import Path

    from evac.core.model import Scenario

SCHEMA_VERSION = 1


def _num(x: float | None) -> float | str | None:
    if x is None:
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x  # exact: a rounded time could move a departure into another clock hour


def plan_to_dict(plan: Plan, scenario: Scenario | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "scenario_id": plan.scenario_id,
        "planner": plan.planner,
        "start_h": _num(plan.start_h),
    }
    if scenario is not None:
        out["epoch"] = scenario.epoch.isoformat()
        out["start"] = scenario.moment(plan.start_h).isoformat()
    out["kpis"] = asdict(plan.kpis) if plan.kpis is not None else None
    out["bound"] = asdict(plan.bound) if plan.bound is not None else None
    out["meta"] = plan.meta
    out["trips"] = [
        {
            "id": t.id,
            "asset": t.asset_id,
            "unit": t.unit,
            "legs": [[lg.link_id, lg.origin, lg.destination, _num(lg.depart_h), _num(lg.arrive_h)] for lg in t.legs],
            "boardings": [
                {"household": b.household_id, "people": list(b.person_ids), "legs": [b.first_leg, b.last_leg]}
                for b in t.boardings
            ],
        }
        for t in plan.trips
    ]
    out["itineraries"] = [
        {"household": i.household_id, "trips": list(i.trip_ids), "safe_at_h": _num(i.safe_at_h),
         "safe_place": i.safe_place}
        for i in plan.itineraries
    ]
    out["left_behind"] = [
        {"household": lb.household_id, "people": list(lb.person_ids), "reason": lb.reason.value,
         **({} if lb.at is None else {"at": lb.at, "since_h": _num(lb.since_h)})}
        for lb in plan.left_behind
    ]
    return out


def dumps_plan(plan: Plan, scenario: Scenario | None = None) -> str:
    return json.dumps(plan_to_dict(plan, scenario), ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def write_plan(plan: Plan, path: Path, scenario: Scenario | None = None) -> None:
    """Write atomically: a crash never leaves a half-written plan where a good one was."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(dumps_plan(plan, scenario), encoding="utf-8")
    tmp.replace(path)


def _f(x: Any) -> float:
    if x == "inf":
        return math.inf
    if x == "-inf":
        return -math.inf
    return float(x)


def plan_from_dict(data: dict[str, Any]) -> Plan:
    """Inverse of :func:`plan_to_dict`; raises :class:`PlanFormatError` naming the bad path."""
    where = "(top level)"
    try:
        if not {"schema_version", "trips", "itineraries"} <= data.keys():
            raise PlanFormatError(
                "this is not an evac plan (a plan has schema_version, trips and itineraries; "
                "make one with `evac plan --out FILE`)")
        where = "schema_version"
        if data.get("schema_version") != SCHEMA_VERSION:
            raise PlanFormatError(f"schema_version: expected {SCHEMA_VERSION}, got {data.get('schema_version')!r}")
        trips = []
        for i, t in enumerate(data["trips"]):
            where = f"trips[{i}]"
            legs = tuple(Leg(str(a), str(b), str(c), _f(d), _f(e)) for a, b, c, d, e in t["legs"])
            boardings = tuple(
                Boarding(str(b["household"]), tuple(map(str, b["people"])), int(b["legs"][0]), int(b["legs"][1]))
                for b in t["boardings"]
            )
            trips.append(Trip(str(t["id"]), str(t["asset"]), int(t["unit"]), legs, boardings))
        itins = []
        for i, it in enumerate(data["itineraries"]):
            where = f"itineraries[{i}]"
            itins.append(Itinerary(str(it["household"]), tuple(map(str, it["trips"])), _f(it["safe_at_h"]),
                                   str(it["safe_place"])))
        left = []
        for i, lb in enumerate(data["left_behind"]):
            where = f"left_behind[{i}]"
            at = lb.get("at")
            left.append(LeftBehind(str(lb["household"]), tuple(map(str, lb["people"])), LeftBehindReason(lb["reason"]),
                                   None if at is None else str(at),
                                   None if at is None else _f(lb["since_h"])))
        where = "kpis"
        kpis = KPIs(**data["kpis"]) if data.get("kpis") else None
        where = "bound"
        bound = Bound(**data["bound"]) if data.get("bound") else None
        return Plan(str(data["scenario_id"]), str(data["planner"]), _f(data["start_h"]), tuple(trips), tuple(itins),
                    tuple(left), kpis, bound, dict(data.get("meta") or {}))
    except PlanFormatError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise PlanFormatError(f"{where}: {type(exc).__name__}: {exc}") from None


def read_plan(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanFormatError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise PlanFormatError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise PlanFormatError(f"{path}: expected a JSON object")
    try:
        return plan_from_dict(data)
    except PlanFormatError as exc:
        raise PlanFormatError(f"{path.name}: {exc}") from None
