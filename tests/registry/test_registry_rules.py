"""Households and eligibility rules."""

from __future__ import annotations

from evac.core.model.people import Eligibility, PartialDate, Relation, Sex
from evac.core.registry.eligibility import EligibilityPolicy, decide
from evac.core.registry.households import group_households
from evac.core.registry.records import Record


def _r(eid: str, family: str, *, phone: str = "", address: str = "", year: int | None = 1980,
       sex: Sex = Sex.FEMALE, nat: tuple[str, ...] = ("RU",), hh: str = "") -> Record:
    return Record(eid, "X", family, phone=phone, address=address, birth=PartialDate(year), sex=sex,
                  nationalities=nat, household_key=hh)


def test_inferred_household_needs_contact_and_surname() -> None:
    recs = [_r("1", "Иванова", phone="+963944000001"), _r("2", "Ivanov", phone="+963944000001", sex=Sex.MALE,
                                                               year=1978, nat=("SY",)),
            _r("3", "Petrova", phone="+963944000001"),  # same phone, other family: a neighbour's number
            _r("4", "Ivanova", address="Baghdad St 5, Damascus", year=2005),
            _r("5", "Иванов", address="baghdad st 5 damascus", year=2007, sex=Sex.MALE)]
    groups = group_households(recs)
    members = sorted(tuple(sorted(g.members)) for g in groups)
    assert members == [(0, 1), (2,), (3, 4)]
    g = next(g for g in groups if g.members[0] == 0)
    assert g.relations == (Relation.HEAD, Relation.SPOUSE)
    assert "same phone" in g.evidence and "same family name" in g.evidence
    assert all("+963" not in e for e in g.evidence)


def test_explicit_household_column_wins() -> None:
    groups = group_households([_r("1", "A", hh="F1"), _r("2", "B", hh="F1"), _r("3", "A", hh="F2")])
    assert sorted(len(g.members) for g in groups) == [1, 2]


def test_eligibility_rules() -> None:
    mother = _r("m", "Ivanova")
    husband = _r("h", "Halabi", nat=("SY",), sex=Sex.MALE)
    child = _r("c", "Halabi", nat=("SY",), year=2005)
    cousin = _r("o", "Halabi", nat=("SY",))
    partner = _r("p", "Shevchenko", nat=("UA",))
    rels = [Relation.SPOUSE, Relation.HEAD, Relation.CHILD, Relation.OTHER, Relation.OTHER]
    out = decide([mother, husband, child, cousin, partner], rels)
    assert [e for e, _ in out] == [Eligibility.CITIZEN, Eligibility.FAMILY_MEMBER, Eligibility.FAMILY_MEMBER,
                                   Eligibility.INELIGIBLE, Eligibility.PARTNER_NATION]
    assert out[1][1] == "spouse of citizen m" and out[2][1] == "child of citizen m"
    strict = decide([partner], [Relation.HEAD], policy=EligibilityPolicy(partners_allowed=False))
    assert strict[0][0] is Eligibility.INELIGIBLE
