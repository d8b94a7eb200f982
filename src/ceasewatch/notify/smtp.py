"""E-mail through an SMTP server (`smtp://host:port`)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from ..services.notify import DeliveryFailed, TooSlow


class SmtpMail:
    def __init__(self, url: str | None, timeout: float) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server (a connection each: mail is seldom)."""
        if not self.url:
            raise DeliveryFailed("no SMTP server: set CEASEWATCH_SMTP (smtp://host:port)")
        parts = urlsplit(self.url)
        try:
            with smtplib.SMTP(
                parts.hostname or "localhost", parts.port or 25, timeout=self.timeout
            ) as smtp:
                smtp.send_message(message)
        except TimeoutError as exc:
            raise TooSlow(f"{type(exc).__name__}: {exc}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None
