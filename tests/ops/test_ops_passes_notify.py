"""Passes and manifests (PDF text extraction of Cyrillic and Arabic; CSV redaction), and notifications
delivered through a local aiosmtpd server and a webhook, with retries recorded as events."""

from __future__ import annotations

import io
import socket
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import pypdf
from aiosmtpd.controller import Controller

from evac.adapters.notify.render import JinjaRenderer
from evac.adapters.notify.senders import SmtpSender, WebhookSender
from evac.adapters.passes.pdf import boarding_passes, manifest_csv
from evac.adapters.passes.tokens import BadToken, PassSigner
from evac.adapters.store.ops_repo import ops_uow_factory
from evac.services.notifications import dispatch

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_passes_keep_cyrillic_and_arabic_names() -> None:
    pdf = boarding_passes([
        {"trip": "T00001", "place": "damascus", "person": "R0000001", "household": "RH0000001", "token": "x",
         "original": "Анна Сергеевна Иванова", "name": "Anna Ivanova"},
        {"trip": "T00001", "place": "damascus", "person": "R0000002", "household": "RH0000001", "token": "y",
         "original": "محمد الحلبي", "name": "Muhammad al-Halabi"},
    ])
    text = _text(pdf)
    assert "Анна Сергеевна Иванова" in text
    assert "محمد الحلبي" in text
    assert "Muhammad al-Halabi" in text


def test_manifest_pdf_and_csv_from_the_api(api: tuple[TestClient, dict, Store]) -> None:
    client, h, _ = api
    trip = client.get("/api/v1/trips", headers=h["officer"]).json()[0]["id"]
    m = client.get(f"/api/v1/trips/{trip}", headers=h["officer"]).json()
    pdf = client.get(f"/api/v1/trips/{trip}/manifest.pdf", headers=h["officer"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = _text(pdf.content)
    for p in m["passengers"]:
        assert p["original"].split()[0] in text  # names in their own script (Cyrillic or Arabic)
    # where each boards, gets off and changes; seats used against the vehicle's seats; assistance needs
    assert m["seats"] is not None and 0 < m["seats_used"] <= m["seats"]
    assert m["seats_used"] <= m["people"] or m["people"] == len(m["passengers"])
    for p in m["passengers"]:
        assert p["boards_at"] in m["pickups"] and p["alights_at"] in m["dropoffs"]
        assert datetime.fromisoformat(p["boards_time"]) >= datetime.fromisoformat(m["depart"])
    needs: dict[str, int] = {}
    for p in m["passengers"]:
        for v in p["vulnerabilities"]:
            needs[v] = needs.get(v, 0) + 1
    assert m["assistance"] == dict(sorted(needs.items()))
    assert f"seats used {m['seats_used']} of {m['seats']}" in text
    hh = m["passengers"][0]["household"]
    passes = client.get(f"/api/v1/households/{hh}/passes.pdf", headers=h["officer"])
    assert passes.status_code == 200 and m["passengers"][0]["original"].split()[0] in _text(passes.content)
    viewer = client.get(f"/api/v1/trips/{trip}/manifest.csv", headers=h["viewer"]).text.splitlines()
    assert viewer[0] == "trip,id,household,status"
    officer = client.get(f"/api/v1/trips/{trip}/manifest.csv", headers=h["officer"]).text.splitlines()
    assert officer[0] == "trip,id,household,name,status"
    m2 = manifest_csv({"id": "T", "passengers": [{"id": "R1", "household": "RH1", "status": "x", "name": "N",
                                                  "birth": "1990"}]}, role="planner")
    assert "1990" in m2


def test_pass_tokens_are_signed_and_expire() -> None:
    s = PassSigner(b"k" * 32)
    tok = s.issue(person="R1", household="RH1", trip="T1", expires=datetime.now(UTC) + timedelta(hours=1))
    assert s.verify(tok) == {"person": "R1", "household": "RH1", "trip": "T1"}
    assert len(tok) < 200
    try:
        PassSigner(b"j" * 32).verify(tok)
        raise AssertionError("a pass signed with another key was accepted")
    except BadToken:
        pass
    try:
        s.verify(tok, now=datetime.now(UTC) + timedelta(hours=2))
        raise AssertionError("an expired pass was accepted")
    except BadToken:
        pass


def test_smtp_delivery_records_notified_events(api: tuple[TestClient, dict, Store]) -> None:
    _, _, store = api
    got: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            got.append(envelope.content)  # type: ignore[attr-defined]
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctl = Controller(Handler(), hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        uf = ops_uow_factory(store)
        counts = dispatch(uow_factory=uf, sender=SmtpSender(host="127.0.0.1", port=port, sender="evac@test",
                                                            to_domain="sms.test"),
                          renderer=JinjaRenderer(), now=datetime.now(UTC), limit=500)
    finally:
        ctl.stop()
    assert counts["sent"] == len(got) > 0
    with uf() as uow:
        types = [e.type.value for _, e in uow.ops.events()]
        sent = uow.ops.outbox(status="sent", limit=1000, offset=0)
    assert types.count("notified") >= counts["sent"] and len(sent) == counts["sent"]
    assert any("Эвакуация".encode() in m or "الإجلاء".encode() in m or b"Evacuation" in m for m in got)


def test_webhook_failures_back_off_then_fail_as_events(api: tuple[TestClient, dict, Store]) -> None:
    _, _, store = api
    uf = ops_uow_factory(store)
    calls: list[httpx.Request] = []

    def down(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503)

    with uf() as uow:
        queued = len(uow.ops.outbox(status="pending", limit=100_000, offset=0))
    sender = WebhookSender(url="http://127.0.0.1:9/sms", transport=httpx.MockTransport(down))
    now = datetime.now(UTC)
    # the whole queue in one pass: messages without a phone fail at once, the others are retried later
    first = dispatch(uow_factory=uf, sender=sender, renderer=JinjaRenderer(), now=now, max_attempts=2,
                     limit=queued + 10)
    assert first["sent"] == 0 and first["retry"] + first["failed"] == queued
    assert first["retry"] == len(calls) > 0  # one webhook call per message that has a phone
    # at the same instant nothing is due: every retried message waits out its backoff
    again = dispatch(uow_factory=uf, sender=sender, renderer=JinjaRenderer(), now=now, max_attempts=2,
                     limit=queued + 10)
    assert again == {"sent": 0, "retry": 0, "failed": 0} and len(calls) == first["retry"]
    # after the backoff each retried message gets its second and last attempt, and fails
    later = dispatch(uow_factory=uf, sender=sender, renderer=JinjaRenderer(), now=now + timedelta(hours=2),
                     max_attempts=2, limit=queued + 10)
    assert later == {"sent": 0, "retry": 0, "failed": first["retry"]} and len(calls) == 2 * first["retry"]
    with uf() as uow:
        assert uow.ops.outbox(status="pending", limit=10, offset=0) == []
        assert len(uow.ops.outbox(status="failed", limit=100_000, offset=0)) == queued
        assert any(e.type.value == "delivery_failed" for _, e in uow.ops.events())
