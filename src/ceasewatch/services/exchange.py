"""A deadline on one HTTP exchange with a peer this server does not control: a party's
webhook receiver, or the primary a mirror pulls from.

httpx's timeouts bound each read, so a peer that sends a byte within each holds the
exchange for as long as it likes. `Deadline` shuts the exchange's socket when its time is
up, and the read blocked on it fails at once. The socket is learnt from httpcore's trace
of the connection (`trace`, passed as the request's `trace` extension): of its connecting,
and of its TLS handshake, which makes a socket of its own. So the exchange must open a
connection of its own (a client that keeps none alive), or there is nothing to shut.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any

TRACED = ("connection.connect_tcp.complete", "connection.start_tls.complete")


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

    def renew(self) -> None:
        self._until = time.monotonic() + self.seconds

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event in TRACED:
            stream = info.get("return_value")
            with self._lock:
                self._socket = stream.get_extra_info("socket") if stream is not None else None
                if self.passed:
                    self._shut()

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
