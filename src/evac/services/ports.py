"""What the services need from a store: narrow Protocols the store adapter implements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    from evac.core.model.people import Eligibility, Relation
    from evac.core.registry.records import Record, Stored
    from evac.core.registry.search import Brief
    from evac.services.ops_ports import OpsRepository


class RegistryRepository(Protocol):
    def add_import(self, *, file_name: str, sha256: str, rows: int, rejected: int) -> int: ...

    def add_household(self, *, label: str, import_id: int | None, city: str, evidence: Sequence[str]) -> int: ...

    def add_person(self, *, record: Record, line: int, import_id: int | None, household_id: int,
                   relation: Relation, eligibility: Eligibility, reason: str) -> int: ...

    def by_source(self, *, file_name: str, external_ids: Sequence[str]) -> dict[str, list[int]]:
        """Person ids per external id among the records last imported from a file named ``file_name``."""
        ...

    def update_person(self, *, person_id: int, record: Record, line: int, import_id: int | None) -> None: ...
    def edit_person(self, *, person_id: int, record: Record, source: str) -> None: ...

    def name_hits(self, words: Sequence[frozenset[str]], *, city: str | None = None, status: str | None = None,
                  vulnerability: str | None = None, household: int | None = None) -> dict[int, tuple[int, Brief]]:
        """Unmerged people (under the filters) whose name keys match query words: person id → (bit mask of
        the words matched, the clear facts kept about them)."""
        ...

    def active(self) -> list[Stored]: ...

    def get(self, person_id: int) -> Stored: ...

    def by_external_id(self, external_id: str) -> Stored: ...

    def replace_candidates(self, items: Sequence[tuple[int, int, float, str, tuple[str, ...]]]) -> None: ...

    def candidates(self, *, status: str = "open") -> list[tuple[Stored, Stored, float, str, tuple[str, ...]]]: ...

    def candidate_page(self, *, decision: str | None = None, city: str | None = None, limit: int = 50,
                       offset: int = 0) -> tuple[list[tuple[Stored, Stored, float, str, tuple[str, ...]]], int]:
        """One page of the open queue (best score first) and the number of pairs under the filter."""
        ...

    def candidate_counts(self, *, city: str | None = None) -> dict[str, int]: ...

    def candidate_cities(self) -> dict[str, int]: ...

    def open_pairs(self, *, decision: str | None = None) -> list[tuple[int, int]]:
        """Open (unreviewed) candidate pairs ``(a, b)`` of record ids, optionally of one decision only."""
        ...

    def many(self, ids: Sequence[int]) -> list[Stored]: ...

    def merge(self, *, kept: int, merged: int) -> None: ...

    def unmerge(self, *, merged: int) -> int: ...

    def count(self) -> int: ...

    def revision(self) -> str:
        """Changes whenever the population the registry yields changes (an import, a merge, an unmerge)."""
        ...


class UnitOfWork(Protocol):
    """One transaction: ``with uow: …; uow.commit()``; leaving the block without commit rolls back.

    ``ops`` is the operation log in the same transaction, or ``None`` when the workspace has no operations
    tables (a store older than migration 0002): registry changes that are operation events (merges) are
    appended there, so both commit or neither does.
    """

    @property
    def registry(self) -> RegistryRepository: ...

    @property
    def ops(self) -> OpsRepository | None: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
