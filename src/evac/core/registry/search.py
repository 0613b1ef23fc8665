"""Ranking a name search: which of the people whose name keys match is the one the officer means.

The store finds candidates by name key through its blind index (exact on keys, so Иванова = Ivanova =
Ivanowa, ان-نوري = An-Nuri = Ан-Нури); this module ranks them, in two stages so that a query that matches
thousands of keys does not decrypt thousands of records:

1. :func:`coarse` — from what the store keeps in clear (which query words matched a key, birth date, sex):
   enough to pick the few hundred worth opening;
2. :func:`fine` — on the opened records: how close each query word is to the person's names in every script
   (the same normal forms and keys as de-duplication, :mod:`evac.core.registry.names`), plus agreement of sex
   and birth date with what the query implies, plus the household (a family searched for by its name is
   found together).

What the query implies: a Russian family name in its feminine form (Григорьева, Ivanova, Petrovskaya) says a
woman is meant, its masculine form a man; a year (``1975``) or a date (``12.03.1975``, ``1975-03-12``,
``03.1975``) in the query is a birth date. Nothing is filtered out by these hints: they only rank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz.distance import JaroWinkler

from evac.core.model.people import PartialDate, Sex
from evac.core.registry.names import canonical, skeleton, skeletons, split_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.registry.records import Record

_DATE = re.compile(
    r"^(?:(\d{1,2})[./](\d{1,2})[./](\d{4})|(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[./](\d{4})|"
    r"(\d{4})-(\d{1,2})|(\d{4}))$"
)
_FEMININE = ("ova", "eva", "yova", "ina", "aya", "skaya", "tskaya")
_MASCULINE = ("ov", "ev", "yov", "sky", "skiy", "skii", "skij", "tsky")
#: at most this many candidates are opened (decrypted) for the fine ranking, best coarse score first
OPEN_AT_MOST = 300


@dataclass(frozen=True, slots=True)
class Word:
    """One name word of a query: its normal form and the keys a stored name must share to match it."""

    text: str
    keys: frozenset[str]


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search: name words (a record must match at least one; the more, the better), and the sex and
    birth date the query implies (``None`` when it implies none)."""

    words: tuple[Word, ...]
    sex: Sex | None = None
    birth: PartialDate | None = None


@dataclass(frozen=True, slots=True)
class Brief:
    """What the store keeps about a candidate in clear: enough to rank coarsely and to scope, no names."""

    id: int
    household_id: int
    birth: PartialDate = field(default_factory=PartialDate)
    sex: Sex | None = None
    city: str = ""


def _date(token: str) -> PartialDate | None:
    m = _DATE.match(token)
    if m is None:
        return None
    g = m.groups()
    try:
        if g[2]:
            return PartialDate(int(g[2]), int(g[1]), int(g[0]))
        if g[3]:
            return PartialDate(int(g[3]), int(g[4]), int(g[5]))
        if g[7]:
            return PartialDate(int(g[7]), int(g[6]))
        if g[8]:
            return PartialDate(int(g[8]), int(g[9]))
        return PartialDate(int(g[10]))
    except ValueError:  # 31.13.1975: not a date, so not a hint either
        return None


def implied_sex(words: Sequence[str]) -> Sex | None:
    """The sex a Russian family-name form in ``words`` (normal forms) implies, or ``None``; the last such
    word wins (the family name usually comes last or alone)."""
    out: Sex | None = None
    for w in words:
        if len(w) > 4 and w.endswith(_FEMININE):
            out = Sex.FEMALE
        elif len(w) > 3 and w.endswith(_MASCULINE):
            out = Sex.MALE
    return out


def parse(text: str) -> Query:
    """Split a free-text query into name words, an implied sex and a birth date (see the module docstring).

    A query with no name word gives a :class:`Query` with no words: the caller refuses it, naming the query.
    """
    birth: PartialDate | None = None
    names: list[str] = []
    for token in text.split():
        d = _date(token.strip(",;"))
        if d is not None:
            birth = d
        else:
            names.append(token)
    parts = split_name(" ".join(names), "")
    words = [w for w in (*parts.given, *parts.patronymic, *parts.kunya) if w]
    out = tuple(Word(w, frozenset({skeleton(w), canonical(w), *skeletons(w)}) - {""}) for w in words)
    return Query(out, implied_sex(words), birth)


def _birth_score(q: PartialDate | None, b: PartialDate) -> float:
    """+0.3 the same full date, +0.2 the same year and as much as both say, +0.1 day and month swapped or a
    year off by one, −0.15 a different year; 0 when either says nothing."""
    if q is None or q.year is None or b.year is None:
        return 0.0
    if q.year == b.year:
        if q.month is None or b.month is None:
            return 0.2
        if q.month == b.month and (q.day is None or b.day is None or q.day == b.day):
            return 0.3 if q.day is not None and b.day is not None else 0.2
        if q.day is not None and (q.day, q.month) == (b.month, b.day):
            return 0.1
        return 0.0
    return 0.1 if abs(q.year - b.year) == 1 else -0.15


def _sex_score(q: Sex | None, s: Sex | None) -> float:
    if q is None or s is None:
        return 0.0
    return 0.15 if q is s else -0.15


def coarse(query: Query, brief: Brief, matched: int) -> float:
    """Rank before opening: ``matched`` query words (a bit mask) weigh most, then birth date and sex."""
    n = bin(matched).count("1")
    return n / max(len(query.words), 1) + _birth_score(query.birth, brief.birth) + _sex_score(query.sex, brief.sex)


def name_words(r: Record) -> list[str]:
    """Every identifying name word of a record in normal form, from the original and the Latin fields."""
    out: list[str] = []
    for g, f, p in ((r.given, r.family, r.patronymic), (r.given_latin, r.family_latin, r.patronymic_latin)):
        parts = split_name(g, f, p)
        out.extend(w for w in (*parts.given, *parts.family, *parts.patronymic, *parts.kunya) if w)
    return list(dict.fromkeys(out))


def word_similarity(q: Word, w: str) -> float:
    """1 for the same normal form; 0.8–1 for a shared key (closer spellings higher); 0.8 × Jaro–Winkler for a
    near miss (a typo: JW ≥ 0.85); else 0."""
    if q.text == w:
        return 1.0
    jw = JaroWinkler.normalized_similarity(q.text, w)
    if q.keys & ({skeleton(w), canonical(w)} | skeletons(w)):
        return 0.8 + 0.2 * jw
    return 0.8 * jw if jw >= 0.85 else 0.0


def near_every_word(query: Query, record: Record) -> bool:
    """Whether every query word is at least a near miss of one of the record's names (similarity > 0): what a
    candidate found by some words only must show for the others (Grigorjewa for Grigorjeva: yes; Maria for
    Ivan: no)."""
    words = name_words(record)
    return bool(words) and all(any(word_similarity(q, w) > 0 for w in words) for q in query.words)


def fine(query: Query, record: Record, *, family: int = 0) -> float:
    """The score a result is ranked by: mean best word similarity (0–1) over the query's name words, plus
    birth date (−0.15…+0.3) and sex (±0.15) agreement, plus 0.02 for each other member of the household that
    the query also finds (``family``, at most 5)."""
    words = name_words(record)
    if not query.words or not words:
        return 0.0
    name = sum(max(word_similarity(q, w) for w in words) for q in query.words) / len(query.words)
    return name + _birth_score(query.birth, record.birth) + _sex_score(query.sex, record.sex) + 0.02 * min(family, 5)


__all__ = [
    "OPEN_AT_MOST",
    "Brief",
    "Query",
    "Word",
    "coarse",
    "fine",
    "implied_sex",
    "name_words",
    "near_every_word",
    "parse",
    "word_similarity",
]
