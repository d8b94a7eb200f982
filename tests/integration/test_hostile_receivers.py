"""A party's webhook receiver is not ours: whatever it answers, and however slowly, a
delivery takes a bounded time and memory, and ends with a status or a failure."""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path

import pytest
from api_world import NOW, World, build
from servers import Receiver, endless_answer, raw_server
from test_notifications import LOOPBACK, queue_notices, with_contacts

from ceasewatch.notify.net import NetTransport
from ceasewatch.services.delivery import WHOLE_EXCHANGE
from ceasewatch.services.notify import DeliveryFailed
from ceasewatch.services.sender import deliver_due
from ceasewatch.services.system import System
from ceasewatch.services.webhook_targets import Address, WebhookTargets

TIMEOUT = 0.5
"""The send timeout these tests give: each part of an answer within it."""


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    """The API's world, every party with a webhook secret (to a receiver never started)."""
    return build(system, tmp_path, before_reports=lambda w: with_contacts(w, Receiver()))


endless_body = endless_answer("200 OK")
refusal_with_endless_body = endless_answer("500 Internal Server Error")


def trickled_head(conn: socket.socket) -> None:
    """A status line and headers that never end, a byte well within each timeout."""
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    while True:
        conn.sendall(b"X")
        time.sleep(TIMEOUT / 5)


def delivered(url: str) -> str | None:
    """Deliver one webhook in a thread: None once it was taken, or why it failed."""
    url += "/hook"
    transport = NetTransport(timeout=TIMEOUT, webhooks=LOOPBACK)
    outcome: list[str | None] = []

    def post() -> None:
        try:
            transport.webhook(url, b'{"event": "phase_recommended"}', {"X-Test": "1"})
            outcome.append(None)
        except DeliveryFailed as exc:
            outcome.append(str(exc))

    sending = threading.Thread(target=post, daemon=True)
    sending.start()
    sending.join(60)  # far past any deadline: a delivery still going here never ends
    transport.close()
    assert outcome, "the delivery never ended"
    return outcome[0]


def test_an_answer_whose_body_never_ends_is_taken_by_its_status_body_unread():
    with raw_server(endless_body) as url:
        assert delivered(url) is None


def test_a_refusal_whose_body_never_ends_is_a_failure_by_its_status():
    with raw_server(refusal_with_endless_body) as url:
        assert delivered(url) == "HTTP 500"


def test_an_answer_trickled_a_byte_at_a_time_is_cut_off_at_the_whole_exchanges_deadline():
    """Each byte comes well within the timeout, so only a deadline on the whole exchange
    ends it: otherwise the receiver would hold a sender's lane for as long as it liked."""
    with raw_server(trickled_head) as url:
        failure = delivered(url)

    assert failure == f"no whole answer within {WHOLE_EXCHANGE * TIMEOUT:g} s"


@pytest.mark.parametrize("answer", [endless_body, trickled_head])
def test_a_hostile_receiver_leaves_the_next_delivery_to_a_good_one_untouched(
    answer: Callable[[socket.socket], None],
):
    def good(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")

    with raw_server(answer) as bad_url, raw_server(good) as good_url:
        delivered(bad_url)
        assert delivered(good_url) is None


def test_an_endpoint_that_answered_too_slowly_gets_one_lane_until_it_answers_in_time(
    world: World,
):
    """Its first sends go four at once (`PER_ENDPOINT`) and trickle until they are cut
    off; then one goes alone, so that a few such receivers cannot hold every lane; that
    one is answered in time, and the last three go at once again."""
    spans: list[list[float]] = []
    """When each connection opened and closed, in the receiver's clock."""
    lock = threading.Lock()

    def slow_then_in_time(conn: socket.socket) -> None:
        span = [time.monotonic(), float("inf")]
        with lock:
            spans.append(span)
            trickling = len(spans) <= 4
        if trickling:  # noticing at once when the sender hangs up
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            while not (select.select([conn], [], [], TIMEOUT / 5)[0] and not conn.recv(1)):
                conn.sendall(b"X")
        else:
            time.sleep(TIMEOUT / 2)
            conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
        span[1] = time.monotonic()

    with raw_server(slow_then_in_time) as base:
        queue_notices(world.system, f"{base}/hook", 8)
        transport = NetTransport(timeout=TIMEOUT, webhooks=LOOPBACK)
        delivered = deliver_due(world.system, transport, NOW)

    first, alone, last = spans[:4], spans[4], spans[5:]
    assert delivered.sent == 4 and len(last) == 3
    assert max(start for start, _ in first) < min(end for _, end in first)  # four at once
    assert max(end for _, end in first) <= alone[0] and alone[1] <= min(s for s, _ in last)
    assert max(start for start, _ in last) < min(end for _, end in last)  # three at once


@dataclass(frozen=True)
class TwoAddresses(WebhookTargets):
    """A host name that resolves to these loopback addresses, the first unreachable, as a
    host's IPv6 address is where IPv6 is not routed (this machine's resolver gives a
    loopback name one address, so the resolving is stood in for here)."""

    listed: tuple[Address, ...] = ()

    def addresses(self, url: str) -> list[Address]:
        return list(self.listed)


def test_an_address_that_lets_the_connection_time_out_passes_to_the_next():
    full = socket.create_server(("127.0.0.1", 0), backlog=0)  # takes one, then drops SYNs
    port = full.getsockname()[1]
    waiting = socket.create_connection(("127.0.0.1", port))
    taken: list[socket.socket] = []

    def good(conn: socket.socket) -> None:
        taken.append(conn)
        conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")

    second = socket.create_server(("127.0.0.2", port))
    with full, waiting, raw_server(good, listener=second):
        transport = NetTransport(
            timeout=TIMEOUT,
            webhooks=TwoAddresses(listed=(ip_address("127.0.0.1"), ip_address("127.0.0.2"))),
        )
        transport.webhook(f"http://hooks.example:{port}/hook", b"{}", {})

    assert len(taken) == 1
