"""The password rule for evac's staff: long enough, not common, not derived from the user name.

Length alone let ``password12`` and the user's own name through. A field officer's account opens a list of
people whose exposure can get them killed, and an attacker who guesses from a few addresses gets a handful
of tries per address (:mod:`evac.api.throttle`), so the guesses they would try first must be refused:

1. at least :data:`MIN_LENGTH` characters, and at least 5 different ones (``aaaaaaaaaa``, ``1212121212``);
2. not digits only (a date or a phone number);
3. not the user name, its reverse, or either inside the password (``amina2013``, ``animaamina!``);
4. not one of the 10,000 most common passwords, nor one of them with digits or symbols added before or
   after, written in capitals, with common letter swaps (``P@ssw0rd``), or repeated (``dragondragon``);
   the same for words of this deployment (``evacuation``, ``damascus``, role names).

The list (``evac/data/common_passwords.txt``, ~80 kB) comes from zxcvbn's frequency list (MIT; the source
and licence are in the file's header and ``common_passwords.LICENSE``) and is read once, offline.
:func:`password_problem` returns the first rule broken as a sentence for the user, or ``None``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

MIN_LENGTH = 10
#: words a guesser tries first against this system (lower case)
CONTEXT_WORDS = frozenset({
    "evac", "evacuate", "evacuation", "evacuee", "admin", "administrator", "planner", "officer", "field",
    "viewer", "consul", "consulate", "embassy", "russia", "rossiya", "moscow", "moskva", "syria", "damascus",
    "aleppo", "latakia", "tartus", "beirut", "lebanon", "convoy", "registry", "welcome", "letmein", "changeme",
    "password", "parol", "qwerty", "йцукен", "пароль",
})
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "l", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t",
                       "+": "t", "8": "b", "9": "g"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (lower case), read once."""
    text = resources.files("evac.data").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _cores(password: str) -> set[str]:
    """The forms a guesser starts from: lower case, digits and symbols at either end dropped, leet undone."""
    low = password.lower()
    out = {low, _EDGES.sub("", low), low.translate(_LEET)}
    out.add(_EDGES.sub("", low.translate(_LEET)))
    out.add(_EDGES.sub("", low.replace("1", "i")))
    return {c for c in out if c}


def _repeated(core: str) -> str | None:
    """``dragondragon`` → ``dragon``: a word repeated two or more times, else ``None``."""
    for n in range(1, len(core) // 2 + 1):
        if len(core) % n == 0 and core[:n] * (len(core) // n) == core:
            return core[:n]
    return None


def password_problem(password: str, *, username: str | None = None) -> str | None:
    """The first rule ``password`` breaks, as a sentence that says which and how to fix it; ``None`` if none.

    ``username``: the account's name, for the user-derived rule (case and separators ignored).
    """
    if len(password) < MIN_LENGTH:
        return f"passwords need at least {MIN_LENGTH} characters"
    if len(set(password)) < 5:
        return "the password repeats too few different characters (at least 5 are needed)"
    if password.isdigit():
        return "a password of digits only (a date, a phone number) is guessed quickly; use words"
    low = password.lower()
    if username:
        name = username.lower()
        squeezed = re.sub(r"[\W_]+", "", low)
        forms = {name, name[::-1], re.sub(r"[\W_]+", "", name), re.sub(r"[\W_]+", "", name)[::-1]}
        if any(len(f) >= 3 and (f in low or f in squeezed) for f in forms):
            return "the password must not contain the user name (or the user name reversed)"
    common = common_passwords()
    for core in _cores(password):
        words = {core}
        rep = _repeated(core)
        if rep is not None:
            words.add(rep)
        for w in words:
            if w in common or w in CONTEXT_WORDS:
                return ("the password is a common password (or one with digits, symbols or letter swaps "
                        "added); choose a passphrase of three or more unrelated words")
    return None
