"""The relatives' enquiry desk: a mother calls from Moscow asking whether her daughter got out.

The desk officer finds the person (the people search, any script), records the enquiry — who called, how to
call them back, the relation they state, what they asked — and reads out an answer that tells the caller no
more than policy allows. A caller on the telephone cannot be verified, and the list is lethal in the wrong
hands (DESIGN.md): so the answer never names a place, a trip, a time, a phone number or another member of
the household. It says only, in the caller's language, how far the person has got:

- ``status`` disclosure (the default): registered / at an assembly point / on the way / safe;
- ``registered`` disclosure (a stricter policy, e.g. once the host government hunts foreigners): only whether
  the person is registered with the consulate.

A person who declined to leave is answered as "registered": their decision is theirs to share. A record
merged into another is answered for the person it was merged into. Everything is audited (``write:enquiry``,
``read:enquiries``), and the caller's details are sealed in the store (:mod:`evac.adapters.store.enquiries`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from evac.core.oplog import Status
from evac.services.operations import Invalid, _scoped_state, person_view, retrying
from evac.services.ops_ports import OpsUnitOfWork

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from evac.services.operations import Actor

Disclosure = Literal["status", "registered"]
LANGUAGES = ("en", "ru", "ar")


@dataclass(frozen=True, slots=True)
class EnquiryDraft:
    """What the desk records about one call (strings; empty when not given). ``person_id`` is the operation
    key (``R000123``) of the person asked about, ``None`` when nobody matched."""

    person_id: str | None
    outcome: str
    caller_name: str
    caller_contact: str
    relation: str
    question: str
    answer: str
    note: str


@dataclass(frozen=True, slots=True)
class Enquiry(EnquiryDraft):
    """A recorded enquiry (:class:`EnquiryDraft` with its id, time and desk officer)."""

    id: int = 0
    at: datetime | None = None
    actor: str = ""

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat() if self.at else None, "actor": self.actor,
                "person": self.person_id, "outcome": self.outcome, "caller_name": self.caller_name,
                "caller_contact": self.caller_contact, "relation": self.relation, "question": self.question,
                "answer": self.answer, "note": self.note}


class EnquiryRepository(Protocol):
    def add(self, draft: EnquiryDraft, *, actor: str, at: datetime) -> int: ...
    def list(self, *, person_id: str | None = None, limit: int = 50, before: int | None = None
             ) -> list[Enquiry]: ...


class EnquiryUnitOfWork(OpsUnitOfWork, Protocol):
    """The operation's unit of work with the enquiry desk's table."""

    @property
    def enquiries(self) -> EnquiryRepository: ...
    def __enter__(self) -> EnquiryUnitOfWork: ...


# -- what may be said ---------------------------------------------------------------------------------------
_STAGE: dict[Status, str] = {
    Status.REGISTERED: "registered", Status.NOTIFIED: "registered", Status.CONFIRMED: "registered",
    Status.DECLINED: "registered", Status.NO_SHOW: "registered",
    Status.CHECKED_IN: "assembly", Status.BOARDED: "on_the_way", Status.DEPARTED: "on_the_way",
    Status.ARRIVED_SAFE: "safe",
}
"""Each status as the stage a caller may hear (declined and no-show are not the caller's to know)."""

_SAY: dict[str, dict[str, str]] = {
    "registered": {
        "en": "{name} is registered with the consulate. We cannot share travel details by telephone; "
              "we have noted your call and your contact.",
        "ru": "{name} зарегистрирован(а) в консульстве. Подробности эвакуации по телефону мы не сообщаем; "
              "ваш звонок и контакт записаны.",
        "ar": "{name} مسجل لدى القنصلية. لا يمكننا مشاركة تفاصيل السفر عبر الهاتف؛ وقد سجلنا اتصالك ووسيلة "
              "التواصل معك.",
    },
    "assembly": {
        "en": "{name} has reached an evacuation assembly point and is in the care of our staff.",
        "ru": "{name} прибыл(а) на пункт сбора и находится под присмотром наших сотрудников.",
        "ar": "{name} وصل إلى نقطة تجمع الإجلاء وهو في رعاية موظفينا.",
    },
    "on_the_way": {
        "en": "{name} is on the way out with the evacuation.",
        "ru": "{name} в пути в составе эвакуации.",
        "ar": "{name} في طريقه إلى الخارج مع عملية الإجلاء.",
    },
    "safe": {
        "en": "{name} has reached safety.",
        "ru": "{name} в безопасности.",
        "ar": "{name} وصل إلى بر الأمان.",
    },
    "not_found": {
        "en": "We have no record under this name. We have noted your enquiry and will call you back if we "
              "find them; please ask them to register with the consulate.",
        "ru": "Записи с таким именем у нас нет. Ваш запрос записан; если мы найдём этого человека, мы вам "
              "перезвоним. Попросите его(её) зарегистрироваться в консульстве.",
        "ar": "ليس لدينا سجل بهذا الاسم. لقد سجلنا استفسارك وسنعاود الاتصال بك إذا وجدناه؛ يرجى أن يسجل لدى "
              "القنصلية.",
    },
}


def answer(status: Status | None, name: str, *, language: str = "en", disclosure: Disclosure = "status"
           ) -> tuple[str, str]:
    """``(outcome, text)``: what the desk may read out about a person in ``status`` (``None``: not found).

    ``outcome`` is the stage said (``registered``, ``assembly``, ``on_the_way``, ``safe``, ``not_found``);
    the text names the person and nothing else about them."""
    if language not in LANGUAGES:
        raise Invalid(f"language {language!r}: choose from {', '.join(LANGUAGES)}")
    if status is None:
        return "not_found", _SAY["not_found"][language]
    stage = _STAGE[status] if disclosure == "status" else "registered"
    return stage, _SAY[stage][language].format(name=name)


# -- the desk -----------------------------------------------------------------------------------------------
_LIMITS = {"caller_name": 200, "caller_contact": 200, "relation": 100, "question": 1000, "note": 2000}


def record_enquiry(*, uow_factory: Callable[[], EnquiryUnitOfWork], actor: Actor, now: datetime,
                   person_id: str | None, caller_name: str, caller_contact: str, relation: str = "",
                   question: str = "", note: str = "", language: str = "en",
                   disclosure: Disclosure = "status") -> dict[str, Any]:
    """Record one enquiry and return what to read out, with the person's current status for the desk officer
    (who sees more than the caller hears). ``person_id`` ``None``: nobody matched the caller's description.
    Raises :class:`~evac.services.operations.NotFound` for an unknown person, :class:`Invalid` for a missing
    caller name or contact, an over-long field or an unknown language; nothing is recorded then."""
    fields = {"caller_name": caller_name.strip(), "caller_contact": caller_contact.strip(),
              "relation": relation.strip(), "question": question.strip(), "note": note.strip()}
    for f, limit in _LIMITS.items():
        if len(fields[f]) > limit:
            raise Invalid(f"{f}: at most {limit} characters")
    if not fields["caller_name"] or not fields["caller_contact"]:
        raise Invalid("caller_name and caller_contact are required: the desk must be able to call back")

    def run() -> dict[str, Any]:
        with uow_factory() as uow:
            view: dict[str, Any] | None = None
            status: Status | None = None
            if person_id is not None:
                st = _scoped_state(uow, actor, person_id)
                if st.merged_into:  # answer for the person the record turned out to be
                    st = _scoped_state(uow, actor, st.merged_into)
                view = person_view(uow, st, names=True)
                status = st.status
            outcome, text = answer(status, view["name"] if view else "", language=language, disclosure=disclosure)
            draft = EnquiryDraft(person_id=view["id"] if view else None, outcome=outcome, answer=text, **fields)
            eid = uow.enquiries.add(draft, actor=actor.username, at=now)
            uow.ops.audit(actor=actor.username, action="write:enquiry",
                          subject=f"enquiry {eid} about {view['id'] if view else 'nobody found'}")
            uow.commit()
            return {"enquiry": eid, "person": view, "outcome": outcome, "answer": text, "language": language}

    return retrying(run)


def list_enquiries(*, uow_factory: Callable[[], EnquiryUnitOfWork], actor: Actor, person_id: str | None = None,
                   limit: int = 50, before: int | None = None) -> list[dict[str, Any]]:
    """Recorded enquiries, newest first (about one person when ``person_id`` is given); audited."""
    with uow_factory() as uow:
        rows = uow.enquiries.list(person_id=person_id, limit=limit, before=before)
        uow.ops.audit(actor=actor.username, action="read:enquiries",
                      subject=f"{len(rows)} enquiries" + (f" about {person_id}" if person_id else ""))
        uow.commit()
        return [r.public() for r in rows]


__all__ = ["Enquiry", "EnquiryDraft", "answer", "list_enquiries", "record_enquiry"]
