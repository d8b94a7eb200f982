"""Webhooks over HTTP(S), only to the addresses the operator's targets allow."""

from __future__ import annotations

import httpx

from ..services.notify import DeliveryFailed
from ..services.webhook_targets import TargetRefused, WebhookTargets


class HttpWebhooks:
    """POSTs webhook bodies with one HTTP client, which serves every sending thread (it
    is thread-safe, and making one costs more than most deliveries); the senders, not its
    pool, limit how many go at once."""

    def __init__(self, targets: WebhookTargets, timeout: float) -> None:
        self.targets = targets
        self._http = httpx.Client(
            timeout=timeout,
            limits=httpx.Limits(max_connections=None),
            trust_env=False,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """POST to the first of the URL's checked addresses that answers, naming the host
        in `Host` (and to TLS, which verifies its certificate): the name is resolved once,
        here, so it cannot lead elsewhere between the check and the connection. No
        redirect is followed and no proxy from the environment is used."""
        try:
            addresses = self.targets.addresses(url)
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
