"""The registry repository and unit of work over SQLAlchemy (same code on SQLite and PostgreSQL).

Writes are buffered and flushed in batches of :data:`BATCH` with ``executemany`` (one round trip per
batch instead of one per row); ids come from counters in ``meta`` reserved a batch at a time, so a row's
id is known before it is sealed (it is the AES-GCM associated data) and concurrent importers on
PostgreSQL serialise on the counter's row lock instead of colliding.

Rows are **sealed at flush**, not when added: the flush first takes the ``key_current`` lock
(:func:`evac.adapters.store.locks.write_key`) and seals with the version the database names, so a writer
running through a key rotation never seals with a version the rotation is about to retire.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from evac.adapters.store.locks import read_sync, write_key
from evac.adapters.store.orm import (
    CandidateRow,
    HouseholdRow,
    ImportRow,
    MergeRow,
    MetaRow,
    PersonRow,
    TokenRow,
    WillingnessRow,
)
from evac.core.model.people import Category, Eligibility, PartialDate, Relation, Sex, Vulnerability, Willingness
from evac.core.registry.names import name_tokens
from evac.core.registry.records import Record, Stored
from evac.core.registry.search import Brief
from evac.services.registry import RecordNotFound, RegistryError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    from sqlalchemy.engine import Engine

    from evac.adapters.store.crypto import DataKey, KeyRing
    from evac.adapters.store.ops_repo import SqlOps

BATCH = 5000
_SEALED = ("given", "family", "patronymic", "given_latin", "family_latin", "patronymic_latin", "phone",
           "document", "address", "household_key")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _aad(person_id: int) -> bytes:
    return f"person:{person_id}".encode()


def household_aad(household_id: int) -> bytes:
    return f"household:{household_id}".encode()


def _stale(column: Any, version: int) -> Any:
    """SQL: the sealed blob in ``column`` was sealed with another version than ``version`` (first byte)."""
    return func.substr(column, 1, 1) != bytes([version])


def _doc_key(doc: str) -> str:
    return "".join(ch for ch in doc.upper() if ch.isalnum())


def tokens_of(key: DataKey, r: Record) -> set[tuple[str, bytes]]:
    """Blind-index tokens of a record: name keys (``n``), phone (``p``), document (``d``)."""
    names = name_tokens(r.given, r.family, r.patronymic) | name_tokens(r.given_latin, r.family_latin,
                                                                         r.patronymic_latin)
    out = {("n", key.token("n", t)) for t in names}
    if r.phone:
        out.add(("p", key.token("p", r.phone)))
    if r.document:
        out.add(("d", key.token("d", _doc_key(r.document))))
    return out


class SqlRegistry:
    """Implements :class:`evac.services.ports.RegistryRepository`."""

    def __init__(self, session: Session, keys: KeyRing) -> None:
        self.s = session
        self.keys = keys
        self._households: list[tuple[dict[str, Any], str]] = []
        self._people: list[tuple[dict[str, Any], Record]] = []
        self._history: list[dict[str, Any]] = []
        self._updates: list[tuple[dict[str, Any], Record]] = []
        self._ids: dict[str, list[int]] = {}

    # -- ids -----------------------------------------------------------------------------------------------
    def _next_id(self, counter: str) -> int:
        free = self._ids.setdefault(counter, [])
        if not free:
            key = f"next_{counter}_id"
            row = self.s.get(MetaRow, key, with_for_update=True)
            if row is None:
                table = PersonRow if counter == "person" else HouseholdRow
                start = (self.s.scalar(select(func.max(table.id))) or 0) + 1
                row = MetaRow(key=key, value=str(start))
                self.s.add(row)
            start = int(row.value)
            row.value = str(start + BATCH)
            self.s.flush()
            free.extend(range(start + BATCH - 1, start - 1, -1))
        return free.pop()

    # -- writes --------------------------------------------------------------------------------------------
    def add_import(self, *, file_name: str, sha256: str, rows: int, rejected: int) -> int:
        row = ImportRow(file_name=file_name[-400:], sha256=sha256, rows=rows, rejected=rejected, at=_now())
        self.s.add(row)
        self.s.flush()
        return row.id

    def add_household(self, *, label: str, import_id: int | None, city: str, evidence: Sequence[str]) -> int:
        hid = self._next_id("household")
        # The label ("Семья Петровых") is sealed at flush; the clear column keeps nothing.
        self._households.append(({"id": hid, "label": "", "import_id": import_id, "city": city,
                                  "evidence": json.dumps(list(evidence))}, label[:100]))
        return hid

    def add_person(self, *, record: Record, line: int, import_id: int | None, household_id: int,
                   relation: Relation, eligibility: Eligibility, reason: str) -> int:
        pid = self._next_id("person")
        r = record
        self._people.append(({
            "id": pid, "external_id": r.external_id[:100], "import_id": import_id, "line": line,
            "household_id": household_id, "relation": relation.value, "birth": r.birth.iso(),
            "sex": r.sex.value if r.sex else "", "nationalities": ",".join(r.nationalities),
            "category": r.category.value, "vulnerabilities": ",".join(sorted(v.value for v in r.vulnerabilities)),
            "willingness": r.willingness.value, "eligibility": eligibility.value,
            "eligibility_reason": reason[:200], "city": r.city, "status": "registered", "merged_into": None,
        }, r))
        self._history.append({"person_id": pid, "willingness": r.willingness.value,
                              "source": f"import {import_id}", "at": _now()})
        if len(self._people) >= BATCH:
            self.flush()
        return pid

    def by_source(self, *, file_name: str, external_ids: Sequence[str]) -> dict[str, list[int]]:
        """Person ids per external id among the records last imported from a file of that name."""
        self.flush()
        out: dict[str, list[int]] = {}
        ids = sorted({e[:100] for e in external_ids})
        for n in range(0, len(ids), 1000):
            q = (select(PersonRow.external_id, PersonRow.id).join(ImportRow, PersonRow.import_id == ImportRow.id)
                 .where(ImportRow.file_name == file_name[-400:], PersonRow.external_id.in_(ids[n:n + 1000]))
                 .order_by(PersonRow.id))
            for ext, pid in self.s.execute(q):
                out.setdefault(ext, []).append(pid)
        return out

    def update_person(self, *, person_id: int, record: Record, line: int, import_id: int | None) -> None:
        """Overwrite a person's own fields from a re-imported row (household, relation, eligibility, status
        and merges stay); the blind index is rebuilt and a willingness change is kept in its history."""
        r = record
        self._updates.append(({
            "id": person_id, "external_id": r.external_id[:100], "import_id": import_id, "line": line,
            "birth": r.birth.iso(), "sex": r.sex.value if r.sex else "", "nationalities": ",".join(r.nationalities),
            "category": r.category.value, "vulnerabilities": ",".join(sorted(v.value for v in r.vulnerabilities)),
            "willingness": r.willingness.value, "city": r.city,
        }, r))
        if len(self._updates) >= BATCH:
            self.flush()

    def edit_person(self, *, person_id: int, record: Record, source: str) -> None:
        """Overwrite a person's own fields from an edit (phone, document, willingness …): as a re-import of
        that one row would, keeping its source line and import; ``source`` says who changed willingness."""
        row = self.s.get(PersonRow, person_id)
        if row is None:
            raise RecordNotFound(f"no person with id {person_id}")
        self.update_person(person_id=person_id, record=record, line=row.line, import_id=row.import_id)
        self._updates[-1][0]["source"] = source[:100]
        self.flush()

    def _flush_updates(self, key: DataKey) -> None:
        updates, self._updates = self._updates, []
        for u, r in updates:
            u["sealed"] = key.seal({f: getattr(r, f) for f in _SEALED}, aad=_aad(u["id"]))
        ids = [u["id"] for u, _ in updates]
        old = {pid: w for pid, w in self.s.execute(select(PersonRow.id, PersonRow.willingness)
                                                   .where(PersonRow.id.in_(ids)))}
        # executemany of one UPDATE … WHERE id = :pid (core table: the ORM's bulk form differs across 2.x).
        table = PersonRow.__table__
        cols = [k for k in updates[0][0] if k not in ("id", "source")]
        stmt = update(table).where(table.c.id == bindparam("pid")).values({c: bindparam(c) for c in cols})
        self.s.execute(stmt, [{"pid": u["id"], **{c: u[c] for c in cols}} for u, _ in updates])
        self.s.execute(delete(TokenRow).where(TokenRow.person_id.in_(ids)))
        tokens = [{"person_id": u["id"], "kind": k, "token": t} for u, r in updates for k, t in tokens_of(key, r)]
        if tokens:
            self.s.execute(insert(TokenRow), tokens)
        history = [{"person_id": u["id"], "willingness": u["willingness"],
                    "source": u.get("source") or f"re-import {u['import_id']}", "at": _now()}
                   for u, _ in updates if old.get(u["id"]) != u["willingness"]]
        if history:
            self.s.execute(insert(WillingnessRow), history)

    def flush(self) -> None:
        if not (self._households or self._people or self._updates):
            return
        key = write_key(self.s, self.keys)
        if self._households:
            rows = [{**h, "sealed": key.seal({"label": label}, aad=household_aad(h["id"]))}
                    for h, label in self._households]
            self.s.execute(insert(HouseholdRow), rows)
            self._households = []
        if self._people:
            people: list[dict[str, Any]] = []
            tokens: list[dict[str, Any]] = []
            for p, r in self._people:
                people.append({**p, "sealed": key.seal({f: getattr(r, f) for f in _SEALED}, aad=_aad(p["id"]))})
                tokens.extend({"person_id": p["id"], "kind": k, "token": t} for k, t in tokens_of(key, r))
            self.s.execute(insert(PersonRow), people)
            if tokens:
                self.s.execute(insert(TokenRow), tokens)
            self.s.execute(insert(WillingnessRow), self._history)
            self._people, self._history = [], []
        if self._updates:
            self._flush_updates(key)

    # -- reads ---------------------------------------------------------------------------------------------
    def _stored(self, row: PersonRow) -> Stored:
        data = self.keys.open(row.sealed, aad=_aad(row.id))
        s = {f: str(data.get(f, "")) for f in _SEALED}
        rec = Record(
            external_id=row.external_id, given=s["given"], family=s["family"], patronymic=s["patronymic"],
            given_latin=s["given_latin"], family_latin=s["family_latin"], patronymic_latin=s["patronymic_latin"],
            birth=PartialDate.parse(row.birth), sex=Sex(row.sex) if row.sex else None,
            nationalities=tuple(n for n in row.nationalities.split(",") if n), phone=s["phone"],
            document=s["document"], address=s["address"], city=row.city, household_key=s["household_key"],
            relation=Relation(row.relation), category=Category(row.category),
            vulnerabilities=frozenset(Vulnerability(v) for v in row.vulnerabilities.split(",") if v),
            willingness=Willingness(row.willingness), eligibility=Eligibility(row.eligibility),
        )
        return Stored(row.id, rec, row.household_id or 0, Relation(row.relation), Eligibility(row.eligibility),
                      row.eligibility_reason, row.status, row.merged_into)

    def name_hits(self, words: Sequence[frozenset[str]], *, city: str | None = None, status: str | None = None,
                  vulnerability: str | None = None, household: int | None = None) -> dict[int, tuple[int, Brief]]:
        """Unmerged people (under the filters) whose name keys match query words: person id → (bit mask of the
        words matched, bit i for ``words[i]``; what is kept in clear about them). One indexed lookup of every
        key's blind token under every key version, joined to the clear columns: nothing is decrypted."""
        self.flush()
        read_sync(self.s, self.keys)  # tokens under the version the database writes with
        bits: dict[bytes, int] = {}
        for i, keys in enumerate(words):
            for k in self.keys.keys.values():
                for w in keys:
                    t = k.token("n", w)
                    bits[t] = bits.get(t, 0) | (1 << i)
        q = (select(TokenRow.person_id, TokenRow.token, PersonRow.household_id, PersonRow.birth, PersonRow.sex,
                    PersonRow.city)
             .join(PersonRow, PersonRow.id == TokenRow.person_id)
             .where(TokenRow.kind == "n", TokenRow.token.in_(sorted(bits)), PersonRow.merged_into.is_(None)))
        if city:
            q = q.where(func.lower(PersonRow.city) == city.lower())
        if status:
            q = q.where(PersonRow.status == status)
        if vulnerability:
            q = q.where(PersonRow.vulnerabilities.contains(vulnerability))
        if household is not None:
            q = q.where(PersonRow.household_id == household)
        out: dict[int, tuple[int, Brief]] = {}
        for pid, tok, hid, birth, sex, c in self.s.execute(q):
            seen = out.get(pid)
            if seen is None:
                out[pid] = (bits[bytes(tok)], Brief(pid, hid or 0, PartialDate.parse(birth), Sex(sex) if sex else None,
                                                    c))
            else:
                out[pid] = (seen[0] | bits[bytes(tok)], seen[1])
        return out

    def active(self) -> list[Stored]:
        self.flush()
        rows = self.s.scalars(select(PersonRow).where(PersonRow.merged_into.is_(None)).order_by(PersonRow.id))
        return [self._stored(r) for r in rows]

    def get(self, person_id: int) -> Stored:
        row = self.s.get(PersonRow, person_id)
        if row is None:
            raise RecordNotFound(f"no person with id {person_id}")
        return self._stored(row)

    def by_external_id(self, external_id: str) -> Stored:
        self.flush()
        rows = list(self.s.scalars(select(PersonRow).where(PersonRow.external_id == external_id).limit(2)))
        if not rows:
            raise RecordNotFound(f"no record with external id {external_id!r}")
        if len(rows) > 1:
            raise RegistryError(f"external id {external_id!r} is used by more than one import")
        return self._stored(rows[0])

    def count(self) -> int:
        self.flush()
        return int(self.s.scalar(select(func.count()).select_from(PersonRow)) or 0)

    def revision(self) -> str:
        """The record count and a digest of who is merged into whom and of the unreviewed likely pairs: a cache
        of the population built from the registry is stale exactly when this changes (counts alone miss a
        merge, which deletes no row, and a refreshed queue, which changes who is planned once)."""
        self.flush()
        merged = self.s.execute(select(PersonRow.id, PersonRow.merged_into).where(PersonRow.merged_into.is_not(None))
                                .order_by(PersonRow.id)).all()
        likely = self.open_pairs(decision="match")  # unreviewed likely pairs are planned once each
        digest = hashlib.sha256((",".join(f"{a}>{b}" for a, b in merged) + "|"
                                 + ",".join(f"{a}~{b}" for a, b in likely)).encode()).hexdigest()[:16]
        return f"{self.count()}|{len(merged)}|{len(likely)}|{digest}"

    # -- duplicates ----------------------------------------------------------------------------------------
    def replace_candidates(self, items: Sequence[tuple[int, int, float, str, tuple[str, ...]]]) -> None:
        self.s.execute(delete(CandidateRow).where(CandidateRow.status == "open"))
        kept = {(a, b) for a, b in self.s.execute(select(CandidateRow.a, CandidateRow.b))}
        rows = [{"a": a, "b": b, "score": float(p), "decision": d, "evidence": json.dumps(list(ev)),
                 "status": "open"} for a, b, p, d, ev in items if (a, b) not in kept]
        for n in range(0, len(rows), BATCH):
            self.s.execute(insert(CandidateRow), rows[n:n + BATCH])

    def _queue(self, *, decision: str | None, city: str | None) -> Any:
        """Open pairs whose records are both unmerged (a pair with a merged side waits for its unmerge), of one
        decision and with a side in one city (case-insensitive) when asked: a select of (pair, a, b)."""
        pa, pb = aliased(PersonRow), aliased(PersonRow)
        q = (select(CandidateRow.id).join(pa, pa.id == CandidateRow.a).join(pb, pb.id == CandidateRow.b)
             .where(CandidateRow.status == "open", pa.merged_into.is_(None), pb.merged_into.is_(None)))
        if decision is not None:
            q = q.where(CandidateRow.decision == decision)
        if city is not None:
            q = q.where(or_(func.lower(pa.city) == city.lower(), func.lower(pb.city) == city.lower()))
        return q, pa, pb

    def candidate_page(self, *, decision: str | None = None, city: str | None = None, limit: int = 50,
                       offset: int = 0) -> tuple[list[tuple[Stored, Stored, float, str, tuple[str, ...]]], int]:
        """One page of the open queue, best score first (ties by ids), and how many pairs the filter holds.

        Only the page's records are decrypted, so paging a long queue costs one page."""
        self.flush()
        q, _, _ = self._queue(decision=decision, city=city)
        total = int(self.s.scalar(select(func.count()).select_from(q.subquery())) or 0)
        ids = q.order_by(CandidateRow.score.desc(), CandidateRow.a, CandidateRow.b).limit(limit).offset(offset)
        rows = list(self.s.scalars(select(CandidateRow).where(CandidateRow.id.in_(ids.scalar_subquery()))))
        rows.sort(key=lambda c: (-c.score, c.a, c.b))
        people = {s.id: s for s in self.many([x for c in rows for x in (c.a, c.b)])}
        return [(people[c.a], people[c.b], c.score, c.decision, tuple(json.loads(c.evidence))) for c in rows], total

    def candidate_counts(self, *, city: str | None = None) -> dict[str, int]:
        """Open pairs per decision (``match``, ``review``) under the same rules as :meth:`candidate_page`."""
        q, _, _ = self._queue(decision=None, city=city)
        sub = select(CandidateRow.decision, func.count()).where(CandidateRow.id.in_(q.scalar_subquery()))
        return {d: int(n) for d, n in self.s.execute(sub.group_by(CandidateRow.decision))}

    def candidate_cities(self) -> dict[str, int]:
        """Open pairs per city of their first record (cities as stored), for the queue's place filter."""
        q, pa, _ = self._queue(decision=None, city=None)
        sub = q.with_only_columns(pa.city, func.count()).group_by(pa.city)
        return {c: int(n) for c, n in self.s.execute(sub)}

    def candidates(self, *, status: str = "open") -> list[tuple[Stored, Stored, float, str, tuple[str, ...]]]:
        """Pairs of one status; open pairs with a merged side are left out (they wait for the unmerge)."""
        pa, pb = aliased(PersonRow), aliased(PersonRow)
        q = (select(CandidateRow).join(pa, pa.id == CandidateRow.a).join(pb, pb.id == CandidateRow.b)
             .where(CandidateRow.status == status))
        if status == "open":
            q = q.where(pa.merged_into.is_(None), pb.merged_into.is_(None))
        rows = list(self.s.scalars(q))
        cache: dict[int, Stored] = {}

        def get(i: int) -> Stored:
            if i not in cache:
                cache[i] = self.get(i)
            return cache[i]

        return [(get(c.a), get(c.b), c.score, c.decision, tuple(json.loads(c.evidence))) for c in rows]

    def open_pairs(self, *, decision: str | None = None) -> list[tuple[int, int]]:
        """Open (unreviewed) candidate pairs ``(a, b)``, optionally of one decision only; nothing decrypted."""
        q = select(CandidateRow.a, CandidateRow.b).where(CandidateRow.status == "open")
        if decision is not None:
            q = q.where(CandidateRow.decision == decision)
        return [(int(a), int(b)) for a, b in self.s.execute(q.order_by(CandidateRow.a, CandidateRow.b))]

    def many(self, ids: Sequence[int]) -> list[Stored]:
        """The records with these ids (unknown ids are left out), in id order."""
        self.flush()
        out: list[Stored] = []
        wanted = sorted(set(ids))
        for n in range(0, len(wanted), 1000):
            q = select(PersonRow).where(PersonRow.id.in_(wanted[n:n + 1000])).order_by(PersonRow.id)
            out.extend(self._stored(r) for r in self.s.scalars(q))
        return out

    def merge(self, *, kept: int, merged: int) -> None:
        self.s.execute(update(PersonRow).where(PersonRow.id == merged).values(merged_into=kept))
        self.s.add(MergeRow(kept=kept, merged=merged, at=_now(), undone_at=None))
        lo, hi = min(kept, merged), max(kept, merged)
        self.s.execute(update(CandidateRow).where(CandidateRow.a == lo, CandidateRow.b == hi)
                       .values(status="merged"))

    def unmerge(self, *, merged: int) -> int:
        row = self.s.scalars(select(MergeRow).where(MergeRow.merged == merged, MergeRow.undone_at.is_(None))
                             .order_by(MergeRow.id.desc())).first()
        if row is None:
            raise RegistryError(f"person {merged} has no merge to undo")
        row.undone_at = _now()
        self.s.execute(update(PersonRow).where(PersonRow.id == merged).values(merged_into=None))
        lo, hi = min(row.kept, merged), max(row.kept, merged)
        self.s.execute(update(CandidateRow).where(CandidateRow.a == lo, CandidateRow.b == hi)
                       .values(status="open"))
        return row.kept

    # -- keys ----------------------------------------------------------------------------------------------
    def reseal_batch(self, *, version: int, after: int, limit: int) -> tuple[int, int | None]:
        """Re-seal (and re-index) up to ``limit`` people with id > ``after`` not sealed with ``version``.

        Returns (rows re-sealed, last id looked at, or None when there are none left). The caller holds
        the ``key_current`` lock or not: rows are locked (PostgreSQL) or the database is (SQLite) while
        they are rewritten, so a concurrent update of the same person is never overwritten with old data.
        """
        key = self.keys.key(version)
        q = (select(PersonRow).where(PersonRow.id > after, _stale(PersonRow.sealed, version))
             .order_by(PersonRow.id).limit(limit))
        rows = list(self.s.scalars(q.with_for_update()))
        if not rows:
            return 0, None
        ids = [r.id for r in rows]
        self.s.execute(delete(TokenRow).where(TokenRow.person_id.in_(ids)))
        tokens: list[dict[str, Any]] = []
        sealed: list[dict[str, Any]] = []
        for r in rows:
            st = self._stored(r)
            sealed.append({"pid": r.id, "blob": key.seal({f: getattr(st.record, f) for f in _SEALED},
                                                         aad=_aad(r.id))})
            tokens.extend({"person_id": r.id, "kind": k, "token": t} for k, t in tokens_of(key, st.record))
        for r in rows:  # the rows are rewritten below in one executemany; keep the session from flushing them
            self.s.expunge(r)
        table = PersonRow.__table__
        self.s.execute(update(table).where(table.c.id == bindparam("pid")).values(sealed=bindparam("blob")),  # type: ignore[arg-type]
                       sealed)
        if tokens:
            self.s.execute(insert(TokenRow), tokens)
        return len(rows), ids[-1]

    def reseal_households(self, *, version: int, after: int, limit: int) -> tuple[int, int | None]:
        """As :meth:`reseal_batch`, for household labels."""
        key = self.keys.key(version)
        q = (select(HouseholdRow).where(HouseholdRow.id > after, HouseholdRow.sealed.is_not(None),
                                        _stale(HouseholdRow.sealed, version))
             .order_by(HouseholdRow.id).limit(limit))
        rows = list(self.s.scalars(q.with_for_update()))
        if not rows:
            return 0, None
        for h in rows:
            assert h.sealed is not None
            label = self.keys.open(h.sealed, aad=household_aad(h.id)).get("label", "")
            h.sealed = key.seal({"label": label}, aad=household_aad(h.id))
        self.s.flush()
        return len(rows), rows[-1].id

    def stale_count(self, version: int) -> int:
        """People and households still sealed with another version than ``version``."""
        people = self.s.scalar(select(func.count()).select_from(PersonRow).where(_stale(PersonRow.sealed, version)))
        households = self.s.scalar(select(func.count()).select_from(HouseholdRow).where(
            HouseholdRow.sealed.is_not(None), _stale(HouseholdRow.sealed, version)))
        return int(people or 0) + int(households or 0)

    def household_label(self, household_id: int) -> str:
        """The household's source label, opened (empty for an inferred household)."""
        row = self.s.get(HouseholdRow, household_id)
        if row is None:
            raise RecordNotFound(f"no household with id {household_id}")
        if row.sealed is None:
            return row.label
        return str(self.keys.open(row.sealed, aad=household_aad(row.id)).get("label", ""))

    def seal_legacy_labels(self) -> int:
        """Seal clear household labels left by workspaces made before migration 0005 (and clear them)."""
        key = write_key(self.s, self.keys)
        rows = list(self.s.scalars(select(HouseholdRow).where(HouseholdRow.sealed.is_(None))))
        for h in rows:
            h.sealed = key.seal({"label": h.label}, aad=household_aad(h.id))
            h.label = ""
        self.s.flush()
        return len(rows)


class SqlUnitOfWork:
    """One session, one transaction; ``commit`` flushes buffered writes first."""

    def __init__(self, engine: Engine, keys: KeyRing) -> None:
        self.engine = engine
        self.keys = keys

    def __enter__(self) -> SqlUnitOfWork:
        self.session = Session(self.engine, expire_on_commit=False)
        self.registry = SqlRegistry(self.session, self.keys)
        self._ops: SqlOps | None = None
        self._ops_known = False
        return self

    @property
    def ops(self) -> SqlOps | None:
        """The operation log over this session (same transaction); ``None`` without the operations tables.

        Looked up on first use only, so registry use cases that never touch the log pay nothing.
        """
        if not self._ops_known:
            from sqlalchemy import inspect

            from evac.adapters.store.ops_repo import SqlOps

            if inspect(self.session.connection()).has_table("op_events"):
                self._ops = SqlOps(self.session, self.keys)
            self._ops_known = True
        return self._ops

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.rollback()
        self.session.close()

    def commit(self) -> None:
        self.registry.flush()
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
