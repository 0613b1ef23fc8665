"""Correcting a person's record during the operation: a new phone number, a document found, a change of mind.

The field officer (at their assembly point only) or the crisis cell edits the registry record itself, sealed
like every record; the audit names the fields changed, never their values. A change of willingness is kept
in the person's willingness history and reaches the plan at the next re-plan (it does not move anyone by
itself: a booking changes only through a re-plan, so nobody is re-seated behind the cell's back).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import phonenumbers

from evac.core.model import Willingness
from evac.services.operations import Invalid, _scoped_state, person_view, registry_id, retrying

if TYPE_CHECKING:
    from collections.abc import Callable

    from evac.services.operations import Actor
    from evac.services.ops_ports import OpsUnitOfWork

_DOCUMENT = re.compile(r"^[A-Za-z0-9 -]{0,40}$")


def _phone(text: str, region: str) -> str:
    t = text.strip()
    if not t:
        return ""
    try:
        num = phonenumbers.parse(t, region)
    except phonenumbers.NumberParseException as exc:
        raise Invalid(f"phone: {t!r} is not a phone number ({exc})") from None
    if not phonenumbers.is_possible_number(num):
        raise Invalid(f"phone: {t!r} is not a possible phone number (default region {region})")
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def edit_person(*, uow_factory: Callable[[], OpsUnitOfWork], actor: Actor, person_id: str,
                phone: str | None = None, document: str | None = None, willingness: str | None = None,
                region: str = "SY") -> dict[str, Any]:
    """Change the given fields of ``person_id``'s record (``None``: unchanged; ``""`` clears a phone or
    document). Returns the person's view and the names of the fields changed. Raises
    :class:`~evac.services.operations.Invalid` (nothing stored) for a bad value and
    :class:`~evac.services.operations.NotFound` outside the officer's assembly point."""
    changes: dict[str, Any] = {}
    if phone is not None:
        changes["phone"] = _phone(phone, region)
    if document is not None:
        if not _DOCUMENT.match(document.strip()):
            raise Invalid("document: letters, digits, spaces and '-' only, at most 40")
        changes["document"] = document.strip().upper()
    if willingness is not None:
        try:
            changes["willingness"] = Willingness(willingness)
        except ValueError:
            choices = ", ".join(w.value for w in Willingness)
            raise Invalid(f"willingness: {willingness!r} is not one of {choices}") from None
    if not changes:
        raise Invalid("nothing to change: give phone, document or willingness")

    def run() -> dict[str, Any]:
        with uow_factory() as uow:
            st = _scoped_state(uow, actor, person_id)
            stored = uow.registry.get(registry_id(st.person_id))
            changed = sorted(f for f, v in changes.items() if getattr(stored.record, f) != v)
            if changed:
                uow.registry.edit_person(person_id=stored.id, record=replace(stored.record, **changes),
                                         source=f"edit by {actor.username}")
                uow.ops.audit(actor=actor.username, action="write:person",
                              subject=f"{st.person_id}: {', '.join(changed)}")
            view = person_view(uow, st, names=True)
            uow.commit()
            return {**view, "changed": changed}

    return retrying(run)


__all__ = ["edit_person"]
