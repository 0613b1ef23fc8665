"""PATCH /people/{id}: a field officer or the cell corrects a phone, a document or a change of mind; sealed,
audited by field name only, scoped to the officer's assembly point; a bad value changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import DB_FILE
from evac.services.operations import registry_id

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store


def _someone(client: TestClient, h: dict, officer: str = "officer") -> dict:
    trips = client.get("/api/v1/trips", headers=h[officer]).json()
    return client.get(f"/api/v1/trips/{trips[0]['id']}", headers=h[officer]).json()["passengers"][0]


def test_an_officer_corrects_a_phone_document_and_willingness(api: tuple[TestClient, dict, Store]) -> None:
    client, h, store = api
    p = _someone(client, h)
    r = client.patch(f"/api/v1/people/{p['id']}", headers=h["officer"],
                     json={"phone": "0944 123 456", "document": "zq 7781", "willingness": "declines"})
    assert r.status_code == 200, r.text
    assert r.json()["changed"] == ["document", "phone", "willingness"]
    again = client.patch(f"/api/v1/people/{p['id']}", headers=h["officer"],
                         json={"phone": "+963944123456", "document": "ZQ 7781", "willingness": "declines"})
    assert again.status_code == 200 and again.json()["changed"] == [], "the same values again change nothing"
    with ops_uow_factory(store)() as uow:
        rec = uow.registry.get(registry_id(p["id"])).record
        audit = [a for a in uow.ops.audit_log(actor="officer", action="write:person", since=None, limit=10,
                                              offset=0)]
    assert (rec.phone, rec.document, rec.willingness.value) == ("+963944123456", "ZQ 7781", "declines")
    assert [a.subject for a in audit] == [f"{p['id']}: document, phone, willingness"]
    blob = b"".join(f.read_bytes() for f in store.path.glob(DB_FILE + "*"))
    assert b"ZQ 7781" not in blob and b"963944123456" not in blob, "sealed like the rest of the record"


def test_bad_edits_change_nothing_and_officers_stay_at_their_post(api: tuple[TestClient, dict, Store]) -> None:
    client, h, store = api
    p = _someone(client, h)
    with ops_uow_factory(store)() as uow:
        before = uow.registry.get(registry_id(p["id"])).record
    for body, words in [({"phone": "12"}, "phone"), ({"document": "<script>"}, "document"),
                        ({}, "nothing to change"), ({"phone": "+963944123456", "willingness": "maybe"}, None),
                        ({"name": "x"}, None)]:
        r = client.patch(f"/api/v1/people/{p['id']}", headers=h["planner"], json=body)
        assert r.status_code == 422, (body, r.text)
        if words:
            assert words in r.text
    with ops_uow_factory(store)() as uow:
        assert uow.registry.get(registry_id(p["id"])).record == before, "a refused edit stored nothing"
    far = _someone(client, h, "officer2")
    assert client.patch(f"/api/v1/people/{far['id']}", headers=h["officer"],
                        json={"phone": "+963944000111"}).status_code == 404
    assert client.patch(f"/api/v1/people/{p['id']}", headers=h["viewer"],
                        json={"phone": "+963944000111"}).status_code == 403
