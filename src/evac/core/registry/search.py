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
from evac.core.registry.names import canonical, normal, skeleton, skeletons, split_name

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
    if len(words) > 1:  # a stray letter (a mistyped article: "a-lKhatib") names nobody
        words = [w for w in words if len(w) > 1] or words
    out = tuple(Word(w, frozenset({skeleton(w), canonical(w)}
                               | {v for v in (*skeletons(w), *j_readings(w), *german_readings(w)) if len(v) > 1})
                     - {""}) for w in words)
    return Query(out, implied_sex(words), birth)


def j_readings(word: str) -> frozenset[str]:
    """Skeletons of ``word`` reading every j as a consonant and as a semivowel.

    The skeleton drops a j before a vowel (German and Polish romanisation: Tatjana, Sergejewa), which is right
    for Russian names and wrong for Arabic ones (Najar, Наджар = نجار, written Najjar elsewhere): the stored
    key holds one reading, so the query carries both and meets either.
    """
    n = normal(word).replace(" ", "")
    if "j" not in n and "zh" not in n:
        return frozenset()
    out = {skeleton(n.replace("dzh", "j").replace("zh", "j").replace("j", "jj"))}
    if "j" in n:  # a written j may be a semivowel; Ж (zh, dzh) never is
        soft = skeleton(n)
        out.add(re.sub(r"(.)\1+", r"\1", soft[:1] + soft[1:].replace("j", "")))  # an initial j is a consonant
    return frozenset(out)


_VOWEL = frozenset("aeiouy")


def german_readings(word: str) -> frozenset[str]:
    """Skeletons of the German spelling of ``word`` and of ``word`` read as German, where the stored key may
    hold the other one: initial Е/Ю/Я as je/ju/ja (Jewgenij, Juri, Jelena for Евгений, Юрий, Елена; ICAO's iu
    likewise), and Ж as sch (Schanna, Schdanow, Nadeschda for Жанна, Жданов, Надежда)."""
    n = normal(word).replace(" ", "")
    out: set[str] = set()
    if len(n) > 2 and n[0] in "yi" and n[1] in _VOWEL:
        out.add(skeleton("j" + n[1:]))
    elif len(n) > 1 and n[0] == "e":
        out.add(skeleton("je" + n[1:]))
    if "zh" in n:
        out.add(skeleton(n.replace("zh", "sch")))
    if "sch" in n:
        out.add(skeleton(n.replace("sch", "zh")))
    if len(n) > 2 and n[0] == "s" and n[1] in _VOWEL:  # German s before a vowel is з: Sinaida, Sacharowa
        out.add(skeleton("z" + n[1:]))
    # an English or Cyrillic query in German spelling: з → s, ц → z, ж → sch, х → ch, й after a vowel → j
    # (Zaytsev, Зайцев → Sajzew; Zinaida → Sinaida; Kuznetsova → Kusnezowa)
    german = n.replace("shch", "schtsch").replace("zh", "sch").replace("kh", "ch")
    german = german.replace("ts", "\x00").replace("z", "s").replace("\x00", "z")
    if german != n:
        out.add(skeleton(german))
    jot = re.sub(r"(?<=[aeiou])[iy](?=[^aeiou]|$)", "j", german)
    if jot != german:
        out.add(skeleton(jot))
    return frozenset(out)


def birth_score(q: PartialDate | None, b: PartialDate) -> float:
    """How much the birth dates say the same person (0 when either says nothing).

    The same full date +0.5 (about one person in 20,000 shares it); day and month swapped +0.35 (a common
    clerk's error); the same year and month, one without a day, or the same year, one without a month, +0.2;
    the same year but another month or day −0.1; a year off by one with the same day and month +0.3 (a typo),
    with one of them year-only +0.05; any other year −0.3.
    """
    if q is None or q.year is None or b.year is None:
        return 0.0
    partial = q.month is None or b.month is None or q.day is None or b.day is None
    if q.year == b.year:
        if q.month is None or b.month is None:
            return 0.2
        if q.day is not None and b.day is not None:
            if (q.month, q.day) == (b.month, b.day):
                return 0.5
            if (q.day, q.month) == (b.month, b.day):
                return 0.35
            return -0.1
        return 0.2 if q.month == b.month else -0.1
    if abs(q.year - b.year) == 1:
        if partial:
            return 0.05
        return 0.3 if (q.month, q.day) == (b.month, b.day) else -0.3
    return -0.3


def _sex_score(q: Sex | None, s: Sex | None) -> float:
    if q is None or s is None:
        return 0.0
    return 0.15 if q is s else -0.15


def coarse(query: Query, brief: Brief, matched: int) -> float:
    """Rank before opening: ``matched`` query words (a bit mask) weigh most, then birth date and sex."""
    n = bin(matched).count("1")
    return n / max(len(query.words), 1) + birth_score(query.birth, brief.birth) + _sex_score(query.sex, brief.sex)


def name_slots(r: Record) -> list[tuple[str, ...]]:
    """The record's names as slots (given 1, given 2 …, family …, patronymic, kunya), each holding that name's
    normal forms in every script the record gives it: a query word may match one slot only, so Ahmad Al-Ahmed
    is not found twice in Galina Al-Ahmed's one family name."""
    slots: dict[tuple[str, int], list[str]] = {}
    for g, f, p in ((r.given, r.family, r.patronymic), (r.given_latin, r.family_latin, r.patronymic_latin)):
        parts = split_name(g, f, p)
        for kind, words in (("g", parts.given), ("f", parts.family), ("p", parts.patronymic), ("k", parts.kunya)):
            for i, w in enumerate(words):
                if w and w not in slots.setdefault((kind, i), []):
                    slots[(kind, i)].append(w)
    return [tuple(v) for v in slots.values() if v]


def name_words(r: Record) -> list[str]:
    """Every identifying name word of a record in normal form, from the original and the Latin fields."""
    return list(dict.fromkeys(w for slot in name_slots(r) for w in slot))


def word_similarity(q: Word, w: str) -> float:
    """1 for the same normal form; 0.6–1 for a shared key (by Jaro–Winkler: Ksenija and Oksana share a
    skeleton, not a spelling); 0.8 × Jaro–Winkler for a near miss (a typo: JW ≥ 0.85); else 0."""
    if q.text == w:
        return 1.0
    jw = JaroWinkler.normalized_similarity(q.text, w)
    if q.keys & ({skeleton(w), canonical(w)} | skeletons(w)):
        return 0.6 + 0.4 * jw
    return 0.8 * jw if jw >= 0.85 else 0.0


def name_score(query: Query, record: Record) -> float:
    """Mean over query words of their similarity to the name slot each is matched with, one word per slot
    (greedy, best pair first; a query has a handful of words, a record a handful of slots)."""
    slots = name_slots(record)
    if not query.words or not slots:
        return 0.0
    sims = sorted(((max(word_similarity(q, w) for w in slot), i, j) for i, q in enumerate(query.words)
                   for j, slot in enumerate(slots)), reverse=True)
    used_q: set[int] = set()
    used_s: set[int] = set()
    total = 0.0
    for sim, i, j in sims:
        if i in used_q or j in used_s:
            continue
        used_q.add(i)
        used_s.add(j)
        total += sim
    return total / len(query.words)


def near_every_word(query: Query, record: Record) -> bool:
    """Whether every query word is at least a near miss of one of the record's names (similarity > 0): what a
    candidate found by some words only must show for the others (Grigorjewa for Grigorjeva: yes; Maria for
    Ivan: no)."""
    words = name_words(record)
    return bool(words) and all(any(word_similarity(q, w) > 0 for w in words) for q in query.words)


def fine(query: Query, record: Record, *, family: int = 0) -> float:
    """The score a result is ranked by: :func:`name_score` (0–1), plus birth date (:func:`birth_score`) and sex
    (±0.15) agreement, plus 0.02 for each other member of the household that the query also finds
    (``family``, at most 5)."""
    return (name_score(query, record) + birth_score(query.birth, record.birth) + _sex_score(query.sex, record.sex)
            + 0.02 * min(family, 5))


__all__ = [
    "OPEN_AT_MOST",
    "Brief",
    "Query",
    "Word",
    "birth_score",
    "coarse",
    "fine",
    "german_readings",
    "implied_sex",
    "j_readings",
    "name_score",
    "name_slots",
    "name_words",
    "near_every_word",
    "parse",
    "word_similarity",
]
