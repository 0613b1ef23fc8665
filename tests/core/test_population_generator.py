"""The synthetic population generator: determinism, size, documented rates, household invariants, names."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import pytest

from evac.core.errors import ModelError
from evac.core.model import (
    Category,
    Eligibility,
    Person,
    Place,
    PlaceKind,
    Population,
    Relation,
    Script,
    Sex,
    Vulnerability,
    Willingness,
)
from evac.core.population import generator as g
from evac.core.population.names import (
    AR_FAMILY_NAMES,
    RUSSIAN_SURNAMES,
    patronymic,
    surname_for,
    transliterate,
)

# Syrian 2004 census populations (reference sheet §1); coordinates rounded, irrelevant here.
CITIES = (
    Place("damascus", "Damascus", PlaceKind.CITY, 33.51, 36.29, "SY", population=1_552_161),
    Place("aleppo", "Aleppo", PlaceKind.CITY, 36.20, 37.16, "SY", population=2_132_100),
    Place("homs", "Homs", PlaceKind.CITY, 34.73, 36.72, "SY", population=652_609),
    Place("latakia", "Latakia", PlaceKind.CITY, 35.53, 35.79, "SY", population=383_786),
    Place("tartus", "Tartus", PlaceKind.CITY, 34.89, 35.89, "SY", population=115_769),
    Place("palmyra", "Palmyra", PlaceKind.CITY, 34.56, 38.27, "SY"),  # no census figure: nobody lives here
)
N = 20_000


def gen(size: int, seed: int) -> Population:
    """The Syria-like defaults: diplomats in Damascus, advisers at Tartus and Latakia."""
    return g.generate_population(CITIES, size=size, seed=seed, diplomats_at="damascus",
                                 military_at=("tartus", "latakia"))


@pytest.fixture(scope="module")
def pop() -> Population:
    return gen(N, 2013)


def heads(pop: Population) -> list[Person]:
    return [pop.person_by_id[h.members[0]] for h in pop.households]


# -- determinism and size ------------------------------------------------------------------------------
def test_same_arguments_give_an_identical_population() -> None:
    a, b, c = gen(2_000, 7), gen(2_000, 7), gen(2_000, 8)
    assert a == b
    assert a != c
    assert [p.given for p in a.people] != [p.given for p in c.people]


@pytest.mark.parametrize("size", [0, 1, 2, 7, 1_001])
def test_size_is_exact(size: int) -> None:
    p = g.generate_population(CITIES, size=size, seed=1)
    assert len(p.people) == size
    assert sum(len(h.members) for h in p.households) == size


def test_size_is_exact_at_scale(pop: Population) -> None:
    assert len(pop.people) == N


def test_a_smaller_population_is_a_prefix_of_a_larger_one() -> None:
    small, large = gen(500, 3), gen(900, 3)
    whole = len(small.people) - len(small.households[-1].members)  # the last household may be trimmed
    assert [replace(p, registration_seq=0) for p in small.people[:whole]] == [
        replace(p, registration_seq=0) for p in large.people[:whole]]


def test_progress_is_reported_every_ten_thousand_people_and_at_the_end() -> None:
    seen: list[int] = []
    g.generate_population(CITIES, size=25_000, seed=1, on_progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 25_000
    assert len(seen) == 3
    assert all(10_000 * (k + 1) <= n < 10_000 * (k + 1) + 10 for k, n in enumerate(seen[:-1]))


# -- bad input -----------------------------------------------------------------------------------------
def test_negative_size_is_refused() -> None:
    with pytest.raises(ModelError, match="must not be negative"):
        g.generate_population(CITIES, size=-1, seed=1)


def test_cities_without_population_are_refused() -> None:
    with pytest.raises(ModelError, match="no city has a population"):
        g.generate_population(CITIES[-1:], size=10, seed=1)
    with pytest.raises(ModelError, match="no city has a population"):
        g.generate_population([], size=0, seed=1)


def test_unknown_diplomat_or_military_city_is_refused() -> None:
    with pytest.raises(ModelError, match="'moscow' is not one of the cities"):
        g.generate_population(CITIES, size=10, seed=1, diplomats_at="moscow")
    with pytest.raises(ModelError, match="'kessab'"):
        g.generate_population(CITIES, size=10, seed=1, military_at=("tartus", "kessab"))


# -- ids, households ------------------------------------------------------------------------------------
def test_ids_are_zero_padded_and_in_order(pop: Population) -> None:
    assert pop.people[0].id == "P000001"
    assert pop.people[-1].id == f"P{N:06d}"
    assert pop.households[0].id == "H00001"
    assert all(re.fullmatch(r"H\d{5}", h.id) for h in pop.households)


def test_household_invariants(pop: Population) -> None:
    for h in pop.households:
        members = [pop.person_by_id[m] for m in h.members]
        assert all(p.household_id == h.id and p.location == h.location for p in members)
        assert members[0].relation is Relation.HEAD
        assert len({p.willingness for p in members}) == 1, "willingness is decided per household"
        parents = [p for p in members if p.relation in (Relation.HEAD, Relation.SPOUSE)]
        for child in (p for p in members if p.relation is Relation.CHILD):
            for parent in parents:
                assert child.birth.year is not None and parent.birth.year is not None
                assert child.birth.year >= parent.birth.year + 14, (h.id, child.id, parent.id)


def test_registration_seq_is_a_permutation_keeping_households_together(pop: Population) -> None:
    assert sorted(p.registration_seq for p in pop.people) == list(range(1, N + 1))
    for h in pop.households:
        seqs = [pop.person_by_id[m].registration_seq for m in h.members]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert [p.registration_seq for p in pop.people[:100]] != list(range(1, 101)), "shuffled, not in id order"


def test_people_live_only_in_cities_with_a_census_population(pop: Population) -> None:
    total = sum(c.population or 0 for c in CITIES)
    ordinary = [h for h in pop.households
                if pop.person_by_id[h.members[0]].category not in (Category.DIPLOMAT, Category.MILITARY)]
    where = Counter(h.location for h in ordinary)
    assert "palmyra" not in where
    for c in CITIES[:-1]:
        assert where[c.id] / len(ordinary) == pytest.approx((c.population or 0) / total, abs=0.02)


# -- documented rates -----------------------------------------------------------------------------------
def test_household_types_follow_the_documented_shares(pop: Population) -> None:
    hs = heads(pop)
    n = len(hs)
    by_category = Counter(h.category for h in hs)
    shares = g.HOUSEHOLD_TYPE_SHARES
    assert by_category[Category.DIPLOMAT] / n == pytest.approx(shares[g.HouseholdType.DIPLOMAT], abs=0.004)
    assert by_category[Category.MILITARY] / n == pytest.approx(shares[g.HouseholdType.MILITARY], abs=0.006)
    assert by_category[Category.STUDENT] / n == pytest.approx(shares[g.HouseholdType.STUDENT], abs=0.015)
    assert by_category[Category.RETIREE] / n == pytest.approx(shares[g.HouseholdType.RETIREE], abs=0.015)
    partner = sum(1 for h in hs if h.nationalities != ("RU",))
    assert partner / n == pytest.approx(shares[g.HouseholdType.MIXED_PARTNER], abs=0.02)
    nations = Counter(h.nationalities[0] for h in hs if h.nationalities != ("RU",))
    assert set(nations) == set(g.PARTNER_NATION_WEIGHTS)
    assert nations.most_common(1)[0][0] == "UA"


def test_willingness_follows_the_documented_rates(pop: Population) -> None:
    hs = heads(pop)
    total = sum(g.HOUSEHOLD_TYPE_SHARES.values())
    expected = [sum(g.HOUSEHOLD_TYPE_SHARES[k] * g.WILLINGNESS_RATES[k][i] for k in g.HouseholdType) / total
                for i in range(3)]
    got = Counter(h.willingness for h in hs)
    for i, w in enumerate((Willingness.WANTS_TO_LEAVE, Willingness.UNDECIDED, Willingness.DECLINES)):
        assert got[w] / len(hs) == pytest.approx(expected[i], abs=0.025), w
    diplomats = [h for h in hs if h.category is Category.DIPLOMAT]
    assert sum(h.willingness is Willingness.DECLINES for h in diplomats) > len(diplomats) / 2


def test_eligibility_follows_nationality_and_documents(pop: Population) -> None:
    husbands = [p for p in pop.people if p.relation is Relation.SPOUSE and p.script is Script.ARABIC]
    russian_wives = {h.household_id for h in heads(pop) if h.nationalities == ("RU",)}
    sy_only = [p for p in husbands if p.nationalities == ("SY",) and p.household_id in russian_wives]
    ineligible = sum(p.eligibility is Eligibility.INELIGIBLE for p in sy_only) / len(sy_only)
    assert ineligible == pytest.approx(g.SPOUSE_UNDOCUMENTED, abs=0.03)
    assert {p.eligibility for p in sy_only} == {Eligibility.FAMILY_MEMBER, Eligibility.INELIGIBLE}
    for p in pop.people:
        if "RU" in p.nationalities:
            assert p.eligibility is Eligibility.CITIZEN, p
        elif p.nationalities and p.nationalities[0] in g.PARTNER_NATION_WEIGHTS:
            assert p.eligibility is Eligibility.PARTNER_NATION, p
    counts = Counter(p.eligibility for p in pop.people)
    assert set(counts) == set(Eligibility)
    assert counts[Eligibility.CITIZEN] > N / 2


def test_vulnerabilities_match_age_and_sex(pop: Population) -> None:
    for p in pop.people:
        age = p.birth.age_at(2013, 1)
        assert age is not None and 0 <= age <= 100
        assert (Vulnerability.CHILD in p.vulnerabilities) == (age < 18)
        assert (Vulnerability.ELDERLY in p.vulnerabilities) == (age >= 65)
        if Vulnerability.PREGNANT in p.vulnerabilities:
            assert p.sex is Sex.FEMALE and 18 <= age <= 42
    counts = Counter(v for p in pop.people for v in p.vulnerabilities)
    assert 0.25 < counts[Vulnerability.CHILD] / N < 0.50
    assert 0.005 < counts[Vulnerability.PREGNANT] / N < 0.03
    assert 0.02 < counts[Vulnerability.MEDICAL] / N < 0.08
    assert counts[Vulnerability.REDUCED_MOBILITY] > 0


def test_most_birth_dates_are_full_a_few_only_years(pop: Population) -> None:
    precision = Counter((p.birth.month is not None) + (p.birth.day is not None) for p in pop.people)
    assert precision[0] / N == pytest.approx(g.BIRTH_YEAR_ONLY, abs=0.01)
    assert precision[1] / N == pytest.approx(g.BIRTH_YEAR_MONTH, abs=0.005)
    assert precision[2] / N > 0.9


def test_diplomats_and_advisers_are_where_they_were_put(pop: Population) -> None:
    for p in pop.people:
        if p.category is Category.DIPLOMAT:
            assert p.location == "damascus"
        if p.category is Category.MILITARY:
            assert p.location in ("tartus", "latakia") and p.sex is Sex.MALE
    without = g.generate_population(CITIES, size=3_000, seed=1)
    assert not {Category.DIPLOMAT, Category.MILITARY} & {p.category for p in without.people}


def test_phones_are_synthetic_e164_mobiles_for_adults_only(pop: Population) -> None:
    with_phone = [p for p in pop.people if p.phone]
    assert len(with_phone) > N / 4
    for p in with_phone:
        assert re.fullmatch(r"\+9639\d{8}|\+79\d{9}", p.phone), p.phone
        age = p.birth.age_at(2013, 1)
        assert age is not None and age >= g.PHONE_MIN_AGE
    assert {p.language for p in pop.people} == {"ru", "ar", "en"}


# -- names ----------------------------------------------------------------------------------------------
CYRILLIC = re.compile(r"[А-Яа-яЁё\- ]+")
ARABIC = re.compile(r"[\u0600-\u06FF ]+")
LATIN = re.compile(r"[A-Za-z\- ]+")


def test_names_are_in_the_recorded_script_with_latin_forms(pop: Population) -> None:
    scripts = Counter(p.script for p in pop.people)
    assert scripts[Script.CYRILLIC] > scripts[Script.ARABIC] > N / 10
    for p in pop.people:
        pattern = CYRILLIC if p.script is Script.CYRILLIC else ARABIC
        for name in (p.given, p.family, p.patronymic):
            assert pattern.fullmatch(name), (p.id, name)
        for name in (p.given_latin, p.family_latin, p.patronymic_latin):
            assert LATIN.fullmatch(name), (p.id, name)
        if p.script is Script.CYRILLIC:
            assert p.patronymic.endswith("на" if p.sex is Sex.FEMALE else "ич"), p.patronymic
    assert len({p.given for p in pop.people}) > 200
    assert len({p.family for p in pop.people}) > 300


def test_russian_women_carry_the_feminine_surname(pop: Population) -> None:
    masculine_only = {s for s in RUSSIAN_SURNAMES if surname_for(s, Sex.FEMALE) != s}
    women = [p for p in pop.people if p.sex is Sex.FEMALE and p.script is Script.CYRILLIC]
    assert not [p.family for p in women if p.family in masculine_only]
    assert sum(p.family.endswith(("ова", "ева", "ина", "ская")) for p in women) > len(women) / 3


def test_children_carry_the_fathers_family_name(pop: Population) -> None:
    checked = 0
    for h in pop.households:
        members = [pop.person_by_id[m] for m in h.members]
        fathers = [p for p in members if p.relation is Relation.SPOUSE and p.script is Script.ARABIC]
        if not fathers:
            continue
        father = fathers[0]
        family_forms = {row[0]: row for row in AR_FAMILY_NAMES}[father.family]
        for child in (p for p in members if p.relation is Relation.CHILD):
            if child.script is Script.ARABIC:
                assert (child.family, child.patronymic) == (father.family, father.given)
                assert child.family_latin == father.family_latin
            else:
                assert child.family == family_forms[2]
            checked += 1
    assert checked > 1_000


@pytest.mark.parametrize(("cyrillic", "latin"), [
    ("Иванова", "Ivanova"), ("Юлия", "Yuliya"), ("Щербакова", "Shcherbakova"), ("Сергеевна", "Sergeyevna"),
    ("Наталья", "Natalya"), ("Евгения", "Yevgeniya"), ("Соловьёв", "Solovyev"), ("Дмитрий", "Dmitriy"),
    ("Аль-Хасан", "Al-Khasan"), ("Фёдор", "Fedor"), ("Цветков", "Tsvetkov"), ("Жуков", "Zhukov"),
])
def test_transliteration_is_bgn_pcgn_without_diacritics(cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic) == latin


@pytest.mark.parametrize(("father", "male", "female"), [
    ("Сергей", "Сергеевич", "Сергеевна"), ("Иван", "Иванович", "Ивановна"), ("Юрий", "Юрьевич", "Юрьевна"),
    ("Игорь", "Игоревич", "Игоревна"), ("Илья", "Ильич", "Ильинична"), ("Пётр", "Петрович", "Петровна"),
    ("Ахмед", "Ахмедович", "Ахмедовна"), ("Мустафа", "Мустафаевич", "Мустафаевна"),
    ("Али", "Алиевич", "Алиевна"),
])
def test_patronymics(father: str, male: str, female: str) -> None:
    assert patronymic(father, Sex.MALE) == male
    assert patronymic(father, Sex.FEMALE) == female


@pytest.mark.parametrize(("masculine", "feminine"), [
    ("Иванов", "Иванова"), ("Ильин", "Ильина"), ("Островский", "Островская"), ("Луговой", "Луговая"),
    ("Шевченко", "Шевченко"), ("Черных", "Черных"), ("Аль-Хасан", "Аль-Хасан"),
])
def test_feminine_surnames(masculine: str, feminine: str) -> None:
    assert surname_for(masculine, Sex.FEMALE) == feminine
    assert surname_for(masculine, Sex.MALE) == masculine
