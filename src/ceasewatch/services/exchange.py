"""A deadline on one exchange with a peer this server does not control: a party's webhook
receiver, the primary a mirror pulls from, the SMTP server.

A client's timeouts bound each read, so a peer that sends a byte within each holds the
exchange for as long as it likes. `Deadline` shuts the exchange's connection when its time
is up, and the read blocked on it fails at once. It is told of the connection's socket
(`guard`) as soon as it is connected; over HTTP, from httpcore's trace of the connection
(`trace`, passed as the request's `trace` extension). So the exchange must open a
connection of its own (a client that keeps none alive), or there is nothing to shut.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any

TRACED = ("connection.connect_tcp.complete",)
"""Where httpcore's trace gives the connection's socket."""


class Deadline:
    """`seconds` from entering, or from the last `renew` (an answer that streams moves it
    on with each whole part it takes); `passed` once the socket was shut for it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.passed = False
        self._until = 0.0
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()

    def __enter__(self) -> Deadline:
        self.renew()
        threading.Thread(target=self._watch, name="ceasewatch-deadline", daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done.set()
        with self._lock:
            self._forget()

    def renew(self) -> None:
        self._until = time.monotonic() + self.seconds

    def guard(self, connected: socket.socket) -> None:
        """Shut this connection when the time is up. A duplicate of its socket is kept, so
        that TLS wrapping the socket (which takes it over) leaves it in reach: shutting
        any duplicate shuts the connection itself."""
        with self._lock:
            self._forget()
            self._socket = connected.dup()
            if self.passed:
                self._shut()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event in TRACED:
            stream = info.get("return_value")
            connected = stream.get_extra_info("socket") if stream is not None else None
            if connected is not None:
                self.guard(connected)

    def _watch(self) -> None:
        while not self._done.wait(max(0.0, self._until - time.monotonic())):
            if time.monotonic() >= self._until:
                with self._lock:
                    self.passed = True
                    self._shut()
                return

    def _shut(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)

    def _forget(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
