"""Households from a list: an explicit household column, or inferred from shared contact and surname.

Inference joins two records of one file when they share a phone number or an address **and** a family-name
key (Иванова and Ivanov share ``vnv``: a wife and husband keep the gendered forms of one name). A shared
phone alone is not enough (a neighbour's phone is often given for a family without one), nor a surname
alone (common names). The evidence is kept as words ("same phone", "same address", "same family name"),
never the values, because it is stored in clear beside the sealed fields.

Relations to the household's reference person (its first member) come from the file when given, else from
age and sex: an adult of the other sex within 20 years is the spouse, someone 15+ years younger a child,
15+ years older a parent, anyone else ``other``. These are guesses and are labelled as such in evidence.

A shared phone is also what a person listed twice has, so an inferred household often holds a record and
its own duplicate. Such a copy (:func:`~evac.core.registry.linkage.same_person` evidence against an earlier
member) is never guessed to be a relative of itself: it takes the relation of the record it copies, and the
household's evidence says "possible duplicate within household" (linkage then proposes the pair).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evac.core.model.people import Relation
from evac.core.registry.contacts import check_region, phone_key
from evac.core.registry.linkage import compare, keys_of, same_person
from evac.core.registry.names import skeleton, split_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.registry.records import Record

GENERATION_YEARS = 15  # a parent is at least this much older than a child
SPOUSE_MAX_GAP_YEARS = 20


@dataclass(frozen=True, slots=True)
class Group:
    """One household: record indices (the first is the reference person), a label, relations, evidence."""

    label: str
    members: tuple[int, ...]
    relations: tuple[Relation, ...]
    evidence: tuple[str, ...]


def _family_keys(r: Record) -> set[str]:
    out = {skeleton(w) for w in split_name(r.given, r.family, r.patronymic).family}
    if r.family_latin:
        out |= {skeleton(w) for w in split_name(r.given_latin, r.family_latin, r.patronymic_latin).family}
    return out


def _address_key(address: str) -> str:
    return " ".join("".join(ch for ch in address.lower() if ch.isalnum() or ch.isspace()).split())


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def infer_relation(head: Record, other: Record) -> Relation:
    """The relation of ``other`` to ``head`` from birth years and sex (``OTHER`` when unsure)."""
    if head.birth.year is None or other.birth.year is None:
        return Relation.OTHER
    gap = other.birth.year - head.birth.year
    if gap >= GENERATION_YEARS:
        return Relation.CHILD
    if gap <= -GENERATION_YEARS:
        return Relation.PARENT
    if abs(gap) <= SPOUSE_MAX_GAP_YEARS and head.sex is not None and other.sex is not None \
            and head.sex is not other.sex:
        return Relation.SPOUSE
    return Relation.OTHER


def _copies(records: Sequence[Record], idx: Sequence[int], region: str) -> dict[int, int]:
    """Within one inferred group: member → the earlier member it is a copy of (same-person evidence)."""
    keys = {i: keys_of(i, records[i], "", region) for i in idx}
    out: dict[int, int] = {}
    for x, i in enumerate(idx):
        for j in idx[:x]:
            if j in out:
                continue
            levels, swapped = compare(keys[j], keys[i])
            if same_person(keys[j], keys[i], levels, swapped):
                out[i] = j
                break
    return out


MAX_COPY_CHECK = 30  # members; a larger inferred group is checked only when linkage runs


def group_households(records: Sequence[Record], *, region: str = "SY") -> list[Group]:
    """Every record in exactly one group: explicit labels first, the rest inferred (see module docstring).

    ``region`` is the list's country, to read national phone numbers (09… in Syria) as E.164.
    """
    region = check_region(region)
    n = len(records)
    uf = _Union(n)
    evidence: dict[int, set[str]] = {}
    labelled: dict[str, int] = {}
    by_phone: dict[tuple[str, str], int] = {}
    by_address: dict[tuple[str, str], int] = {}
    for i, r in enumerate(records):
        if r.household_key:
            first = labelled.setdefault(r.household_key, i)
            uf.join(first, i)
            evidence.setdefault(i, set()).add("household column")
            continue
        for fam in _family_keys(r):
            for key, table, word in ((phone_key(r.phone, region), by_phone, "same phone"),
                                     (_address_key(r.address), by_address, "same address")):
                if not key:
                    continue
                first = table.setdefault((key, fam), i)
                if first != i:
                    uf.join(first, i)
                    evidence.setdefault(i, set()).update({word, "same family name"})
                    evidence.setdefault(first, set()).update({word, "same family name"})
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(uf.find(i), []).append(i)
    out: list[Group] = []
    for root, idx in sorted(members.items()):
        head = records[idx[0]]
        copies = _copies(records, idx, region) if 1 < len(idx) <= MAX_COPY_CHECK and not head.household_key else {}
        rels: list[Relation] = []
        inferred = False
        for k, i in enumerate(idx):
            r = records[i]
            if r.relation is not None:
                rels.append(r.relation)
            elif k == 0:
                rels.append(Relation.HEAD)
            elif i in copies:
                rels.append(rels[idx.index(copies[i])])
            else:
                rels.append(infer_relation(head, r))
                inferred = True
        ev = set().union(*(evidence.get(i, set()) for i in idx))
        if copies:
            ev.add("possible duplicate within household")
        if inferred:
            ev.add("relations inferred from age and sex")
        label = head.household_key or f"inferred-{root + 1}"
        out.append(Group(label, tuple(idx), tuple(rels), tuple(sorted(ev))))
    return out
