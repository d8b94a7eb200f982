"""Notifications over real servers: signed webhooks through an outage, e-mail, dead letters."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_world import NOW, World, build
from fastapi.testclient import TestClient
from servers import Receiver, smtp_server

from builders import HOUR, T0
from ceasewatch.api.app import create_app
from ceasewatch.bootstrap import System
from ceasewatch.domain.parties import Party
from ceasewatch.services import notify, setup
from ceasewatch.services.clock import tick
from ceasewatch.services.webhook_targets import ENV_VAR, WebhookTargets
from ceasewatch.store import tables

SECRET = "s3cret-for-the-hooks"
LOOPBACK = WebhookTargets.parse("127.0.0.0/8")
"""The receivers listen on loopback, which webhooks may reach only when allowed."""


def with_contacts(world: World, receiver: Receiver) -> None:
    """Every party of the world with a webhook to `receiver` and an e-mail address."""
    parties = [
        Party(
            code=code,
            name=code,
            roles=roles,
            webhook_url=receiver.url,
            webhook_secret=SECRET,
            emails=[f"desk@{code.lower()}.example"],
        )
        for code, roles in (
            ("US", ["guarantor"]),
            ("GB", ["coalition_lead", "coalition_member"]),
            ("UA", ["side"]),
            ("RU", ["side"]),
            ("CELL", ["coordination_cell"]),
        )
    ]
    setup.import_parties(world.system, parties, LOOPBACK)


def outbox_rows(system: System) -> list[dict]:  # type: ignore[type-arg]
    with system.db.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(tables.outbox)).mappings()]


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def world(system: System, tmp_path: Path, receiver: Receiver) -> World:
    world = build(system, tmp_path, before_reports=lambda w: with_contacts(w, receiver))
    return world


def test_every_notification_arrives_once_after_the_receiver_comes_back(
    world: World, receiver: Receiver
):
    rows = outbox_rows(world.system)
    hooks = [r for r in rows if r["channel"] == "webhook"]
    assert {r["kind"] for r in hooks} >= {"warning", "action_due", "overdue", "decision_needed"}
    with smtp_server() as (smtp, mail):
        transport = notify.NetTransport(smtp, webhooks=LOOPBACK)
        down = notify.deliver_due(world.system, transport, NOW, rng=random.Random(1))
        receiver.start()
        try:
            later = notify.deliver_due(
                world.system, transport, NOW + timedelta(minutes=5), rng=random.Random(1)
            )
            again = notify.deliver_due(world.system, transport, NOW + timedelta(hours=2))
        finally:
            receiver.stop()

    assert (down.sent, down.retrying) == (len(rows) - len(hooks), len(hooks))
    assert (later.sent, later.retrying, again.sent) == (len(hooks), 0, 0)
    keys = Counter(headers["Idempotency-Key"] for headers, _ in receiver.received)
    assert set(keys) == {r["key"] for r in hooks} and set(keys.values()) == {1}
    assert len(mail) == len(rows) - len(hooks)
    assert {m["Message-ID"] for m in mail} == {
        f"<{r['key']}@ceasewatch>" for r in rows if r["channel"] == "email"
    }


def test_a_webhook_is_signed_over_its_raw_body(world: World, receiver: Receiver):
    receiver.start()
    try:
        notify.deliver_due(world.system, notify.NetTransport(webhooks=LOOPBACK), NOW)
    finally:
        receiver.stop()

    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Ceasewatch-Signature"] == expected
    payload = json.loads(body)
    assert payload["id"] == headers["Idempotency-Key"]
    assert {"at", "event", "case", "violator"} <= payload["event"].keys()


def test_the_violator_is_warned_and_the_defender_called_to_act(world: World):
    rows = [r for r in outbox_rows(world.system) if r["channel"] == "webhook"]

    opened = {(r["party"], r["kind"]) for r in rows if r["event"] == "case_opened"}
    assert {("RU", "warning"), ("UA", "action_due"), ("GB", "action_due")} <= opened
    overdue = {r["party"] for r in rows if r["kind"] == "overdue"}
    assert {"UA", "CELL"} <= overdue and "RU" not in overdue


def test_a_receiver_that_keeps_failing_ends_in_the_dead_letters(world: World, receiver: Receiver):
    receiver.status = 500
    receiver.start()
    try:
        at = NOW
        for _ in range(3):
            notify.deliver_due(
                world.system, notify.NetTransport(webhooks=LOOPBACK), at, max_attempts=3
            )
            at += timedelta(hours=2)
    finally:
        receiver.stop()

    dead = [r for r in outbox_rows(world.system) if r["status"] == "dead"]
    hooks = [r for r in dead if r["channel"] == "webhook"]
    assert hooks and all(r["last_error"] == "HTTP 500" and r["attempts"] == 3 for r in hooks)
    assert {r["last_error"] for r in dead if r["channel"] == "email"} == {
        "no SMTP server: set CEASEWATCH_SMTP (smtp://host:port)"
    }
    with TestClient(create_app(world.system), headers=world.headers("observer")) as client:
        listed = client.get("/api/v1/outbox?status=dead").json()
    assert listed["counts"]["dead"] == len(dead)


def test_an_acknowledged_message_is_not_retried(world: World, receiver: Receiver):
    notify.deliver_due(world.system, notify.NetTransport(webhooks=LOOPBACK), NOW)
    [first] = [r for r in outbox_rows(world.system) if r["status"] == "pending"][:1]
    with TestClient(create_app(world.system), headers=world.headers("admin")) as client:
        acked = client.post(f"/api/v1/outbox/{first['id']}/ack").json()
    receiver.start()
    try:
        notify.deliver_due(
            world.system, notify.NetTransport(webhooks=LOOPBACK), NOW + timedelta(hours=1)
        )
    finally:
        receiver.stop()

    assert acked["status"] == "acknowledged"
    keys = {headers["Idempotency-Key"] for headers, _ in receiver.received}
    assert first["key"] not in keys


def test_acknowledging_an_overdue_alert_never_stops_the_deadline(world: World):
    overdue = [
        r for r in outbox_rows(world.system) if r["kind"] == "overdue" and r["party"] == "UA"
    ]
    notify.acknowledge(world.system, overdue[0]["id"], "ua-desk", NOW)

    tick(world.system, T0 + 90 * HOUR)

    again = [
        r
        for r in outbox_rows(world.system)
        if r["party"] == "UA" and r["event"] == "action_still_overdue"
    ]
    assert again and all(r["status"] == "pending" for r in again)


def test_live_mode_sends_the_parties_their_notifications(world: World, receiver: Receiver):
    receiver.start()
    env = {
        **os.environ,
        "CEASEWATCH_DB": world.system.db.url.render_as_string(False),
        ENV_VAR: "127.0.0.1",
    }
    live = subprocess.Popen(
        [sys.executable, "-m", "ceasewatch", "run", "--interval", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(
            r["status"] == "sent" for r in outbox_rows(world.system) if r["channel"] == "webhook"
        ):
            time.sleep(0.2)
    finally:
        live.send_signal(signal.SIGTERM)
        _, errors = live.communicate(timeout=30)
        receiver.stop()

    hooks = [r for r in outbox_rows(world.system) if r["channel"] == "webhook"]
    assert hooks and all(r["status"] == "sent" for r in hooks), errors
    received = Counter(headers["Idempotency-Key"] for headers, _ in receiver.received)
    assert set(received) == {r["key"] for r in hooks} and set(received.values()) == {1}
