"""A synthetic population of work teams: company crews that move together, not families.

Some evacuations are mostly of workers: China's from Libya in 2011 moved about 36,000 employees of some 75
companies from their sites and camps, crew by crew (``docs/libya-2011.md``). Such a crew is planned like a
household — it boards whole, its first member is its leader — but its shape is nothing like the Syrian
families of :mod:`evac.core.population.generator`: adults of working age, mostly men, one nationality, one
language. Names are drawn from small tables of common Chinese family names and given-name syllables in
pinyin (Latin script): every person is a random combination, none is a real person.

Pure: draws only from ``random.Random(seed)``; equal arguments give an equal population.
Cost: linear, a few µs a person.
"""

from __future__ import annotations

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

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["generate_teams"]

FAMILY_NAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
                "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo")
GIVEN_SYLLABLES = ("wei", "jun", "qiang", "lei", "yong", "jie", "tao", "ming", "hui", "bo", "hai", "gang", "ping",
                   "hua", "jian", "feng", "chao", "peng", "xin", "yu", "hong", "lin", "bin", "dong")
FEMALE_SHARE = 0.05
"""EST: construction and oil crews were overwhelmingly men; a few women (cooks, interpreters, engineers)."""
INJURED_SHARE = 0.01
"""EST: a few injured or ill workers (sites were looted and burned; docs/libya-2011.md) needing care."""


def generate_teams(sites: Sequence[tuple[str, int]], *, team_size: tuple[int, int], nationality: str, seed: int,
                   year: int, language: str = "zh", phone_prefix: str = "+86 13") -> Population:
    """Crews of ``team_size`` (inclusive range) people at each ``(place id, people)`` site.

    Everyone is an eligible citizen of ``nationality`` who wants to leave (an employer evacuates its whole
    crew); the first member of each crew is its leader (``Relation.HEAD``), the others ``Relation.OTHER``.
    Ages 20 to 59 in January of ``year``. People ``P000001…`` and crews ``H00001…`` in site order;
    ``registration_seq`` is a seeded shuffle of crews (the order their employers reported them).

    Raises
    ------
    ModelError
        A site with a negative count, an empty or reversed size range.
    """
    lo, hi = team_size
    if not 1 <= lo <= hi:
        raise ModelError(f"team_size must be 1 <= min <= max, got {lo}..{hi}")
    rng = Random(seed)
    people: list[Person] = []
    crews: list[Household] = []
    for place, count in sites:
        if count < 0:
            raise ModelError(f"site {place}: people must not be negative, got {count}")
        left = count
        while left > 0:
            n = min(left, rng.randint(lo, hi))
            left -= n
            hid = f"H{len(crews) + 1:05d}"
            members = []
            for j in range(n):
                pid = f"P{len(people) + 1:06d}"
                female = rng.random() < FEMALE_SHARE
                family = rng.choice(FAMILY_NAMES)
                given = rng.choice(GIVEN_SYLLABLES) + (rng.choice(GIVEN_SYLLABLES) if rng.random() < 0.6 else "")
                given = given.capitalize()
                vul = frozenset({Vulnerability.MEDICAL}) if rng.random() < INJURED_SHARE else frozenset()
                people.append(Person(
                    id=pid, household_id=hid, given=given, family=family, patronymic="", script=Script.LATIN,
                    given_latin=given, family_latin=family, patronymic_latin="",
                    birth=PartialDate(year - rng.randint(20, 59), rng.randint(1, 12), rng.randint(1, 28)),
                    sex=Sex.FEMALE if female else Sex.MALE, nationalities=(nationality,),
                    category=Category.RESIDENT, vulnerabilities=vul, willingness=Willingness.WANTS_TO_LEAVE,
                    eligibility=Eligibility.CITIZEN, location=place,
                    relation=Relation.HEAD if j == 0 else Relation.OTHER,
                    phone=f"{phone_prefix}{rng.randrange(10**8, 10**9)}", language=language))
                members.append(pid)
            crews.append(Household(hid, tuple(members), place))
    order = list(range(len(crews)))
    rng.shuffle(order)
    seq: dict[str, int] = {}
    k = 0
    for ci in order:
        for pid in crews[ci].members:
            k += 1
            seq[pid] = k
    people = [_with_seq(p, seq[p.id]) for p in people]
    return Population(tuple(people), tuple(crews))


def _with_seq(p: Person, k: int) -> Person:
    from dataclasses import replace

    return replace(p, registration_seq=k)
