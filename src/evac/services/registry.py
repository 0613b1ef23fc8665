"""Registry use cases: import a list, search it, find and review duplicates, merge and unmerge.

Every function is keyword-only after ``uow`` and owns its transaction: it commits once at the end, so an
error (or a crash) anywhere before leaves the store exactly as it was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from evac.core.errors import EvacError
from evac.core.model.people import (
    Category,
    Eligibility,
    Household,
    PartialDate,
    Person,
    Population,
    Script,
    Sex,
)
from evac.core.registry.collapse import LIKELY, Collapse, collapse_likely
from evac.core.registry.eligibility import EligibilityPolicy, decide
from evac.core.registry.households import group_households
from evac.core.registry.linkage import link
from evac.core.registry.names import script_of
from evac.core.registry.search import OPEN_AT_MOST, Brief, birth_score, coarse, fine, near_every_word
from evac.core.registry.search import parse as parse_query

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from evac.core.registry.records import Record, Stored
    from evac.services.ops_ports import OpsRepository, OpsUnitOfWork
    from evac.services.ports import UnitOfWork

REGISTRY_ACTOR = "system:registry"
"""The actor of merges made without a signed-in user (the CLI)."""


class RegistryError(EvacError):
    """A registry request cannot be done (unknown id, nothing to undo …)."""


class RecordNotFound(RegistryError):
    """No record with that id or external id (HTTP 404 at the API edge)."""


class ImportRejected(EvacError):
    """Rows failed validation and ``accept_valid`` was not given: nothing was stored."""

    def __init__(self, problems: Sequence[tuple[int, str, str]]) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"  line {ln}: {fld}: {why}" for ln, fld, why in self.problems[:20])
        more = f"\n  … and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{len(self.problems)} problem(s); nothing imported:\n{shown}{more}")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """``imported`` counts new people; ``updated`` people already imported from a file of the same name."""

    import_id: int
    imported: int
    rejected: int
    households: int
    updated: int = 0


def _audit(uow: UnitOfWork, actor: str | None, action: str, subject: str) -> None:
    """Audit in the use case's own transaction when an actor is named (the CLI names the OS user)."""
    if actor is not None and uow.ops is not None:
        uow.ops.audit(actor=actor, action=action, subject=subject)


def _ids(found: Sequence[Stored]) -> str:
    return ",".join(f"R{s.id:07d}" for s in found)


def import_records(*, uow: UnitOfWork, file_name: str, sha256: str, records: Sequence[tuple[int, Record]],
                   problems: Sequence[tuple[int, str, str]], rows: int, accept_valid: bool = False,
                   policy: EligibilityPolicy | None = None,
                   on_progress: Callable[[int], None] | None = None, actor: str | None = None) -> ImportResult:
    """Store one file's records in one transaction: all of them, or (``accept_valid``) the valid ones.

    A row whose external id was already imported from a file of the same name (a corrected or re-sent
    list) **updates** that person instead of adding a copy: names, dates, contacts, city, willingness
    change; household, relation, eligibility, status and merges stay (change those through review).
    New rows form households from the file's household column or by inference; eligibility is decided
    per new household. Raises :class:`ImportRejected` (storing nothing) when there are problems and not
    ``accept_valid``, and :class:`RegistryError` (storing nothing) when an external id of the file is
    held by several stored records (a list imported twice before re-imports updated: merge those first).
    """
    if problems and not accept_valid:
        raise ImportRejected(problems)
    with uow:
        repo = uow.registry
        known = repo.by_source(file_name=file_name, external_ids=[r.external_id for _, r in records])
        twice = sorted(e for e, ids in known.items() if len(ids) > 1)
        if twice:
            raise RegistryError(
                f"{len(twice)} external id(s) of {file_name} are held by more than one stored record "
                f"(e.g. {', '.join(twice[:5])}): the list was imported twice; merge those copies "
                "(`evac registry dupes`) before re-importing it. Nothing was imported.")
        import_id = repo.add_import(file_name=file_name, sha256=sha256, rows=rows,
                                    rejected=len({p[0] for p in problems}))
        updated = 0
        for line, rec in records:
            if rec.external_id[:100] in known:
                repo.update_person(person_id=known[rec.external_id[:100]][0], record=rec, line=line,
                                   import_id=import_id)
                updated += 1
        fresh = [(ln, r) for ln, r in records if r.external_id[:100] not in known]
        recs = [r for _, r in fresh]
        lines = [ln for ln, _ in fresh]
        groups = group_households(recs)
        done = updated
        for g in groups:
            members = [recs[i] for i in g.members]
            hid = repo.add_household(label=g.label, import_id=import_id, city=members[0].city,
                                     evidence=g.evidence)
            for i, rel, (elig, why) in zip(g.members, g.relations, decide(members, g.relations, policy=policy),
                                           strict=True):
                repo.add_person(record=recs[i], line=lines[i], import_id=import_id, household_id=hid,
                                relation=rel, eligibility=elig, reason=why)
                done += 1
                if on_progress is not None and done % 5000 == 0:
                    on_progress(done)
        _audit(uow, actor, "write:import", f"import {import_id} (sha256 {sha256[:12]}): {len(recs)} new, "
                                           f"{updated} updated, {len({p[0] for p in problems})} rejected")
        uow.commit()
    return ImportResult(import_id, len(recs), len({p[0] for p in problems}), len(groups), updated)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of a ranked search: (person, score) best first, and how many people the search found in all
    (after scope and filters, before the page was cut): ``more`` says the page does not show them all."""

    hits: tuple[tuple[Stored, float], ...]
    total: int
    offset: int = 0

    @property
    def more(self) -> bool:
        return self.offset + len(self.hits) < self.total


def search_in(uow: UnitOfWork | OpsUnitOfWork, *, query: str, limit: int = 50, offset: int = 0,
              city: str | None = None, status: str | None = None, vulnerability: str | None = None,
              household: int | None = None,
              visible: Callable[[Sequence[Brief]], Sequence[Brief]] | None = None) -> SearchResult:
    """Ranked name search inside an open unit of work (see :mod:`evac.core.registry.search`).

    Candidates are the people matching the most query words by key, and, when the query has a birth date,
    people matching fewer words whose birth date agrees (a maiden name, or a typo no key joins); one found by
    some words only must be near the others or share the birth date. ``visible`` (a field officer's assembly
    point) and the filters cut them **before** anything is capped, so ``total`` counts what this caller may
    see (of partial matches, those examined). The best ``OPEN_AT_MOST`` by coarse score are decrypted and
    ranked by :func:`~evac.core.registry.search.fine`; ties by household, then id, so a family stays
    together. Raises :class:`RegistryError` for a query without a name.
    """
    q = parse_query(query)
    if not q.words:
        raise RegistryError(f"{query!r} has no name to search for")
    found_by = uow.registry.name_hits([w.keys for w in q.words], city=city, status=status,
                                      vulnerability=vulnerability, household=household)
    if not found_by:
        return SearchResult((), 0, offset)
    n = len(q.words)
    hits = {i: m for i, (m, _) in found_by.items()}
    count = {i: bin(m).count("1") for i, m in hits.items()}
    best = max(count.values())
    found = [b for i, (_, b) in found_by.items() if count[i] == best]
    if q.birth is not None and q.birth.year is not None and n > 1:
        # a maiden name, a typo or a transliteration no key joins: the other words and the birth date find them
        found += [b for i, (_, b) in found_by.items() if count[i] < best and birth_score(q.birth, b.birth) >= 0.1]
    if visible is not None:
        found = list(visible(found))
    if not found:
        return SearchResult((), 0, offset)
    df = [sum(1 for b in found if hits[b.id] >> i & 1) for i in range(n)]
    rarity = [1.0 / math.log2(2 + k) for k in df]  # a match on a rare word says more than on a common one

    def rough(b: Brief) -> float:
        return coarse(q, b, hits[b.id]) + 0.05 * sum(r for i, r in enumerate(rarity) if hits[b.id] >> i & 1)

    shortlist = sorted(found, key=lambda b: (-rough(b), b.id))[:max(OPEN_AT_MOST, offset + limit)]
    opened = {s.id: s for s in uow.registry.many([b.id for b in shortlist])}
    family: dict[int, int] = {}
    for b in found:
        family[b.household_id] = family.get(b.household_id, 0) + 1

    def plausible(b: Brief) -> bool:
        """Found by every word, or near every word (a typo), or by some words and the birth date."""
        return count[b.id] == n or near_every_word(q, opened[b.id].record) or birth_score(q.birth, b.birth) >= 0.1

    total = len(found)
    if any(count[b.id] < n for b in found):
        kept = [b for b in shortlist if b.id in opened and plausible(b)]
        total -= len(shortlist) - len(kept)  # of the candidates examined; a birth year in the query narrows the rest
        shortlist = kept
    ranked = sorted(((opened[b.id], fine(q, opened[b.id].record, family=family[b.household_id] - 1))
                     for b in shortlist if b.id in opened), key=lambda x: (-x[1], x[0].household_id, x[0].id))
    return SearchResult(tuple(ranked[offset:offset + limit]), total, offset)


def search(*, uow: UnitOfWork, query: str, city: str | None = None, status: str | None = None,
           vulnerability: str | None = None, household: int | None = None, limit: int = 50,
           offset: int = 0, actor: str | None = None) -> SearchResult:
    """People ranked by how well they match ``query`` (name words in any script, an optional birth date or
    year): Иванова = Ivanova = Ivanowa; see :func:`search_in`. Merged records are hidden behind the record they
    were merged into. Audited (who was shown, never the query) when ``actor`` is given."""
    with uow:
        res = search_in(uow, query=query, limit=limit, offset=offset, city=city, status=status,
                        vulnerability=vulnerability, household=household)
        if actor is not None and uow.ops is not None:  # the query (a name) is not stored; who was shown is
            shown = [s for s, _ in res.hits]
            _audit(uow, actor, "read:search", f"{len(shown)} of {res.total} found: {_ids(shown)}" if shown
                   else "none found")
            uow.commit()
        return res


def find(*, uow: UnitOfWork, query: str, city: str | None = None, status: str | None = None,
         vulnerability: str | None = None, household: int | None = None, limit: int = 50,
         actor: str | None = None) -> list[Stored]:
    """The people of :func:`search`'s first page, best first."""
    return [s for s, _ in search(uow=uow, query=query, city=city, status=status, vulnerability=vulnerability,
                                 household=household, limit=limit, actor=actor).hits]


@dataclass(frozen=True, slots=True)
class DedupResult:
    people: int
    pairs_compared: int
    matches: int
    reviews: int


def dedup(*, uow: UnitOfWork, seed: int = 0, on_progress: Callable[[int], None] | None = None,
          actor: str | None = None) -> DedupResult:
    """Score every candidate pair of active records and refresh the review queue (merges are kept)."""
    with uow:
        active = uow.registry.active()
        # Only a household the file declared has relations worth a veto; an inferred one's are guesses.
        res = link([s.record for s in active],
                   households=[str(s.household_id) if s.record.household_key else "" for s in active], seed=seed,
                   on_progress=on_progress)
        items = [(active[c.a].id, active[c.b].id, c.probability, c.decision, c.evidence) for c in res.candidates]
        uow.registry.replace_candidates(items)
        _audit(uow, actor, "write:dedup", f"{len(active)} people, {len(items)} open pairs")
        uow.commit()
    matches = sum(1 for c in res.candidates if c.decision == "match")
    return DedupResult(len(active), res.pairs_compared, matches, len(res.candidates) - matches)


def dupes(*, uow: UnitOfWork, actor: str | None = None) -> list[tuple[Stored, Stored, float, str, tuple[str, ...]]]:
    """The open review queue, best score first (audited as a read of names when ``actor`` is given)."""
    with uow:
        pairs = sorted(uow.registry.candidates(), key=lambda c: -c[2])
        if actor is not None and uow.ops is not None:
            _audit(uow, actor, "read:dupes", f"{len(pairs)} pairs")
            uow.commit()
        return pairs


def dupes_page(*, uow: UnitOfWork, decision: str | None = None, city: str | None = None, limit: int = 100,
               offset: int = 0, actor: str | None = None
               ) -> tuple[list[tuple[Stored, Stored, float, str, tuple[str, ...]]], int]:
    """One page of the open queue (best first) under a decision and a city, and the pairs it holds in all
    (audited as a read of names when ``actor`` is given)."""
    with uow:
        pairs, total = uow.registry.candidate_page(decision=decision, city=city, limit=limit, offset=offset)
        if actor is not None and uow.ops is not None:
            _audit(uow, actor, "read:dupes", f"{len(pairs)} of {total} pairs")
            uow.commit()
        return pairs, total


def merge(*, uow: UnitOfWork, kept: str, merged: str, actor: str = REGISTRY_ACTOR,
          now: datetime | None = None) -> None:
    """Record that ``merged`` (external id) is the same person as ``kept``; nothing is deleted.

    When the workspace has an operation log, a ``merged`` event is appended to it (and the change audited)
    in the same transaction: the registry and the log change together or not at all.
    """
    if kept == merged:
        raise RegistryError(f"{kept!r} was given twice: a record cannot be merged into itself (give the external "
                            "ids of two different records, e.g. from `evac registry dupes`)")
    with uow:
        merge_in(uow, kept=uow.registry.by_external_id(kept), merged=uow.registry.by_external_id(merged),
                 actor=actor, now=now or datetime.now(UTC))
        uow.commit()


def unmerge(*, uow: UnitOfWork, merged: str, actor: str = REGISTRY_ACTOR, now: datetime | None = None) -> None:
    """Undo the merge of ``merged`` (external id); the merge stays in the log, marked undone (and the
    operation log, if any, gets ``merged`` with ``undone`` in the same transaction)."""
    with uow:
        unmerge_in(uow, merged=uow.registry.by_external_id(merged), actor=actor, now=now or datetime.now(UTC))
        uow.commit()


def merge_in(uow: UnitOfWork | OpsUnitOfWork, *, kept: Stored, merged: Stored, actor: str, now: datetime,
             key: str = "") -> None:
    """:func:`merge` inside an open unit of work (the caller commits)."""
    a, b = kept, merged
    if a.id == b.id:
        raise RegistryError("a record cannot be merged into itself")
    if b.merged_into is not None:
        raise RegistryError(f"{b.record.external_id} is already merged; unmerge it first")
    if a.merged_into is not None:
        raise RegistryError(f"{a.record.external_id} is itself merged into another record; merge into that one")
    uow.registry.merge(kept=a.id, merged=b.id)
    if uow.ops is not None:
        _log_merge(uow.ops, person=b, into=a.id, undone=False, actor=actor, now=now, key=key)


def unmerge_in(uow: UnitOfWork | OpsUnitOfWork, *, merged: Stored, actor: str, now: datetime, key: str = "") -> int:
    """:func:`unmerge` inside an open unit of work (the caller commits); returns the kept record's id."""
    if merged.merged_into is None:
        raise RegistryError(f"{merged.record.external_id} is not merged")
    kept = uow.registry.unmerge(merged=merged.id)
    if uow.ops is not None:
        _log_merge(uow.ops, person=merged, into=kept, undone=True, actor=actor, now=now, key=key)
    return kept


def _log_merge(ops: OpsRepository, *, person: Stored, into: int, undone: bool, actor: str, now: datetime,
               key: str) -> None:
    """Append ``merged`` (or its undoing) to the person's stream, update the projection, audit it."""
    from evac.core.oplog import MergedEvent, Meta, apply, initial

    pid, into_id = f"R{person.id:07d}", f"R{into:07d}"
    st = ops.state(pid) or initial(pid, f"RH{person.household_id:07d}")  # as a replay of the log starts
    key = key or f"{'unmerge' if undone else 'merge'}-{pid}-{now.isoformat()}"
    ev = MergedEvent(Meta(actor, now, "", key[:100]),
                     pid, st.household_id, into_id, undone)
    new = apply(st, ev)
    ops.append(ev, version=new.version)
    ops.save_state(new)
    ops.audit(actor=actor, action="write:unmerge" if undone else "write:merge", subject=f"{pid} into {into_id}")


def collapse_in(uow: UnitOfWork | OpsUnitOfWork, *, active: Sequence[Stored] | None = None
                ) -> tuple[Collapse, dict[int, Stored]]:
    """Who stands for whom until the likely pairs are reviewed (:func:`evac.core.registry.collapse.collapse_likely`),
    inside an open unit of work; also the records involved by id (all of ``active`` when given)."""
    pairs = uow.registry.open_pairs(decision=LIKELY)
    if active is None:
        stored = {s.id: s for s in uow.registry.many([x for p in pairs for x in p]) if s.merged_into is None}
    else:
        stored = {s.id: s for s in active}
    return collapse_likely({i: s.record for i, s in stored.items()}, pairs), stored


@dataclass(frozen=True, slots=True)
class AcceptResult:
    """What a bulk accept did: ``merges`` as (kept, merged) record ids; ``pairs`` likely pairs accepted."""

    merges: tuple[tuple[int, int], ...]
    people: int
    pairs: int

    @property
    def merged(self) -> int:
        return len(self.merges)


def accept_likely_in(uow: UnitOfWork | OpsUnitOfWork, *, actor: str, now: datetime, city: str | None = None,
                     key: str = "") -> AcceptResult:
    """Accept every unresolved likely pair (or those with a record in ``city``) inside an open unit of work.

    Each connected component becomes one person, kept as its best record, exactly as the planner already
    counted it (:func:`collapse_in`): the records it stood for are merged into it, one :func:`merge_in` each
    (so each is logged, audited and can be undone alone with ``unmerge``). The caller commits: one failure
    leaves every merge of the batch undone.
    """
    col, recs = collapse_in(uow)
    groups = col.members()
    if city is not None:
        c = city.casefold()
        groups = {rep: ids for rep, ids in groups.items() if any(recs[i].record.city.casefold() == c for i in ids)}
    chosen = {i for ids in groups.values() for i in ids}
    pairs = sum(1 for a, b in uow.registry.open_pairs(decision=LIKELY) if a in chosen and b in chosen)
    merges: list[tuple[int, int]] = []
    for rep, ids in sorted(groups.items()):
        for rid in ids[1:]:
            merge_in(uow, kept=recs[rep], merged=recs[rid], actor=actor, now=now,
                     key=f"{key[:80]}#{rid}" if key else "")
            merges.append((rep, rid))
    return AcceptResult(tuple(merges), len(groups), pairs)


def accept_likely(*, uow: UnitOfWork, city: str | None = None, actor: str = REGISTRY_ACTOR,
                  now: datetime | None = None) -> AcceptResult:
    """:func:`accept_likely_in` in its own transaction (all the batch's merges, or none)."""
    with uow:
        res = accept_likely_in(uow, actor=actor, now=now or datetime.now(UTC), city=city)
        uow.commit()
    return res


@dataclass(frozen=True, slots=True)
class RegistryPopulation:
    """The planner's population from the registry and what it had to assume about unreviewed duplicates.

    ``unresolved``: open likely pairs; ``planned_once``: records set aside because another record of their
    component stands for them; ``groups``: such components.
    """

    population: Population
    unresolved: int = 0
    planned_once: int = 0
    groups: int = 0

    def note(self) -> str:
        """One line for people who plan: empty when there is nothing unreviewed in the likely band."""
        if not self.unresolved:
            return ""
        s = "" if self.unresolved == 1 else "s"
        return (f"{self.unresolved:,} likely duplicate{s} not yet reviewed; planned once each "
                f"({self.planned_once:,} record{'' if self.planned_once == 1 else 's'} set aside until reviewed: "
                "`evac registry dupes --accept-likely`)")


def population(*, uow: UnitOfWork, year: int = 2013) -> Population:
    """The registry as a planner's :class:`Population`; see :func:`population_report`."""
    return population_report(uow=uow, year=year).population


def population_report(*, uow: UnitOfWork, year: int = 2013) -> RegistryPopulation:
    """The registry as a planner's :class:`Population` (merged records left out; unknown sex as F).

    Unreviewed likely duplicates are planned as one person, the better record (:func:`collapse_in`): they
    take one seat and get one call-forward message. People without a city are left out: the planner cannot
    collect someone from nowhere.
    """
    with uow:
        active = uow.registry.active()
        col, _ = collapse_in(uow, active=active)
    people: list[Person] = []
    members: dict[int, list[str]] = {}
    city_of: dict[int, str] = {}
    for s in active:
        r = s.record
        if not r.city or s.id in col.kept_for:
            continue
        pid = f"R{s.id:07d}"
        hid = f"RH{s.household_id:07d}"
        script = script_of(r.family or r.given)
        people.append(Person(
            id=pid, household_id=hid, given=r.given, family=r.family, patronymic=r.patronymic,
            script=Script(script), given_latin=r.given_latin or r.given, family_latin=r.family_latin or r.family,
            patronymic_latin=r.patronymic_latin, birth=r.birth if r.birth.year else PartialDate(),
            sex=r.sex or Sex.FEMALE, nationalities=r.nationalities, category=r.category or Category.RESIDENT,
            vulnerabilities=r.vulnerabilities, willingness=r.willingness, eligibility=s.eligibility,
            location=r.city, relation=s.relation, phone=r.phone, registration_seq=s.id,
        ))
        members.setdefault(s.household_id, []).append(pid)
        city_of.setdefault(s.household_id, r.city)
    households = [Household(f"RH{h:07d}", tuple(m), city_of[h]) for h, m in members.items()]
    return RegistryPopulation(Population(tuple(people), tuple(households)), col.pairs, col.hidden, col.groups)


__all__ = ["AcceptResult", "Collapse", "DedupResult", "Eligibility", "ImportRejected", "ImportResult",
           "RecordNotFound", "RegistryError", "RegistryPopulation", "SearchResult", "accept_likely",
           "accept_likely_in", "collapse_in", "dedup", "dupes", "dupes_page", "find", "import_records", "merge",
           "merge_in", "population", "population_report", "search", "search_in", "unmerge", "unmerge_in"]
