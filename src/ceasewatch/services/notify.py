"""Delivering the outbox: signed webhooks and e-mail, retried with backoff, dead-lettered.

Messages are claimed in a short transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
several senders share the work), sent outside it, and their outcome recorded after: a
sender that dies leaves its claim to lapse, and the message goes out again, with the
same `Idempotency-Key`, for the receiver to recognise.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from ..bootstrap import System
from ..store import outbox, queries
from ..store.database import reading
from .webhook_targets import TargetRefused, WebhookTargets

SIGNATURE = "X-Ceasewatch-Signature"
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(hours=1)
CLAIM = timedelta(minutes=2)


class DeliveryFailed(Exception):
    """The receiver refused the message or could not be reached; say why."""


class Transport(Protocol):
    def webhook(self, url: str, body: bytes, headers: dict[str, str]) -> None: ...

    def email(self, message: EmailMessage) -> None: ...


@dataclass
class NetTransport:
    """HTTP for webhooks, to the targets `webhooks` allows (public addresses only, by
    default); an SMTP server (`smtp://host:port`) for e-mail."""

    smtp_url: str | None = None
    timeout: float = 10.0
    webhooks: WebhookTargets = field(default_factory=WebhookTargets)

    def webhook(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """POST to the first of the URL's checked addresses that answers, naming the host
        in `Host` (and to TLS, which verifies its certificate): the name is resolved once,
        here, so it cannot lead elsewhere between the check and the connection. No
        redirect is followed and no proxy from the environment is used."""
        try:
            addresses = self.webhooks.addresses(url)
        except TargetRefused as exc:
            raise DeliveryFailed(f"refused: {exc}") from None
        target = httpx.URL(url)
        named = {"Host": target.netloc.decode("ascii")}
        tls = {"sni_hostname": target.raw_host.decode("ascii")} if target.scheme == "https" else {}
        failed: DeliveryFailed | None = None
        with httpx.Client(timeout=self.timeout, trust_env=False, follow_redirects=False) as http:
            for address in addresses:
                try:
                    response = http.post(
                        target.copy_with(host=str(address)),
                        content=body,
                        headers={**headers, **named},
                        extensions=tls,
                    )
                except httpx.ConnectError as exc:
                    failed = DeliveryFailed(f"{type(exc).__name__}: {exc}")
                    continue
                except httpx.HTTPError as exc:
                    raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None
                if not response.is_success:
                    raise DeliveryFailed(f"HTTP {response.status_code}")
                return
        raise failed or DeliveryFailed(f"{target.host} has no address")

    def email(self, message: EmailMessage) -> None:
        if not self.smtp_url:
            raise DeliveryFailed("no SMTP server: set CEASEWATCH_SMTP (smtp://host:port)")
        parts = urlsplit(self.smtp_url)
        try:
            with smtplib.SMTP(
                parts.hostname or "localhost", parts.port or 25, timeout=self.timeout
            ) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the raw body with the party's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """Doubling from FIRST_RETRY up to LONGEST_WAIT, with ±20% jitter."""
    wait: timedelta = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
    return wait * rng.uniform(0.8, 1.2)


@dataclass
class Delivered:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(
    system: System,
    transport: Transport,
    now: datetime,
    *,
    limit: int = 200,
    max_attempts: int = MAX_ATTEMPTS,
    mail_from: str = "ceasewatch@localhost",
    rng: random.Random | None = None,
) -> Delivered:
    """Send the messages due at `now` (wall-clock time) once each; record what happened."""
    rng = rng or random.Random()
    with system.db.begin() as conn:
        claimed = outbox.claim(conn, now, now + CLAIM, limit)
    with reading(system.db) as conn:
        contacts = {row["code"]: row for row in queries.parties(conn)}
    result = Delivered()
    for message in claimed:
        try:
            _send(transport, message, contacts.get(message["party"]), mail_from)
        except DeliveryFailed as exc:
            attempts = message["attempts"] + 1
            dead = attempts >= max_attempts
            with system.db.begin() as conn:
                outbox.settle(
                    conn,
                    message["id"],
                    status=outbox.DEAD if dead else outbox.PENDING,
                    attempts=attempts,
                    next_attempt_at=None if dead else now + backoff(attempts, rng),
                    claimed_until=None,
                    last_error=str(exc),
                )
            result.dead += dead
            result.retrying += not dead
            result.errors.append(f"#{message['id']} to {message['address']}: {exc}")
        else:
            with system.db.begin() as conn:
                outbox.settle(
                    conn,
                    message["id"],
                    status=outbox.SENT,
                    attempts=message["attempts"] + 1,
                    sent_at=now,
                    claimed_until=None,
                    last_error=None,
                )
            result.sent += 1
    return result


def _send(transport: Transport, message: Any, contact: Any, mail_from: str) -> None:
    body = message["payload"].encode("utf-8")
    if message["channel"] == "webhook":
        secret = contact["webhook_secret"] if contact else None
        if not secret:
            raise DeliveryFailed(f"{message['party']} has no webhook secret to sign with")
        transport.webhook(
            message["address"],
            body,
            {
                "Content-Type": "application/json",
                SIGNATURE: signature(secret, body),
                "Idempotency-Key": message["key"],
                "X-Ceasewatch-Kind": message["kind"],
            },
        )
    else:
        transport.email(_email(message, mail_from))


def _email(message: Any, mail_from: str) -> EmailMessage:
    email = EmailMessage()
    kind = message["kind"].replace("_", " ")
    email["Subject"] = f"[ceasewatch] {kind}: {message['case_id']} ({message['event']})"
    email["From"] = mail_from
    email["To"] = message["address"]
    email["Message-ID"] = f"<{message['key']}@ceasewatch>"
    email["Idempotency-Key"] = message["key"]
    email.set_content(
        f"{kind.capitalize()} for {message['party']}: {message['event']} in case "
        f"{message['case_id']}.\n\nThe event, as the replay contract gives it:\n\n"
        f"{message['payload']}\n"
    )
    return email


def acknowledge(system: System, message_id: int, by: str, now: datetime) -> bool:
    """Stop a message's retries (its deadline, if any, runs on); False if there is none."""
    with system.db.begin() as conn:
        if outbox.get(conn, message_id) is None:
            return False
        outbox.update(
            conn,
            message_id,
            status=outbox.ACKNOWLEDGED,
            acked_at=now,
            acked_by=by,
            claimed_until=None,
        )
    return True


def retry(system: System, message_id: int) -> bool:
    """Send a dead (or acknowledged) message again, from its first attempt."""
    with system.db.begin() as conn:
        if outbox.get(conn, message_id) is None:
            return False
        outbox.update(
            conn,
            message_id,
            status=outbox.PENDING,
            attempts=0,
            next_attempt_at=None,
            claimed_until=None,
            last_error=None,
        )
    return True
