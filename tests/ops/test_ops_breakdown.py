"""POST /breakdowns: a vehicle breaks down, the future is re-planned (the past kept), the affected
households are told; idempotent like every write; unknown vehicles are refused."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ops_client import key

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.core.check import CheckReport, Rule, Violation
from evac.core.oplog import BreakdownEvent
from evac.services import planning

if TYPE_CHECKING:
    import pytest
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store
    from evac.core.model import Plan, Scenario


def _breakdowns(store: Store) -> list[BreakdownEvent]:
    with ops_uow_factory(store)() as uow:
        return [ev for _, ev in uow.ops.events() if isinstance(ev, BreakdownEvent)]


def test_breakdown_replans_and_notifies(api: tuple[TestClient, dict, Store]) -> None:
    client, h, store = api
    trips = client.get("/api/v1/trips", headers=h["planner"], params={"limit": 500}).json()
    last = max((t for t in trips if t["people"]), key=lambda t: t["depart"])  # still ahead of the clock
    before = client.get("/api/v1/outbox", headers=h["planner"], params={"limit": 500}).json()
    body = {"asset": last["asset"], "unit": last["unit"], "repair_h": None}
    k = key()
    r = client.post("/api/v1/breakdowns", json=body, headers={**h["planner"], "Idempotency-Key": k})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["breakdown"] == f"{last['asset']}#{last['unit']}" and out["generation"] == 2
    assert out["changed_households"] > 0 and out["rebooked"] + out["cancelled"] > 0
    assert set(out["kpis_before"]) == set(out["kpis_after"]) >= {"safe", "left_behind", "clearance_h"}
    after = client.get("/api/v1/outbox", headers=h["planner"], params={"limit": 500}).json()
    assert {m["template"] for m in after[len(before):]} & {"change", "cancellation"}
    trips2 = client.get("/api/v1/trips", headers=h["planner"], params={"limit": 500}).json()
    assert not [t for t in trips2 if (t["asset"], t["unit"]) == (last["asset"], last["unit"])
                and t["depart"] > last["depart"]]  # the lost vehicle runs no new trip
    assert [(e.asset_id, e.unit, e.repair_h) for e in _breakdowns(store)] == [(last["asset"], last["unit"], None)]
    # a retry changes nothing; the same key with another body is refused
    again = client.post("/api/v1/breakdowns", json=body, headers={**h["planner"], "Idempotency-Key": k})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == out and len(_breakdowns(store)) == 1
    other = client.post("/api/v1/breakdowns", json={**body, "repair_h": 2.0},
                        headers={**h["planner"], "Idempotency-Key": k})
    assert other.status_code == 422
    board = client.get("/api/v1/status-board", headers=h["viewer"]).json()
    assert [p["generation"] for p in board["plans"]] == [1, 2]
    assert "breakdown" in board["plans"][-1]["reason"]


def test_breakdown_with_repair_and_refusals(api: tuple[TestClient, dict, Store]) -> None:
    client, h, store = api
    trip = client.get("/api/v1/trips", headers=h["admin"]).json()[0]
    ok = client.post("/api/v1/breakdowns", json={"asset": trip["asset"], "unit": trip["unit"], "repair_h": 1.5},
                     headers={**h["admin"], "Idempotency-Key": key()})
    assert ok.status_code == 200, ok.text
    assert _breakdowns(store)[0].repair_h == 1.5
    for bad in ({"asset": "no-such-fleet", "unit": 0}, {"asset": trip["asset"], "unit": 99_999},
                {"asset": trip["asset"], "unit": 0, "repair_h": -1}, {"asset": trip["asset"], "unit": 0, "x": 1},
                {"asset": trip["asset"], "unit": 0, "at": "2999-01-01T00:00:00Z"}):
        r = client.post("/api/v1/breakdowns", json=bad, headers={**h["admin"], "Idempotency-Key": key()})
        assert r.status_code == 422, (bad, r.text)
    r = client.post("/api/v1/breakdowns", json={"asset": trip["asset"], "unit": 0},
                    headers={**h["officer"], "Idempotency-Key": key()})
    assert r.status_code == 403
    assert len(_breakdowns(store)) == 1


def test_a_replan_failing_the_independent_check_is_refused_and_nothing_is_recorded(
        api: tuple[TestClient, dict, Store], monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody is rebooked onto a plan the checker refuses: the write is refused (409) and rolled back."""
    client, h, store = api
    real = planning.check_plan

    def failing(plan: Plan, scenario: Scenario) -> CheckReport:
        return replace(real(plan, scenario), violations=(Violation(Rule.SEATS, "T1", "too many aboard [seats]"),))

    monkeypatch.setattr(planning, "check_plan", failing)
    trip = client.get("/api/v1/trips", headers=h["planner"]).json()[0]
    r = client.post("/api/v1/breakdowns", json={"asset": trip["asset"], "unit": trip["unit"], "repair_h": None},
                    headers={**h["planner"], "Idempotency-Key": key()})
    assert r.status_code == 409 and "re-plan refused" in r.text and "independent check" in r.text
    assert _breakdowns(store) == []
    board = client.get("/api/v1/status-board", headers=h["viewer"]).json()
    assert [p["generation"] for p in board["plans"]] == [1]
