"""Fakes of the adapters, for tests of the services without a network."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from ceasewatch.services.notify import DeliveryFailed


@dataclass
class FakeTransport:
    """A `services.notify.Transport` that keeps what it is given instead of sending it.

    `refusing` names the webhook URLs and e-mail addresses whose receivers are down: a
    message to one of them fails with DeliveryFailed, as a real one would.
    """

    refusing: set[str] = field(default_factory=set)
    webhooks: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)
    emails: list[EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    """The sender calls a transport from many threads at once."""

    def webhook(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        if url in self.refusing:
            raise DeliveryFailed("HTTP 503")
        with self._lock:
            self.webhooks.append((url, body, headers))

    def email(self, message: EmailMessage) -> None:
        if message["To"] in self.refusing:
            raise DeliveryFailed("SMTPRecipientsRefused: no such desk")
        with self._lock:
            self.emails.append(message)
