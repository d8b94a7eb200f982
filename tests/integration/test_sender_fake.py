"""The sending service over a fake transport: every message once, retries, dead letters.

The same outbox as `test_notifications.py`'s, sent without a network: what the service
decides (claims, outcomes, backoff) is checked apart from the transports' own tests.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from api_world import NOW, World, build
from servers import Receiver
from test_notifications import outbox_rows, with_contacts

from ceasewatch.services import sender
from ceasewatch.services.system import System
from ceasewatch.store import outbox
from fakes import FakeTransport


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path, before_reports=lambda w: with_contacts(w, Receiver()))


def test_every_due_message_is_handed_to_the_transport_once(world: World) -> None:
    rows = outbox_rows(world.system)
    transport = FakeTransport()

    first = sender.deliver_due(world.system, transport, NOW, rng=random.Random(1))
    again = sender.deliver_due(world.system, transport, NOW + timedelta(hours=2))

    hooks = [r for r in rows if r["channel"] == outbox.WEBHOOK]
    assert (first.sent, first.retrying, first.dead, again.sent) == (len(rows), 0, 0, 0)
    assert sorted(h["Idempotency-Key"] for _, _, h in transport.webhooks) == sorted(
        r["key"] for r in hooks
    )
    assert len(transport.emails) == len(rows) - len(hooks)
    assert {r["status"] for r in outbox_rows(world.system)} == {outbox.SENT}


def test_a_receiver_that_stays_down_gets_retries_then_a_dead_letter(world: World) -> None:
    rows = outbox_rows(world.system)
    down = next(r["address"] for r in rows if r["channel"] == outbox.WEBHOOK)
    to_down = [r for r in rows if r["address"] == down]
    transport = FakeTransport(refusing={down})

    at, outcomes = NOW, []
    for _ in range(3):
        outcomes.append(
            sender.deliver_due(world.system, transport, at, max_attempts=3, rng=random.Random(1))
        )
        at += timedelta(hours=2)

    assert [(o.retrying, o.dead) for o in outcomes] == [
        (len(to_down), 0),
        (len(to_down), 0),
        (0, len(to_down)),
    ]
    assert outcomes[0].sent == len(rows) - len(to_down)
    assert all("HTTP 503" in e for o in outcomes for e in o.errors)
    stored = {r["id"]: r for r in outbox_rows(world.system)}
    assert {stored[r["id"]]["status"] for r in to_down} == {outbox.DEAD}
    assert {stored[r["id"]]["attempts"] for r in to_down} == {3}
