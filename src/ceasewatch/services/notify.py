"""What goes out: signed webhooks and e-mail; retries and acknowledgements.

A webhook is signed with its time, Stripe's way (`t=<unix seconds>,v1=<hex>`, the HMAC
over `"<t>." + body`): a receiver checks both and refuses a message signed long ago, so
a captured delivery cannot be played back to it later. Who sends what, and when, is
`sender.py`'s; putting it on the wire is the `Transport`'s (`ceasewatch.notify`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from ..domain.events import iso_z
from ..store import outbox
from . import unit_of_work
from .reads.models import PartyRow
from .system import System

SIGNATURE = "X-Ceasewatch-Signature"
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(hours=1)
CLAIM = timedelta(minutes=2)


class DeliveryFailed(Exception):
    """The receiver refused the message or could not be reached; say why."""


class TooSlow(DeliveryFailed):
    """The receiver took longer than a send may: to connect, for a part of its answer,
    or for the whole exchange. Its endpoint gets one lane until it answers in time."""


class Transport(Protocol):
    """How messages leave: the port that the transports of `ceasewatch.notify` (and the
    tests' fakes) implement. Each call raises DeliveryFailed, saying why, when the
    receiver refused the message or could not be reached."""

    def webhook(self, url: str, body: bytes, headers: dict[str, str]) -> None: ...

    def email(self, message: EmailMessage) -> None: ...


def signature(secret: str, body: bytes, at: datetime) -> str:
    """`t=<unix seconds>,v1=<hex>`: HMAC-SHA256 of `"<t>." + body` with the party's secret."""
    t = int(at.timestamp())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """Doubling from FIRST_RETRY up to LONGEST_WAIT, with ±20% jitter."""
    wait: timedelta = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
    return wait * rng.uniform(0.8, 1.2)


def send(transport: Transport, message: Any, contact: Any, mail_from: str, at: datetime) -> None:
    """Send one message of the outbox to its party (`contact`, its row), signed as of `at`."""
    body = message["payload"].encode("utf-8")
    if message["channel"] == outbox.WEBHOOK:
        secret = contact["webhook_secret"] if contact else None
        if not secret:
            raise DeliveryFailed(f"{message['party']} has no webhook secret to sign with")
        headers = _webhook_headers(secret, body, at, message["key"], message["kind"])
        transport.webhook(message["address"], body, headers)
    else:
        transport.email(_email(message, mail_from))


def _webhook_headers(secret: str, body: bytes, at: datetime, key: str, kind: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        SIGNATURE: signature(secret, body, at),
        "Idempotency-Key": key,
        "X-Ceasewatch-Kind": kind,
    }


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


def check_mail(transport: Transport, to: str, mail_from: str, at: datetime) -> None:
    """Send a message that says it is a test, as the outbox sends its mail: an
    administrator's check of the mail settings (`DeliveryFailed` says what failed)."""
    email = EmailMessage()
    email["Subject"] = "[ceasewatch] a test message"
    email["From"] = mail_from
    email["To"] = to
    email.set_content(
        f"This message, sent at {iso_z(at)}, checks that ceasewatch's notifications reach "
        f"{to}. Nothing needs doing.\n"
    )
    transport.email(email)


def check_webhook(transport: Transport, party: PartyRow, at: datetime) -> str:
    """Send the party's webhook receiver a test message, signed and sent as the outbox
    sends its webhooks (`X-Ceasewatch-Kind: test`), so that the party can check its
    receiver before a deadline depends on it; `DeliveryFailed` says what failed. Where
    it went."""
    url, secret, code = party["webhook_url"], party["webhook_secret"], party["code"]
    if not url:
        raise DeliveryFailed(f"{code} has no webhook URL")
    if not secret:
        raise DeliveryFailed(f"{code} has no webhook secret to sign with")
    body = json.dumps({"event": "test", "party": code, "at": iso_z(at)}).encode()
    key = f"test-{secrets.token_hex(8)}"
    transport.webhook(url, body, _webhook_headers(secret, body, at, key, "test"))
    return url


def acknowledge(system: System, message_id: int, by: str, now: datetime) -> bool:
    """Stop a message's retries (its deadline, if any, runs on); False if there is none."""
    with unit_of_work.rows(system) as conn:
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
    with unit_of_work.rows(system) as conn:
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
