"""Unreviewed likely duplicates count once: the one rule the planner, the board and call-forward share.

De-duplication never merges on its own (a wrong merge hides a person), so until a reviewer accepts or
rejects them, the pairs in the queue's *likely* band (decision ``match``) are still two records. Planned as
two they would take two seats and get two call-forward messages; counted as two they would inflate the
board. Until reviewed, every connected component of unresolved likely pairs (A~B, B~C: one person listed
three times) therefore stands for **one** person, represented by its best record (:func:`completeness`);
the other records are set aside, not deleted, and come back the moment the pair is rejected or undone.

Pairs in the *review* band are not collapsed: there the model is unsure, and leaving someone out of the plan
is worse than a spare seat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evac.core.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from evac.core.registry.records import Record

LIKELY = "match"
"""The decision of the queue's likely band (posterior ≥ 0.90, see :mod:`evac.core.registry.linkage`)."""

_FIELDS = ("given", "family", "patronymic", "phone", "document", "address", "city", "household_key")


def completeness(r: Record) -> tuple[int, int, int]:
    """Sort key of how good a record is to keep: (bears a document, full birth date, filled fields).

    A document-bearing record is the one a border officer can check, so it wins outright; then a full birth
    date (not a year only); then the number of filled name, contact and place fields.
    """
    latin = sum(
        1
        for o, t in ((r.given, r.given_latin), (r.family, r.family_latin), (r.patronymic, r.patronymic_latin))
        if t and t != o
    )  # a Latin copy of a Latin name adds nothing
    filled = (
        sum(1 for f in _FIELDS if getattr(r, f))
        + latin
        + (1 if r.sex is not None else 0)
        + (1 if r.nationalities else 0)
    )
    return (1 if r.document else 0, 1 if r.birth.day else 0, filled)


@dataclass(frozen=True, slots=True)
class Collapse:
    """Which records stand for which until the review is done.

    ``kept_for`` maps each set-aside record id to its representative's id (representatives themselves are
    not keys). ``pairs`` counts the unresolved likely pairs the collapse was made from, ``groups`` the
    components of two or more records (each planned as one person).
    """

    kept_for: dict[int, int] = field(default_factory=dict)
    pairs: int = 0
    groups: int = 0

    @property
    def hidden(self) -> int:
        """Records planned as someone else (the registered count drops by this much)."""
        return len(self.kept_for)

    def members(self) -> dict[int, list[int]]:
        """Representative id → the ids it stands for (itself first, then the others ascending)."""
        out: dict[int, list[int]] = {}
        for rid, rep in sorted(self.kept_for.items()):
            out.setdefault(rep, [rep]).append(rid)
        return out


def collapse_likely(records: Mapping[int, Record], pairs: Iterable[tuple[int, int]]) -> Collapse:
    """Collapse the connected components of unresolved likely pairs to their best record.

    Parameters
    ----------
    records
        The active (not merged) records by id; a pair naming a record not in it (merged meanwhile, or not
        active) is ignored, since the reviewer already decided about that record.
    pairs
        Unresolved likely pairs ``(a, b)`` of record ids, in any order and with repeats.

    Returns
    -------
    Collapse
        The representative of every component is the record with the highest :func:`completeness`, the
        earliest registered (lowest id) on ties — deterministic whatever the order of ``pairs``.

    Raises
    ------
    ModelError
        A pair names the same record twice (a record is never a duplicate of itself).

    Union–find with path halving: O(pairs · α) time, O(records in pairs) memory.
    """
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    n = 0
    for a, b in pairs:
        if a == b:
            raise ModelError(f"likely pair ({a}, {b}) names one record twice: a record is not its own duplicate")
        if a not in records or b not in records:
            continue
        n += 1
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in parent:
        groups.setdefault(root(x), []).append(x)
    kept_for: dict[int, int] = {}
    for ids in groups.values():
        best = max(ids, key=lambda i: (completeness(records[i]), -i))
        kept_for.update({i: best for i in ids if i != best})
    return Collapse(kept_for, n, len(groups))


__all__ = ["LIKELY", "Collapse", "collapse_likely", "completeness"]
