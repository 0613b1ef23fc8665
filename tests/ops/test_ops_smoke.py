"""End to end in-process: a field officer checks in and boards a household with its pass and cannot see
another assembly point's people; a closure re-plans and queues messages in three languages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ops_client import key

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store


def test_field_officer_checks_in_and_boards_a_household(api: tuple[TestClient, dict, Store]) -> None:
    client, h, _ = api
    trips = client.get("/api/v1/trips", headers=h["officer"]).json()
    assert trips and all("damascus" in t["pickups"] for t in trips)
    trip = client.get(f"/api/v1/trips/{trips[0]['id']}", headers=h["officer"]).json()
    first = trip["passengers"][0]
    p = client.get(f"/api/v1/people/{first['id']}/pass", headers=h["officer"])
    assert p.status_code == 200, p.text
    token = p.json()["token"]
    r = client.post("/api/v1/checkins", json={"pass": token, "whole_household": True},
                    headers={**h["officer"], "Idempotency-Key": key()})
    assert r.status_code == 200, r.text
    members = [x["person"] for x in r.json()["results"]]
    assert r.json()["recorded"] == len(members) >= 1
    r = client.post("/api/v1/boardings", json={"pass": token, "whole_household": True},
                    headers={**h["officer"], "Idempotency-Key": key()})
    assert r.status_code == 200, r.text
    assert {x["status"] for x in r.json()["results"]} == {"boarded"}
    hh = client.get(f"/api/v1/households/{first['household']}", headers=h["officer"]).json()
    assert {m["status"] for m in hh["members"] if m["id"] in members} == {"boarded"}
    # another assembly point's people and trips are invisible to this officer
    other = client.get("/api/v1/trips", headers=h["officer2"]).json()
    assert other and all("aleppo" in t["pickups"] for t in other)
    far = client.get(f"/api/v1/trips/{other[0]['id']}", headers=h["officer2"]).json()["passengers"][0]
    assert client.get(f"/api/v1/people/{far['id']}", headers=h["officer"]).status_code == 404
    assert client.get(f"/api/v1/trips/{other[0]['id']}", headers=h["officer"]).status_code == 404
    r = client.post("/api/v1/checkins", json={"person_ids": [far["id"]]},
                    headers={**h["officer"], "Idempotency-Key": key()})
    assert r.status_code == 404


def test_closure_replans_and_notifies_in_three_languages(api: tuple[TestClient, dict, Store]) -> None:
    client, h, _ = api
    before = client.get("/api/v1/outbox", headers=h["planner"], params={"limit": 500}).json()
    trips = client.get("/api/v1/trips", headers=h["planner"], params={"limit": 500}).json()
    damascus = [t for t in trips if "damascus" in t["pickups"]]
    people = [p["id"] for t in damascus[:3] for p in client.get(f"/api/v1/trips/{t['id']}",
                                                                headers=h["planner"]).json()["passengers"]]
    for pid, lang in zip(people[:3], ("ru", "en", "ar"), strict=True):
        assert client.put(f"/api/v1/people/{pid}/language", json={"language": lang},
                          headers=h["planner"]).status_code == 204
    r = client.post("/api/v1/closures", json={"target": "damascus--masnaa"},
                    headers={**h["planner"], "Idempotency-Key": key()})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["generation"] == 2 and body["changed_households"] > 0
    assert body["kpis_before"]["safe"] is not None and body["kpis_after"]["safe"] is not None
    after = client.get("/api/v1/outbox", headers=h["planner"], params={"limit": 500}).json()
    new = after[len(before):]
    assert {m["template"] for m in new} <= {"change", "cancellation", "assignment"} and new
    assert {m["language"] for m in new} == {"ru", "en", "ar"}
    board = client.get("/api/v1/status-board", headers=h["viewer"]).json()
    assert [p["generation"] for p in board["plans"]] == [1, 2]


def test_checking_in_someone_with_no_seat_is_refused_and_nothing_recorded(
        api: tuple[TestClient, dict, Store]) -> None:
    from evac.adapters.store.ops_repo import ops_uow_factory
    from evac.adapters.store.ops_scenario import operation_scenario

    client, h, store = api
    scenario, _ = operation_scenario(store, "syria-2013")
    who = next(p.id for p in scenario.population.people if not p.travels)  # registered, never given a seat
    with ops_uow_factory(store)() as uow:
        booked = next(s for s in uow.ops.states(limit=100_000)
                      if s.trip_id is not None and s.status.value not in ("checked_in", "boarded"))
    r = client.post("/api/v1/checkins", json={"person_ids": [booked.person_id, who]},
                    headers={**h["planner"], "Idempotency-Key": key()})
    assert r.status_code == 409, r.text
    assert "no seat on any trip" in r.text
    with ops_uow_factory(store)() as uow:  # all or nothing: the booked person was not checked in either
        after = uow.ops.state(booked.person_id)
    assert after is not None and after.status == booked.status
