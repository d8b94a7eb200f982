"""What goes out on the wire: signed webhooks and e-mail; retries and acknowledgements.

A webhook is signed with its time, Stripe's way (`t=<unix seconds>,v1=<hex>`, the HMAC
over `"<t>." + body`): a receiver checks both and refuses a message signed long ago, so
a captured delivery cannot be played back to it later. Who sends what, and when, is
`sender.py`'s.
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

from ..store import outbox
from ..store.database import writing_rows
from .delivery import TIMEOUT
from .system import System
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
    default); an SMTP server (`smtp://host:port`) for e-mail.

    One HTTP client serves every sending thread (it is thread-safe, and making one costs
    more than most deliveries); the senders, not its pool, limit how many go at once.
    """

    smtp_url: str | None = None
    timeout: float = TIMEOUT
    webhooks: WebhookTargets = field(default_factory=WebhookTargets)
    _http: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(
            timeout=self.timeout,
            limits=httpx.Limits(max_connections=None),
            trust_env=False,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

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
        for address in addresses:
            try:
                response = self._http.post(
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
        transport.webhook(
            message["address"],
            body,
            {
                "Content-Type": "application/json",
                SIGNATURE: signature(secret, body, at),
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
    with writing_rows(system.db) as conn:
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
    with writing_rows(system.db) as conn:
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
