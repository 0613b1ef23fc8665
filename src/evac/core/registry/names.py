"""Name normalisation: one comparable key for Иванова, Ivanova and Ivanowa; محمد, Muhammad and Mohammed.

Why keys and not one "correct" transliteration: consular lists were typed by different clerks from
different papers (Russian passports in GOST or BGN/PCGN, Syrian papers in French or English spelling,
Arabic originals), so there is no canonical form to recover. Instead every name word maps to

- a **normal form**: Latin, lower case, no diacritics or apostrophes (``anyascii`` for Cyrillic and
  Latin; a hand-written table for Arabic, because ``anyascii`` gives an unvowelled skeleton with hamza
  marks that compare badly with vowelled Latin);
- a **skeleton**: the normal form with digraphs merged (kh→h, zh/dzh/dj→j, th→s, w→v, q/c→k, ph→f,
  ou→u, x→ks), vowels (and y) removed and doubled letters collapsed. Arabic is written without short
  vowels, so the consonant skeleton is what all three scripts share: Muhammad, Мухаммед, محمد → ``mhmd``;
- a **canonical** form: the alias table maps known variants of a given name (Aleksandr, Alexander,
  Sasha; Muhammad, Mohamad) to one key, and falls back to the skeleton.

Arabic name chains are split into the parts that identify the person: the article (al-, el-, Russian
аль-/ас-/аш-…) is dropped, ``bin``/``ibn``/``bint`` joints are removed, ``Abd al-X``/``Abdul X`` is one
word, and a kunya (``Abu X``, ``Umm X``) is set aside as a nickname rather than a given name.
A Russian patronymic written into the given-name field (``Anna Sergeevna``) is recognised by its ending.

All functions are pure and cached; a key costs a few microseconds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

# Arabic letters → Latin, Levantine-leaning, consonants only where Arabic writes no vowel.
# Long vowels (ا و ي) become a/u/i so that the skeleton (which drops vowels) agrees with Latin forms,
# while ``و`` and ``ي`` at the start of a word are consonants (w/y).
_AR: dict[str, str] = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ء": "", "ؤ": "", "ئ": "", "ب": "b", "ت": "t", "ث": "th",
    "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh",
    "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l",
    "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "u", "ي": "i", "ى": "a", "ـ": "",
}
_AR_INITIAL = {"و": "w", "ي": "y"}
_AR_DIACRITICS = re.compile("[\u064b-\u0652\u0670]")
_ARABIC = re.compile("[\u0600-\u06ff]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")

# Digraphs merged before vowels are dropped, longest first. "th" → "s" because Levantine and Russian
# render ث as s (Haytham / Хайсам); "dh" → "z" likewise (ذ).
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("shch", "sh"), ("sch", "sh"), ("dzh", "j"), ("tch", "ch"), ("kh", "h"), ("zh", "j"), ("dj", "j"),
    ("gh", "g"), ("ph", "f"), ("th", "s"), ("dh", "z"), ("ck", "k"), ("ts", "c"), ("tz", "c"), ("ou", "u"),
    ("x", "ks"), ("w", "v"), ("q", "k"),
)
_VOWELS = frozenset("aeiouy")
_NON_LETTERS = re.compile(r"[^a-z ]+")

ARTICLES = frozenset({"al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "an", "ed", "es", "et", "en"})
_ARTICLE_PREFIX = re.compile(r"^(?:al|el|ul|ad|ar|as|ash|at|az|an)[- ]", re.IGNORECASE)
# Arabic writes the article joined to the name (الشامي = al-Shami); strip it when a name of 2+ letters follows.
_AR_ARTICLE = re.compile(r"(?:(?<=\s)|^)ال(?=[؀-ۿ]{2})")
_CYR_ARTICLE = re.compile(r"^(?:аль|эль|ал|ас|аш|ад|ан|ар|аз|ат)-", re.IGNORECASE)
JOINTS = frozenset({"bin", "ibn", "bint", "ben", "ibnat"})
KUNYA = frozenset({"abu", "abou", "umm", "um", "oum"})
_PATRONYMIC_END = re.compile(r"(?:ovich|evich|ovna|evna|ichna|inichna|ich)$")

# Given-name aliases: every spelling on a row shares the first one's key. Only common Russian and Syrian
# names and their diminutives; a name not listed falls back to its skeleton, which already merges most
# transliteration variants. Keep rows short and obviously right: a wrong alias merges two people.
_ALIASES = """
aleksandr alexander alexandr aleksander sasha sanya shura
aleksandra alexandra sasha
aleksey alexey alexei aleksei alyosha lyosha
anastasiya anastasia nastya
anna anya ann hanna ganna
dmitriy dmitry dmitri dima
ekaterina yekaterina katerina katya catherine
elena yelena helen lena olena
evgeniy yevgeniy evgeny zhenya eugene
evgeniya yevgeniya evgenia
ivan vanya
maria mariya mariia masha mary
mikhail michael misha
natalya natalia natalja natasha nataliya
nikolay nikolai kolya nicholas
olga olya
sergey sergei serguei seryozha
svetlana sveta
tatyana tatiana tatjana tanya
vladimir volodya vova
yuliya yulia julia iuliia
yuriy yury yuri iurii
muhammad mohammed mohammad mohamed mohamad muhammed mohamud mukhammed mukhammad magomed
ahmad ahmed akhmed akhmad
mahmoud mahmud makhmud
mustafa moustafa mostafa
hussein husein husayn hussain hosein khuseyn
hassan hasan khasan
khaled khalid khalid
omar umar
youssef yusuf yousef joseph yousif
ibrahim ibragim ebrahim abraham
ali aly
issa isa eissa
mousa musa moussa
suleiman sulaiman sulayman suleyman
yahya yakhya
abdullah abdallah abdulla abdalla
fatima fatma fatimah
aisha aysha aicha ayesha
maryam mariam meriem
zaynab zeinab zainab
nour noor nur
"""


@lru_cache(maxsize=200_000)
def normal(word: str) -> str:
    """Latin, lower case, letters and spaces only. Arabic goes through :data:`_AR`, anything else anyascii."""
    text = unicodedata.normalize("NFC", word.strip())
    text = _arabic_to_latin(text) if _ARABIC.search(text) else anyascii(text)
    text = text.lower().replace("'", "").replace("`", "").replace("\u02bc", "")
    return " ".join(_NON_LETTERS.sub(" ", text).split())


def _arabic_to_latin(text: str) -> str:
    text = _AR_DIACRITICS.sub("", text)
    out: list[str] = []
    start = True
    for ch in text:
        if ch.isspace() or ch == "-":
            out.append(" ")
            start = True
            continue
        if start and ch in _AR_INITIAL:
            out.append(_AR_INITIAL[ch])
        else:
            out.append(_AR.get(ch, anyascii(ch)))
        start = False
    return "".join(out)


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """Consonant skeleton of one normalised word (see module docstring); never empty for a non-empty word."""
    w = normal(word).replace(" ", "")
    if not w:
        return ""
    for a, b in _DIGRAPHS:
        w = w.replace(a, b)
    # "ch" survives as Ч; a lone c is k (French and English spellings: Jacques, Michel → mishel is rare).
    w = w.replace("ch", "\x00").replace("c", "k").replace("\x00", "ch").replace("kh", "h").replace("ks", "x")
    w = w.replace("ch", "sh")  # French spellings of Arabic (Chadi, Bouchra) and Russian Ч meet here
    out: list[str] = []
    for n, ch in enumerate(w):
        if ch in _VOWELS:
            continue
        # "j" before a vowel (not word-initial), or after one at the end, is the semivowel y of German and
        # Polish-style romanisation: Sergejeva, Tatjana, Ljudmila, Grigorjewa, Darja, Sergej.
        if ch == "j" and n > 0 and (
                (n + 1 < len(w) and w[n + 1] in _VOWELS) or (n + 1 == len(w) and w[n - 1] in _VOWELS)):
            continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out) or "_" + w[:3]


@lru_cache(maxsize=200_000)
def skeletons(word: str) -> frozenset[str]:
    """The skeleton of ``word`` and of its other plausible readings, for blocking and comparison keys.

    German romanisation writes Russian е/ю/я at the start of a word as je/ju/ja (Jelena, Juri, Jegorowa)
    where English writes ye/yu/ya or e/u/a; ``ch`` is Ч in English and French but Х in German
    (Michail, Chodorkowski); and a German spelling (one with w or sch) writes ц as z and з as s
    (Kusnezowa, Nasarow). The reading an English speaker would give stays first in :func:`skeleton`;
    the others are added here so that either side can meet the other.
    """
    n = normal(word).replace(" ", "")
    out = {skeleton(n)}
    if len(n) > 2 and n[0] == "j" and n[1] in _VOWELS:
        out.add(skeleton("y" + n[1:]))
    if "ch" in n and "sch" not in n and "tch" not in n:
        out.add(skeleton(n.replace("ch", "kh")))
    if "w" in n or "sch" in n:  # German: z is ц, a single s is з (Kusnezowa = Kuznetsova, Nasarow = Nazarov)
        out.add(skeleton(re.sub(r"(?<!s)s(?!s|ch|h)", "\x00", n).replace("z", "ts").replace("\x00", "z")))
    out.discard("")
    return frozenset(out)


def _alias_table() -> dict[str, str]:
    """Skeleton → alias key. A skeleton claimed by two rows (Olya and Ali are both ``l``) is ambiguous
    and left out, so that it can only match itself."""
    table: dict[str, str] = {}
    ambiguous: set[str] = set()
    for line in _ALIASES.strip().splitlines():
        words = line.split()
        key = "~" + skeleton(words[0])
        for w in words:
            s = skeleton(w)
            if table.setdefault(s, key) != key:
                ambiguous.add(s)
    for s in ambiguous:
        del table[s]
    return table


def ambiguous_aliases() -> frozenset[str]:
    """Skeletons the alias table could not use (for tests and docs)."""
    seen: dict[str, str] = {}
    out: set[str] = set()
    for line in _ALIASES.strip().splitlines():
        words = line.split()
        key = "~" + skeleton(words[0])
        for w in words:
            s = skeleton(w)
            if seen.setdefault(s, key) != key:
                out.add(s)
    return frozenset(out)


_ALIAS_BY_SKELETON = _alias_table()


@lru_cache(maxsize=200_000)
def canonical(word: str) -> str:
    """The alias key of a given-name word (``~`` + the first alias's skeleton) or its skeleton."""
    s = skeleton(word)
    return _ALIAS_BY_SKELETON.get(s, s)


def script_of(text: str) -> str:
    """``Arab``, ``Cyrl`` or ``Latn`` (the first non-Latin script seen wins)."""
    if _ARABIC.search(text):
        return "Arab"
    if _CYRILLIC.search(text):
        return "Cyrl"
    return "Latn"


def is_patronymic(word: str) -> bool:
    """True for Russian patronymic forms (Sergeevich, Сергеевна, Ильич)."""
    n = normal(word)
    return len(n) > 5 and bool(_PATRONYMIC_END.search(n))


@dataclass(frozen=True, slots=True)
class NameParts:
    """The identifying words of a name after chain rules: each a normal-form word."""

    given: tuple[str, ...]
    family: tuple[str, ...]
    patronymic: tuple[str, ...]
    kunya: tuple[str, ...]


def _words(text: str) -> list[str]:
    text = _AR_ARTICLE.sub("", _CYR_ARTICLE.sub("", text.strip()))
    text = _ARTICLE_PREFIX.sub("", text)
    raw = normal(text.replace("-", " ")).split()
    # "Abd al-Rahman", "Abdul Karim", "Abdel Aziz" → one word, as in the Arabic original.
    out: list[str] = []
    i = 0
    while i < len(raw):
        w = raw[i]
        if w in {"abd", "abdul", "abdel", "abdal", "abdoul"} and i + 1 < len(raw):
            j = i + 1
            if raw[j] in ARTICLES and j + 1 < len(raw):
                j += 1
            out.append("abd" + raw[j])
            i = j + 1
            continue
        if w in ARTICLES and i + 1 < len(raw):
            i += 1
            continue
        out.append(w)
        i += 1
    return out


def split_name(given: str, family: str, patronymic: str = "") -> NameParts:
    """Apply the chain rules to the three name fields of one record.

    A patronymic found in ``given`` moves to the patronymic; ``bin X`` in either field moves X to the
    patronymic (it names the father, as a patronymic does); ``Abu X``/``Umm X`` is kept apart as a kunya.
    """
    g = _words(given)
    f = _words(family)
    p = _words(patronymic)
    kunya: list[str] = []
    for words in (g, f):
        k = 0
        while k < len(words):
            w = words[k]
            if w in KUNYA and k + 1 < len(words):
                kunya.append(w + words[k + 1])
                del words[k:k + 2]
            elif w in JOINTS and k + 1 < len(words):
                p.append(words[k + 1])
                del words[k:k + 2]
            else:
                k += 1
    if len(g) > 1 and is_patronymic(g[-1]) and not p:
        p.append(g.pop())
    return NameParts(tuple(g), tuple(f), tuple(p), tuple(kunya))


def name_tokens(given: str, family: str, patronymic: str = "") -> frozenset[str]:
    """Search keys of a record's names: the skeleton and alias key of every identifying word."""
    parts = split_name(given, family, patronymic)
    out: set[str] = set()
    for w in (*parts.given, *parts.family, *parts.patronymic, *parts.kunya):
        out.add(skeleton(w))
        out.add(canonical(w))
    out.discard("")
    return frozenset(out)


def query_tokens(query: str) -> list[frozenset[str]]:
    """For a free-text query, one set of acceptable keys per word (a record must match every word)."""
    parts = split_name(query, "")
    words = [*parts.given, *parts.patronymic, *parts.kunya]
    return [frozenset({skeleton(w), canonical(w)}) for w in words if w]


def _alias_rows() -> dict[str, tuple[str, ...]]:
    rows: dict[str, tuple[str, ...]] = {}
    for line in _ALIASES.strip().splitlines():
        words = tuple(line.split())
        for w in words:
            rows.setdefault(w, words)
    return rows


_ALIAS_ROWS = _alias_rows()


def aliases_of(word: str) -> tuple[str, ...]:
    """Other spellings and diminutives of a given name from the alias table (normal forms), or ()."""
    n = normal(word)
    return tuple(w for w in _ALIAS_ROWS.get(n, ()) if w != n)
