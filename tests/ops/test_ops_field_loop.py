"""The field loop through the API: a household's answer, check-in and boarding of the whole household (members
with a seat; a household with none refused), no-show, departure, arrival by manifest tick or at the haven, and a
boarded trip that a closure kills becoming an incident (never a 404)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ops_client import key

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.services.ops_ports import Role
from evac.services.users import add_user

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store

Api = tuple["TestClient", dict[str, dict[str, str]], "Store"]


def ahead(store: Store, hours: float = 12.0) -> None:
    """Move the operation clock back ``hours``: every trip of the plan still lies in the future, so a test does
    not depend on how long the machine took to get here."""
    with ops_uow_factory(store)() as uow:
        clock = uow.ops.clock()
        assert clock is not None
        uow.ops.set_clock(replace(clock, real_start=datetime.now(UTC) + timedelta(hours=hours)))
        uow.commit()


def states(store: Store, people: list[str]) -> dict[str, Any]:
    with ops_uow_factory(store)() as uow:
        return {s.person_id: s for s in uow.ops.states(person_ids=people)}


def post(client: TestClient, h: dict[str, str], path: str, body: dict[str, Any] | None = None,
         k: str | None = None) -> Any:
    return client.post(f"/api/v1{path}", json=body, headers={**h, "Idempotency-Key": k or key()})


def damascus_household(store: Store, *, mixed: bool) -> tuple[str, str, list[str], list[str]]:
    """(household, trip, members with a seat, members without) of a household at damascus with one trip;
    ``mixed``: one with at least one member without a seat (e.g. an ineligible spouse)."""
    with ops_uow_factory(store)() as uow:
        by_hh: dict[str, list[Any]] = {}
        for s in uow.ops.states(place="damascus", limit=10**6):
            by_hh.setdefault(s.household_id, []).append(s)
        for hid in sorted(by_hh):
            seated = [s for s in by_hh[hid] if s.trip_id]
            members = uow.ops.household_members(hid)
            others = [m for m in members if m not in {s.person_id for s in seated}]
            if seated and len({s.trip_id for s in seated}) == 1 and bool(others) is mixed:
                return hid, seated[0].trip_id, sorted(s.person_id for s in seated), others
    raise AssertionError("no such household in the synthetic operation")


def test_household_check_in_covers_every_seated_member_and_only_them(api: Api) -> None:
    client, h, store = api
    hid, trip, seated, unseated = damascus_household(store, mixed=True)
    r = post(client, h["officer"], "/checkins", {"household": hid})
    assert r.status_code == 200, r.text
    assert sorted(x["person"] for x in r.json()["results"]) == seated
    after = states(store, seated + unseated)
    assert all(after[p].status.value == "checked_in" for p in seated)
    assert all(p not in after or after[p].status.value != "checked_in" for p in unseated)
    # boarding the household onto its trip: every seated member, all or nothing
    r = post(client, h["officer"], "/boardings", {"household": hid, "trip": trip})
    assert r.status_code == 200, r.text
    assert {x["status"] for x in r.json()["results"]} == {"boarded"}
    # the same household for another trip: refused, nothing recorded
    listed = client.get("/api/v1/trips", headers=h["planner"], params={"limit": 500})
    assert listed.status_code == 200, listed.text
    other = next(t["id"] for t in listed.json() if t["id"] != trip)
    r = post(client, h["officer"], "/checkins", {"household": hid, "trip": other})
    assert r.status_code == 409 and f"no seat on trip {other}" in r.json()["detail"]


def test_a_household_with_no_seat_is_refused_and_nothing_recorded(api: Api) -> None:
    client, h, store = api
    with ops_uow_factory(store)() as uow:
        booked = {s.household_id for s in uow.ops.states(limit=10**6) if s.trip_id}
        hid = next(f"RH{s.household_id:07d}" for s in uow.registry.active()
                   if f"RH{s.household_id:07d}" not in booked and s.record.city == "damascus")
        members = uow.ops.household_members(hid)
    before = states(store, members)
    r = post(client, h["officer"], "/checkins", {"household": hid})
    assert r.status_code == 409, r.text
    assert r.json()["detail"].startswith(f"household {hid} has no seat on any trip")
    assert states(store, members) == before
    # another assembly point's household is not this officer's (404), an unknown one neither
    far = damascus_household(store, mixed=False)[0]
    assert post(client, h["officer2"], "/checkins", {"household": far}).status_code == 404
    assert post(client, h["officer"], "/checkins", {"household": "RH9999999"}).status_code == 404
    assert post(client, h["officer"], "/checkins", {"household": "R12"}).status_code == 422  # not a household id
    assert post(client, h["officer"], "/checkins", {}).status_code == 422


def test_the_whole_loop_reply_board_depart_tick_and_arrive(api: Api) -> None:
    client, h, store = api
    hid, trip, seated, _ = damascus_household(store, mixed=False)
    k = key()
    r = post(client, h["officer"], "/replies", {"household": hid, "answer": "confirmed"}, k)
    assert r.status_code == 200 and {x["status"] for x in r.json()["results"]} == {"confirmed"}
    again = post(client, h["officer"], "/replies", {"household": hid, "answer": "confirmed"}, k)
    assert again.json() == r.json() and again.headers["Idempotent-Replayed"] == "true"
    assert post(client, h["officer"], "/replies", {"answer": "confirmed"}).status_code == 422
    assert post(client, h["officer"], "/checkins", {"household": hid}).status_code == 200
    assert post(client, h["officer"], "/boardings", {"household": hid, "trip": trip}).status_code == 200
    r = post(client, h["officer"], f"/trips/{trip}/departure")
    assert r.status_code == 200, r.text
    assert {x["person"] for x in r.json()["results"]} >= set(seated)
    # a tick on the manifest: one person arrived safe
    first, *rest = seated
    r = post(client, h["officer"], "/arrivals", {"person_ids": [first], "trip": trip})
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "arrived_safe"
    # the officer at the haven receives the rest: they see the trip and record the household's arrival
    dest = client.get(f"/api/v1/trips/{trip}", headers=h["planner"]).json()["destination"]
    add_user(uow=ops_uow_factory(store)(), hasher=_hasher(), username="haven", password="correct-horse-battery",
             role=Role.FIELD_OFFICER, place=dest)
    from ops_client import login

    hv = login(client, "haven")
    assert trip in {t["id"] for t in client.get("/api/v1/trips", headers=hv, params={"limit": 500}).json()}
    r = post(client, hv, "/arrivals", {"household": hid, "trip": trip})
    assert r.status_code == 200, r.text
    assert {x["person"]: x["result"] for x in r.json()["results"]} == {
        first: "already", **{p: "recorded" for p in rest}}
    assert all(s.status.value == "arrived_safe" for s in states(store, seated).values())
    # the haven officer cannot check anyone in at damascus
    assert post(client, hv, "/checkins", {"household": hid}).status_code == 404


def test_no_show_of_a_household(api: Api) -> None:
    client, h, store = api
    hid, _, seated, _ = damascus_household(store, mixed=False)
    r = post(client, h["officer"], "/no-shows", {"household": hid})
    assert r.status_code == 200, r.text
    assert {x["person"] for x in r.json()["results"]} == set(seated)
    assert {s.status.value for s in states(store, seated).values()} == {"no_show"}


def _hasher() -> Any:
    from ops_factory import HASHER

    return HASHER


def test_a_boarded_trip_killed_by_a_closure_is_an_incident(api: Api) -> None:
    client, h, store = api
    ahead(store)
    trips = client.get("/api/v1/trips", headers=h["officer"], params={"limit": 500}).json()
    trip = next(t for t in trips if t["origin"] == "damascus" and "damascus" in t["pickups"]
                and t["destination"] == "beirut" and t["people"] > 0)
    manifest = client.get(f"/api/v1/trips/{trip['id']}", headers=h["officer"]).json()
    assert manifest["cancelled"] is None
    hid = manifest["passengers"][0]["household"]
    assert post(client, h["officer"], "/checkins", {"household": hid}).status_code == 200
    r = post(client, h["officer"], "/boardings", {"household": hid, "trip": trip["id"]})
    assert r.status_code == 200, r.text
    aboard = [x["person"] for x in r.json()["results"]]
    r = post(client, h["planner"], "/closures", {"target": "damascus--masnaa"})
    assert r.status_code == 200, r.text
    assert trip["id"] not in {t["id"] for t in client.get("/api/v1/trips", headers=h["planner"],
                                                          params={"limit": 500}).json()}
    for who in ("officer", "planner"):
        gone = client.get(f"/api/v1/trips/{trip['id']}", headers=h[who])
        assert gone.status_code == 200, gone.text
        c = gone.json()["cancelled"]
        assert c["reason"] == "closure of damascus--masnaa" and c["generation"] == 2 and c["at"]
        assert c["taken_off"] == sorted(aboard) and "on board" in c["action"]
        now = {p["id"]: p for p in gone.json()["passengers"]}
        assert set(aboard) <= set(now)
        for pid in aboard:  # off the dead trip: checked in again, with the trip they now hold (or none)
            assert now[pid]["status"] == "checked_in" and now[pid]["trip"] != trip["id"]
    st = states(store, aboard)
    assert {s.status.value for s in st.values()} == {"checked_in"}
    new_trip = st[aboard[0]].trip_id
    if new_trip is not None:  # they can board the trip they now hold
        r = post(client, h["officer"], "/boardings", {"household": hid, "trip": new_trip})
        assert r.status_code == 200, r.text
    # a trip no plan ever had is still a 404; another assembly point's officer does not see the incident
    assert client.get("/api/v1/trips/T99999", headers=h["planner"]).status_code == 404
    assert client.get(f"/api/v1/trips/{trip['id']}", headers=h["officer2"]).status_code == 404
    # the log replays to the same projection (the incident's rebooking is a fold like any other)
    from evac.services.operations import verify_projection

    assert verify_projection(uow_factory=ops_uow_factory(store)) == []
    # and the crisis cell sees it: the situation report lists the incident (the console's report section)
    rep = client.get("/api/v1/sitrep", headers=h["viewer"]).json()
    inc = [i for i in rep["incidents"] if i["kind"] == "trip_cancelled"]
    assert [i["subject"] for i in inc] == [trip["id"]]
    assert inc[0]["detail"].startswith(f"{len(aboard)} on board taken off")
