"""Search that finds the family: ranked over name variants in every script, sex, birth date and household;
scoped to a field officer's assembly point before anything is capped."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import init_workspace
from evac.core.model.people import PartialDate, Sex
from evac.core.registry.records import Record
from evac.core.registry.search import near_every_word, parse
from evac.services import operations as ops
from evac.services import registry as svc

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from evac.adapters.store.workspace import Store

F, M = Sex.FEMALE, Sex.MALE


def people() -> list[Record]:
    """Synthetic: the An-Nuri family written three ways, two Grigoryevs of both sexes, namesakes elsewhere."""
    return [
        Record("N1", "Ahmad", "An-Nuri", birth=PartialDate(1970, 5, 1), sex=M, city="damascus", household_key="NURI"),
        Record("N2", "Елена", "Ан-Нури", birth=PartialDate(1975, 2, 3), sex=F, city="damascus", household_key="NURI"),
        Record("N3", "سارة", "النوري", birth=PartialDate(2001, 9, 9), sex=F, city="damascus", household_key="NURI"),
        Record("N4", "Omar", "al-Nouri", birth=PartialDate(1999), sex=M, city="aleppo"),
        Record("G1", "Grigoriy", "Grigoryev", birth=PartialDate(1960, 1, 1), sex=M, city="homs"),
        Record("G2", "Lyudmila", "Grigoryeva", birth=PartialDate(1962, 4, 4), sex=F, city="homs"),
        Record("P1", "Ivan", "Petrov", birth=PartialDate(1950), sex=M, city="homs"),
        Record("P2", "Maria", "Ivanova", birth=PartialDate(1975, 3, 12), sex=F, city="homs"),
        Record("P3", "Maria", "Ivanova", birth=PartialDate(1988, 7, 7), sex=F, city="homs"),
    ]


@pytest.fixture
def store(tmp_path: Path, backend_env: dict[str, str]) -> Iterator[Store]:
    s = init_workspace(tmp_path / "ws", backend_env)
    svc.import_records(
        uow=s.uow(),
        file_name="people.csv",
        sha256="0" * 64,
        records=list(enumerate(people(), start=2)),
        problems=[],
        rows=len(people()),
    )
    yield s
    s.close()


def _ext(store: Store, query: str, **kw: object) -> list[str]:
    return [s.record.external_id for s in svc.find(uow=store.uow(), query=query, **kw)]  # type: ignore[arg-type]


# -- the query --------------------------------------------------------------------------------------------------
def test_a_query_says_sex_and_birth_date_when_it_can() -> None:
    q = parse("Григорьева 12.03.1975")
    assert (q.sex, q.birth, [w.text for w in q.words]) == (F, PartialDate(1975, 3, 12), ["grigoreva"])
    assert parse("Ivanov 1975").sex is M and parse("Ivanov 1975").birth == PartialDate(1975)
    assert parse("Anna 03.1975").birth == PartialDate(1975, 3) and parse("Anna").sex is None
    assert parse("Anna 1975-03-12").birth == PartialDate(1975, 3, 12)
    assert parse("Anna 31.13.1975").birth is None  # not a date: no hint (and not a name either)
    assert parse("1975").words == ()


def test_a_record_found_by_some_words_must_be_near_the_others() -> None:
    rec = Record("x", "Lyudmila", "Grigoryeva")
    assert near_every_word(parse("Ludmila Grigorjeva"), rec)
    assert not near_every_word(parse("Maria Grigoryeva"), rec)


# -- the store --------------------------------------------------------------------------------------------------
def test_a_family_is_found_in_any_script(store: Store) -> None:
    for q in ("Ан-Нури", "An-Nuri", "النوري", "Nouri"):
        assert set(_ext(store, q)) == {"N1", "N2", "N3", "N4"}, q
    first3 = _ext(store, "Ан-Нури")[:3]
    assert set(first3) == {"N1", "N2", "N3"}  # the household found together ranks above the lone namesake


def test_german_spelling_finds_the_russian_one(store: Store) -> None:
    assert _ext(store, "Grigorjewa")[0] == "G2"
    assert _ext(store, "Ljudmila Grigorjewa") == ["G2"]


def test_a_feminine_family_name_ranks_the_woman_above_the_man(store: Store) -> None:
    assert _ext(store, "Григорьева")[:2] == ["G2", "G1"]
    assert _ext(store, "Григорьев")[:2] == ["G1", "G2"]


def test_birth_date_in_the_query_ranks_the_right_namesake_first(store: Store) -> None:
    assert _ext(store, "Maria Ivanova 07.07.1988") == ["P3", "P2"]
    assert _ext(store, "Мария Иванова 1975")[0] == "P2"
    assert _ext(store, "maria petrova") == []  # no one called Maria is a Petrov(a): not a partial match


def test_a_query_without_a_name_is_refused_naming_it(store: Store) -> None:
    with pytest.raises(svc.RegistryError, match="'1975' has no name"):
        svc.find(uow=store.uow(), query="1975")


def test_results_show_birth_date_household_trip_and_score(store: Store) -> None:
    admin = ops.Actor("admin", ops.Role.ADMIN)
    page, total = ops.search_page(uow_factory=ops_uow_factory(store), actor=admin, query="Grigoryeva", limit=1)
    assert total == 2 and len(page) == 1
    [p] = page
    assert p["birth"] == "1962-04-04" and p["household"].startswith("RH") and "trip" in p and p["score"] > 1
    with pytest.raises(ops.Invalid, match="no name"):
        ops.search_page(uow_factory=ops_uow_factory(store), actor=admin, query="12.03.1975")


def test_an_officer_sees_every_match_at_their_point_before_any_cap(tmp_path: Path) -> None:
    """320 namesakes elsewhere registered first (lower ids) must not push the officer's 5 out of the page."""
    s = init_workspace(tmp_path / "ws", {})
    try:
        recs = [Record(f"A{i:03d}", "Ali", f"Family{i}", city="aleppo") for i in range(320)]
        recs += [Record(f"D{i}", "Ali", f"Other{i}", city="damascus") for i in range(5)]
        svc.import_records(
            uow=s.uow(),
            file_name="ali.csv",
            sha256="0" * 64,
            records=list(enumerate(recs, 2)),
            problems=[],
            rows=len(recs),
        )
        officer = ops.Actor("o", ops.Role.FIELD_OFFICER, "damascus")
        factory = ops_uow_factory(s)
        page, total = ops.search_page(uow_factory=factory, actor=officer, query="Ali", limit=3)
        assert total == 5 and len(page) == 3  # "more results": 2 after these
        rest, _ = ops.search_page(uow_factory=factory, actor=officer, query="Ali", limit=3, offset=3)
        assert len(rest) == 2 and {p["id"] for p in page} & {p["id"] for p in rest} == set()
        assert all(p["place"] == "damascus" for p in page + rest)
        everyone, all_total = ops.search_page(uow_factory=factory, actor=ops.Actor("a", ops.Role.ADMIN), query="Ali")
        assert all_total == 325 and len(everyone) == 20
    finally:
        s.close()


def test_query_keys_meet_the_other_romanisations() -> None:
    from evac.core.registry.names import name_tokens

    pairs = [
        ("Наджар", "Najar"),
        ("Najjar", "Najar"),
        ("Zaytsev", "Sajzew"),
        ("Zinaida", "Sinaida"),
        ("Евгений", "Jewgenij"),
        ("Nadezhda", "Nadeschda"),
        ("Жанна", "Schanna"),
    ]
    for query, stored in pairs:
        [word] = parse(query).words
        assert word.keys & name_tokens(stored, ""), (query, stored)
    assert all(len(k) > 1 for k in parse("Julija").words[0].keys - {"l", "~l"})  # no one-letter variant keys


def test_each_query_word_matches_its_own_name() -> None:
    from evac.core.registry.search import name_score

    q = parse("Ahmad Al-Ahmed")
    assert name_score(q, Record("a", "Ahmad", "Al-Ahmed")) > 0.95
    assert name_score(q, Record("g", "Galina", "Al-Ahmed")) <= 0.5  # one family name answers one query word


def test_birth_dates_weigh_by_what_they_share() -> None:
    from evac.core.registry.search import birth_score

    d = PartialDate(1975, 3, 12)
    assert (
        birth_score(d, PartialDate(1975, 3, 12))
        > birth_score(d, PartialDate(1975, 12, 3))
        > birth_score(d, PartialDate(1975))
        > 0
        > birth_score(d, PartialDate(1975, 4, 1))
        > birth_score(d, PartialDate(1990))
    )
    assert birth_score(d, PartialDate(1976, 3, 12)) > 0  # a year off by one, same day: a typo
    assert birth_score(None, d) == birth_score(d, PartialDate()) == 0
