"""Population files: JSON, one person or household per line, byte-identical for the same population.

Layout (``schema_version`` 1)::

    {"schema_version":1,
    "people":[
    {"birth":"1975-03-02","category":"resident",...},
    ...
    ],
    "households":[
    {"id":"H00001","location":"damascus","members":["P000001","P000002"]},
    ...
    ]}

Each record is ``json.dumps(..., ensure_ascii=False, sort_keys=True)`` with compact separators, so names
stay readable in their own script, a diff shows one line per changed person, and the same population
always gives the same bytes (UTF-8, ``\\n`` line ends). Enums are written as their string values, the birth
date as :meth:`PartialDate.iso`, vulnerabilities as a sorted list.

Reading checks every field and reports all problems at once in a :class:`ScenarioError`, each as
``<file>:<line>: people[12].sex: expected one of F, M, got 'X'``. The format's JSON Schema is
:func:`evac.adapters.population_schema.json_schema` (``evac schema population``).
"""

from __future__ import annotations

import bisect
import json
import os
import re
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evac.core.errors import ModelError, ScenarioError
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
    from collections.abc import Callable

    _Report = Callable[[str, str], None]

SCHEMA_VERSION = 1

# Person fields in file order of checking: name → kind. Kinds: "str", an enum class, "birth",
# "str_list" (nationalities), "vulns" and "int". Fields with a default in Person may be left out.
_PERSON_FIELDS: dict[str, Any] = {
    "id": "str", "household_id": "str", "given": "str", "family": "str", "patronymic": "str",
    "script": Script, "given_latin": "str", "family_latin": "str", "patronymic_latin": "str",
    "birth": "birth", "sex": Sex, "nationalities": "str_list", "category": Category,
    "vulnerabilities": "vulns", "willingness": Willingness, "eligibility": Eligibility, "location": "str",
    "relation": Relation, "phone": "str", "language": "str", "registration_seq": "int",
}
_PERSON_OPTIONAL = frozenset({"relation", "phone", "language", "registration_seq"})
_HOUSEHOLD_FIELDS = ("id", "location", "members")


# -- writing ---------------------------------------------------------------------------------------------
def person_to_dict(p: Person) -> dict[str, Any]:
    """Every field of ``p`` as JSON-ready values."""
    return {
        "id": p.id, "household_id": p.household_id, "given": p.given, "family": p.family,
        "patronymic": p.patronymic, "script": p.script.value, "given_latin": p.given_latin,
        "family_latin": p.family_latin, "patronymic_latin": p.patronymic_latin, "birth": p.birth.iso(),
        "sex": p.sex.value, "nationalities": list(p.nationalities), "category": p.category.value,
        "vulnerabilities": sorted(v.value for v in p.vulnerabilities), "willingness": p.willingness.value,
        "eligibility": p.eligibility.value, "location": p.location, "relation": p.relation.value,
        "phone": p.phone, "language": p.language, "registration_seq": p.registration_seq,
    }


def household_to_dict(h: Household) -> dict[str, Any]:
    return {"id": h.id, "location": h.location, "members": list(h.members)}


def population_to_dicts(pop: Population) -> dict[str, Any]:
    """The whole file as one JSON-ready object (people and households in population order)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "people": [person_to_dict(p) for p in pop.people],
        "households": [household_to_dict(h) for h in pop.households],
    }


def _record(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":"))


def dumps_population(pop: Population) -> str:
    """The file's text: valid JSON with one person or household per line, ending in a newline."""
    people = ",\n".join(_record(person_to_dict(p)) for p in pop.people)
    households = ",\n".join(_record(household_to_dict(h)) for h in pop.households)
    return (f'{{"schema_version":{SCHEMA_VERSION},\n"people":[\n{people}\n],\n'
            f'"households":[\n{households}\n]}}\n')


def write_population(pop: Population, path: Path) -> None:
    """Write ``pop`` to ``path`` (UTF-8). The file is replaced atomically: a crash leaves the old one."""
    text = dumps_population(pop)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- reading ---------------------------------------------------------------------------------------------
def read_population(path: Path) -> Population:
    """Read a file written by :func:`write_population`.

    Raises
    ------
    ScenarioError
        The file cannot be read, is not JSON, or has wrong fields; ``problems`` lists all of them, each
        naming the file and the place inside it.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError([f"{source}: cannot read: {e.strerror or e}"]) from e
    except UnicodeDecodeError as e:
        raise ScenarioError([f"{source}: not UTF-8 text (byte {e.start})"]) from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ScenarioError([f"{source}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}"]) from e
    except RecursionError:
        raise ScenarioError([f"{source}: nested too deeply to be a population file"]) from None
    return population_from_dicts(data, source=source, locate=_Locator(text))


class _Locator:
    """The line (1-based) of a path like ``people[12].sex`` in the JSON text of a population file, found
    only when a problem is reported (so a valid million-person file costs nothing): the record's start by
    decoding the list's items in turn (C speed), then the field's key inside the record."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._newlines: list[int] | None = None
        self._spans: dict[str, list[tuple[int, int]]] = {}

    def line(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_right(self._newlines, offset - 1) + 1

    def _items(self, key: str) -> list[tuple[int, int]]:
        """``(start, end)`` offsets of each item of the top-level list ``key``."""
        spans = self._spans.get(key)
        if spans is None:
            spans = self._spans[key] = []
            m = re.search(f'"{key}"\\s*:\\s*\\[', self.text)
            if m is not None:
                decoder = json.JSONDecoder()
                pos, n = m.end(), len(self.text)
                while True:
                    while pos < n and self.text[pos] in " \t\r\n,":
                        pos += 1
                    if pos >= n or self.text[pos] == "]":
                        break
                    try:
                        _, end = decoder.raw_decode(self.text, pos)
                    except ValueError:
                        break
                    spans.append((pos, end))
                    pos = end
        return spans

    def __call__(self, where: str) -> int | None:
        m = re.match(r"(people|households)\[(\d+)\](?:\.(\w+))?", where)
        if m is None:
            key = re.search(f'"{re.escape(where.split(".")[0])}"\\s*:', self.text)
            return None if key is None else self.line(key.start())
        spans = self._items(m.group(1))
        i = int(m.group(2))
        if i >= len(spans):
            return None
        start, end = spans[i]
        field = m.group(3)
        if field:
            f = re.compile(f'"{re.escape(field)}"\\s*:').search(self.text, start, end)
            if f is not None:
                return self.line(f.start())
        return self.line(start)


def population_from_dicts(data: Any, *, source: str = "<population>",
                          locate: Callable[[str], int | None] | None = None) -> Population:
    """Build a population from the parsed JSON object, checking every field (see module docstring).

    ``locate`` gives the line of a path in the file (``read_population`` passes one), so that each problem
    reads ``file:line: path: message`` like a scenario's; without it ``file: path: message``.
    """
    problems: list[str] = []

    def located(where: str) -> str:
        line = None if locate is None else locate(where)
        return f"{source}:{line}" if line else source

    def bad(where: str, message: str) -> None:
        problems.append(f"{located(where)}: {where}: {message}")

    if not isinstance(data, dict):
        raise ScenarioError([f"{source}:1: top level: expected an object, got {_kind(data)}" if locate
                             else f"{source}: top level: expected an object, got {_kind(data)}"])
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ScenarioError([f"{located('schema_version')}: schema_version: expected {SCHEMA_VERSION}, "
                             f"got {version!r}"])
    for key in sorted(set(data) - {"schema_version", "people", "households"}):
        bad(key, "unknown field")
    raw_people = data.get("people")
    raw_households = data.get("households")
    if not isinstance(raw_people, list):
        bad("people", f"expected a list, got {_kind(raw_people)}")
        raw_people = []
    if not isinstance(raw_households, list):
        bad("households", f"expected a list, got {_kind(raw_households)}")
        raw_households = []

    people: list[Person] = []
    where_person: dict[str, int] = {}
    for i, raw in enumerate(raw_people):
        person = _person(raw, f"people[{i}]", bad)
        if person is None:
            continue
        if person.id in where_person:
            bad(f"people[{i}].id", f"duplicate id {person.id!r} (also people[{where_person[person.id]}])")
            continue
        where_person[person.id] = i
        people.append(person)
    by_id = {p.id: p for p in people}
    # Ids of records that failed their own checks: not reported again as unknown references.
    raw_person_ids = {r.get("id") for r in raw_people if isinstance(r, dict)}
    raw_household_ids = {r.get("id") for r in raw_households if isinstance(r, dict)}

    households: list[Household] = []
    where_household: dict[str, int] = {}
    listed: dict[str, str] = {}
    for j, raw in enumerate(raw_households):
        h = _household(raw, f"households[{j}]", bad)
        if h is None:
            continue
        if h.id in where_household:
            bad(f"households[{j}].id", f"duplicate id {h.id!r} (also households[{where_household[h.id]}])")
            continue
        where_household[h.id] = j
        for k, m in enumerate(h.members):
            at = f"households[{j}].members[{k}]"
            p = by_id.get(m)
            if p is None:
                if m not in raw_person_ids:
                    bad(at, f"unknown person {m!r}")
            elif p.household_id != h.id:
                bad(at, f"person {m!r} belongs to household {p.household_id!r}")
            else:
                listed[m] = h.id
        households.append(h)
    for p in people:
        at = f"people[{where_person[p.id]}].household_id"
        if p.household_id not in raw_household_ids:
            bad(at, f"no household {p.household_id!r}")
        elif p.household_id in where_household and p.id not in listed:
            bad(at, f"household {p.household_id!r} does not list person {p.id!r}")
    if problems:
        raise ScenarioError(problems)
    try:
        return Population(tuple(people), tuple(households))
    except ModelError as e:  # pragma: no cover - the checks above find these first
        raise ScenarioError([f"{source}: {e}"]) from e


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), f"a number ({value!r})" if isinstance(value, int | float) else repr(value))


def _person(raw: Any, at: str, bad: _Report) -> Person | None:
    if not isinstance(raw, dict):
        bad(at, f"expected an object, got {_kind(raw)}")
        return None
    ok = True
    values: dict[str, Any] = {}
    for key in sorted(set(raw) - set(_PERSON_FIELDS)):
        bad(f"{at}.{key}", "unknown field")
        ok = False
    for name, kind in _PERSON_FIELDS.items():
        where = f"{at}.{name}"
        if name not in raw:
            if name not in _PERSON_OPTIONAL:
                bad(where, "missing")
                ok = False
            continue
        value, message = _convert(raw[name], kind)
        if message:
            bad(where, message)
            ok = False
        else:
            values[name] = value
    if not ok:
        return None
    try:
        return Person(**values)
    except ModelError as e:
        bad(at, str(e))
        return None


def _household(raw: Any, at: str, bad: _Report) -> Household | None:
    if not isinstance(raw, dict):
        bad(at, f"expected an object, got {_kind(raw)}")
        return None
    ok = True
    for key in sorted(set(raw) - set(_HOUSEHOLD_FIELDS)):
        bad(f"{at}.{key}", "unknown field")
        ok = False
    for name in ("id", "location"):
        if name not in raw:
            bad(f"{at}.{name}", "missing")
            ok = False
        elif not isinstance(raw[name], str) or not raw[name]:
            bad(f"{at}.{name}", f"expected a non-empty string, got {_kind(raw[name])}")
            ok = False
    members: tuple[str, ...] = ()
    if "members" not in raw:
        bad(f"{at}.members", "missing")
        ok = False
    else:
        members, message = _convert(raw["members"], "str_list")
        if message:
            bad(f"{at}.members", message)
            ok = False
    if not ok:
        return None
    try:
        return Household(raw["id"], members, raw["location"])
    except ModelError as e:
        bad(at, str(e))
        return None


def _convert(value: Any, kind: Any) -> tuple[Any, str]:
    """``(converted value, "")`` or ``(None, message)``."""
    if kind == "str":
        return (value, "") if isinstance(value, str) else (None, f"expected a string, got {_kind(value)}")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value, ""
        return None, f"expected an integer, got {_kind(value)}"
    if kind == "birth":
        if isinstance(value, str):
            try:
                date = PartialDate.parse(value)
            except (ValueError, TypeError):
                date = None
            if date is not None and date.iso() == value:
                return date, ""
        return None, f"expected a date YYYY, YYYY-MM, YYYY-MM-DD or \"\", got {value!r}"
    if kind in ("str_list", "vulns"):
        if not isinstance(value, list):
            return None, f"expected a list, got {_kind(value)}"
        for k, item in enumerate(value):
            if not isinstance(item, str) or not item:
                return None, f"item {k}: expected a non-empty string, got {_kind(item)}"
        if kind == "str_list":
            return tuple(value), ""
        out = []
        for item in value:
            v, message = _convert(item, Vulnerability)
            if message:
                return None, message
            out.append(v)
        return frozenset(out), ""
    assert isinstance(kind, type) and issubclass(kind, StrEnum)
    try:
        return kind(value), ""
    except ValueError:
        return None, f"expected one of {', '.join(m.value for m in kind)}, got {value!r}"
