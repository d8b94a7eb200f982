"""The real transport: webhooks over HTTP(S), e-mail over SMTP."""

from __future__ import annotations

from email.message import EmailMessage

from ..services.delivery import TIMEOUT
from ..services.webhook_targets import WebhookTargets
from .smtp import SmtpMail
from .webhook import HttpWebhooks


class NetTransport:
    """HTTP for webhooks, to the targets `webhooks` allows (public addresses only, by
    default); an SMTP server (`smtp.SmtpServer`) for e-mail. A `services.notify.Transport`."""

    def __init__(
        self,
        smtp_url: str | None = None,
        timeout: float = TIMEOUT,
        webhooks: WebhookTargets | None = None,
    ) -> None:
        self.smtp_url, self.timeout = smtp_url, timeout
        self.webhooks = webhooks or WebhookTargets()
        self._http = HttpWebhooks(self.webhooks, timeout)
        self._smtp = SmtpMail(smtp_url, timeout)

    def close(self) -> None:
        self._http.close()

    def webhook(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        self._http.post(url, body, headers)

    def email(self, message: EmailMessage) -> None:
        self._smtp.send(message)
