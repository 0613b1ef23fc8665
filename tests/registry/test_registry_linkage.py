"""De-duplication: known variants are found, families are not merged, and the model beats the baseline."""

from __future__ import annotations

import pytest

from evac.core.model import Place, PlaceKind
from evac.core.model.people import PartialDate, Relation, Sex
from evac.core.population.generator import generate_population
from evac.core.registry.linkage import baseline_pairs, link, score_pairs
from evac.core.registry.records import Record
from evac.core.registry.variants import typo, with_duplicates


def _people() -> list[Record]:
    out = []
    for i in range(300):  # background so that u estimates are meaningful
        out.append(Record(f"bg{i}", f"Given{i % 37}", f"Family{i % 53}", birth=PartialDate(1950 + i % 50, 1 + i % 12,
                                                                                             1 + i % 28),
                          sex=Sex.FEMALE if i % 2 else Sex.MALE))
    return out


def test_transliteration_variants_are_found_and_family_is_not() -> None:
    recs = [
        *_people(),
        Record("a", "Анна", "Иванова", "Сергеевна", birth=PartialDate(1975, 3, 12), sex=Sex.FEMALE),
        Record("b", "Anna", "Ivanowa", birth=PartialDate(1975), sex=Sex.FEMALE),
        Record("c", "Muhammad", "al-Halabi", birth=PartialDate(1970, 5, 1), sex=Sex.MALE, phone="+963944000001"),
        Record("d", "al-Halabi", "Mohammed", birth=PartialDate(1970, 5, 1), sex=Sex.MALE),  # swapped
        Record("e", "Иван", "Петров", "Иванович", birth=PartialDate(1950), sex=Sex.MALE, household_key="h",
               relation=Relation.HEAD),
        Record("f", "Иван", "Петров", "Иванович", birth=PartialDate(1975), sex=Sex.MALE, household_key="h",
               relation=Relation.CHILD),
    ]
    hh = [""] * 300 + ["", "", "", "", "H1", "H1"]
    res = link(recs, households=hh)
    ids = {(recs[c.a].external_id, recs[c.b].external_id): c for c in res.candidates}
    assert ids[("a", "b")].decision == "match"
    assert ids[("c", "d")].decision == "match"
    assert "given and family names swapped" in ids[("c", "d")].evidence
    assert ("e", "f") not in ids
    assert res.vetoed >= 1


@pytest.mark.parametrize("size", [3000])
def test_model_beats_baseline_on_generated_population(size: int) -> None:
    cities = [Place("dam", "Damascus", PlaceKind.CITY, 33.5, 36.3, "SY", population=1_000_000)]
    pop = generate_population(cities, size=size, seed=7)
    ev = with_duplicates(pop.people, rate=0.1, seed=7)
    res = link(ev.records, households=ev.households)
    sc = score_pairs({(c.a, c.b) for c in res.candidates if c.decision == "match"}, set(ev.truth))
    base = score_pairs(baseline_pairs(ev.records), set(ev.truth))
    assert sc.f1 > 0.85 > base.f1


def test_bad_rate_and_short_typo() -> None:
    with pytest.raises(ValueError, match="rate"):
        with_duplicates([], rate=1.5, seed=0)
    import random

    assert typo(random.Random(0), "abc") == "abc"
