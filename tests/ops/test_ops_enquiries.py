"""The relatives' enquiry desk: a call is recorded with the caller's details sealed; the answer says the
person's name and stage only (never a place, trip or time), in the caller's language; a stricter policy says
only "registered"; bad input records nothing; field officers and viewers have no desk."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from ops_client import key, make_client

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import DB_FILE
from evac.core.oplog import Status
from evac.services import enquiry as enq
from evac.services.operations import Actor, Invalid, NotFound
from evac.services.ops_ports import Role

if TYPE_CHECKING:
    from pathlib import Path

    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store

DESK = Actor("planner", Role.PLANNER, None)
CALLER = "Zqxcallerova Tamara"
PHONE = "+7 916 555 01 23"


def _boarded_person(client: TestClient, h: dict) -> dict:
    trips = client.get("/api/v1/trips", headers=h["officer"]).json()
    trip = client.get(f"/api/v1/trips/{trips[0]['id']}", headers=h["officer"]).json()
    token = client.get(f"/api/v1/people/{trip['passengers'][0]['id']}/pass", headers=h["officer"]).json()["token"]
    for route in ("checkins", "boardings"):
        r = client.post(f"/api/v1/{route}", json={"pass": token, "whole_household": False},
                        headers={**h["officer"], "Idempotency-Key": key()})
        assert r.status_code == 200, r.text
    return trip


def test_an_enquiry_is_recorded_and_answered_within_policy(api: tuple[TestClient, dict, Store]) -> None:
    client, h, _ = api
    trip = _boarded_person(client, h)
    person = trip["passengers"][0]
    r = client.post("/api/v1/enquiries", headers=h["planner"], json={
        "person": person["id"], "caller_name": CALLER, "caller_contact": PHONE, "relation": "mother",
        "question": "Is my daughter out?", "language": "ru"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["outcome"] == "on_the_way" and out["person"]["status"] == "boarded"
    assert out["answer"].startswith(person["name"]) and "в пути" in out["answer"]
    for secret in (trip["id"], trip["origin"], trip["destination"], person["household"], trip["depart"][:10]):
        assert secret not in out["answer"], f"the answer must not disclose {secret}"
    log = client.get("/api/v1/enquiries", headers=h["admin"], params={"person": person["id"]}).json()
    assert [(e["caller_name"], e["caller_contact"], e["relation"], e["outcome"]) for e in log] == [
        (CALLER, PHONE, "mother", "on_the_way")]
    nobody = client.post("/api/v1/enquiries", headers=h["planner"], json={
        "caller_name": "Zqx Ahmad", "caller_contact": "ahmad@example.invalid", "question": "my brother Omar, 34",
        "language": "ar"}).json()
    assert nobody["outcome"] == "not_found" and nobody["person"] is None and "القنصلية" in nobody["answer"]
    newest = client.get("/api/v1/enquiries", headers=h["planner"], params={"limit": 1}).json()
    assert [e["id"] for e in newest] == [nobody["enquiry"]]
    older = client.get("/api/v1/enquiries", headers=h["planner"], params={"before": nobody["enquiry"]}).json()
    assert [e["id"] for e in older] == [out["enquiry"]]


def test_the_stricter_policy_says_only_registered_and_declined_is_not_disclosed() -> None:
    assert enq.answer(Status.ARRIVED_SAFE, "Anna", disclosure="registered")[0] == "registered"
    assert enq.answer(Status.DECLINED, "Anna")[0] == "registered"
    assert enq.answer(Status.NO_SHOW, "Anna")[0] == "registered"
    assert enq.answer(Status.ARRIVED_SAFE, "Anna", language="en") == ("safe", "Anna has reached safety.")
    with pytest.raises(Invalid, match="language 'fr'"):
        enq.answer(Status.ARRIVED_SAFE, "Anna", language="fr")


def test_bad_enquiries_record_nothing(api: tuple[TestClient, dict, Store]) -> None:
    client, h, store = api
    bad = [
        {"caller_name": "", "caller_contact": PHONE},
        {"caller_name": CALLER},
        {"caller_name": CALLER, "caller_contact": PHONE, "person": "P123"},
        {"caller_name": CALLER, "caller_contact": PHONE, "language": "fr"},
        {"caller_name": CALLER, "caller_contact": PHONE, "note": "x" * 2001},
        {"caller_name": CALLER, "caller_contact": PHONE, "extra": 1},
    ]
    for body in bad:
        assert client.post("/api/v1/enquiries", headers=h["planner"], json=body).status_code == 422, body
    unknown = client.post("/api/v1/enquiries", headers=h["planner"],
                          json={"caller_name": CALLER, "caller_contact": PHONE, "person": "R9999999"})
    assert unknown.status_code == 404
    for role in ("officer", "viewer"):
        assert client.post("/api/v1/enquiries", headers=h[role],
                           json={"caller_name": CALLER, "caller_contact": PHONE}).status_code == 403
        assert client.get("/api/v1/enquiries", headers=h[role]).status_code == 403
    with pytest.raises(Invalid, match="caller_name and caller_contact are required"):
        enq.record_enquiry(uow_factory=ops_uow_factory(store), actor=DESK, now=datetime.now(UTC), person_id=None,
                           caller_name="  ", caller_contact=PHONE)
    with pytest.raises(NotFound):
        enq.record_enquiry(uow_factory=ops_uow_factory(store), actor=DESK, now=datetime.now(UTC),
                           person_id="R0000000", caller_name=CALLER, caller_contact=PHONE)
    assert client.get("/api/v1/enquiries", headers=h["planner"]).json() == []


def test_enquiries_on_both_stores_are_sealed_and_audited(any_store: Store, tmp_path: Path) -> None:
    client = make_client(any_store)
    from ops_factory import PASSWORD

    token = client.post("/api/v1/auth/login", json={"username": "planner", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    r = client.post("/api/v1/enquiries", headers=headers, json={
        "caller_name": CALLER, "caller_contact": PHONE, "relation": "Zqxrelation", "question": "Zqxquestion"})
    assert r.status_code == 200, r.text
    with ops_uow_factory(any_store)() as uow:
        actions = [a.action for a in uow.ops.audit_log(actor="planner", action=None, since=None, limit=20,
                                                        offset=0)]
        assert "write:enquiry" in actions
        assert [e.caller_name for e in uow.enquiries.list()] == [CALLER]
    if any_store.engine.dialect.name == "sqlite":
        blob = b"".join(p.read_bytes() for p in any_store.path.glob(DB_FILE + "*"))
        for needle in ("Zqxcallerova", "Zqxrelation", "Zqxquestion", "916 555"):
            assert needle.encode() not in blob, f"{needle} stored in the clear"
