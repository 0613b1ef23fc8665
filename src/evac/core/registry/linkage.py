"""Record linkage: which records of the registry are the same person.

The model is Fellegi–Sunter (1969), the one splink implements, written here on numpy and rapidfuzz:

1. **Blocking** keeps the pairs worth comparing: records sharing a swap-invariant (given, family) key,
   a given or family key plus full birth date, a phone or a document number. Blocks larger than
   :data:`MAX_BLOCK` are skipped (a key that common says nothing).
2. **Comparison**: each candidate pair gets a vector of agreement *levels* (given name, family name,
   patronymic, birth date, sex, phone, document). Level 0 means "missing on one side" and weighs nothing.
3. **Scoring**: the match weight is ``Σ log2(m[k, l] / u[k, l])``, where ``u`` is the chance of level
   ``l`` of comparison ``k`` among *random* pairs (estimated from a sample of random pairs, as splink does)
   and ``m`` the chance among true matches (estimated by expectation–maximisation over the candidate
   pairs, with ``u`` fixed). The posterior probability follows from the EM's prior ``λ``.
4. **Rules the model cannot learn**: two records of one household with different relations (a father and
   son both "Ivan Ivanovich Ivanov") are never the same person; nor are two records of different sex.

Why this and not splink itself: splink pulls in DuckDB, pandas and altair (~150 MB) to compute the same
estimates; at 150,000 people this module gives the F1 reported in ``docs/registry.md`` in seconds, and
its evidence strings are ours to word for the review queue.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import JaroWinkler, Levenshtein

from evac.core.registry.contacts import check_region, phone_key
from evac.core.registry.names import canonical, normal, skeletons, split_name

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import NDArray

    from evac.core.model.people import PartialDate, Relation, Sex
    from evac.core.registry.records import Record

MAX_BLOCK = 400  # records; a blocking key shared by more is too common to be evidence
RANDOM_PAIRS = 100_000  # pairs sampled to estimate u
MATCH_P = 0.90  # posterior probability from which a pair is a "match"
REVIEW_P = 0.30  # … and from which it is worth a human's look

COMPARISONS: tuple[str, ...] = ("given", "family", "patronymic", "birth", "sex", "phone", "document")
LEVELS = 5  # levels 0 (missing) … 4 (exact); not every comparison uses all of them


@dataclass(frozen=True, slots=True)
class Keys:
    """What linkage needs of one record, computed once (normal forms, skeletons, alias keys)."""

    index: int
    given: str
    family: str
    patronymic: str
    given_skel: frozenset[str]
    given_canon: frozenset[str]
    family_skel: frozenset[str]
    patronymic_skel: frozenset[str]
    birth: PartialDate
    sex: Sex | None
    phone: str
    document: str
    household: str
    relation: Relation | None


def _norm_doc(doc: str) -> str:
    return "".join(ch for ch in doc.upper() if ch.isalnum())


def keys_of(index: int, r: Record, household: str = "", region: str = "SY") -> Keys:
    """Keys of record ``r`` (the ``index``-th of the batch); ``household`` is its household id, if any;
    ``region`` the list's country, to read national phone numbers (09… in Syria)."""
    forms = [split_name(r.given, r.family, r.patronymic)]
    if r.given_latin or r.family_latin:
        forms.append(split_name(r.given_latin, r.family_latin, r.patronymic_latin))
    given = " ".join(forms[-1].given) or " ".join(forms[0].given)
    family = " ".join(forms[-1].family) or " ".join(forms[0].family)
    patr = " ".join(forms[-1].patronymic) or " ".join(forms[0].patronymic)
    gw = {w for f in forms for w in f.given}
    fw = {w for f in forms for w in f.family}
    pw = {w for f in forms for w in f.patronymic}
    return Keys(
        index=index, given=given, family=family, patronymic=patr,
        given_skel=frozenset(s for w in gw for s in skeletons(w)),
        given_canon=frozenset(canonical(w) for w in gw),
        family_skel=frozenset({s for w in fw for s in skeletons(w)} | {canonical(w) for w in fw}),
        patronymic_skel=frozenset(s for w in pw for s in skeletons(w)),
        birth=r.birth, sex=r.sex, phone=phone_key(r.phone, region), document=_norm_doc(r.document),
        household=household,
        relation=r.relation,
    )


def blocking_keys(k: Keys) -> set[str]:
    """The blocks a record falls into (see module docstring). Keys built from two name parts are
    order-free, so a record with given and family names swapped lands in the same blocks."""
    out: set[str] = set()

    def pair(tag: str, a: str, b: str) -> None:
        if a and b:
            x, y = sorted((a, b))
            out.add(f"{tag}:{x}|{y}")

    # Every reading of each part (skeletons() gives one to three): either side's reading can meet.
    for f_skel in k.family_skel:
        for g in k.given_skel | k.given_canon:
            pair("gf", g, f_skel)
        for p_skel in k.patronymic_skel:
            pair("fp", f_skel, p_skel)
        # A typo or another romanisation of the given name: the family key plus the first letter.
        pair("g1", f_skel, "^" + k.given[:1])
    # … and of the family name (maiden and married names too): the given key plus the first letter.
    for g in k.given_canon:
        pair("g1", g, "^" + k.family[:1])
    full = k.birth.iso() if k.birth.day is not None else ""
    if full:
        for w in k.given_canon | k.given_skel | k.family_skel:
            out.add(f"nb:{w}|{full}")
    if k.phone:
        out.add("ph:" + k.phone)
    if k.document:
        out.add("dc:" + k.document)
    return out


def training_pairs(keys: Sequence[Keys], *, on: str, limit: int = 300_000) -> list[tuple[int, int]]:
    """Pairs for one EM session: records sharing a full birth date (``on="birth"``) or a name key
    (``on="name"``). The comparisons that define the block cannot be learnt from it (all pairs agree)."""
    blocks: dict[str, list[int]] = {}
    for k in keys:
        if on == "birth":
            if k.birth.day is not None:
                blocks.setdefault(k.birth.iso(), []).append(k.index)
        else:
            for b in blocking_keys(k):
                if b.startswith("gf:"):
                    blocks.setdefault(b, []).append(k.index)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) > MAX_BLOCK:
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                pairs.add((members[x], members[y]))
                if len(pairs) >= limit:
                    return sorted(pairs)
    return sorted(pairs)


def candidate_pairs(keys: Sequence[Keys]) -> list[tuple[int, int]]:
    """Distinct pairs ``(i, j)``, ``i < j``, of records sharing a block no larger than :data:`MAX_BLOCK`."""
    blocks: dict[str, list[int]] = {}
    for k in keys:
        for key in blocking_keys(k):
            blocks.setdefault(key, []).append(k.index)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        n = len(members)
        if n < 2 or n > MAX_BLOCK:
            continue
        for x in range(n):
            a = members[x]
            for y in range(x + 1, n):
                b = members[y]
                pairs.add((a, b) if a < b else (b, a))
    return sorted(pairs)


# -- comparisons -------------------------------------------------------------------------------------------
def _name_level(a: str, b: str, a_keys: frozenset[str], b_keys: frozenset[str]) -> int:
    """0 missing, 1 different, 2 similar (Jaro–Winkler ≥ 0.85), 3 same skeleton or alias, 4 same spelling."""
    if not a or not b:
        return 0
    if a == b:
        return 4
    if a_keys & b_keys:
        return 3
    if JaroWinkler.normalized_similarity(a, b) >= 0.85:
        return 2
    return 1


def _birth_level(a: PartialDate, b: PartialDate) -> int:
    """0 missing, 1 different, 2 one typo away (a digit, swapped day/month, a year off), 3 agree as far as
    both are known (one partial), 4 the same full date."""
    if a.year is None or b.year is None:
        return 0
    if a == b and a.day is not None:
        return 4
    if a.year == b.year and (a.month is None or b.month is None or
                             (a.month == b.month and (a.day is None or b.day is None))):
        return 3
    if a.day is not None and b.day is not None:
        sa, sb = a.iso(), b.iso()
        if Levenshtein.distance(sa, sb) <= 1:
            return 2
        if a.year == b.year and a.month == b.day and a.day == b.month:
            return 2
        if abs(a.year - b.year) == 1 and a.month == b.month and a.day == b.day:
            return 2
    return 1


def _eq_level(a: str, b: str) -> int:
    if not a or not b:
        return 0
    return 4 if a == b else 1


def compare(a: Keys, b: Keys) -> tuple[list[int], bool]:
    """The level of each of :data:`COMPARISONS` for a pair, and whether given and family are swapped."""
    g = _name_level(a.given, b.given, a.given_canon | a.given_skel, b.given_canon | b.given_skel)
    f = _name_level(a.family, b.family, a.family_skel, b.family_skel)
    swapped = False
    if g + f < 6:
        gs = _name_level(a.given, b.family, a.given_skel, b.family_skel)
        fs = _name_level(a.family, b.given, a.family_skel, b.given_skel)
        if gs + fs > g + f:
            g, f, swapped = gs, fs, True
    p = _name_level(a.patronymic, b.patronymic, a.patronymic_skel, b.patronymic_skel)
    sex = 0 if a.sex is None or b.sex is None else (4 if a.sex is b.sex else 1)
    return [g, f, p, _birth_level(a.birth, b.birth), sex, _eq_level(a.phone, b.phone),
            _eq_level(a.document, b.document)], swapped


def _vetoed_as_people(a: Keys, b: Keys) -> str:
    """Reasons no evidence overrides: these are two people (or a parent and a child in one passport)."""
    if a.sex is not None and b.sex is not None and a.sex is not b.sex:
        return "different sex"
    if a.birth.year is not None and b.birth.year is not None and abs(a.birth.year - b.birth.year) >= 12:
        return "birth years 12 or more apart"
    return ""


def vetoed(a: Keys, b: Keys) -> str:
    """A reason two records cannot be one person, or "".

    The household rule uses relations, so callers pass household ids only for households whose relations
    come from the file (an inferred household's relations are guesses, and a duplicate typed twice would be
    guessed to be its own sister); even then :func:`same_person` evidence overrides it.
    """
    why = _vetoed_as_people(a, b)
    if why:
        return why
    if a.household and a.household == b.household and a.relation is not None and b.relation is not None \
            and a.relation is not b.relation:
        return "same household, different relations (e.g. parent and child sharing names)"
    return ""


_G, _F, _P, _B, _S, _PH, _D = range(7)


def same_person(a: Keys, b: Keys, levels: Sequence[int], swapped: bool) -> str:
    """Evidence that two records are one person whatever the model says, or "".

    - the same document number (but not a parent and a child inscribed in one passport: the age and
      sex rules still apply, and twins in their mother's passport differ in given name);
    - the same full birth date and the same name keys (given and family, in either order);
    - the same phone (in any format: keys are E.164), the same given name and a compatible family name and
      birth date (mother and daughter namesakes sharing a phone differ in birth year).

    These pairs always enter the review queue, even inside one household.
    """
    if _vetoed_as_people(a, b):
        return ""
    g, f, birth = levels[_G], levels[_F], levels[_B]
    if levels[_D] == 4 and not _siblings(levels, swapped):
        return "same document number"
    if birth == 4 and g >= 3 and f >= 3:
        return "same birth date and name"
    if levels[_PH] == 4 and g >= 3 and birth != 1 and (f != 1 or birth >= 3):
        return "same phone and given name"
    return ""


def _siblings(levels: Sequence[int], swapped: bool) -> bool:
    """Given names that differ outright within one family name: brothers and sisters, not a duplicate."""
    return not swapped and levels[0] == 1 and levels[1] >= 3


# -- the model ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Model:
    """Fellegi–Sunter parameters: ``m`` and ``u`` per (comparison, level), and the prior ``lam``."""

    m: NDArray[np.float64]
    u: NDArray[np.float64]
    lam: float
    iterations: int = 0

    def weights(self) -> NDArray[np.float64]:
        """log2(m/u) per (comparison, level); level 0 (missing) weighs 0."""
        w = np.log2(self.m / self.u)
        w[:, 0] = 0.0
        return np.asarray(w, dtype=np.float64)

    def probability(self, levels: NDArray[np.int64],
                    adjust: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
        """Posterior match probability of each row of ``levels`` (pairs × comparisons); ``adjust`` adds
        bits per pair (the term-frequency adjustment of :func:`tf_adjustment`)."""
        w = self.weights()
        score = w[np.arange(len(COMPARISONS)), levels].sum(axis=1)
        if adjust is not None:
            score = score + adjust
        prior = math.log2(self.lam / (1.0 - self.lam))
        z = np.clip(score + prior, -60.0, 60.0)
        return np.asarray(1.0 / (1.0 + np.exp2(-z)), dtype=np.float64)


_EPS = 1e-4
PRIOR_PAIRS = 50.0
_BIRTH = COMPARISONS.index("birth")
_NAMES = (COMPARISONS.index("given"), COMPARISONS.index("family"))


def _levels(keys: Sequence[Keys], pairs: Sequence[tuple[int, int]]) -> NDArray[np.int64]:
    out = np.zeros((len(pairs), len(COMPARISONS)), dtype=np.int64)
    for n, (i, j) in enumerate(pairs):
        if not vetoed(keys[i], keys[j]):
            out[n] = compare(keys[i], keys[j])[0]
    return out


def train(keys: Sequence[Keys], u: NDArray[np.float64]) -> Model:
    """Two EM sessions, as splink trains: pairs sharing a birth date teach the name comparisons, pairs
    sharing a name key teach the birth date; the other comparisons take the mean of both sessions.
    The prior ``λ`` is re-estimated on all candidate pairs by the caller's data, here from session one."""
    by_birth = fit(_levels(keys, training_pairs(keys, on="birth")), u, exclude=(_BIRTH,))
    by_name = fit(_levels(keys, training_pairs(keys, on="name")), u, exclude=_NAMES)
    m = (by_birth.m + by_name.m) / 2.0
    m[_BIRTH] = by_name.m[_BIRTH]
    for c in _NAMES:
        m[c] = by_birth.m[c]
    n = max(1, len(keys))
    # λ over candidate pairs: EM's share of matches among pairs sharing a name key, scaled to all pairs.
    lam = float(np.clip(by_name.lam * 0.5, 1e-4, 0.5)) if n > 1 else 0.01
    return Model(m=np.asarray(m, dtype=np.float64), u=u, lam=lam,
                 iterations=by_birth.iterations + by_name.iterations)


# Level frequencies among random pairs of a consular list, before looking at the list: what a small list
# (a handful of records, too few random pairs to estimate ``u``) falls back on. EST from name and date
# distributions: a common given name is shared by ~2 % of pairs, a family-name key by ~1 %, a full birth
# date by 1 in ~15,000 (40 birth years), a phone or a document number by almost none.
U_PRIOR: NDArray[np.float64] = np.array([
    #  missing  differs  similar  same key  equal
    [0.02, 0.93, 0.03, 0.01, 0.01],  # given
    [0.02, 0.95, 0.02, 0.005, 0.005],  # family
    [0.60, 0.37, 0.02, 0.005, 0.005],  # patronymic
    [0.10, 0.86, 0.02, 0.02, 7e-5],  # birth
    [0.05, 0.47, 1e-6, 1e-6, 0.48],  # sex
    [0.50, 0.4999, 1e-6, 1e-6, 1e-4],  # phone
    [0.70, 0.2999, 1e-6, 1e-6, 1e-6],  # document
])
U_PRIOR_PAIRS = 2_000.0  # weight of U_PRIOR in random pairs: a 100-record list is ruled by its own sample


def estimate_u(keys: Sequence[Keys], *, seed: int, samples: int = RANDOM_PAIRS) -> NDArray[np.float64]:
    """Level frequencies among random pairs (nearly all non-matches), with :data:`U_PRIOR` worth
    :data:`U_PRIOR_PAIRS` pairs so that a small list still has sensible weights and none is zero."""
    rng = random.Random(seed)
    counts = U_PRIOR / U_PRIOR.sum(axis=1, keepdims=True) * U_PRIOR_PAIRS
    n = len(keys)
    if n >= 2:
        for _ in range(min(samples, n * (n - 1) // 2)):
            i, j = rng.randrange(n), rng.randrange(n)
            if i == j:
                continue
            levels, _ = compare(keys[i], keys[j])
            for c, lv in enumerate(levels):
                counts[c, lv] += 1.0
    return np.asarray(counts / counts.sum(axis=1, keepdims=True), dtype=np.float64)


def _m_prior() -> NDArray[np.float64]:
    """Starting m: true matches mostly agree (levels 3-4), sometimes with a typo or a gap."""
    row = np.array([0.10, 0.03, 0.07, 0.20, 0.60])
    m = np.tile(row, (len(COMPARISONS), 1))
    return np.asarray(m / m.sum(axis=1, keepdims=True), dtype=np.float64)


def fit(levels: NDArray[np.int64], u: NDArray[np.float64], *, iterations: int = 25,
        lam: float = 0.05, exclude: Sequence[int] = ()) -> Model:
    """EM for ``m`` and ``λ`` over training-pair ``levels`` with ``u`` held fixed (splink's approach).

    ``exclude`` lists comparisons that defined the training block: they are left out of the score (set
    to level 0) and keep their starting ``m``.
    """
    m = _m_prior()
    model = Model(m=m, u=u, lam=lam)
    if len(levels) == 0:
        return model
    levels = levels.copy()
    for c in exclude:
        levels[:, c] = 0
    onehot = np.zeros((len(levels), len(COMPARISONS), LEVELS))
    rows = np.arange(len(levels))[:, None]
    onehot[rows, np.arange(len(COMPARISONS))[None, :], levels] = 1.0
    for it in range(iterations):
        p = model.probability(levels)
        new_lam = float(np.clip(p.mean(), 1e-6, 1 - 1e-6))
        # Dirichlet prior worth PRIOR_PAIRS matches: a small list falls back on the prior m, a large one
        # is ruled by its data.
        counts = (p[:, None, None] * onehot).sum(axis=0) + PRIOR_PAIRS * _m_prior() + _EPS
        new_m = counts / counts.sum(axis=1, keepdims=True)
        delta = float(np.abs(new_m - model.m).max())
        model = Model(m=np.asarray(new_m, dtype=np.float64), u=u, lam=new_lam, iterations=it + 1)
        if delta < 1e-5:
            break
    return model


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored pair of batch indices with the evidence a reviewer reads."""

    a: int
    b: int
    probability: float
    decision: str  # "match" | "review"
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Linkage:
    """Result of :func:`link`: candidates above :data:`REVIEW_P`, the fitted model, and counts."""

    candidates: tuple[Candidate, ...]
    model: Model
    pairs_compared: int
    vetoed: int = 0
    notes: dict[str, float] = field(default_factory=dict)


_LEVEL_WORDS = {0: "missing", 1: "differs", 2: "similar", 3: "same key", 4: "equal"}


TF_CAP_BITS = 6.0  # a name's frequency moves its weight by at most this many bits either way


def key_counts(keys: Sequence[Keys]) -> dict[str, int]:
    """How many records carry each given-name and family-name key (for :func:`tf_adjustment`)."""
    counts: dict[str, int] = {}
    for k in keys:
        for key in {"g" + x for x in k.given_canon | k.given_skel} | {"f" + x for x in k.family_skel}:
            counts[key] = counts.get(key, 0) + 1
    return counts


def tf_adjustment(a: Keys, b: Keys, levels: Sequence[int], swapped: bool, counts: dict[str, int], n: int,
                  u: NDArray[np.float64]) -> float:
    """Bits to add to a pair's weight because the name they share is rare or common (splink's term-frequency
    adjustment): agreeing on "Mohammed al-Halabi" is weaker evidence than agreeing on "Zinaida Shchukina".

    For a name comparison at level 3–4, ``u`` of that level (agreement among random pairs, all names
    together) is replaced by the frequency of the shared key in the list: the adjustment is
    ``log2(u[level] / tf)``, capped at ±:data:`TF_CAP_BITS`.
    """
    if n < 50:  # too few records for frequencies to mean anything: the prior u stands
        return 0.0
    out = 0.0
    ga, gb = (a.given_canon | a.given_skel), (b.family_skel if swapped else b.given_canon | b.given_skel)
    fa, fb = a.family_skel, (b.given_canon | b.given_skel if swapped else b.family_skel)
    for c, (x, y, tag) in ((_G, (ga, gb, "g")), (_F, (fa, fb, "f"))):
        lv = levels[c]
        if lv < 3:
            continue
        shared = x & y
        if not shared:
            continue
        tf = max(counts.get(tag + key, 1) for key in shared) / n
        out += float(np.clip(math.log2(u[c, lv] / max(tf, 1.0 / n)), -TF_CAP_BITS, TF_CAP_BITS))
    return out


def corroborated(levels: Sequence[int]) -> bool:
    """Whether a pair may be a "match" (merge without a reviewer's look) and not only a "review": names
    alone never suffice. Given and family names agree and something else does (birth date, phone,
    document or patronymic); one of them only similar and the full birth date, phone or document agree; or,
    when the family names differ (maiden and married names), the given name and a document, or the given
    name, a phone and the birth date, or the given name, patronymic and full birth date."""
    g, f, p, birth, phone, doc = levels[_G], levels[_F], levels[_P], levels[_B], levels[_PH], levels[_D]
    if g >= 3 and f >= 3:
        return birth >= 2 or phone == 4 or doc == 4 or p >= 3
    if (g >= 3 and f == 2) or (g == 2 and f >= 3):  # a typo or a diminutive in one of them
        return birth == 4 or phone == 4 or doc == 4 or (p >= 3 and birth >= 3)
    if g >= 3:  # family names differ: maiden and married names
        return doc == 4 or (phone == 4 and birth >= 3) or (p >= 3 and birth == 4)
    return False


def _evidence(levels: Sequence[int], swapped: bool) -> tuple[str, ...]:
    out = [f"{name} {_LEVEL_WORDS[lv]}" for name, lv in zip(COMPARISONS, levels, strict=True) if lv]
    if swapped:
        out.append("given and family names swapped")
    return tuple(out)


def link(records: Sequence[Record], *, households: Sequence[str] | None = None, seed: int = 0,
         match_p: float = MATCH_P, review_p: float = REVIEW_P, region: str = "SY",
         on_progress: Callable[[int], None] | None = None) -> Linkage:
    """Find duplicate pairs among ``records``.

    Parameters
    ----------
    records
        The batch; candidate indices refer to it.
    households
        Household id per record ("" when unknown), for the household rule: give ids only of households
        whose relations come from the file (see :func:`vetoed`).
    seed
        Seed of the random-pair sample that estimates ``u``.
    match_p, review_p
        Posterior probability from which a pair is a match, and from which it enters the review queue.
        Pairs with :func:`same_person` evidence enter the queue whatever their probability.
    region
        ISO country code of the list, to read national phone numbers.

    Complexity: linear in records plus the candidate pairs (typically a few per record), about
    20 µs a pair on one core.
    """
    region = check_region(region)
    hh = households if households is not None else [""] * len(records)
    if len(hh) != len(records):
        raise ValueError(f"{len(hh)} household ids for {len(records)} records")
    keys = [keys_of(i, r, hh[i], region) for i, r in enumerate(records)]
    pairs = candidate_pairs(keys)
    u = estimate_u(keys, seed=seed)
    levels = np.zeros((len(pairs), len(COMPARISONS)), dtype=np.int64)
    swaps = np.zeros(len(pairs), dtype=bool)
    veto: list[str] = []
    rule: list[str] = []
    for n, (i, j) in enumerate(pairs):
        lv, sw = compare(keys[i], keys[j])
        levels[n] = lv
        swaps[n] = sw
        strong = same_person(keys[i], keys[j], lv, sw)
        why = "" if strong else vetoed(keys[i], keys[j])
        if not why and not strong and _siblings(lv, sw):
            why = "given names differ within one family (siblings)"
        veto.append(why)
        rule.append(strong)
        if on_progress is not None and n % 50_000 == 0:
            on_progress(n)
    ok = np.array([not v for v in veto], dtype=bool)
    forced = np.array([bool(r) for r in rule], dtype=bool)
    model = train(keys, u)
    counts = key_counts(keys)
    adjust = np.array([tf_adjustment(keys[i], keys[j], levels[n], bool(swaps[n]), counts, len(keys), u)
                       for n, (i, j) in enumerate(pairs)], dtype=np.float64)
    prob = model.probability(levels, adjust) if len(pairs) else np.zeros(0)
    out: list[Candidate] = []
    for hit in np.nonzero(((prob >= review_p) & ok) | forced)[0]:
        i, j = pairs[int(hit)]
        pr = float(prob[hit])
        ev = _evidence([int(x) for x in levels[hit]], bool(swaps[hit]))
        if rule[hit]:
            ev = (*ev, f"rule: {rule[hit]}")
        lv = [int(x) for x in levels[hit]]
        out.append(Candidate(i, j, pr, "match" if pr >= match_p and corroborated(lv) else "review", ev))
    if on_progress is not None:
        on_progress(len(pairs))
    return Linkage(tuple(out), model, len(pairs), vetoed=int((~ok).sum()),
                   notes={"lambda": model.lam, "em_iterations": float(model.iterations)})


def baseline_pairs(records: Sequence[Record]) -> set[tuple[int, int]]:
    """The naive baseline: exact match on normalised full name and birth date."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for i, r in enumerate(records):
        g = normal(r.given_latin or r.given)
        f = normal(r.family_latin or r.family)
        groups.setdefault((g, f, r.birth.iso()), []).append(i)
    out: set[tuple[int, int]] = set()
    for members in groups.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                out.add((members[x], members[y]))
    return out


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float


def score_pairs(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> Scores:
    """Pairwise precision, recall and F1 (pairs as ``(i, j)`` with ``i < j``)."""
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 1.0
    r = tp / len(truth) if truth else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(p, r, f)
