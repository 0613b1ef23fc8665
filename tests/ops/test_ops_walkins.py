"""Walk-in (go-show) registration by a field officer: registered sealed in the registry, booked on a trip from
the assembly point with free seats (nobody else moves) or listed as waiting; idempotent; bad input refused with
the field named; a failure halfway leaves nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from ops_client import key

from evac.adapters.store.ops_repo import ops_uow_factory

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store

Api = tuple["TestClient", dict[str, dict[str, str]], "Store"]
FAMILY = {"place": "damascus", "members": [
    {"given": "Зарина", "family": "Пешеходова", "given_latin": "Zarina", "family_latin": "Peshekhodova",
     "birth": "1986-04-02", "sex": "F", "nationalities": ["RU"], "phone": "+963944000001", "document": "75 1234567",
     "relation": "head"},
    {"given": "Тимур", "family": "Пешеходов", "birth": "2015", "sex": "M", "nationalities": ["RU", "SY"],
     "relation": "child", "vulnerabilities": ["child"]},
]}


def shift_clock(store: Store, hours: float) -> None:
    """Move the operation clock so that now is ``hours`` later (negative: earlier) in scenario time."""
    with ops_uow_factory(store)() as uow:
        clock = uow.ops.clock()
        assert clock is not None
        uow.ops.set_clock(replace(clock, real_start=clock.real_start - timedelta(hours=hours)))
        uow.commit()


def counts(store: Store) -> tuple[int, int, int, int]:
    """(registry records, log events, plan generations, stored requests)."""
    from sqlalchemy import text

    with store.engine.connect() as c:
        return tuple(int(c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())  # type: ignore[return-value]
                     for t in ("people", "op_events", "op_plans", "op_requests"))


def walk_in(client: TestClient, h: dict[str, str], body: dict[str, Any], k: str | None = None) -> Any:
    return client.post("/api/v1/walk-ins", json=body, headers={**h, "Idempotency-Key": k or key()})


def test_a_walk_in_is_registered_sealed_and_booked_on_a_trip_with_free_seats(api: Api) -> None:
    client, h, store = api
    shift_clock(store, -12)  # every trip still ahead
    before_trips = {t["id"]: t for t in client.get("/api/v1/trips", headers=h["planner"],
                                                   params={"limit": 500}).json()}
    before = {tid: client.get(f"/api/v1/trips/{tid}", headers=h["planner"]).json()["passengers"]
              for tid in before_trips}
    r = walk_in(client, h["officer"], FAMILY)
    assert r.status_code == 200, r.text
    out = r.json()
    assert len(out["people"]) == 2 and out["travellers"] == out["people"] and not out["waiting"]
    trip = out["trip"]
    assert trip in before_trips and "damascus" in before_trips[trip]["pickups"]
    # minimal change: the trip gains the household, nobody else moves, no other trip changes
    after = client.get("/api/v1/trips", headers=h["planner"], params={"limit": 500}).json()
    assert {t["id"] for t in after} == set(before_trips)
    for t in after:
        people = client.get(f"/api/v1/trips/{t['id']}", headers=h["planner"]).json()["passengers"]
        old = {p["id"]: (p["status"], p["trip"]) for p in before[t["id"]]}
        assert {p["id"]: (p["status"], p["trip"]) for p in people if p["id"] in old} == old
        assert {p["id"] for p in people} - set(old) == (set(out["people"]) if t["id"] == trip else set())
    # the officer finds them by name in either script; the household view has both
    found = client.get("/api/v1/people", headers=h["officer"], params={"q": "Пешеходова"}).json()
    assert out["people"][0] in [p["id"] for p in found]
    assert client.get("/api/v1/people", headers=h["officer"], params={"q": "Peshekhodova"}).json()[0]["trip"] == trip
    hh = client.get(f"/api/v1/households/{out['household']}", headers=h["officer"]).json()
    assert {m["id"] for m in hh["members"]} == set(out["people"])
    # the whole household checks in and boards like anyone else
    r = client.post("/api/v1/checkins", json={"household": out["household"]},
                    headers={**h["officer"], "Idempotency-Key": key()})
    assert r.status_code == 200 and r.json()["recorded"] == 2
    # sealed: no name, phone or document in the database files; audited; the stored plan passes the checker
    raw = b"".join(p.read_bytes() for p in store.path.rglob("*") if p.is_file() and "key" not in p.name)
    for secret in ("Пешеходова", "Peshekhodova", "+963944000001", "75 1234567"):
        assert secret.encode() not in raw, secret
    audit = client.get("/api/v1/audit", headers=h["admin"], params={"action": "write:walk-in"}).json()
    assert [a["actor"] for a in audit] == ["officer"] and out["household"] in audit[0]["subject"]
    from evac.adapters.store.ops_scenario import operation_scenario
    from evac.services.planning import check

    with ops_uow_factory(store)() as uow:
        active = uow.ops.active_plan()
    assert active is not None and active.reason.startswith(f"walk-in {out['household']} on {trip}")
    check(active.plan, operation_scenario(store, "syria-2013")[0])


def test_replaying_the_key_registers_one_household(api: Api) -> None:
    client, h, store = api
    shift_clock(store, -12)
    k = key()
    first = walk_in(client, h["officer"], FAMILY, k)
    n = counts(store)
    again = walk_in(client, h["officer"], FAMILY, k)
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert counts(store) == n
    other = walk_in(client, h["officer"], {**FAMILY, "members": FAMILY["members"][:1]}, k)
    assert other.status_code == 422 and "already used" in other.json()["detail"]


def test_no_free_seat_lists_them_as_waiting_and_ineligible_are_only_registered(api: Api) -> None:
    client, h, store = api
    shift_clock(store, 24 * 30)  # a month on: every trip from damascus has left
    r = walk_in(client, h["officer"], FAMILY)
    assert r.status_code == 200, r.text
    assert r.json()["trip"] is None and r.json()["waiting"] is True
    with ops_uow_factory(store)() as uow:
        active = uow.ops.active_plan()
    assert active is not None
    waiting = next(lb for lb in active.plan.left_behind if lb.household_id == r.json()["household"])
    assert waiting.reason.value == "no_capacity" and set(waiting.person_ids) == set(r.json()["people"])
    # nobody in the household may travel (no Russian nationality, no citizen in it): registered, not booked
    syrian = {"place": "damascus", "members": [{"given": "Ахмад", "family": "Ходжа", "nationalities": ["SY"]}]}
    r = walk_in(client, h["officer"], syrian)
    assert r.status_code == 200 and r.json()["travellers"] == [] and r.json()["waiting"] is False


@pytest.mark.parametrize(("body", "where"), [
    ({"place": "damascus", "members": []}, "members"),
    ({"place": "damascus", "members": [{"given": " ", "family": "X"}]}, "members[0]"),
    ({"place": "damascus", "members": [{"given": "A", "family": "B", "birth": "1984-13-40"}]}, "members[0].birth"),
    ({"place": "damascus", "members": [{"given": "A", "family": "B", "birth": "84"}]}, "birth"),
    ({"place": "damascus", "members": [{"given": "A", "family": "B", "nationalities": ["ru"]}]}, "nationalities"),
    ({"place": "damascus", "members": [{"given": "A", "family": "B"}, {"given": "C", "family": "B"}]},
     "members[1].relation"),
    ({"place": "damascus", "members": [{"given": "A", "family": "B", "eye_colour": "grey"}]}, "eye_colour"),
    ({"place": "aleppo", "members": [{"given": "A", "family": "B"}]}, "place"),
    ({"place": "atlantis", "members": [{"given": "A", "family": "B"}]}, "place"),
])
def test_bad_walk_ins_are_refused_naming_the_field_and_store_nothing(api: Api, body: dict[str, Any],
                                                                      where: str) -> None:
    client, h, store = api
    n = counts(store)
    r = walk_in(client, h["officer"], body)
    assert r.status_code == 422, r.text
    assert where in r.text
    assert counts(store) == n


def test_a_failure_halfway_leaves_nothing(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checker refusing the booked plan (after the people were added to the registry and before the plan is
    stored) rolls back the registry rows too; the same request then succeeds once."""
    from evac.services import planning

    client, h, store = api
    shift_clock(store, -12)
    n = counts(store)
    real = planning.check

    def broken(plan: Any, scenario: Any) -> Any:
        raise RuntimeError("the store went away")

    monkeypatch.setattr(planning, "check", broken)
    k = key()
    r = walk_in(client, h["officer"], FAMILY, k)
    assert r.status_code == 500 and r.json() == {"detail": "internal error"}
    assert counts(store) == n
    assert client.get("/api/v1/people", headers=h["officer"], params={"q": "Пешеходова"}).json() == []
    monkeypatch.setattr(planning, "check", real)
    r = walk_in(client, h["officer"], FAMILY, k)
    assert r.status_code == 200 and r.json()["trip"]
    assert counts(store)[0] == n[0] + 2
