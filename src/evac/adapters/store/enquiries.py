"""The enquiry desk's store: each enquiry a row whose caller details and answer are sealed.

The row keeps in the clear only what the desk must sort and count by (time, desk officer, the person's
registry id, the outcome code); the caller's name and contact, the relation they state, the question and
the answer read out are sealed with the workspace key (AES-GCM, the enquiry's id as associated data, so a
sealed blob cannot be moved to another row). Sealing takes the current key under the ``key_current`` lock,
as every writer does (:mod:`evac.adapters.store.locks`), so key rotation can re-seal every row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Integer, LargeBinary, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from evac.adapters.store.orm import Base
from evac.services.enquiry import Enquiry, EnquiryDraft

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from evac.adapters.store.crypto import KeyRing

SEALED = ("caller_name", "caller_contact", "relation", "question", "answer", "note")


class OpEnquiryRow(Base):
    __tablename__ = "op_enquiries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100))
    person_id: Mapped[str | None] = mapped_column(String(20), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    key_version: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


def _aad(enquiry_id: int) -> bytes:
    return f"enquiry:{enquiry_id}".encode()


class SqlEnquiries:
    """Enquiries in the operation's database (SQLite or PostgreSQL), in the caller's unit of work."""

    def __init__(self, session: Session, keys: KeyRing) -> None:
        self.s = session
        self.keys = keys

    def add(self, draft: EnquiryDraft, *, actor: str, at: datetime) -> int:
        from evac.adapters.store.locks import write_key

        key = write_key(self.s, self.keys)
        row = OpEnquiryRow(at=at.astimezone(UTC).replace(tzinfo=None), actor=actor[:100],
                           person_id=draft.person_id, outcome=draft.outcome[:20], key_version=key.version,
                           sealed=b"")
        self.s.add(row)
        self.s.flush()  # the id is the associated data
        row.sealed = key.seal({f: getattr(draft, f) for f in SEALED}, aad=_aad(row.id))
        self.s.flush()
        return row.id

    def list(self, *, person_id: str | None = None, limit: int = 50, before: int | None = None) -> list[Enquiry]:
        """Newest first; ``before`` (an enquiry id) pages back from there."""
        q = select(OpEnquiryRow).order_by(OpEnquiryRow.id.desc()).limit(limit)
        if person_id is not None:
            q = q.where(OpEnquiryRow.person_id == person_id)
        if before is not None:
            q = q.where(OpEnquiryRow.id < before)
        out = []
        for r in self.s.scalars(q):
            data = self.keys.open(r.sealed, aad=_aad(r.id))
            out.append(Enquiry(person_id=r.person_id, outcome=r.outcome, id=r.id, at=r.at.replace(tzinfo=UTC),
                               actor=r.actor, **{f: str(data.get(f, "")) for f in SEALED}))
        return out

    def reseal(self, version: int, *, batch: int = 500) -> int:
        """Re-seal rows not under ``version`` (key rotation); returns how many were re-sealed."""
        key = self.keys.key(version)
        n = 0
        while True:
            rows = list(self.s.scalars(select(OpEnquiryRow).where(OpEnquiryRow.key_version != version)
                                       .order_by(OpEnquiryRow.id).limit(batch)))
            if not rows:
                return n
            for r in rows:
                data = self.keys.open(r.sealed, aad=_aad(r.id))
                self.s.execute(update(OpEnquiryRow).where(OpEnquiryRow.id == r.id)
                               .values(sealed=key.seal(data, aad=_aad(r.id)), key_version=version))
            n += len(rows)
