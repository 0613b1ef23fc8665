"""Merges are operation events: the registry's merge and unmerge (service, CLI and API) append ``merged``
to the operation log in the same transaction, audited; a failure half-way leaves both as they were. The
console's registry routes: the review queue (names for admin and planner only), merges, unmerges."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import typer
from ops_client import clean_env, key
from typer.testing import CliRunner

from evac.adapters.store.ops_repo import SqlOps, ops_uow_factory
from evac.cli.registry import registry_app
from evac.core.oplog import MergedEvent
from evac.services import operations as ops
from evac.services import registry as svc

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store


def _merged_events(store: Store, pid: str) -> list[MergedEvent]:
    with ops_uow_factory(store)() as uow:
        return [ev for _, ev in uow.ops.events() if isinstance(ev, MergedEvent) and ev.person_id == pid]


def _two(store: Store, *, b_has_events: bool | None = None) -> tuple[tuple[int, str], tuple[int, str]]:
    """Two people of different households (the second with or without events so far, if asked):
    (registry id, external id) each."""
    with store.uow() as uow:
        active = uow.registry.active()
    with ops_uow_factory(store)() as uow:
        known = {s.person_id for s in uow.ops.states(limit=100_000)}
    a = active[0]
    b = next(s for s in active if s.household_id != a.household_id
             and (b_has_events is None or (ops.person_key(s.id) in known) is b_has_events))
    return (a.id, a.record.external_id), (b.id, b.record.external_id)


def _audit(store: Store, action: str) -> list[str]:
    return [e.subject for e in ops.audit_log(uow_factory=ops_uow_factory(store), action=action, limit=1000)]


@pytest.mark.parametrize("b_has_events", [True, False])
def test_merge_and_unmerge_are_logged_once(api: tuple[TestClient, dict, Store], b_has_events: bool) -> None:
    _, _, store = api
    (a, ext_a), (b, ext_b) = _two(store, b_has_events=b_has_events)
    pa, pb = ops.person_key(a), ops.person_key(b)
    svc.merge(uow=store.uow(), kept=ext_a, merged=ext_b)
    evs = _merged_events(store, pb)
    assert [(e.into, e.undone, e.meta.actor) for e in evs] == [(pa, False, svc.REGISTRY_ACTOR)]
    with ops_uow_factory(store)() as uow:
        st = uow.ops.state(pb)
        assert st is not None and st.merged_into == pa
    with pytest.raises(ops.TransitionError, match="merged into"):  # the field cannot act on a merged record
        ops.record(uow_factory=ops_uow_factory(store), actor=ops.Actor("admin", ops.Role.ADMIN), key=key(),
                   route="checkins", body_sha256="x", kind=ops.EventType.CHECKED_IN, person_ids=[pb],
                   now=evs[0].meta.at)
    svc.unmerge(uow=store.uow(), merged=ext_b)
    evs = _merged_events(store, pb)
    assert [(e.into, e.undone) for e in evs] == [(pa, False), (pa, True)]
    with ops_uow_factory(store)() as uow:
        st = uow.ops.state(pb)
        assert st is not None and st.merged_into is None
    assert ops.verify_projection(uow_factory=ops_uow_factory(store)) == []
    home = ops.person(uow_factory=ops_uow_factory(store), actor=ops.Actor("admin", ops.Role.ADMIN), person_id=pb)
    assert home["place"]  # an unmerged person is where they were (their home city without a trip)
    assert _audit(store, "write:merge") == [f"{pb} into {pa}"]
    assert _audit(store, "write:unmerge") == [f"{pb} into {pa}"]


@pytest.mark.parametrize("fail_in", ["append", "audit"])
def test_failure_half_way_loses_nothing_and_keeps_nothing(api: tuple[TestClient, dict, Store],
                                                          monkeypatch: pytest.MonkeyPatch, fail_in: str) -> None:
    _, _, store = api
    (_, ext_a), (b, ext_b) = _two(store)

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("injected")

    monkeypatch.setattr(SqlOps, fail_in, boom)  # after the registry write (append), or after both (audit)
    with pytest.raises(RuntimeError, match="injected"):
        svc.merge(uow=store.uow(), kept=ext_a, merged=ext_b)
    monkeypatch.undo()
    with store.uow() as uow:
        assert uow.registry.get(b).merged_into is None
    assert _merged_events(store, ops.person_key(b)) == []
    svc.merge(uow=store.uow(), kept=ext_a, merged=ext_b)  # and it can be done afterwards
    assert len(_merged_events(store, ops.person_key(b))) == 1


def test_cli_merge_appends_the_event(api: tuple[TestClient, dict, Store]) -> None:
    _, _, store = api
    (_, ext_a), (b, ext_b) = _two(store)
    app = typer.Typer()
    app.add_typer(registry_app, name="registry")
    env = {**clean_env(), "EVAC_DATABASE_URL": "", "EVAC_KEY": ""}
    r = CliRunner().invoke(app, ["registry", "merge", ext_a, ext_b, "-w", str(store.path)], env=env)
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["registry", "unmerge", ext_b, "-w", str(store.path)], env=env)
    assert r.exit_code == 0, r.output
    assert [e.undone for e in _merged_events(store, ops.person_key(b))] == [False, True]


def test_registry_routes(api: tuple[TestClient, dict, Store]) -> None:
    client, h, store = api
    (a, _), (b, _) = _two(store)
    pa, pb = ops.person_key(a), ops.person_key(b)
    with store.uow() as uow:
        uow.registry.replace_candidates([(a, b, 0.97, "match", ("same phone", "similar family name"))])
        uow.commit()
    full = client.get("/api/v1/registry/dupes", headers=h["planner"])
    assert full.status_code == 200, full.text
    [pair] = full.json()
    assert (pair["a"]["id"], pair["b"]["id"], pair["decision"], pair["score"]) == (pa, pb, "match", 0.97)
    assert pair["evidence"] == ["same phone", "similar family name"] and pair["a"]["name"]
    redacted = client.get("/api/v1/registry/dupes", headers=h["viewer"]).json()
    assert redacted[0]["a"]["name"] is None and redacted[0]["b"]["birth"] is None
    assert client.get("/api/v1/registry/dupes", headers=h["officer"]).status_code == 403
    assert client.get("/api/v1/registry/dupes", headers=h["admin"], params={"offset": 1}).json() == []
    assert _audit(store, "read:dupes") == ["empty page", f"{pa}~{pb}", f"{pa}~{pb}"]  # newest first

    k = key()
    r = client.post("/api/v1/registry/merges", json={"kept": pa, "merged": pb},
                    headers={**h["planner"], "Idempotency-Key": k})
    assert r.status_code == 200, r.text
    assert r.json() == {"result": "merged", "kept": pa, "merged": pb}
    again = client.post("/api/v1/registry/merges", json={"kept": pa, "merged": pb},
                        headers={**h["planner"], "Idempotency-Key": k})
    assert again.headers["Idempotent-Replayed"] == "true" and len(_merged_events(store, pb)) == 1
    assert [e.meta.key for e in _merged_events(store, pb)] == [k]
    assert client.get("/api/v1/registry/dupes", headers=h["planner"]).json() == []  # reviewed
    dup = client.post("/api/v1/registry/merges", json={"kept": pa, "merged": pb},
                      headers={**h["planner"], "Idempotency-Key": key()})
    assert dup.status_code == 409 and "already merged" in dup.json()["detail"]
    missing = client.post("/api/v1/registry/merges", json={"kept": pa, "merged": "R9999999"},
                          headers={**h["admin"], "Idempotency-Key": key()})
    assert missing.status_code == 404
    assert client.post("/api/v1/registry/merges", json={"kept": pa, "merged": pb},
                       headers={**h["viewer"], "Idempotency-Key": key()}).status_code == 403

    r = client.post("/api/v1/registry/unmerges", json={"merged": pb}, headers={**h["admin"], "Idempotency-Key": key()})
    assert r.status_code == 200 and r.json() == {"result": "unmerged", "kept": pa, "merged": pb}
    r = client.post("/api/v1/registry/unmerges", json={"merged": pb}, headers={**h["admin"], "Idempotency-Key": key()})
    assert r.status_code == 409 and "not merged" in r.json()["detail"]
    assert [e.undone for e in _merged_events(store, pb)] == [False, True]
    assert [e.actor for e in ops.audit_log(uow_factory=ops_uow_factory(store), action="write:", limit=100)
            if "merge" in e.action] == ["admin", "planner"]  # newest first
    assert client.get("/api/v1/registry/dupes", headers=h["planner"]).json()[0]["b"]["id"] == pb  # back in the queue


def test_merged_event_data_before_the_undone_flag_still_reads() -> None:
    from datetime import UTC, datetime

    from evac.core.oplog import Meta, event_from_data, event_to_data, fold

    meta = Meta("system:registry", datetime(2013, 1, 22, tzinfo=UTC))
    old = event_from_data("merged", 1, {"person": "R0000002", "household": "RH0000002", "into": "R0000001"}, meta)
    assert isinstance(old, MergedEvent) and old.undone is False
    undo = MergedEvent(meta, "R0000002", "RH0000002", "R0000001", undone=True)
    assert event_from_data("merged", 1, event_to_data(undo), meta) == undo
    assert fold([old, undo]).people["R0000002"].merged_into is None
    with pytest.raises(ops.TransitionError, match="nothing to undo"):
        fold([undo])


def test_the_apps_population_follows_merges_and_unmerges(api: tuple[TestClient, dict, Store]) -> None:
    """Re-plans after a merge must not plan a seat for the merged duplicate (the cache used to key on counts)."""
    client, h, store = api
    (a, _), (b, _) = _two(store)
    pa, pb = ops.person_key(a), ops.person_key(b)
    ctx = client.app.state.ctx  # type: ignore[attr-defined]

    def people() -> set[str]:
        return {p.id for p in ctx.scenario().population.people}

    before = people()
    assert pb in before
    r = client.post("/api/v1/registry/merges", json={"kept": pa, "merged": pb},
                    headers={**h["planner"], "Idempotency-Key": key()})
    assert r.status_code == 200, r.text
    assert people() == before - {pb}
    r = client.post("/api/v1/registry/unmerges", json={"merged": pb}, headers={**h["admin"], "Idempotency-Key": key()})
    assert r.status_code == 200, r.text
    assert people() == before


def test_queue_filters_pages_and_bulk_accept_routes(api: tuple[TestClient, dict, Store]) -> None:
    client, h, store = api
    with store.uow() as uow:
        active = uow.registry.active()
    by_hh: dict[int, list[int]] = {}
    for s in active:
        by_hh.setdefault(s.household_id, []).append(s.id)
    a, b, c, d, e = (ids[0] for ids in list(by_hh.values())[:5])  # five people of five households
    with store.uow() as uow:
        city = uow.registry.get(d).record.city
        uow.registry.replace_candidates([(a, b, 0.99, "match", ("same phone",)), (b, c, 0.95, "match", ("x",)),
                                         (d, e, 0.5, "review", ("similar family name",))])
        uow.commit()
    url = "/api/v1/registry/dupes"
    assert len(client.get(url, headers=h["planner"], params={"band": "likely"}).json()) == 2
    [rv] = client.get(url, headers=h["planner"], params={"band": "review"}).json()
    assert rv["decision"] == "review"
    assert client.get(url, headers=h["planner"], params={"band": "sure"}).status_code == 422
    page = client.get(url, headers=h["planner"], params={"limit": 1, "offset": 1}).json()
    assert [(p["a"]["id"], p["b"]["id"]) for p in page] == [(ops.person_key(b), ops.person_key(c))]
    at = client.get(url, headers=h["viewer"], params={"place": city.upper()}).json()
    assert (ops.person_key(d), ops.person_key(e)) in {(p["a"]["id"], p["b"]["id"]) for p in at}
    summary = client.get(url + "/summary", headers=h["viewer"]).json()
    assert (summary["total"], summary["likely"], summary["review"]) == (3, 2, 1)
    assert (summary["unresolved_likely"], summary["planned_once"]) == (2, 2)
    assert client.get(url + "/summary", headers=h["officer"]).status_code == 403
    board = client.get("/api/v1/status-board", headers=h["viewer"]).json()
    assert board["duplicates"] == {"unresolved_likely": 2, "planned_once": 2}

    acc = url + "/accept-likely"
    assert client.post(acc, json={}, headers={**h["viewer"], "Idempotency-Key": key()}).status_code == 403
    assert client.post(acc, json={"place": ""}, headers={**h["planner"], "Idempotency-Key": key()}).status_code == 422
    k = key()
    r = client.post(acc, json={}, headers={**h["planner"], "Idempotency-Key": k})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["pairs"], out["people"], out["merged"]) == (2, 1, 2)
    kept = out["merges"][0]["kept"]
    assert {m["merged"] for m in out["merges"]} == {ops.person_key(x) for x in (a, b, c)} - {kept}
    again = client.post(acc, json={}, headers={**h["planner"], "Idempotency-Key": k})
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == out
    assert sum(len(_merged_events(store, m["merged"])) for m in out["merges"]) == 2
    left = client.get(url, headers=h["planner"]).json()
    assert [p["decision"] for p in left] == ["review"]
    assert client.get(url + "/summary", headers=h["planner"]).json()["unresolved_likely"] == 0
    first = out["merges"][0]["merged"]
    r = client.post("/api/v1/registry/unmerges", json={"merged": first},
                    headers={**h["admin"], "Idempotency-Key": key()})
    assert r.status_code == 200, r.text
    assert client.get(url + "/summary", headers=h["planner"]).json()["unresolved_likely"] >= 1
