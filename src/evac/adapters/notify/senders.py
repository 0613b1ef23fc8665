"""Senders: SMTP (e.g. an email-to-SMS gateway, or a relay) and a JSON webhook for an SMS gateway.

Both raise :class:`DeliveryError` with a short reason and never include the recipient or the message in
it (errors end up in the outbox and the logs).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import httpx

from evac.services.ops_ports import DeliveryError


class SmtpSender:
    """Sends to ``<phone digits>@<to_domain>`` through ``host:port`` (STARTTLS when ``starttls``)."""

    name = "smtp"

    def __init__(self, *, host: str, port: int, sender: str, to_domain: str, starttls: bool = False,
                 username: str | None = None, password: str | None = None, timeout_s: float = 10.0) -> None:
        self.host, self.port, self.sender, self.to_domain = host, port, sender, to_domain
        self.starttls, self.username, self.password, self.timeout_s = starttls, username, password, timeout_s

    def send(self, *, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = f"{''.join(c for c in to if c.isdigit())}@{self.to_domain}"
        msg["Subject"] = subject
        msg.set_content(body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username and self.password:
                    smtp.login(self.username, self.password)
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"smtp: {exc.__class__.__name__}") from None


class WebhookSender:
    """POSTs ``{"to": phone, "text": subject + body}`` as JSON with a bearer token; 2xx means accepted."""

    name = "webhook"

    def __init__(self, *, url: str, token: str | None = None, timeout_s: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(timeout=timeout_s, transport=transport)

    def send(self, *, to: str, subject: str, body: str) -> None:
        try:
            r = self.client.post(self.url, json={"to": to, "text": f"{subject}\n{body}"}, headers=self.headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook: {exc.__class__.__name__}") from None
        if not 200 <= r.status_code < 300:
            raise DeliveryError(f"webhook: HTTP {r.status_code}")
