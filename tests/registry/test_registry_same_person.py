"""Same-person evidence always yields a proposal: the six-record list of issue 13, in the core and end to end.

The list: Anna Ivanova twice with one phone (one copy without passport); Maria Petrova once in Cyrillic with
a national phone (09…) and once in Latin with the international form, one passport; Olga Sidorova twice
with different phones. Anna's and Maria's copies share a phone and a family name, so household inference
puts each pair into one household: that must not hide them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from evac.adapters.importers.tabular import read_table
from evac.adapters.store.workspace import init_workspace
from evac.core.model.people import PartialDate, Relation, Sex
from evac.core.registry.contacts import phone_key
from evac.core.registry.households import group_households
from evac.core.registry.linkage import link
from evac.core.registry.records import Record
from evac.services import registry as svc

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from evac.adapters.store.workspace import Store

F = Sex.FEMALE


def six() -> list[Record]:
    return [
        Record("S1", "Anna", "Ivanova", birth=PartialDate(1975, 3, 12), sex=F, phone="+963944111111",
               document="7512345678", city="damascus"),
        Record("S2", "Anna", "Ivanova", birth=PartialDate(1975, 3, 12), sex=F, phone="+963 944 111 111",
               city="damascus"),
        Record("S3", "Мария", "Петрова", birth=PartialDate(1980, 7, 1), sex=F, phone="0933 222 333",
               document="75 99999999", city="damascus"),
        Record("S4", "Maria", "Petrova", birth=PartialDate(1980, 7, 1), sex=F, phone="+963 933 222 333",
               document="7599999999", city="damascus"),
        Record("S5", "Olga", "Sidorova", birth=PartialDate(1985, 5, 5), sex=F, phone="+963955000001", city="homs"),
        Record("S6", "Olga", "Sidorova", birth=PartialDate(1985, 5, 5), sex=F, phone="+963955000002", city="homs"),
    ]


TRUTH = {("S1", "S2"), ("S3", "S4"), ("S5", "S6")}


def _pairs(recs: list[Record], households: list[str] | None = None) -> dict[tuple[str, str], str]:
    res = link(recs, households=households)
    return {tuple(sorted((recs[c.a].external_id, recs[c.b].external_id))): c.decision  # type: ignore[misc]
            for c in res.candidates}


def test_phone_key_matches_national_and_international_forms() -> None:
    assert phone_key("0933 222 333", "SY") == phone_key("+963 933 222 333", "SY") == "+963933222333"
    assert phone_key("", "SY") == ""
    # Not a number at all: kept as its digits so that two identical typings still meet, never an error.
    assert phone_key("ask neighbour 12", "SY") == "12"
    assert phone_key("0933 222 333", "RU") != phone_key("0933 222 333", "SY")


def test_six_records_give_three_proposals_and_no_other() -> None:
    assert set(_pairs(six())) == TRUTH


def test_inferred_household_does_not_hide_its_duplicates() -> None:
    recs = six()
    groups = group_households(recs)
    by_member = {recs[i].external_id: g for g in groups for i in g.members}
    assert by_member["S1"] is by_member["S2"] and by_member["S3"] is by_member["S4"]
    # The copy is not a second member with an invented relation: it shares the original's relation.
    g = by_member["S1"]
    rel = dict(zip((recs[i].external_id for i in g.members), g.relations, strict=True))
    assert rel["S1"] == rel["S2"] == Relation.HEAD
    assert "possible duplicate within household" in g.evidence
    # Households ids and inferred relations passed to linkage, as the dedup service does.
    hh = [by_member[r.external_id].label for r in recs]
    assert set(_pairs(recs, hh)) == TRUTH


def test_explicit_household_relations_still_separate_father_and_son() -> None:
    father = Record("P1", "Ivan", "Petrov", "Ivanovich", birth=PartialDate(1950), sex=Sex.MALE, phone="+963944000009",
                    household_key="H", relation=Relation.HEAD)
    son = Record("P2", "Ivan", "Petrov", "Ivanovich", birth=PartialDate(1975), sex=Sex.MALE, phone="+963944000009",
                 household_key="H", relation=Relation.CHILD)
    assert _pairs([*six(), father, son], ["", "", "", "", "", "", "H", "H"]).keys() == TRUTH


def test_mother_and_daughter_namesakes_at_one_address_are_not_proposed() -> None:
    mother = Record("M1", "Layla", "Haddad", birth=PartialDate(1960, 2, 2), sex=F, phone="+963944000010",
                    address="Baghdad St 5")
    daughter = Record("M2", "Layla", "Haddad", birth=PartialDate(1988, 9, 9), sex=F, phone="+963944000010",
                      address="Baghdad St 5")
    assert _pairs([*six(), mother, daughter]).keys() == TRUTH


def test_shared_document_of_a_child_in_a_parents_passport_is_not_a_duplicate() -> None:
    mother = Record("D1", "Olga", "Smirnova", birth=PartialDate(1970, 1, 1), sex=F, document="7500000001")
    child = Record("D2", "Daria", "Smirnova", birth=PartialDate(2005, 1, 1), sex=F, document="7500000001")
    assert _pairs([*six(), mother, child]).keys() == TRUTH


def test_bad_region_is_refused() -> None:
    with pytest.raises(ValueError, match="region"):
        link(six(), region="Syria")


# -- end to end: importer, store, dedup service ----------------------------------------------------------------
CSV = """id,surname,first name,date of birth,sex,phone,passport,city
S1,Ivanova,Anna,1975-03-12,F,+963944111111,7512345678,Damascus
S2,Ivanova,Anna,1975-03-12,F,+963 944 111 111,,Damascus
S3,Петрова,Мария,01.07.1980,Ж,0933 222 333,7599999999,Damascus
S4,Petrova,Maria,1980-07-01,F,+963 933 222 333,7599999999,Damascus
S5,Sidorova,Olga,1985-05-05,F,+963955000001,,Homs
S6,Sidorova,Olga,1985-05-05,F,+963955000002,,Homs
"""


@pytest.fixture
def store(tmp_path: Path, backend_env: dict[str, str]) -> Iterator[Store]:
    s = init_workspace(tmp_path / "ws", backend_env)
    yield s
    s.close()


def test_six_records_end_to_end_fill_the_review_queue(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "six.csv"
    f.write_text(CSV, encoding="utf-8")
    t = read_table(f)
    svc.import_records(uow=store.uow(), file_name=f.name, sha256=t.sha256, records=t.records, problems=[],
                       rows=t.rows)
    res = svc.dedup(uow=store.uow())
    assert res.matches + res.reviews == 3
    queue = {tuple(sorted((a.record.external_id, b.record.external_id))) for a, b, *_ in svc.dupes(uow=store.uow())}
    assert queue == TRUTH


def test_names_alone_are_never_a_match_only_a_review() -> None:
    from evac.core.registry.linkage import corroborated

    # given, family, patronymic, birth, sex, phone, document
    assert not corroborated([4, 4, 0, 0, 4, 0, 0])
    assert corroborated([4, 4, 0, 3, 4, 0, 0])  # + the birth year
    assert corroborated([4, 1, 0, 0, 4, 0, 4])  # maiden and married name, one passport
    assert not corroborated([4, 1, 0, 4, 4, 0, 0])  # given name and birth date only: thousands share them


def test_a_common_name_weighs_less_than_a_rare_one() -> None:
    from evac.core.registry.linkage import estimate_u, key_counts, keys_of, tf_adjustment

    recs = [Record(f"c{i}", "Anna", "Ivanova") for i in range(60)] + [
        Record(f"o{i}", f"Name{i}", f"Family{i}") for i in range(60)] + [
        Record("r1", "Zinaida", "Shchukina"), Record("r2", "Zinaida", "Shchukina")]
    keys = [keys_of(i, r) for i, r in enumerate(recs)]
    u = estimate_u(keys, seed=0)
    counts = key_counts(keys)
    levels = [4, 4, 0, 0, 0, 0, 0]
    common = tf_adjustment(keys[0], keys[1], levels, False, counts, len(keys), u)
    rare = tf_adjustment(keys[-2], keys[-1], levels, False, counts, len(keys), u)
    assert common < 0 < rare
    assert tf_adjustment(keys[0], keys[1], levels, False, counts, 10, u) == 0.0  # tiny list: priors stand
