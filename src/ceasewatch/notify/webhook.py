"""Webhooks over HTTP(S), only to the addresses the operator's targets allow."""

from __future__ import annotations

import httpx

from ..services.delivery import WHOLE_EXCHANGE
from ..services.exchange import Deadline
from ..services.notify import DeliveryFailed, TooSlow
from ..services.webhook_targets import Address, TargetRefused, WebhookTargets


class HttpWebhooks:
    """POSTs webhook bodies with one HTTP client, which serves every sending thread (it
    is thread-safe, and making one costs more than most deliveries); the senders, not its
    pool, limit how many go at once.

    Each delivery has a connection of its own (none is kept alive for the next), so that
    the one a receiver holds past the whole exchange's deadline can be shut (`Deadline`);
    the answer's status is all that is read of it, never its body."""

    def __init__(self, targets: WebhookTargets, timeout: float) -> None:
        self.targets = targets
        self.deadline = WHOLE_EXCHANGE * timeout
        self._http = httpx.Client(
            timeout=timeout,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=0),
            trust_env=False,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """POST to the first of the URL's checked addresses that takes a connection (one
        that refuses it, or lets it time out, as a host's unreachable IPv6 address does,
        passes to the next), naming the host in `Host` (and to TLS, which verifies its
        certificate): the name is resolved once, here, so it cannot lead elsewhere
        between the check and the connection. No redirect is followed and no proxy from
        the environment is used."""
        try:
            addresses = self.targets.addresses(url)
        except TargetRefused as exc:
            raise DeliveryFailed(f"refused: {exc}") from None
        with Deadline(self.deadline) as deadline:
            self._post(url, addresses, body, headers, deadline)

    def _post(
        self,
        url: str,
        addresses: list[Address],
        body: bytes,
        headers: dict[str, str],
        deadline: Deadline,
    ) -> None:
        target = httpx.URL(url)
        named = {"Host": target.netloc.decode("ascii")}
        tls = {"sni_hostname": target.raw_host.decode("ascii")} if target.scheme == "https" else {}
        failed: DeliveryFailed | None = None
        for address in addresses:
            try:
                with self._http.stream(
                    "POST",
                    target.copy_with(host=str(address)),
                    content=body,
                    headers={**headers, **named},
                    extensions={**tls, "trace": deadline.trace},
                ) as response:
                    taken, status = response.is_success, response.status_code
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # try the next address
                failed = _failure(deadline, exc)
                if deadline.passed:
                    break
                continue
            except httpx.HTTPError as exc:
                raise _failure(deadline, exc) from None
            if not taken:
                raise DeliveryFailed(f"HTTP {status}")
            return
        raise failed or DeliveryFailed(f"{target.host} has no address")


def _failure(deadline: Deadline, exc: httpx.HTTPError) -> DeliveryFailed:
    if deadline.passed:
        return TooSlow(f"no whole answer within {deadline.seconds:g} s")
    if isinstance(exc, httpx.TimeoutException):
        return TooSlow(f"{type(exc).__name__}: {exc}")
    return DeliveryFailed(f"{type(exc).__name__}: {exc}")
