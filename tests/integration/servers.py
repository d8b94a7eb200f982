"""Real servers on loopback for tests: the app under uvicorn, in a thread; webhook and SMTP
receivers; `ceasewatch run` in a process of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def reading_nothing(base: str, path: str, token: str) -> Iterator[socket.socket]:
    """A GET of `path` with a bearer token, sent to the server at `base` by a client that
    reads nothing of the answer until the caller does (a small receive buffer, so the
    server's writes back up soon)."""
    reader = socket.socket()
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    with reader:
        reader.connect(("127.0.0.1", int(base.rsplit(":", 1)[1])))
        head = f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n"
        reader.sendall(head.encode())
        yield reader


class Receiver:
    """A webhook receiver on loopback that records what it is sent and answers `status`.

    With `delay`, it holds each request that long before answering (a slow endpoint);
    `release()` (and `stop()`) answers the held ones at once.
    """

    def __init__(self, port: int | None = None, status: int = 200, delay: float = 0.0) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.port = port or free_port()
        self.status = status
        self.delay = delay
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived: list[float] = []
        """When each request of `received` came in (wall clock, seconds)."""
        self.most_at_once = 0
        self._held = 0
        self._lock = threading.Lock()
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.received.append((dict(self.headers.items()), body))
                    receiver.arrived.append(time.time())
                    receiver._held += 1
                    receiver.most_at_once = max(receiver.most_at_once, receiver._held)
                try:
                    if receiver.delay:
                        receiver._released.wait(receiver.delay)
                    self.send_response(receiver.status)
                    self.end_headers()
                except OSError:  # the sender gave up waiting
                    pass
                finally:
                    with receiver._lock:
                        receiver._held -= 1

            def log_message(self, *args: Any) -> None:
                pass

        self._server_class, self._handler = ThreadingHTTPServer, Handler
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        self._server = self._server_class(("127.0.0.1", self.port), self._handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def release(self) -> None:
        """Answer the requests held now, and every later one, at once."""
        self._released.set()

    def stop(self) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def smtp_server(**options: Any) -> Iterator[tuple[str, list[Any]]]:
    """A real SMTP server (aiosmtpd) on loopback, with aiosmtpd's `Controller` `options`
    (TLS, logging in); yields its URL (`smtp://`) and the messages it got, each with a
    `Received` line naming the client as its `EHLO` did, as a mail server adds one."""
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = message_from_bytes(envelope.content)
            message["Received"] = f"from {session.host_name} by 127.0.0.1"
            received.append(message)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", received
    finally:
        controller.stop()


CLI_RUN = [sys.executable, "-m", "ceasewatch", "run"]


def live_run(db_url: str, interval: float) -> subprocess.Popen[str]:
    """`ceasewatch run` on the database, ticking every `interval` s and catching up however
    far its clock is behind; its stderr piped.

    Its webhooks may reach loopback, where the tests' receivers listen."""
    return subprocess.Popen(
        [*CLI_RUN, "--interval", str(interval), "--catch-up", "any"],
        env={**os.environ, "CEASEWATCH_DB": db_url, "CEASEWATCH_WEBHOOK_ALLOW": "127.0.0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def a_writer_that_stops_midway(path: str, key: bytes) -> Iterator[None]:
    """A writer's socket whose writer takes the first message handed to it and goes, as a
    killed writer process would, before it answers."""
    from multiprocessing.connection import Listener

    listener = Listener(path, family="AF_UNIX", authkey=key)

    def stop_midway() -> None:
        with listener.accept() as connection:
            connection.recv()

    thread = threading.Thread(target=stop_midway)
    thread.start()
    try:
        yield
    finally:
        thread.join()
        listener.close()


@contextmanager
def raw_server(
    answer: Callable[[socket.socket], None],
    listener: socket.socket | None = None,
    speaks_first: bool = False,
) -> Iterator[str]:
    """A server on loopback (or on `listener`) that reads each request's head and then
    `answer`s it byte for byte as it likes (a hostile peer); its base URL. One that
    `speaks_first` (as SMTP's does) answers each connection as soon as it is made."""
    listener = listener or socket.create_server(("127.0.0.1", 0))
    stopping = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                request = b"" if not speaks_first else b"\r\n\r\n"
                while b"\r\n\r\n" not in request:
                    more = conn.recv(65536)
                    if not more:
                        return
                    request += more
                answer(conn)
            except OSError:  # the client hung up: what a hostile peer waits for
                pass

    def accept() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        host, port = listener.getsockname()[:2]
        yield f"http://{host}:{port}"
    finally:
        stopping.set()
        listener.close()


def endless_answer(status: str) -> Callable[[socket.socket], None]:
    """For `raw_server`: an answer with this status (`200 OK`) whose body, of no stated
    length, never ends."""

    def answer(conn: socket.socket) -> None:
        conn.sendall(f"HTTP/1.1 {status}\r\nConnection: close\r\n\r\n".encode())
        while True:
            conn.sendall(b"x" * 65536)

    return answer
