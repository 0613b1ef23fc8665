"""ORM of the registry (SQLAlchemy 2 ``Mapped[]``). The schema itself is created by Alembic migrations.

Nothing sensitive is stored in clear: ``people.sealed`` holds names, phone, address and document number
(AES-GCM, see :mod:`crypto`), ``tokens`` the blind indexes for exact search. What stays in clear is what
planning needs and reveals no identity on its own: city, birth date, sex, nationalities, categories.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 -- SQLAlchemy resolves Mapped[datetime] at runtime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ImportRow(Base):
    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    rejected: Mapped[int]
    at: Mapped[datetime]


class HouseholdRow(Base):
    __tablename__ = "households"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100))  # empty since 0005: the label is in ``sealed``
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    city: Mapped[str] = mapped_column(String(100))
    evidence: Mapped[str] = mapped_column(Text, default="")  # JSON list of evidence kinds, no values
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # {"label": …}, AES-GCM, aad household:<id>


class PersonRow(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    line: Mapped[int]  # line in the source file
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    relation: Mapped[str] = mapped_column(String(20))
    birth: Mapped[str] = mapped_column(String(10))  # PartialDate.iso()
    sex: Mapped[str] = mapped_column(String(1))
    nationalities: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    vulnerabilities: Mapped[str] = mapped_column(String(200))
    willingness: Mapped[str] = mapped_column(String(20))
    eligibility: Mapped[str] = mapped_column(String(20))
    eligibility_reason: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), default="registered")
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_people_external_id", "external_id"),)


class TokenRow(Base):
    __tablename__ = "tokens"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(2), primary_key=True)
    token: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)

    __table_args__ = (Index("ix_tokens_lookup", "kind", "token"),)


class WillingnessRow(Base):
    __tablename__ = "willingness_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    willingness: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


class CandidateRow(Base):
    __tablename__ = "dupe_candidates"
    id: Mapped[int] = mapped_column(primary_key=True)
    a: Mapped[int] = mapped_column(ForeignKey("people.id"))
    b: Mapped[int] = mapped_column(ForeignKey("people.id"))
    score: Mapped[float]
    decision: Mapped[str] = mapped_column(String(10))  # match | review
    evidence: Mapped[str] = mapped_column(Text)  # JSON list
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | merged

    __table_args__ = (Index("ix_candidates_pair", "a", "b", unique=True),)


class MergeRow(Base):
    """A merge and, when undone, its undoing: the log is append-only in effect (``undone_at`` set once)."""

    __tablename__ = "merges"
    id: Mapped[int] = mapped_column(primary_key=True)
    kept: Mapped[int] = mapped_column(ForeignKey("people.id"))
    merged: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime]
    undone_at: Mapped[datetime | None]


class MetaRow(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
