"""A synthetic population of Russian nationals and their families in Syria, January 2013.

Why synthetic: the real consular register is a list of people whose exposure can get them killed; evac
must be built, tested and demonstrated without it. Every person here is a random combination of common
names, dates and numbers; none is a real person.

The shape follows ``reference/syria-2013.md`` §5 (cited below as "sheet"): mostly Russian and ex-Soviet
women married to Syrian men, with children; a few Russian couples, retirees and students; diplomats in
the capital and military advisers near the coast; a small share of citizens of partner (CIS) nations.
Every rate is a module constant with its source, or ``EST:`` and the reasoning when no source was found.

Ages are whole years in January of ``year``, as ``birth.age_at(year, 1)`` reads the recorded birth date,
so the flags derived here (child, elderly) agree with what the rest of evac computes.
The generator is pure: it draws only from ``random.Random(seed)``, so the same arguments always give an
identical population, and one with fewer people is a prefix of one with more (apart from the trimmed last
household and ``registration_seq``). Cost is linear: about 10 µs a person on one core (1,000,000 people
in ~10 s and ~0.8 GB).
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from enum import StrEnum
from itertools import accumulate
from random import Random
from typing import TYPE_CHECKING

from evac.core.errors import ModelError
from evac.core.model.people import (
    Category,
    Eligibility,
    Household,
    PartialDate,
    Person,
    Population,
    Relation,
    Script,
    Sex,
    Vulnerability,
    Willingness,
)
from evac.core.population.names import (
    AR_FAMILY_NAMES,
    AR_FEMALE_NAMES,
    AR_MALE_NAMES,
    PARTNER_FATHER_NAMES,
    PARTNER_FEMALE_NAMES,
    PARTNER_SURNAMES,
    RU_FEMALE_NAMES,
    RU_MALE_NAMES,
    RUSSIAN_SURNAMES,
    patronymic,
    surname_for,
    transliterate,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from evac.core.model.network import Place


class HouseholdType(StrEnum):
    MIXED = "mixed"  # a Russian woman, her Syrian husband (maybe absent), their children
    MIXED_PARTNER = "mixed_partner"  # the same with a partner-nation (CIS) woman
    RUSSIAN_COUPLE = "russian_couple"  # specialists, company staff, with young children
    RETIREE = "retiree"  # one or two pensioners aged 65+
    STUDENT = "student"  # one student aged 18-26
    DIPLOMAT = "diplomat"  # embassy staff and family, in ``diplomats_at``
    MILITARY = "military"  # an adviser or technician, sometimes with family, near ``military_at``


# -- rates -------------------------------------------------------------------------------------------------
# Share of households by type. Sheet: "mostly Russian/ex-Soviet wives of Syrians and children"; ~20-25,000
# wives among ~30,000 citizens. EST: MIXED 0.70 + MIXED_PARTNER 0.10 makes wives ~80 % of heads and, with
# husbands and children, ~90 % of people. Partner nations flew on the same boards (sheet: 27 of 103 on
# 12 Mar, 16 of 70 on ~8 Sep) but are not Russia's own registrants, hence 0.10 rather than the ~25 % of
# seats they took. Advisers' numbers are "not found" (sheet): 0.015 is a guess of ~100-150 people at 25,000.
# Diplomats: EST 0.005 (~40 households at 25,000), an embassy of a few dozen staff. Types whose place is
# not given (no ``diplomats_at`` / ``military_at``) are left out and the rest renormalised.
HOUSEHOLD_TYPE_SHARES: dict[HouseholdType, float] = {
    HouseholdType.MIXED: 0.70,
    HouseholdType.MIXED_PARTNER: 0.10,
    HouseholdType.RUSSIAN_COUPLE: 0.06,  # EST: ~300 staff of Russian institutions/companies (sheet, 2017)
    HouseholdType.RETIREE: 0.05,  # EST: Soviet-era wives now widowed, and pensioners
    HouseholdType.STUDENT: 0.07,  # EST: Arabic-language and university students
    HouseholdType.DIPLOMAT: 0.005,
    HouseholdType.MILITARY: 0.015,
}

# Willingness per household (wants_to_leave, undecided, declines) in January 2013. Sheet: "slightly over a
# thousand" applied to leave in Dec 2012 out of ~25-30,000 (~4 %), and ~900 left in all of 2013 with seats
# to spare (Il-62 flights carried 70-130). EST: mixed families 5 % want to leave now (rooted in Syria,
# husbands who cannot or will not go), about half have not decided; people without Syrian ties are readier
# to go; the embassy stayed open (sheet), and advisers serve under orders, not consular advice.
WILLINGNESS_RATES: dict[HouseholdType, tuple[float, float, float]] = {
    HouseholdType.MIXED: (0.05, 0.45, 0.50),
    HouseholdType.MIXED_PARTNER: (0.05, 0.45, 0.50),
    HouseholdType.RUSSIAN_COUPLE: (0.20, 0.45, 0.35),
    HouseholdType.RETIREE: (0.10, 0.45, 0.45),
    HouseholdType.STUDENT: (0.30, 0.45, 0.25),
    HouseholdType.DIPLOMAT: (0.02, 0.08, 0.90),
    HouseholdType.MILITARY: (0.00, 0.10, 0.90),
}

# Partner nations and their weights: UA 10+8, BY 6+5, MD 6+0, KZ 4+0, UZ 1+3 passengers on the 12 Mar and
# ~8 Sep 2013 flights (sheet §5). Other CIS nations named on the boards (AZ, TJ, KG) have no counts.
PARTNER_NATION_WEIGHTS: dict[str, int] = {"UA": 18, "BY": 11, "MD": 6, "KZ": 4, "UZ": 4}

# Number of children in a family, index = count. EST: Syria's fertility of ~3 children per woman (2010s)
# for mixed families; Russian couples abroad on contract have fewer and younger children.
CHILDREN_MIXED: tuple[float, ...] = (0.12, 0.20, 0.30, 0.23, 0.15)
CHILDREN_COUPLE: tuple[float, ...] = (0.35, 0.35, 0.30)
CHILDREN_DIPLOMAT: tuple[float, ...] = (0.30, 0.35, 0.25, 0.10)

HUSBAND_PRESENT = 0.88  # EST: ~12 % of wives divorced, widowed, or with the husband elsewhere
HUSBAND_RUSSIAN_CITIZEN = 0.05  # EST: sheet says "some Syrian husbands with Russian citizenship"
# EST: a spouse is eligible as a citizen's family member only with proof of the marriage; sheet: ~25,000
# wives were not even on the consular register, so many marriages were never recorded by a consulate.
SPOUSE_UNDOCUMENTED = 0.25
# EST: a child of a Russian mother is a citizen by birth, but not every child was ever documented; one
# without Russian papers travels as a family member (or partner-nation dependant).
CHILD_HAS_MOTHER_NATIONALITY = 0.75
WIFE_TAKES_HUSBAND_NAME = 0.35  # EST: the rest kept their Russian (feminine) surname in consular papers
CHILD_RUSSIAN_NAME = 0.50  # EST: mixed families give Russian or Arabic names; recorded in that script
PARENT_IN_HOUSEHOLD = 0.03  # EST: a widowed mother (65+) living with her daughter's family
RETIREE_ALONE = 0.65  # EST: widowhood is common at 65+; lone retirees are mostly women
RETIREE_ALONE_FEMALE = 0.80  # EST: women outlive men by ~10 years in Russia
STUDENT_FEMALE = 0.60  # EST: Arabic-language students
DIPLOMAT_FEMALE = 0.25  # EST
DIPLOMAT_WITH_FAMILY = 0.70  # EST
MILITARY_WITH_FAMILY = 0.20  # EST: advisers are mostly posted alone
MALE_BIRTH = 0.51  # EST: ~105 boys per 100 girls at birth

# Birth dates: EST a few percent of consular lists give only the year (or year and month).
BIRTH_YEAR_ONLY = 0.03
BIRTH_YEAR_MONTH = 0.01

# Vulnerabilities beyond age. EST: ~9 % of married women 18-42 pregnant at a time (0.12 births per
# woman-year at a fertility of 3 over ~25 years, times 0.75 of a year); 1 % of others. Medical needs
# (dialysis, insulin, oncology) and reduced mobility rise steeply after 65 (WHO: ~15 % disability overall).
PREGNANT_MARRIED = 0.09
PREGNANT_OTHER = 0.01
MEDICAL_UNDER_65, MEDICAL_65_PLUS = 0.03, 0.15
MOBILITY_UNDER_65, MOBILITY_65_PLUS = 0.01, 0.12
CHILD_UNDER, ELDERLY_FROM = 18, 65  # ages in whole years (the same thresholds the policy classes mean)

# Phones: EST ~90 % of heads left a number, ~60 % of other adults; none for children under 16.
PHONE_HEAD, PHONE_ADULT, PHONE_MIN_AGE = 0.90, 0.60, 16
# Preferred language of a Syrian husband. EST: many met their wives while studying in the USSR.
HUSBAND_LANGUAGE: tuple[tuple[str, float], ...] = (("ar", 0.60), ("ru", 0.35), ("en", 0.05))

PROGRESS_EVERY = 10_000  # people between two ``on_progress`` calls

# -- generator ---------------------------------------------------------------------------------------------
_SY = "SY"
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# A member before ids, location and willingness are known: the Person fields given, family, patronymic,
# script, given_latin, family_latin, patronymic_latin, birth, sex, nationalities, category,
# vulnerabilities, eligibility, relation, phone, language (in that order).
_Member = tuple[str, str, str, Script, str, str, str, PartialDate, Sex, tuple[str, ...], Category,
                frozenset[Vulnerability], Eligibility, Relation, str, str]


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


class _Draw:
    """The drawing of one population: owns the RNG and the reference year."""

    def __init__(self, seed: int, year: int) -> None:
        self.rng = Random(seed)
        self.year = year
        self.random = self.rng.random
        self.partner_nations = tuple(PARTNER_NATION_WEIGHTS)
        self.partner_cum = _cumulative(list(PARTNER_NATION_WEIGHTS.values()))
        # A handful of distinct values, shared by all people (saves ~200 bytes a person at 1,000,000).
        self.vuln_sets: dict[frozenset[Vulnerability], frozenset[Vulnerability]] = {}
        self.nationality_sets: dict[tuple[str, ...], tuple[str, ...]] = {}

    def pick(self, items: Sequence[str]) -> str:
        return items[int(self.random() * len(items))]

    def row(self, items: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
        return items[int(self.random() * len(items))]

    def weighted(self, cum: Sequence[float]) -> int:
        """Index drawn with probability proportional to the increments of ``cum``."""
        return min(bisect_right(cum, self.random() * cum[-1]), len(cum) - 1)

    def age(self, low: float, high: float, mode: float) -> int:
        return int(self.rng.triangular(low, high, mode))

    def birth(self, age: int) -> PartialDate:
        """A birth date that reads as ``age`` in January of the year (``age + 1`` when born in January)."""
        by = self.year - age - 1
        month = 1 + int(self.random() * 12)
        u = self.random()
        if u < BIRTH_YEAR_ONLY:
            return PartialDate(by)
        if u < BIRTH_YEAR_ONLY + BIRTH_YEAR_MONTH:
            return PartialDate(by, month)
        return PartialDate(by, month, 1 + int(self.random() * _DAYS_IN_MONTH[month - 1]))

    def phone(self, *, head: bool, age: int, russian: bool = False) -> str:
        """A synthetic mobile number in E.164: Syrian +963 9XXXXXXXX, or Russian +7 9XXXXXXXXX."""
        if age < PHONE_MIN_AGE or self.random() >= (PHONE_HEAD if head else PHONE_ADULT):
            return ""
        if russian:
            return f"+79{self.rng.randrange(10**9):09d}"
        return f"+9639{self.rng.randrange(10**8):08d}"

    def member(self, names: tuple[str, str, str, Script], sex: Sex, age: int, *,
               nationalities: tuple[str, ...], category: Category, eligibility: Eligibility,
               relation: Relation, latin: tuple[str, str, str] | None = None, married: bool = False,
               language: str = "ru", russian_phone: bool = False) -> _Member:
        """One member. ``names`` is (given, family, patronymic, script) in the original script; ``latin``
        the same three in Latin, by default the BGN/PCGN romanisation of Cyrillic names."""
        given, family, patr, script = names
        if latin is None:
            latin = (transliterate(given), transliterate(family), transliterate(patr))
        birth = self.birth(age)
        real_age = birth.age_at(self.year, 1)
        assert real_age is not None
        vulns: set[Vulnerability] = set()
        if real_age < CHILD_UNDER:
            vulns.add(Vulnerability.CHILD)
        old = real_age >= ELDERLY_FROM
        if old:
            vulns.add(Vulnerability.ELDERLY)
        if sex is Sex.FEMALE and 18 <= real_age <= 42 and self.random() < (
                PREGNANT_MARRIED if married else PREGNANT_OTHER):
            vulns.add(Vulnerability.PREGNANT)
        if self.random() < (MEDICAL_65_PLUS if old else MEDICAL_UNDER_65):
            vulns.add(Vulnerability.MEDICAL)
        if self.random() < (MOBILITY_65_PLUS if old else MOBILITY_UNDER_65):
            vulns.add(Vulnerability.REDUCED_MOBILITY)
        phone = self.phone(head=relation is Relation.HEAD, age=real_age, russian=russian_phone)
        vset = frozenset(vulns)
        vset = self.vuln_sets.setdefault(vset, vset)
        nationalities = self.nationality_sets.setdefault(nationalities, nationalities)
        return (given, family, patr, script, latin[0], latin[1], latin[2], birth, sex, nationalities,
                category, vset, eligibility, relation, phone, language)

    def sex(self, female_share: float = 1 - MALE_BIRTH) -> Sex:
        return Sex.FEMALE if self.random() < female_share else Sex.MALE

    def russian_names(self, sex: Sex, family_masc: str | None = None, father: str | None = None,
                      nation: str = "RU") -> tuple[str, str, str, Script]:
        """Cyrillic given, family and patronymic; national first names and surnames for partner nations."""
        if nation != "RU" and self.random() < 0.5:
            given = self.pick(PARTNER_FEMALE_NAMES[nation]) if sex is Sex.FEMALE else self.pick(
                PARTNER_FATHER_NAMES[nation])
        else:
            given = self.pick(RU_FEMALE_NAMES if sex is Sex.FEMALE else RU_MALE_NAMES)
        if family_masc is None:
            family_masc = self.pick(RUSSIAN_SURNAMES if nation == "RU" else PARTNER_SURNAMES[nation])
        if father is None:
            father = (self.pick(PARTNER_FATHER_NAMES[nation]) if nation != "RU" and self.random() < 0.5
                      else self.pick(RU_MALE_NAMES))
        return given, surname_for(family_masc, sex), patronymic(father, sex), Script.CYRILLIC

    def children(self, probs: Sequence[float], mother_age: int, father_age: int | None) -> list[int]:
        """Children's ages, eldest first: born when the mother was 19-43, none older than 28."""
        n = self.weighted(_cumulative(probs))
        low, high = max(19, mother_age - 28), min(43, mother_age)
        if father_age is not None:  # and at least 14 years younger than the father
            low = max(low, mother_age - father_age + 14)
        if high < low:
            return []
        return sorted((mother_age - self.rng.randint(low, high) for _ in range(n)), reverse=True)

    # -- household types ----------------------------------------------------------------------------------
    def mixed(self, nation: str) -> list[_Member]:
        """A Russian (or partner-nation) woman, her Syrian husband unless absent, their children."""
        partner = nation != "RU"
        basis = Eligibility.PARTNER_NATION if partner else Eligibility.FAMILY_MEMBER
        wife_age = self.age(20, 68, 38)
        h_given, h_father = self.row(AR_MALE_NAMES), self.row(AR_MALE_NAMES)
        h_family = self.row(AR_FAMILY_NAMES)
        maiden = self.pick(RUSSIAN_SURNAMES if not partner else PARTNER_SURNAMES[nation])
        wife = self.russian_names(Sex.FEMALE, maiden, nation=nation)
        if self.random() < WIFE_TAKES_HUSBAND_NAME:
            wife = (wife[0], h_family[2], wife[2], wife[3])
        present = self.random() < HUSBAND_PRESENT
        husband_age = max(20, min(90, wife_age + max(-5, round(self.rng.gauss(5, 4)))))
        members = [self.member(wife, Sex.FEMALE, wife_age, nationalities=(nation,),
                               category=Category.RESIDENT,
                               eligibility=Eligibility.PARTNER_NATION if partner else Eligibility.CITIZEN,
                               relation=Relation.HEAD, married=present)]
        nats: tuple[str, ...]
        if present:
            if not partner and self.random() < HUSBAND_RUSSIAN_CITIZEN:
                nats, elig = ("RU", _SY), Eligibility.CITIZEN
            else:
                nats, elig = (_SY,), Eligibility.INELIGIBLE if self.random() < SPOUSE_UNDOCUMENTED else basis
            u, lang = self.random(), "ar"
            for code, share in HUSBAND_LANGUAGE:
                if u < share:
                    lang = code
                    break
                u -= share
            members.append(self.member((h_given[0], h_family[0], h_father[0], Script.ARABIC), Sex.MALE,
                                       husband_age, nationalities=nats, category=Category.DEPENDANT,
                                       eligibility=elig, relation=Relation.SPOUSE,
                                       latin=(h_given[1], h_family[1], h_father[1]), language=lang))
        for age in self.children(CHILDREN_MIXED, wife_age, husband_age if present else None):
            sex = self.sex()
            if self.random() < CHILD_HAS_MOTHER_NATIONALITY:
                nats = tuple(sorted((nation, _SY)))
                elig = basis if partner else Eligibility.CITIZEN
            else:
                nats, elig = (_SY,), basis
            latin: tuple[str, str, str] | None = None
            if self.random() < CHILD_RUSSIAN_NAME:
                given = self.pick(RU_FEMALE_NAMES if sex is Sex.FEMALE else RU_MALE_NAMES)
                names = (given, h_family[2], patronymic(h_given[2], sex), Script.CYRILLIC)
                lang = "ru"
            else:
                row = self.row(AR_FEMALE_NAMES if sex is Sex.FEMALE else AR_MALE_NAMES)
                names, lang = (row[0], h_family[0], h_given[0], Script.ARABIC), "ar"
                latin = (row[1], h_family[1], h_given[1])
            category = Category.DEPENDANT if age < CHILD_UNDER else Category.RESIDENT
            members.append(self.member(names, sex, age, nationalities=nats, category=category,
                                       eligibility=elig, relation=Relation.CHILD, latin=latin,
                                       language=lang))
        if not partner and self.random() < PARENT_IN_HOUSEHOLD:
            names = self.russian_names(Sex.FEMALE, maiden)
            members.append(self.member(names, Sex.FEMALE, max(wife_age + 20, self.age(65, 90, 72)),
                                       nationalities=("RU",), category=Category.DEPENDANT,
                                       eligibility=Eligibility.CITIZEN, relation=Relation.PARENT))
        return members

    def family(self, head_category: Category, head_age: int, *, head_female: float, with_family: float,
               children: Sequence[float], russian_phone: bool = False) -> list[_Member]:
        """A Russian head, maybe a Russian spouse and children (couples, diplomats, military)."""
        head_sex = self.sex(head_female)
        family_masc = self.pick(RUSSIAN_SURNAMES)
        head = self.russian_names(head_sex, family_masc)
        has_family = self.random() < with_family
        members = [self.member(head, head_sex, head_age, nationalities=("RU",), category=head_category,
                               eligibility=Eligibility.CITIZEN, relation=Relation.HEAD, married=has_family,
                               russian_phone=russian_phone)]
        if not has_family:
            return members
        spouse_sex = Sex.MALE if head_sex is Sex.FEMALE else Sex.FEMALE
        spouse_age = max(20, head_age + round(self.rng.gauss(0, 3)))
        spouse = self.russian_names(spouse_sex, family_masc)
        spouse_category = (head_category if head_category in (Category.RESIDENT, Category.RETIREE)
                           else Category.DEPENDANT)
        members.append(self.member(spouse, spouse_sex, spouse_age, nationalities=("RU",),
                                   category=spouse_category, eligibility=Eligibility.CITIZEN,
                                   relation=Relation.SPOUSE, married=True, russian_phone=russian_phone))
        mother_age, father_age = (head_age, spouse_age) if head_sex is Sex.FEMALE else (spouse_age, head_age)
        father_given = (head if head_sex is Sex.MALE else spouse)[0]
        for age in self.children(children, mother_age, father_age):
            sex = self.sex()
            names = self.russian_names(sex, family_masc, father_given)
            members.append(self.member(names, sex, age, nationalities=("RU",), category=Category.DEPENDANT,
                                       eligibility=Eligibility.CITIZEN, relation=Relation.CHILD))
        return members

    def retirees(self) -> list[_Member]:
        alone = self.random() < RETIREE_ALONE
        return self.family(Category.RETIREE, self.age(65, 92, 70),
                           head_female=RETIREE_ALONE_FEMALE if alone else 0.5,
                           with_family=0.0 if alone else 1.0, children=(1.0,))

    def student(self) -> list[_Member]:
        return self.family(Category.STUDENT, self.age(18, 27, 20), head_female=STUDENT_FEMALE,
                           with_family=0.0, children=(1.0,))

    def household(self, kind: HouseholdType) -> list[_Member]:
        if kind is HouseholdType.MIXED:
            return self.mixed("RU")
        if kind is HouseholdType.MIXED_PARTNER:
            return self.mixed(self.partner_nations[self.weighted(self.partner_cum)])
        if kind is HouseholdType.RUSSIAN_COUPLE:
            return self.family(Category.RESIDENT, self.age(24, 60, 35), head_female=0.2, with_family=1.0,
                               children=CHILDREN_COUPLE)
        if kind is HouseholdType.RETIREE:
            return self.retirees()
        if kind is HouseholdType.STUDENT:
            return self.student()
        if kind is HouseholdType.DIPLOMAT:
            return self.family(Category.DIPLOMAT, self.age(26, 62, 40), head_female=DIPLOMAT_FEMALE,
                               with_family=DIPLOMAT_WITH_FAMILY, children=CHILDREN_DIPLOMAT,
                               russian_phone=True)
        return self.family(Category.MILITARY, self.age(24, 55, 35), head_female=0.0,
                           with_family=MILITARY_WITH_FAMILY, children=CHILDREN_COUPLE, russian_phone=True)

    def willingness(self, kind: HouseholdType) -> Willingness:
        wants, undecided, _ = WILLINGNESS_RATES[kind]
        u = self.random()
        if u < wants:
            return Willingness.WANTS_TO_LEAVE
        return Willingness.UNDECIDED if u < wants + undecided else Willingness.DECLINES


def generate_population(cities: Sequence[Place], *, size: int, seed: int, diplomats_at: str | None = None,
                        military_at: Sequence[str] = (), year: int = 2013,
                        on_progress: Callable[[int], None] | None = None) -> Population:
    """Draw a synthetic population of ``size`` people.

    Parameters
    ----------
    cities
        Places to spread households over, in proportion to their ``population`` (a census count);
        places without one get nobody, but may still be named in ``diplomats_at`` / ``military_at``.
    size
        Exact number of people. Households are added until it is reached; the last is trimmed.
    seed
        Seed of the only random source: equal arguments give an equal population.
    diplomats_at, military_at
        City ids for embassy households and for advisers (spread evenly over the ids given);
        when not given, those household types are not drawn.
    year
        Ages and vulnerabilities are as read in January of this year.
    on_progress
        Called with the number of people drawn so far, every :data:`PROGRESS_EVERY` people and at the end.

    Returns
    -------
    Population
        People ``P000001…`` in household order (``H00001…``); ``registration_seq`` numbers them
        1..size in a seeded random order of households (members of a household are consecutive).

    Raises
    ------
    ModelError
        ``size`` is negative, no city has a positive population, or a named city is not in ``cities``.
    """
    if size < 0:
        raise ModelError(f"population size must not be negative, got {size}")
    weighted = [c for c in cities if c.population is not None and c.population > 0]
    if not weighted:
        raise ModelError("no city has a population to spread people over: give cities a census population")
    known = {c.id for c in cities}
    for where in ((diplomats_at,) if diplomats_at is not None else ()) + tuple(military_at):
        if where not in known:
            raise ModelError(f"population: {where!r} is not one of the cities given")
    city_ids = [c.id for c in weighted]
    city_cum = _cumulative([float(c.population or 0) for c in weighted])
    kinds = [k for k in HouseholdType
             if (k is not HouseholdType.DIPLOMAT or diplomats_at is not None)
             and (k is not HouseholdType.MILITARY or military_at)]
    kind_cum = _cumulative([HOUSEHOLD_TYPE_SHARES[k] for k in kinds])
    military = tuple(military_at)

    # Millions of small acyclic objects: CPython's cyclic collector would rescan them again and again
    # (it doubles the time at 1,000,000 people) while finding nothing to free. Paused here, restored after.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        population = _draw_all(size, seed, year, kinds, kind_cum, city_ids, city_cum, diplomats_at, military,
                               on_progress)
    finally:
        if gc_was_enabled:
            gc.enable()
    if on_progress is not None:
        on_progress(size)
    return population


def _draw_all(size: int, seed: int, year: int, kinds: Sequence[HouseholdType], kind_cum: Sequence[float],
              city_ids: Sequence[str], city_cum: Sequence[float], diplomats_at: str | None,
              military: Sequence[str], on_progress: Callable[[int], None] | None) -> Population:
    """Draw households until ``size`` people, then number them; see :func:`generate_population`."""
    draw = _Draw(seed, year)
    drafts: list[tuple[str, Willingness, list[_Member]]] = []
    count, next_report = 0, PROGRESS_EVERY
    while count < size:
        kind = kinds[draw.weighted(kind_cum)]
        members = draw.household(kind)
        if kind is HouseholdType.DIPLOMAT:
            assert diplomats_at is not None
            where = diplomats_at
        elif kind is HouseholdType.MILITARY:
            where = draw.pick(military)
        else:
            where = city_ids[draw.weighted(city_cum)]
        members = members[: size - count]
        drafts.append((where, draw.willingness(kind), members))
        count += len(members)
        if on_progress is not None and count >= next_report and count < size:
            on_progress(count)
            next_report = (count // PROGRESS_EVERY + 1) * PROGRESS_EVERY

    order = list(range(len(drafts)))
    draw.rng.shuffle(order)
    first_seq = [0] * len(drafts)
    seq = 1
    for h in order:
        first_seq[h] = seq
        seq += len(drafts[h][2])

    people: list[Person] = []
    households: list[Household] = []
    for h, (where, willing, members) in enumerate(drafts):
        hid = f"H{h + 1:05d}"
        ids = []
        for k, m in enumerate(members):
            pid = f"P{len(people) + 1:06d}"
            ids.append(pid)
            people.append(Person(pid, hid, m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10],
                                 m[11], willing, m[12], where, m[13], m[14], m[15], first_seq[h] + k))
        households.append(Household(hid, tuple(ids), where))
    return Population(tuple(people), tuple(households))
