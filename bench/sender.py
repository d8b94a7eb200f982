"""Notifications beside hostile receivers: how long the good parties' messages take to go
out when some parties' receivers hold every send as long as they may.

    python bench/sender.py --good 8 --per-good 50 --hostile 0,4,8 --send-timeout 1

A SQLite store whose directory gives `--good` parties a webhook on a loopback receiver
that answers at once, and each of `--hostile` others one that sends its status line a
byte at a time and never ends it. Each hostile party has 20 messages queued, each good
one `--per-good`, the hostile ones first (oldest first is the order they are claimed
in). One `deliver_due` sends everything due once, as `ceasewatch run`'s sender does
(32 lanes, 4 to one endpoint); the figure is the wall time until every good message
was received, against the same with no hostile receiver. `--give-up` bounds a run whose
good messages never all arrive (the code before the whole-exchange deadline).
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ceasewatch.domain.events import ProtocolEvent
from ceasewatch.domain.notices import Notice
from ceasewatch.domain.parties import Party
from ceasewatch.notify.net import NetTransport
from ceasewatch.services import setup
from ceasewatch.services.sender import deliver_due
from ceasewatch.services.setup import init
from ceasewatch.services.system import System, open_system
from ceasewatch.services.webhook_targets import WebhookTargets
from ceasewatch.store import outbox

NOW = datetime(2026, 3, 1, tzinfo=UTC)
LOOPBACK = WebhookTargets.parse("127.0.0.0/8")
HOSTILE_MESSAGES = 20


class Good:
    """A receiver that answers 204 at once and counts what it took."""

    def __init__(self) -> None:
        self.taken = 0
        lock = threading.Lock()
        good = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(204)
                self.end_headers()
                with lock:
                    good.taken += 1

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def hostile() -> str:
    """A receiver that trickles its status line a byte at a time, forever: its URL."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while True:
                    conn.sendall(b"X")
                    time.sleep(0.1)
            except OSError:
                pass

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/hook"


def store(folder: Path, urls: dict[str, str], messages: dict[str, int]) -> System:
    url = f"sqlite:///{folder / 'cw.db'}"
    init(url)
    system = open_system(url)
    parties = [
        Party(
            code=code,
            name=code,
            roles=["coalition_member"],
            webhook_url=hook,
            webhook_secret="bench-secret-of-16-chars",
        )
        for code, hook in urls.items()
    ]
    setup.import_parties(system, parties, LOOPBACK)
    event = ProtocolEvent(NOW, "action_overdue", "cf-1/RU/1", "RU", {})
    rows = []
    for code, count in messages.items():
        notices = [Notice(code, f"overdue-{n}", event) for n in range(count)]
        contact = {code: {"emails": [], "webhook_url": urls[code]}}
        rows += outbox.rows_for("cf-1", notices, contact, NOW)
    with system.db.begin() as conn:
        outbox.write(conn, rows)
    return system


def run(good: int, per_good: int, hostiles: int, timeout: float, give_up: float) -> float | None:
    """Seconds until every good message arrived; None if they had not by `give_up`."""
    receivers = [Good() for _ in range(good)]
    urls = {f"H{n}": hostile() for n in range(hostiles)}
    urls.update({f"G{n}": r.url for n, r in enumerate(receivers)})
    messages = {code: HOSTILE_MESSAGES if code.startswith("H") else per_good for code in urls}
    with tempfile.TemporaryDirectory(prefix="ceasewatch-bench-") as folder:
        system = store(Path(folder), urls, messages)
        transport = NetTransport(timeout=timeout, webhooks=LOOPBACK)
        began = time.monotonic()
        threading.Thread(target=deliver_due, args=(system, transport, NOW), daemon=True).start()
        while sum(r.taken for r in receivers) < good * per_good:
            if time.monotonic() - began > give_up:
                return None
            time.sleep(0.01)
        return time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--good", type=int, default=8)
    parser.add_argument("--per-good", type=int, default=50)
    parser.add_argument("--hostile", default="0,4,8", help="hostile receivers, comma-separated")
    parser.add_argument("--send-timeout", type=float, default=1.0)
    parser.add_argument("--give-up", type=float, default=120.0)
    args = parser.parse_args()
    print(
        f"{args.good} good receivers x {args.per_good} messages; send timeout "
        f"{args.send_timeout:g} s; each hostile receiver {HOSTILE_MESSAGES} messages"
    )
    print(" hostile | good messages all in | good messages/s")
    print("---------+----------------------+----------------")
    for hostiles in (int(n) for n in args.hostile.split(",")):
        seconds = run(args.good, args.per_good, hostiles, args.send_timeout, args.give_up)
        total = args.good * args.per_good
        shown = "never" if seconds is None else f"{seconds:.2f} s"
        rate = "0" if seconds is None else f"{total / seconds:,.0f}"
        print(f" {hostiles:>7} | {shown:>20} | {rate:>15}")


if __name__ == "__main__":
    main()
