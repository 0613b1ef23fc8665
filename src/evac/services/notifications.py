"""Notifications: queue call-forward messages with the events that cause them, and deliver the queue.

The outbox row holds ids, a template name, a language and a context (trip, assembly point, time,
documents): no name or phone. The dispatcher resolves the phone from the registry at send time, renders
the template in the person's language and hands it to a :class:`Sender`. Success appends ``notified``
events for the household's travellers; failure retries with exponential backoff (``BACKOFF_S`` × 2^n,
at most ``MAX_BACKOFF_S``) and after ``max_attempts`` appends ``delivery_failed`` so the crisis cell
sees who was never told. The outbox row keeps the gateway the message was handed to (``Sender.name``:
``smtp``, ``webhook``) as its channel; a message no gateway has seen yet has none.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from evac.core.oplog import EventType, Meta, PersonEvent, TransitionError, apply
from evac.core.registry.names import script_of
from evac.services.ops_ports import DeliveryError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from evac.services.ops_ports import OpsUnitOfWork, Renderer, Sender

LANGUAGES = ("ru", "en", "ar")
BACKOFF_S = 30.0
MAX_BACKOFF_S = 3600.0


def default_language(*, script: str, nationalities: Sequence[str]) -> str:
    """Arabic-script names get Arabic, Russian citizens Russian, everyone else English."""
    if script == "Arab":
        return "ar"
    if "RU" in nationalities:
        return "ru"
    return "en"


def language_of(uow: OpsUnitOfWork, person_id: str) -> str:
    """The person's stored preference, else :func:`default_language` from the registry record."""
    pref = uow.ops.language(person_id)
    if pref:
        return pref
    from evac.services.operations import registry_id

    rec = uow.registry.get(registry_id(person_id)).record
    return default_language(script=script_of(rec.family or rec.given), nationalities=rec.nationalities)


def enqueue_household(uow: OpsUnitOfWork, *, household_id: str, people: Sequence[str], template: str,
                      context: dict[str, Any]) -> int:
    """Queue one message for the household, to its first member (in plan order), in that member's language."""
    head = people[0]
    return uow.ops.enqueue(person_id=head, household_id=household_id, template=template,
                           language=language_of(uow, head), context={**context, "people": list(people)})


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_S * 2 ** max(attempts - 1, 0), MAX_BACKOFF_S))


def dispatch(*, uow_factory: Callable[[], OpsUnitOfWork], sender: Sender, renderer: Renderer, now: datetime,
             max_attempts: int = 5, limit: int = 100) -> dict[str, int]:
    """Deliver due messages; returns counts of sent, retried and failed. Each message is its own transaction."""
    with uow_factory() as uow:
        due = uow.ops.due(now=now, limit=limit)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for item in due:
        with uow_factory() as uow:
            error = ""
            channel: str | None = None
            try:
                from evac.services.operations import registry_id

                phone = uow.registry.get(registry_id(item.person_id)).record.phone
                if not phone:
                    raise DeliveryError("no phone number")
                subject, body = renderer.render(item.template, item.language, item.context)
                channel = sender.name  # handed to this gateway (success or not): the message's channel
                sender.send(to=phone, subject=subject, body=body)
            except DeliveryError as exc:
                error = str(exc)[:200]
            attempts = item.attempts + 1
            if not error:
                status, kind = "sent", EventType.NOTIFIED
            elif attempts >= max_attempts or error == "no phone number":
                status, kind = "failed", EventType.DELIVERY_FAILED
            else:
                status, kind = "pending", None
            uow.ops.mark(item.id, status=status, attempts=attempts, next_at=now + backoff(attempts), error=error,
                         channel=channel)
            if kind is not None:
                _record_delivery(uow, item.context.get("people") or [item.person_id], item.household_id, kind,
                                 now=now, note=f"{sender.name}:{item.template}:{item.id}")
            uow.commit()
        counts["sent" if status == "sent" else "failed" if status == "failed" else "retry"] += 1
    return counts


def _record_delivery(uow: OpsUnitOfWork, people: Sequence[str], household_id: str, kind: EventType, *,
                     now: datetime, note: str) -> None:
    from evac.services.operations import _state

    for pid in people:
        st = _state(uow, pid)
        ev = PersonEvent(kind, Meta("system:notify", now, "", note), pid, household_id, st.trip_id, st.place, note)
        try:
            new = apply(st, ev)
        except TransitionError:
            continue  # merged meanwhile: nothing to record
        uow.ops.append(ev, version=new.version)
        uow.ops.save_state(new)
