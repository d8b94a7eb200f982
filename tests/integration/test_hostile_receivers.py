"""A party's webhook receiver is not ours: whatever it answers, and however slowly, a
delivery takes a bounded time and memory, and ends with a status or a failure."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

import pytest
from servers import endless_answer, raw_server
from test_notifications import LOOPBACK

from ceasewatch.notify.net import NetTransport
from ceasewatch.services.delivery import WHOLE_EXCHANGE
from ceasewatch.services.notify import DeliveryFailed

TIMEOUT = 0.5
"""The send timeout these tests give: each part of an answer within it."""


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
