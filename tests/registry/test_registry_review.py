"""Reviewing the queue in bulk and in pages: accept every likely match at once (all or nothing), page and
filter by band and place, and a merge/unmerge round trip that restores every field."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from evac.adapters.store.ops_repo import SqlOps, ops_uow_factory
from evac.core.oplog import MergedEvent
from evac.services import operations as ops
from evac.services import registry as svc
from evac.services import review

if TYPE_CHECKING:
    from evac.adapters.store.workspace import Store

ADMIN = ops.Actor("admin", ops.Role.ADMIN)


def _ids(store: Store) -> dict[str, int]:
    with store.uow() as uow:
        return {s.record.external_id: s.id for s in uow.registry.active()}


def _merged_events(store: Store) -> list[MergedEvent]:
    with ops_uow_factory(store)() as uow:
        return [ev for _, ev in uow.ops.events() if isinstance(ev, MergedEvent)]


def test_accept_likely_merges_each_group_into_its_best_record(six_store: Store) -> None:
    res = svc.accept_likely(uow=six_store.uow())
    ids = _ids(six_store)
    assert (res.pairs, res.people, res.merged) == (3, 3, 3)
    with six_store.uow() as uow:
        by_id = {s.id: s.record.external_id for s in uow.registry.many(list(range(1, 7)))}
    assert {(by_id[k], by_id[m]) for k, m in res.merges} == {("S1", "S2"), ("S3", "S4"), ("S5", "S6")}
    assert set(ids) == {"S1", "S3", "S5"}
    assert svc.dupes(uow=six_store.uow()) == []
    rep = svc.population_report(uow=six_store.uow())
    assert (rep.unresolved, rep.planned_once, len(rep.population.people)) == (0, 0, 3)
    assert len(_merged_events(six_store)) == 3  # one event (and audit entry) per merge: each undoable alone
    assert ops.status_board(uow_factory=ops_uow_factory(six_store))["totals"] == {"registered": 3}
    again = svc.accept_likely(uow=six_store.uow())
    assert (again.pairs, again.merged) == (0, 0)


def test_accept_likely_of_one_place_leaves_the_others(six_store: Store) -> None:
    res = svc.accept_likely(uow=six_store.uow(), city="HOMS")
    assert (res.pairs, res.merged) == (1, 1)
    assert set(_ids(six_store)) == {"S1", "S2", "S3", "S4", "S5"}
    assert svc.population_report(uow=six_store.uow()).unresolved == 2


def test_accept_likely_failing_half_way_merges_nothing(six_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real = SqlOps.audit

    def second_fails(self: SqlOps, **kw: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("injected")
        real(self, **kw)

    monkeypatch.setattr(SqlOps, "audit", second_fails)
    with pytest.raises(RuntimeError, match="injected"):
        svc.accept_likely(uow=six_store.uow())
    monkeypatch.undo()
    assert len(_ids(six_store)) == 6 and _merged_events(six_store) == []
    assert len(svc.dupes(uow=six_store.uow())) == 3


def test_queue_pages_and_filters_before_paging(six_store: Store) -> None:
    with six_store.uow() as uow:
        first, total = uow.registry.candidate_page(limit=2, offset=0)
        rest, total2 = uow.registry.candidate_page(limit=2, offset=2)
        homs, n_homs = uow.registry.candidate_page(city="Homs")
        none, n_none = uow.registry.candidate_page(decision="review")
        assert (total, total2, len(first), len(rest)) == (3, 3, 2, 1)
        assert {(a.id, b.id) for a, b, *_ in first + rest} == set(uow.registry.open_pairs())
        assert n_homs == 1 and {homs[0][0].record.external_id, homs[0][1].record.external_id} == {"S5", "S6"}
        assert (none, n_none) == ([], 0)
        assert uow.registry.candidate_counts() == {"match": 3}
        assert uow.registry.candidate_cities() == {"damascus": 2, "homs": 1}
    page = review.queue(
        uow_factory=ops_uow_factory(six_store),
        actor=ADMIN,
        names=True,
        band="likely",
        place="damascus",
        limit=1,
        offset=1,
    )
    assert len(page) == 1 and page[0]["decision"] == "match"
    with pytest.raises(svc.RegistryError, match="band 'sure'"):
        review.queue(uow_factory=ops_uow_factory(six_store), actor=ADMIN, names=True, band="sure")
    assert review.summary(uow_factory=ops_uow_factory(six_store)) == {
        "total": 3,
        "likely": 3,
        "review": 0,
        "places": {"damascus": 2, "homs": 1},
        "unresolved_likely": 3,
        "planned_once": 3,
    }
    assert review.summary(uow_factory=ops_uow_factory(six_store), place="homs")["total"] == 1


def _snapshot(store: Store, ext: str) -> dict[str, Any]:
    """Everything a merge touches about one record, as the registry, planning, the board and the field see it."""
    ids = _ids(store)
    pid = ops.person_key(ids[ext]) if ext in ids else ""
    with store.uow() as uow:
        stored = next(s for s in uow.registry.many(list(range(1, 7))) if s.record.external_id == ext)
        queue = sorted((a.id, b.id, p, d, ev) for a, b, p, d, ev in uow.registry.candidates())
    factory = ops_uow_factory(store)
    pop = svc.population_report(uow=store.uow())
    person = ops.person(uow_factory=factory, actor=ADMIN, person_id=ops.person_key(stored.id))
    household = ops.household(uow_factory=factory, actor=ADMIN, household_id=ops.household_key(stored.household_id))
    for p in [person, *household["members"]]:  # the time of the last event: the log keeps the merge, rightly
        p.pop("updated_at")
    return {
        "stored": stored,
        "queue": queue,
        "population": pop,
        "board": ops.status_board(uow_factory=factory),
        "person": person,
        "household": household,
        "active": pid != "",
    }


def test_merge_then_unmerge_restores_every_field(six_store: Store) -> None:
    before = _snapshot(six_store, "S2")
    svc.merge(uow=six_store.uow(), kept="S1", merged="S2")
    mid = _snapshot(six_store, "S2")
    assert mid["stored"].merged_into is not None and not mid["active"]
    svc.unmerge(uow=six_store.uow(), merged="S2")
    after = _snapshot(six_store, "S2")
    for part in before:
        assert after[part] == before[part], part
    assert after["person"]["place"] == "damascus"  # not None: the board has no "unknown" row either
    assert "unknown" not in after["board"]["by_place"]


def test_cli_accept_likely_and_pages(six_store: Store) -> None:
    from evac.cli.app import app

    env = {k: v for k, v in os.environ.items() if k not in {"EVAC_KEY", "EVAC_WORKSPACE"}}
    env["EVAC_DATABASE_URL"] = six_store.url if six_store.url.startswith("postgresql") else ""
    run = CliRunner().invoke
    r = run(app, ["registry", "dupes", "-w", str(six_store.path), "--limit", "2"], env=env)
    assert r.exit_code == 0, r.output
    assert "1–2 of 3" in r.output and "--offset 2" in r.output
    r = run(app, ["registry", "dupes", "-w", str(six_store.path), "--band", "sure"], env=env)
    assert r.exit_code == 2 and "choose likely or review" in r.output
    r = run(
        app, ["registry", "dupes", "-w", str(six_store.path), "--accept-likely", "--place", "homs", "--json"], env=env
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"pairs": 1, "people": 1, "merged": 1, "merges": [{"kept": "S5", "merged": "S6"}]}
    r = run(app, ["registry", "dupes", "-w", str(six_store.path), "--json"], env=env)
    assert len(json.loads(r.stdout)) == 2
