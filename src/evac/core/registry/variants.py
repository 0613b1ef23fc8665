"""Duplicate variants of synthetic people, with the truth kept aside, to measure de-duplication.

Real consular lists repeat a person because two clerks typed her from different papers. The variants
here imitate what that produces, each drawn with a documented probability (all EST: no public study of
consular lists exists; the mix follows what record-linkage studies of refugee registers report, where
transliteration and date problems dominate):

- another romanisation of the same Cyrillic or Arabic name (Ivanova → Ivanowa, Natalya → Natalia,
  Muhammad → Mohammed, al-Halabi → el-Halabi), or the record kept only in its original script;
- given and family names swapped (Arabic and Russian name orders differ);
- one typing error in a name;
- a birth date missing, reduced to the year, or with a typo;
- the phone left out; a document number added by one list only.

Only synthetic people go in; the function is pure and seeded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from random import Random
from typing import TYPE_CHECKING

from evac.core.model.people import PartialDate, Person, Script
from evac.core.registry.names import aliases_of
from evac.core.registry.records import Record

if TYPE_CHECKING:
    from collections.abc import Sequence

P_SECOND_DUPLICATE = 0.15  # EST: a person listed three times
P_ORIGINAL_ONLY = 0.20  # the duplicate keeps only the original script
P_SWAP = 0.10
P_TYPO = 0.25
P_BIRTH_MISSING = 0.10
P_BIRTH_YEAR_ONLY = 0.10
P_BIRTH_TYPO = 0.05
P_PHONE_DROPPED = 0.40
P_DOCUMENT = 0.5  # EST: adults with a passport number on at least one list

# Romanisation swaps seen between GOST, BGN/PCGN, French and English spellings.
_SWAPS: tuple[tuple[str, str], ...] = (
    ("ov", "ow"), ("ya", "ia"), ("yu", "iu"), ("kh", "h"), ("ks", "x"), ("ey", "ei"), ("iy", "ii"),
    ("mm", "m"), ("ss", "s"), ("u", "ou"), ("ou", "u"), ("ee", "i"), ("e", "a"), ("ch", "tch"),
    ("zh", "j"), ("y", "j"), ("sh", "ch"), ("al-", "el-"), ("al-", ""),
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Records to de-duplicate and the true pairs among them (indices ``i < j``)."""

    records: tuple[Record, ...]
    households: tuple[str, ...]
    truth: frozenset[tuple[int, int]]
    people: int


def person_record(p: Person, *, document: str = "") -> Record:
    """The registry record of a generated person, as a consular list would hold it."""
    return Record(
        external_id=p.id, given=p.given, family=p.family, patronymic=p.patronymic,
        given_latin=p.given_latin, family_latin=p.family_latin, patronymic_latin=p.patronymic_latin,
        birth=p.birth, sex=p.sex, nationalities=p.nationalities, phone=p.phone, document=document,
        city=p.location, household_key=p.household_id, relation=p.relation, category=p.category,
        vulnerabilities=p.vulnerabilities, willingness=p.willingness,
    )


def respell(rng: Random, word: str) -> str:
    """Another plausible romanisation of a Latin-script ``word`` (an alias for given names)."""
    if not word:
        return word
    aliases = [a for a in aliases_of(word) if len(a) > 3]
    if aliases and rng.random() < 0.5:
        return aliases[int(rng.random() * len(aliases))].capitalize()
    low = word.lower()
    options = [(a, b) for a, b in _SWAPS if a in low]
    if not options:
        return word
    a, b = options[int(rng.random() * len(options))]
    out = low.replace(a, b, 1)
    return out[:1].upper() + out[1:] if out else word


def typo(rng: Random, word: str) -> str:
    """One keyboard error: a letter substituted, dropped, doubled or two letters transposed."""
    if len(word) < 4:
        return word
    i = 1 + int(rng.random() * (len(word) - 2))
    kind = int(rng.random() * 4)
    if kind == 0:
        return word[:i] + _LETTERS[int(rng.random() * 26)] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i + 1:]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


def _birth_variant(rng: Random, b: PartialDate) -> PartialDate:
    u = rng.random()
    if u < P_BIRTH_MISSING:
        return PartialDate()
    if u < P_BIRTH_MISSING + P_BIRTH_YEAR_ONLY:
        return PartialDate(b.year)
    if u < P_BIRTH_MISSING + P_BIRTH_YEAR_ONLY + P_BIRTH_TYPO and b.day is not None and b.day <= 12:
        return PartialDate(b.year, b.day, b.month)  # day and month swapped
    return b


def duplicate(rng: Random, r: Record, n: int) -> Record:
    """The ``n``-th duplicate of record ``r`` (never the same external id)."""
    given_l, family_l, patr_l = r.given_latin, r.family_latin, r.patronymic_latin
    given_o, family_o, patr_o = r.given, r.family, r.patronymic
    if rng.random() < P_ORIGINAL_ONLY and given_o != given_l:
        given_l = family_l = patr_l = ""
    else:
        given_l, family_l = respell(rng, given_l), respell(rng, family_l)
        if rng.random() < 0.5:
            family_l = respell(rng, family_l)
        given_o = family_o = patr_o = ""
        if rng.random() < P_TYPO:
            if rng.random() < 0.5:
                family_l = typo(rng, family_l)
            else:
                given_l = typo(rng, given_l)
    if rng.random() < P_SWAP:
        given_l, family_l = family_l, given_l
        given_o, family_o = family_o, given_o
    return replace(
        r, external_id=f"{r.external_id}-d{n}", given=given_o, family=family_o, patronymic=patr_o,
        given_latin=given_l, family_latin=family_l, patronymic_latin=patr_l,
        birth=_birth_variant(rng, r.birth), phone="" if rng.random() < P_PHONE_DROPPED else r.phone,
        household_key="", relation=None,
    )


def with_duplicates(people: Sequence[Person], *, rate: float, seed: int) -> Evaluation:
    """Records of ``people`` plus duplicates of a ``rate`` share of them, shuffled, with the truth.

    ``rate`` is duplicated people / people (0.1: one person in ten appears at least twice).
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"duplicate rate {rate} is not in 0..1")
    rng = Random(seed)
    items: list[tuple[str, Record, str]] = []
    for p in people:
        adult = p.birth.age_at(2013) is None or (p.birth.age_at(2013) or 0) >= 18
        doc = f"{70 + int(rng.random() * 30)}{int(rng.random() * 10**7):07d}" \
            if adult and rng.random() < P_DOCUMENT else ""
        rec = person_record(p, document=doc)
        items.append((p.id, rec, p.household_id))
        if rng.random() < rate:
            copies = 2 if rng.random() < P_SECOND_DUPLICATE else 1
            for n in range(1, copies + 1):
                dup = duplicate(rng, rec, n)
                if doc and rng.random() < 0.5:
                    dup = replace(dup, document="")
                if p.script is Script.ARABIC and rng.random() < 0.3 and dup.given_latin:
                    dup = replace(dup, given_latin=respell(rng, dup.given_latin))
                items.append((p.id, dup, ""))
    rng.shuffle(items)
    by_person: dict[str, list[int]] = {}
    for i, (pid, _, _) in enumerate(items):
        by_person.setdefault(pid, []).append(i)
    truth: set[tuple[int, int]] = set()
    for idx in by_person.values():
        for x in range(len(idx)):
            for y in range(x + 1, len(idx)):
                truth.add((idx[x], idx[y]))
    return Evaluation(tuple(r for _, r, _ in items), tuple(h for _, _, h in items), frozenset(truth),
                      len(people))
