"""E-mail through the operator's SMTP server.

`CEASEWATCH_SMTP` names it as a URL: `smtp://host:port` in the clear (a relay on this host
or its own network), `smtp+starttls://host:port` or `smtps://host:port` over TLS, whose
certificate is verified against the system's authorities (or `SSL_CERT_FILE`'s). With
`user:password@` before the host it logs in, over TLS only.
"""

from __future__ import annotations

import contextlib
import ipaddress
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from ..services.delivery import WHOLE_EXCHANGE
from ..services.exchange import Deadline
from ..services.notify import DeliveryFailed, TooSlow

PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
"""Each way of reaching the server, with its usual port."""
REPLIES = 64 * 1024
"""Bytes the server's replies may hold in all in one exchange (a few hundred are usual):
smtplib reads a reply's continuation lines for as long as they come."""


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        """The server a URL names; a ValueError saying what is wrong with it."""
        parts = urlsplit(url)
        if parts.scheme not in PORTS:
            raise ValueError(
                f"an SMTP server is smtp://, smtp+starttls:// or smtps://, not {parts.scheme}://"
            )
        try:
            port = parts.port or PORTS[parts.scheme]
        except ValueError:
            raise ValueError("its port is not a number from 1 to 65535") from None
        if not parts.hostname:
            raise ValueError("it names no host")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError("it is a server, with nothing after the host and port")
        user = unquote(parts.username) if parts.username else None
        if user is not None and parts.scheme == "smtp":
            raise ValueError("a password is sent over TLS only: use smtp+starttls:// or smtps://")
        password = unquote(parts.password) if parts.password is not None else None
        return cls(parts.scheme, parts.hostname, port, user, password)

    def __str__(self) -> str:
        """The URL, its password left out."""
        user = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


class SmtpMail:
    """Hands each message to the server on a connection of its own (mail is seldom), in
    at most `WHOLE_EXCHANGE` timeouts in all: the timeout bounds each read, and a server
    that trickled its replies would otherwise hold a sender's lane as long as it liked."""

    def __init__(self, url: str | None, timeout: float) -> None:
        self.server = SmtpServer.parse(url) if url else None
        self.timeout = timeout
        self.deadline = WHOLE_EXCHANGE * timeout

    def send(self, message: EmailMessage) -> None:
        if self.server is None:
            raise DeliveryFailed("no SMTP server: set CEASEWATCH_SMTP (smtp://host:port)")
        with Deadline(self.deadline) as deadline:
            try:
                self._send(self.server, message, deadline)
            except (OSError, TooMuchReply) as exc:  # smtplib's own are OSErrors
                if deadline.passed:
                    raise TooSlow(f"no whole exchange within {deadline.seconds:g} s") from None
                if isinstance(exc, TimeoutError):
                    raise TooSlow(f"{type(exc).__name__}: {exc}") from None
                raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None

    def _send(self, server: SmtpServer, message: EmailMessage, deadline: Deadline) -> None:
        tls = ssl.create_default_context() if server.scheme != "smtp" else None
        implicit = tls if server.scheme == "smtps" else None
        with _Exchange(deadline, self.timeout, implicit) as smtp:
            smtp.open(server.host, server.port)
            if server.scheme == "smtp+starttls":
                smtp.starttls(context=tls)  # refused when the server does not offer it
            if server.user is not None:
                smtp.login(server.user, server.password or "")
            smtp.send_message(message)


class TooMuchReply(Exception):
    """Not an OSError (as smtplib's own are), which smtplib would take for the connection
    closing."""

    def __init__(self) -> None:
        super().__init__(f"the server's replies passed {REPLIES // 1024} KiB")


class _Exchange(smtplib.SMTP):
    """smtplib's client under a deadline, which guards its connection from the moment it
    is made (before the greeting, and before any TLS handshake); the server's replies may
    hold `REPLIES` bytes in all."""

    def __init__(self, deadline: Deadline, timeout: float, tls: ssl.SSLContext | None) -> None:
        self._deadline, self._tls, self._replied = deadline, tls, 0
        super().__init__(timeout=timeout, local_hostname=THIS_HOST.name_or(None))

    def open(self, host: str, port: int) -> None:
        """smtplib's `connect`, with the connection guarded as soon as it is made."""
        connected = socket.create_connection((host, port), self.timeout)
        self._deadline.guard(connected)
        self.local_hostname = THIS_HOST.name_or(connected.getsockname()[0])
        self._host = host  # the name `starttls` verifies the certificate against
        try:
            tls = self._tls
            self.sock = tls.wrap_socket(connected, server_hostname=host) if tls else connected
        except OSError:
            connected.close()
            raise
        code, greeting = self.getreply()
        if code != 220:
            self.close()
            raise smtplib.SMTPConnectError(code, greeting)

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None and self.sock is not None:
            self.file = _Metered(self, self.sock.makefile("rb"))
        return super().getreply()

    def count(self, line: bytes) -> None:
        self._replied += len(line)
        if self._replied > REPLIES:
            raise TooMuchReply


class HostName:
    """This host's name for `EHLO`, as smtplib works it out (from DNS), looked up once a
    process in a thread of its own: on a host whose reverse lookups hang, a send does not
    wait for DNS outside its deadline, but names itself by its address (`[192.0.2.1]`,
    as RFC 5321 allows) until the name is known."""

    def __init__(self, look_up: Callable[[], str] = lambda: smtplib.SMTP().local_hostname):
        self._look_up, self._name = look_up, ""
        self._started = threading.Lock()

    def name_or(self, address: str | None) -> str:
        """The name when it is known, else `address` as an address literal (None: a
        placeholder until the connection's own address is known)."""
        if self._started.acquire(blocking=False):
            threading.Thread(target=self._find, name="ehlo-name", daemon=True).start()
        if self._name or address is None:
            return self._name or "localhost"
        return address_literal(address)

    def _find(self) -> None:
        with contextlib.suppress(OSError):  # no name to be had: the address stands for it
            self._name = self._look_up()


def address_literal(address: str) -> str:
    """An address as `EHLO` names a host by it (RFC 5321, 4.1.3)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    return f"[IPv6:{ip}]" if ip.version == 6 else f"[{ip}]"


THIS_HOST = HostName()


class _Metered:
    """The replies' file, counting what it reads against the exchange's allowance."""

    def __init__(self, exchange: _Exchange, file: Any) -> None:
        self._exchange, self._file = exchange, file

    def readline(self, size: int = -1) -> bytes:
        line: bytes = self._file.readline(size)
        self._exchange.count(line)
        return line

    def close(self) -> None:
        self._file.close()
