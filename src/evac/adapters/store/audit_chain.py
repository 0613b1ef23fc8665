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


def append(s: Session, ring: KeyRing, *, actor: str, action: str, subject: str) -> int:
    """Append one audit row to the chain inside the caller's transaction; returns its seq."""
    from evac.adapters.store.locks import write_key

    key = write_key(s, ring)  # key_current first (lock order), and the version to MAC with
    head = Head.loads(lock_meta(s, AUDIT_HEAD, shared=False))
    if head is None:
        last = s.execute(select(OpAuditRow.seq, OpAuditRow.mac).where(OpAuditRow.seq.is_not(None))
                         .order_by(OpAuditRow.seq.desc()).limit(1)).first()
        if last is not None:  # the head was deleted: say so in the chain itself, then go on from the last row
            prev_seq, prev_mac = int(last[0] or 0), str(last[1] or "")
            prev_seq, prev_mac = _insert(s, ring, key.version, prev_seq, prev_mac, actor="system:audit",
                                         action="audit:head-missing", subject=f"the chain head was gone after "
                                         f"row {prev_seq}")
        else:
            prev_seq, prev_mac = 0, ""
    else:
        prev_seq, prev_mac = head.seq, head.mac
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
    head = Head.loads(s.scalar(select(MetaRow.value).where(MetaRow.key == AUDIT_HEAD)))
    unchained = s.scalar(select(func.min(OpAuditRow.id)).where(OpAuditRow.seq.is_(None)))
    if head is None:
        n = int(s.scalar(select(func.count()).select_from(OpAuditRow)) or 0)
        if n:
            return Verdict(False, 0, 0, "", 1, f"the chain head is missing but {n} audit rows exist")
        return Verdict(True, 0, 0, "")
    try:
        if not hmac.compare_digest(head.sig, _head_mac(ring.key(head.version).audit, head.seq, head.mac)):
            return Verdict(False, 0, head.seq, head.mac, head.seq, "the chain head was edited (its MAC is wrong)")
    except KeyError_ as exc:
        return Verdict(False, 0, head.seq, head.mac, head.seq, f"the chain head: {exc}")
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
    if Head.loads(s.scalar(select(MetaRow.value).where(MetaRow.key == AUDIT_HEAD))) is None and seq == 0:
        return before
    set_meta(s, AUDIT_HEAD, _make_head(ring, version, seq, prev).dumps())
    if not before.ok:
        seq, prev = _insert(s, ring, version, seq, prev, actor="system:audit", action="audit:broken-before-rotation",
                            subject=f"row {before.first_bad}: {before.problem}"[:400])
        set_meta(s, AUDIT_HEAD, _make_head(ring, version, seq, prev).dumps())
    return before
