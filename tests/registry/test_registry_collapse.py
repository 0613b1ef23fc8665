"""Unreviewed likely duplicates are one person: planned once, counted once on the board, messaged once.

One rule (:func:`evac.core.registry.collapse.collapse_likely`) decides, and the planner's population, the
status board and ``evac plan -w`` all go through it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from evac.adapters.importers.tabular import read_table
from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import init_workspace
from evac.core.errors import ModelError
from evac.core.model.people import PartialDate
from evac.core.registry.collapse import collapse_likely, completeness
from evac.core.registry.records import Record
from evac.services import registry as svc
from evac.services.operations import status_board

if TYPE_CHECKING:
    from pathlib import Path

    from evac.adapters.store.workspace import Store

from test_registry_same_person import CSV


def _rec(ext: str, **kw: object) -> Record:
    return Record(ext, "Anna", "Ivanova", **kw)  # type: ignore[arg-type]


# -- the rule ---------------------------------------------------------------------------------------------------
def test_a_chain_of_likely_pairs_is_one_person_kept_as_its_best_record() -> None:
    recs = {
        1: _rec("a"),
        2: _rec("b", document="7512345678"),
        3: _rec("c", phone="+963944111111"),
        7: _rec("x"),
        8: _rec("y"),
    }
    col = collapse_likely(recs, [(3, 1), (1, 2), (2, 3), (7, 8)])
    assert col.kept_for == {1: 2, 3: 2, 8: 7}  # the passport wins; a tie goes to the earliest record
    assert (col.pairs, col.groups, col.hidden) == (4, 2, 3)
    assert col.members() == {2: [2, 1, 3], 7: [7, 8]}
    assert collapse_likely(recs, [(2, 3), (1, 2), (3, 1), (8, 7)]).kept_for == col.kept_for  # order-free


def test_completeness_prefers_document_then_full_birth_date_then_filled_fields() -> None:
    doc = _rec("d", document="1")
    full = _rec("f", birth=PartialDate(1975, 3, 12), phone="+1", address="x", city="homs")
    year = _rec("y", birth=PartialDate(1975), phone="+1", address="x", city="homs", patronymic="S")
    assert completeness(doc) > completeness(full) > completeness(year) > completeness(_rec("n"))


def test_pairs_with_records_already_reviewed_are_ignored() -> None:
    col = collapse_likely({1: _rec("a"), 2: _rec("b")}, [(1, 2), (2, 99)])  # 99 is merged or gone
    assert col.kept_for == {2: 1} and col.pairs == 1


def test_a_record_paired_with_itself_is_refused() -> None:
    with pytest.raises(ModelError, match=r"\(4, 4\).*not its own duplicate"):
        collapse_likely({4: _rec("a")}, [(4, 4)])


def test_nothing_to_collapse() -> None:
    col = collapse_likely({1: _rec("a")}, [])
    assert (col.kept_for, col.pairs, col.groups) == ({}, 0, 0)


# -- the registry, the planner's population and the board --------------------------------------------------------
def _ext(store: Store, ids: set[int] | list[int]) -> set[str]:
    with store.uow() as uow:
        return {s.record.external_id for s in uow.registry.many(list(ids))}


def test_population_plans_each_likely_pair_once_keeping_the_better_record(six_store: Store) -> None:
    assert [d for *_, d, _ in svc.dupes(uow=six_store.uow())] == ["match"] * 3
    rep = svc.population_report(uow=six_store.uow())
    assert (rep.unresolved, rep.planned_once, rep.groups) == (3, 3, 3)
    planned = _ext(six_store, [int(p.id[1:]) for p in rep.population.people])
    assert planned == {"S1", "S3", "S5"}  # S1 bears the passport S2 lacks; S3/S4 and S5/S6 tie: the first
    assert sum(len(h.members) for h in rep.population.households) == 3
    assert "3 likely duplicates not yet reviewed; planned once each" in rep.note()
    assert svc.population(uow=six_store.uow()) == rep.population


def test_board_counts_a_listed_twice_person_once_and_follows_review(six_store: Store) -> None:
    board = status_board(uow_factory=ops_uow_factory(six_store))
    assert board["totals"] == {"registered": 3}
    assert board["duplicates"] == {"unresolved_likely": 3, "planned_once": 3}
    assert board["by_place"] == {"damascus": {"registered": 2}, "homs": {"registered": 1}}
    svc.merge(uow=six_store.uow(), kept="S1", merged="S2")  # reviewed: still one person, one pair fewer
    board = status_board(uow_factory=ops_uow_factory(six_store))
    assert board["totals"] == {"registered": 3} and board["duplicates"]["unresolved_likely"] == 2
    svc.unmerge(uow=six_store.uow(), merged="S2")  # back in the queue: one person until reviewed again
    board = status_board(uow_factory=ops_uow_factory(six_store))
    assert board["by_place"] == {"damascus": {"registered": 2}, "homs": {"registered": 1}}  # no "unknown" row
    assert board["duplicates"]["unresolved_likely"] == 3


def test_revision_changes_when_the_likely_band_changes(six_store: Store) -> None:
    with six_store.uow() as uow:
        before = uow.registry.revision()
        pairs = uow.registry.open_pairs(decision="match")
        uow.registry.replace_candidates([(a, b, 0.5, "review", ()) for a, b in pairs])
        assert uow.registry.revision() != before  # the cached population would now plan them twice
        assert uow.registry.open_pairs(decision="match") == [] and len(uow.registry.open_pairs()) == 3


def test_evac_plan_workspace_says_how_many_likely_matches_wait(tmp_path: Path) -> None:
    from evac.cli.app import app

    store = init_workspace(tmp_path / "ws", {})
    f = tmp_path / "six.csv"
    f.write_text(CSV, encoding="utf-8")
    t = read_table(f)
    svc.import_records(uow=store.uow(), file_name=f.name, sha256=t.sha256, records=t.records, problems=[], rows=t.rows)
    svc.dedup(uow=store.uow())
    store.close()
    env = {k: v for k, v in os.environ.items() if k not in {"EVAC_DATABASE_URL", "EVAC_KEY", "EVAC_WORKSPACE"}}
    r = CliRunner().invoke(app, ["plan", "-w", str(tmp_path / "ws"), "--out", str(tmp_path / "o"), "--json"], env=env)
    assert r.exit_code == 0, r.output
    assert "3 likely duplicates not yet reviewed; planned once each" in r.output
    assert '"registered": 3' in r.output


def test_a_likely_pair_gets_one_seat_and_one_call_forward(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from evac.adapters.store.ops_scenario import operation_scenario
    from evac.services.operations import activate, outbox
    from evac.services.ops_ports import Clock
    from evac.services.planning import plan_scenario

    lines = CSV.strip().splitlines()
    f = tmp_path / "six.csv"
    rows = [lines[0] + ",willingness,nationality", *(ln + ",wants_to_leave,RU" for ln in lines[1:])]
    f.write_text("\n".join(rows) + "\n")
    store = init_workspace(tmp_path / "ws", {})
    try:
        t = read_table(f)
        svc.import_records(uow=store.uow(), file_name=f.name, sha256=t.sha256, records=t.records, problems=[],
                           rows=t.rows)
        svc.dedup(uow=store.uow())
        scenario, _ = operation_scenario(store, "syria-2013")
        plan = plan_scenario(scenario, planner="greedy").plan
        assert plan.kpis is not None and plan.kpis.travelling == 3  # three people, six records
        now = datetime.now(UTC)
        factory = ops_uow_factory(store)
        activate(uow_factory=factory, plan=plan, scenario=scenario, scenario_ref="syria-2013",
                 clock=Clock(now, plan.start_h, scenario.epoch, "syria-2013"), actor="test", now=now)
        messages = outbox(uow_factory=factory, status=None, limit=100, offset=0)
        told = [p for m in messages for p in m.context["people"]]
        assert len(messages) == 3 and sorted(told) == sorted(set(told))
        assert _ext(store, [int(p[1:]) for p in told]) == {"S1", "S3", "S5"}
    finally:
        store.close()
