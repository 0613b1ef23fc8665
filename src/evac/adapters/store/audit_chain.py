"""The audit log as a keyed hash chain: an edited, inserted or deleted row is detected by ``evac audit verify``.

Each ``op_audit`` row carries ``seq`` (1, 2, 3 … with no gaps), ``key_version`` and ``mac``:

    mac_n = HMAC-SHA-256(audit key of key_version, mac_{n-1} | canonical(seq, at, actor, action, subject))

with ``mac_0`` empty. The audit key derives from the workspace key ring (HKDF, ``audit``), which is kept
outside the database: someone who can write the database but holds no key can delete or edit rows, but
cannot compute the MACs that would hide it. The ``meta`` row ``audit_head`` holds the last link (seq,
mac) and its own MAC, so deleting the newest rows is detected too (the head names a seq that is missing).
What the chain cannot show on its own: a database rolled back *as a whole* to an earlier copy (rows and
head together). ``evac audit verify`` prints the head; noting it elsewhere (a notebook, a message) anchors it.

Appends serialise on the ``audit_head`` lock (see :mod:`locks`); rows written before this module existed
are chained once, in id order, the first time a workspace is opened after migration 0005.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from evac.adapters.store.crypto import KeyError_
from evac.adapters.store.locks import AUDIT_HEAD, KEY_CURRENT, lock_meta, set_meta
from evac.adapters.store.ops_orm import OpAuditRow
from evac.adapters.store.orm import MetaRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from evac.adapters.store.crypto import KeyRing

_BATCH = 5000
HEAD_MISMATCH = "audit:head-mismatch"
BROKEN_BEFORE_ROTATION = "audit:broken-before-rotation"
RECORDED_BREAKS = (HEAD_MISMATCH, BROKEN_BEFORE_ROTATION)


def _canonical(seq: int, at: datetime, actor: str, action: str, subject: str) -> bytes:
    return json.dumps([seq, at.isoformat(timespec="microseconds"), actor, action, subject],
                      ensure_ascii=False, separators=(",", ":")).encode()


def row_mac(key: bytes, prev: str, seq: int, at: datetime, actor: str, action: str, subject: str) -> str:
    return hmac.new(key, prev.encode() + b"|" + _canonical(seq, at, actor, action, subject),
                    hashlib.sha256).hexdigest()


def _head_mac(key: bytes, seq: int, mac: str) -> str:
    return hmac.new(key, f"head|{seq}|{mac}".encode(), hashlib.sha256).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Head:
    seq: int
    mac: str
    version: int
    sig: str

    def dumps(self) -> str:
        return json.dumps({"seq": self.seq, "mac": self.mac, "v": self.version, "sig": self.sig})

    @classmethod
    def loads(cls, text: str | None) -> Head | None:
        if text is None:
            return None
        d = json.loads(text)
        return cls(int(d["seq"]), str(d["mac"]), int(d["v"]), str(d["sig"]))


def _make_head(ring: KeyRing, version: int, seq: int, mac: str) -> Head:
    return Head(seq, mac, version, _head_mac(ring.key(version).audit, seq, mac))


def _head_or_garbage(text: str | None) -> tuple[Head | None, bool]:
    """The head, and whether a head row exists at all (a damaged one counts as existing)."""
    try:
        return Head.loads(text), text is not None
    except (ValueError, KeyError, TypeError):
        return None, True


def _sound(ring: KeyRing, head: Head) -> bool:
    try:
        return hmac.compare_digest(head.sig, _head_mac(ring.key(head.version).audit, head.seq, head.mac))
    except KeyError_:
        return False


def append(s: Session, ring: KeyRing, *, actor: str, action: str, subject: str) -> int:
    """Append one audit row to the chain inside the caller's transaction; returns its seq.

    The link continues from the newest row. If the head does not match it (deleted, edited, the newest
    rows deleted), the append still succeeds — an attacker must not be able to stop every audited read by
    damaging the head — but first writes an ``audit:head-mismatch`` row saying what it found, and
    :func:`verify` reports that row for good.
    """
    from evac.adapters.store.locks import write_key

    key = write_key(s, ring)  # key_current first (lock order), and the version to MAC with
    head, exists = _head_or_garbage(lock_meta(s, AUDIT_HEAD, shared=False))
    last = s.execute(select(OpAuditRow.seq, OpAuditRow.mac).where(OpAuditRow.seq.is_not(None))
                     .order_by(OpAuditRow.seq.desc()).limit(1)).first()
    last_seq, last_mac = (int(last[0] or 0), str(last[1] or "")) if last is not None else (0, "")
    if not exists and last is None:
        prev_seq, prev_mac = 0, ""
    elif head is not None and head.seq == last_seq and head.mac == last_mac and _sound(ring, head):
        prev_seq, prev_mac = head.seq, head.mac
    else:  # never reuse a number the head has named: the rows in between stay visibly missing
        prev_seq = max(head.seq if head else 0, last_seq)
        prev_mac = last_mac if last_seq == prev_seq else (head.mac if head else "")
        found = "no head" if not exists else "a damaged head" if head is None else f"a head naming row {head.seq}"
        prev_seq, prev_mac = _insert(s, ring, key.version, prev_seq, prev_mac, actor="system:audit",
                                     action=HEAD_MISMATCH, subject=f"found {found}; the log ended at row {last_seq}")
    seq, mac = _insert(s, ring, key.version, prev_seq, prev_mac, actor=actor, action=action, subject=subject)
    set_meta(s, AUDIT_HEAD, _make_head(ring, key.version, seq, mac).dumps())
    return seq


def _insert(s: Session, ring: KeyRing, version: int, prev_seq: int, prev_mac: str, *, actor: str, action: str,
            subject: str) -> tuple[int, str]:
    at, actor, action, subject = _now(), actor[:100], action[:50], subject[:400]
    seq = prev_seq + 1
    mac = row_mac(ring.key(version).audit, prev_mac, seq, at, actor, action, subject)
    s.add(OpAuditRow(at=at, actor=actor, action=action, subject=subject, seq=seq, key_version=version, mac=mac))
    s.flush()
    return seq, mac


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of a walk: ``ok``, rows checked, and the first problem (seq and what is wrong)."""

    ok: bool
    rows: int
    head_seq: int
    head_mac: str
    first_bad: int | None = None
    problem: str = ""


def _rows(s: Session, upto: int) -> Any:
    last = 0
    while True:
        batch = s.execute(select(OpAuditRow.id, OpAuditRow.seq, OpAuditRow.at, OpAuditRow.actor, OpAuditRow.action,
                                 OpAuditRow.subject, OpAuditRow.key_version, OpAuditRow.mac)
                          .where(OpAuditRow.seq > last, OpAuditRow.seq <= upto).order_by(OpAuditRow.seq)
                          .limit(_BATCH)).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def verify(s: Session, ring: KeyRing) -> Verdict:
    """Walk the whole chain against the head; stop at the first missing, edited, foreign or unchained row."""
    head, exists = _head_or_garbage(s.scalar(select(MetaRow.value).where(MetaRow.key == AUDIT_HEAD)))
    if head is None and exists:
        return Verdict(False, 0, 0, "", None, "the chain head is damaged")
    unchained = s.scalar(select(func.min(OpAuditRow.id)).where(OpAuditRow.seq.is_(None)))
    if head is None:
        n = int(s.scalar(select(func.count()).select_from(OpAuditRow)) or 0)
        if n:
            return Verdict(False, 0, 0, "", 1, f"the chain head is missing but {n} audit rows exist")
        return Verdict(True, 0, 0, "")
    if not _sound(ring, head):
        return Verdict(False, 0, head.seq, head.mac, head.seq, "the chain head was edited (its MAC is wrong)")
    prev, expected, n = "", 1, 0
    for r in _rows(s, head.seq):
        if r.seq != expected:
            return Verdict(False, n, head.seq, head.mac, expected,
                           f"row {expected} is missing" + (f" (and up to {r.seq - 1})" if r.seq - 1 > expected
                                                            else ""))
        try:
            key = ring.key(int(r.key_version or 0)).audit
        except KeyError_ as exc:
            return Verdict(False, n, head.seq, head.mac, r.seq, f"row {r.seq}: {exc}")
        if not hmac.compare_digest(str(r.mac or ""), row_mac(key, prev, r.seq, r.at, r.actor, r.action, r.subject)):
            return Verdict(False, n, head.seq, head.mac, r.seq,
                           f"row {r.seq} was edited, or a row before it was replaced (its MAC does not match)")
        prev, expected, n = str(r.mac), expected + 1, n + 1
    if expected - 1 != head.seq:
        return Verdict(False, n, head.seq, head.mac, expected,
                       f"rows {expected}..{head.seq} are missing (the head names row {head.seq})")
    if prev != head.mac:
        return Verdict(False, n, head.seq, head.mac, head.seq, "the last row does not match the chain head")
    if unchained is not None:
        return Verdict(False, n, head.seq, head.mac, None,
                       f"audit row id {unchained} is outside the chain (inserted without the key)")
    note = s.execute(select(OpAuditRow.seq, OpAuditRow.subject).where(OpAuditRow.action.in_(RECORDED_BREAKS))
                     .order_by(OpAuditRow.seq).limit(1)).first()
    if note is not None:  # a break found earlier (by an append, or a rotation) is never forgotten
        return Verdict(False, n, head.seq, head.mac, int(note[0] or 0),
                       f"the chain holds, but row {note[0]} records an earlier break: {note[1]}")
    return Verdict(True, n, head.seq, head.mac)


def chain_legacy(s: Session, ring: KeyRing) -> int:
    """Chain the rows written before migration 0005 (no head yet), in id order; returns rows chained.

    Run once, when a workspace is first opened after the migration; once a head exists, an unchained row
    is an intruder and :func:`verify` reports it.
    """
    from evac.adapters.store.locks import write_key

    key = write_key(s, ring)
    if lock_meta(s, AUDIT_HEAD, shared=False) is not None:
        return 0
    prev_seq, prev_mac, n = 0, "", 0
    rows = list(s.scalars(select(OpAuditRow).where(OpAuditRow.seq.is_(None)).order_by(OpAuditRow.id)))
    for r in rows:
        prev_seq += 1
        r.seq, r.key_version = prev_seq, key.version
        r.mac = prev_mac = row_mac(key.audit, prev_mac, prev_seq, r.at, r.actor, r.action, r.subject)
        n += 1
    s.flush()
    set_meta(s, AUDIT_HEAD, _make_head(ring, key.version, prev_seq, prev_mac).dumps())
    return n


def rechain(s: Session, ring: KeyRing, version: int) -> Verdict:
    """Re-MAC the whole chain under ``version`` (key rotation, before the old version is retired).

    The caller holds ``key_current`` exclusively. The chain is verified under the old keys first; a break
    is not hidden: the re-chained log gets a row saying where the chain was broken before the rotation.
    """
    lock_meta(s, KEY_CURRENT, shared=False)
    lock_meta(s, AUDIT_HEAD, shared=False)
    before = verify(s, ring)
    key = ring.key(version).audit
    prev, seq = "", 0
    last = 0
    while True:
        rows = list(s.scalars(select(OpAuditRow).where(OpAuditRow.seq > last).order_by(OpAuditRow.seq)
                              .limit(_BATCH)))
        if not rows:
            break
        for r in rows:
            seq = int(r.seq or 0)
            prev = row_mac(key, prev, seq, r.at, r.actor, r.action, r.subject)
            s.execute(update(OpAuditRow).where(OpAuditRow.id == r.id).values(mac=prev, key_version=version)
                      .execution_options(synchronize_session=False))
        last = seq
    s.expire_all()
    if seq == 0 and not _head_or_garbage(s.scalar(select(MetaRow.value).where(MetaRow.key == AUDIT_HEAD)))[1]:
        return before
    set_meta(s, AUDIT_HEAD, _make_head(ring, version, seq, prev).dumps())
    if not before.ok:
        seq, prev = _insert(s, ring, version, seq, prev, actor="system:audit", action=BROKEN_BEFORE_ROTATION,
                            subject=f"row {before.first_bad}: {before.problem}"[:400])
        set_meta(s, AUDIT_HEAD, _make_head(ring, version, seq, prev).dumps())
    return before
