"""Row locks on ``meta`` that order writers against key rotation and the audit chain (SQLite and PostgreSQL).

Two rows act as locks:

- ``key_current`` holds the key version writers must seal with. Every transaction that seals takes it
  **shared** (PostgreSQL ``FOR SHARE``) before sealing and reads the version under the lock; key rotation
  takes it **exclusively** to switch versions and to retire the old one. So a writer that sealed with the old
  version has committed before the switch, and every writer after it seals with the new one: once the
  rotation's last sweep has re-sealed the stragglers, no row can name the old version (issue 16, item 1).
- ``audit_head`` holds the audit chain's last link; appending to the chain takes it exclusively.

Order: ``key_current`` before ``audit_head``, in every transaction, so two of them never wait on each other
in a cycle (PostgreSQL would abort one as a deadlock).

SQLite has no row locks: the first write of a transaction takes the database's single write lock (held to
commit), so "locking" a row there is a no-op ``UPDATE`` of it, which takes that lock before the read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from evac.adapters.store.orm import MetaRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from evac.adapters.store.crypto import DataKey, KeyRing

KEY_CURRENT = "key_current"
AUDIT_HEAD = "audit_head"
_WRITE_KEY = "evac_write_key"


def is_sqlite(s: Session) -> bool:
    return s.get_bind().dialect.name == "sqlite"


def lock_meta(s: Session, key: str, *, shared: bool) -> str | None:
    """Lock the ``meta`` row ``key`` until the transaction ends and return its value (None if absent)."""
    if is_sqlite(s):
        s.execute(update(MetaRow).where(MetaRow.key == key).values(value=MetaRow.value)
                  .execution_options(synchronize_session=False))
        return s.scalar(select(MetaRow.value).where(MetaRow.key == key))
    return s.scalar(select(MetaRow.value).where(MetaRow.key == key).with_for_update(read=shared))


def set_meta(s: Session, key: str, value: str) -> None:
    """Insert or update a ``meta`` row (the caller holds its lock when it matters)."""
    row = s.get(MetaRow, key)
    if row is None:
        s.add(MetaRow(key=key, value=value))
    else:
        row.value = value
    s.flush()


def write_key(s: Session, ring: KeyRing) -> DataKey:
    """The key this transaction must seal with: ``key_current`` locked shared, the ring reloaded if the
    database names a newer version than it holds. Cached for the rest of the transaction."""
    cached = s.info.get(_WRITE_KEY)
    if cached is not None and cached[0] is s.get_transaction():
        key: DataKey = cached[1]
        return key
    value = lock_meta(s, KEY_CURRENT, shared=True)
    if value is not None and int(value) not in ring.keys:
        ring.refresh(int(value))
    key = ring.current
    if value is not None and int(value) > key.version:  # the file lags the database: refuse to seal stale
        key = ring.key(int(value))
    s.info[_WRITE_KEY] = (s.get_transaction(), key)
    return key


def read_sync(s: Session, ring: KeyRing) -> None:
    """Before computing search tokens: make sure the ring holds the version the database writes with (a
    server left open through a rotation would otherwise search with tokens nobody stores any more)."""
    value = s.scalar(select(MetaRow.value).where(MetaRow.key == KEY_CURRENT))
    if value is not None:
        ring.refresh(int(value))
