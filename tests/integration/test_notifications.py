"""Notifications over real servers: signed webhooks through an outage, e-mail, dead letters,
slow endpoints in their own lanes."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_world import NOW, World, build
from fastapi.testclient import TestClient
from servers import Receiver, live_run, smtp_server
from typer.testing import CliRunner, Result
from web_client import FixedClock

from builders import HOUR, T0
from ceasewatch.api.settings import ApiSettings
from ceasewatch.app import create_app
from ceasewatch.cli import app
from ceasewatch.domain.events import ProtocolEvent
from ceasewatch.domain.notices import Notice
from ceasewatch.domain.parties import Party
from ceasewatch.notify.net import NetTransport
from ceasewatch.services import notify, sender, setup
from ceasewatch.services.clock import WallClock, tick
from ceasewatch.services.system import System
from ceasewatch.services.webhook_targets import WebhookTargets
from ceasewatch.store import outbox, tables
from ceasewatch.store.database import writing_rows

SECRET = "s3cret-for-the-hooks"
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
LOOPBACK = WebhookTargets.parse("127.0.0.0/8")
"""The receivers listen on loopback, which webhooks may reach only when allowed."""


def with_contacts(
    world: World, receiver: Receiver, others: Mapping[str, Receiver] | None = None
) -> None:
    """Every party of the world with a webhook to `receiver` (or its own in `others`) and
    an e-mail address."""
    others = others or {}
    parties = [
        Party(
            code=code,
            name=code,
            roles=roles,
            webhook_url=others.get(code, receiver).url,
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


def receivers_check() -> Callable[[bytes, str, str], bool]:
    """The receiver's check exactly as docs/operations.md shows it."""
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide.split("## Checking a webhook", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    check: Callable[[bytes, str, str], bool] = namespace["authentic"]
    return check


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
        transport = NetTransport(smtp, webhooks=LOOPBACK)
        down = sender.deliver_due(world.system, transport, NOW, rng=random.Random(1))
        receiver.start()
        try:
            later = sender.deliver_due(
                world.system, transport, NOW + timedelta(minutes=5), rng=random.Random(1)
            )
            again = sender.deliver_due(world.system, transport, NOW + timedelta(hours=2))
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


def test_a_webhook_is_signed_with_its_time_over_its_raw_body(world: World, receiver: Receiver):
    receiver.start()
    try:
        sender.deliver_due(world.system, NetTransport(webhooks=LOOPBACK), NOW)
    finally:
        receiver.stop()

    headers, body = receiver.received[0]
    t = int(NOW.timestamp())
    mac = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-Ceasewatch-Signature"] == f"t={t},v1={mac}"
    payload = json.loads(body)
    assert payload["id"] == headers["Idempotency-Key"]
    assert {"at", "event", "case", "violator"} <= payload["event"].keys()


def check_webhook(db_url: str, party: str) -> Result:
    return CliRunner().invoke(
        app,
        ["outbox", "check-webhook", party, "--db", db_url],
        env={"CEASEWATCH_WEBHOOK_ALLOW": "127.0.0.1"},
    )


def test_a_party_checks_its_receiver_with_a_signed_test_message(
    world: World, receiver: Receiver, db_url: str
):
    authentic = receivers_check()
    before = outbox_rows(world.system)
    receiver.start()
    try:
        checked = check_webhook(db_url, "UA")
    finally:
        receiver.stop()

    assert checked.exit_code == 0, checked.output
    assert checked.output == f"UA's receiver at {receiver.url} took a signed test message\n"
    [(headers, body)] = receiver.received
    assert authentic(body, headers["X-Ceasewatch-Signature"], SECRET)
    assert headers["X-Ceasewatch-Kind"] == "test"
    assert json.loads(body)["event"] == "test"
    assert outbox_rows(world.system) == before, "a test is no notification"


@pytest.mark.parametrize(
    ("status", "why"), [(500, "not taken: HTTP 500"), (None, "not taken: ConnectError")]
)
def test_a_receiver_that_does_not_take_the_test_message_is_named_with_why(
    world: World, db_url: str, status: int | None, why: str
):
    receiver = Receiver(status=status or 200)
    if status is not None:
        receiver.start()
    with_contacts(world, receiver)
    try:
        checked = check_webhook(db_url, "UA")
    finally:
        receiver.stop()

    assert checked.exit_code == 1
    assert checked.output.startswith(f"error: {why}")


def test_a_party_without_a_webhook_or_unknown_is_no_receiver_to_check(system: System, db_url: str):
    setup.import_parties(system, [Party(code="UA", name="Ukraine", roles=["side"])])

    assert check_webhook(db_url, "UA").output == "error: not taken: UA has no webhook URL\n"
    assert check_webhook(db_url, "XX").output == "error: no party XX in the directory\n"


def checking(world: World) -> TestClient:
    """The API, its webhooks allowed to loopback."""
    return TestClient(create_app(world.system, settings=ApiSettings(webhooks=LOOPBACK)))


def test_a_partys_decision_maker_checks_its_own_receiver_through_the_api(
    world: World, receiver: Receiver
):
    authentic = receivers_check()
    receiver.start()
    try:
        answer = checking(world).post(
            "/api/v1/parties/UA/webhook-test", headers=world.headers("decision_maker:UA")
        )
    finally:
        receiver.stop()

    assert answer.status_code == 200
    assert answer.json() == {"party": "UA", "url": receiver.url, "taken": True, "error": None}
    [(headers, body)] = receiver.received
    assert authentic(body, headers["X-Ceasewatch-Signature"], SECRET)


def test_a_receiver_that_does_not_take_it_is_said_so_and_another_partys_is_not_checked(
    world: World,
):
    api = checking(world)
    down = api.post("/api/v1/parties/UA/webhook-test", headers=world.headers("decision_maker:UA"))
    theirs = api.post("/api/v1/parties/UA/webhook-test", headers=world.headers("decision_maker:US"))

    assert (down.status_code, down.json()["taken"]) == (200, False)
    assert down.json()["error"].startswith("ConnectError")
    assert theirs.status_code == 403
    assert theirs.json()["error"] == "this token checks US's receiver, not UA's"


def test_one_check_of_a_receiver_at_a_time(world: World):
    """A receiver that holds its answer holds the check: a second one is refused while it
    lasts, so that a party cannot tie up the server's threads with its own receiver."""
    slow = Receiver(delay=30)
    with_contacts(world, slow)
    slow.start()
    api, headers = checking(world), world.headers("decision_maker:UA")
    first: list[int] = []
    held = threading.Thread(
        target=lambda: first.append(
            api.post("/api/v1/parties/UA/webhook-test", headers=headers).status_code
        )
    )
    held.start()
    try:
        deadline = time.monotonic() + 10
        while not slow.received and time.monotonic() < deadline:
            time.sleep(0.02)
        second = api.post("/api/v1/parties/UA/webhook-test", headers=headers)
    finally:
        slow.stop()
        held.join(30)

    assert second.status_code == 429
    assert second.json()["error"] == "a check of UA's receiver is under way: wait for it"
    assert first == [200]


def test_the_receivers_check_in_the_guide_takes_a_delivery_and_refuses_a_replay(
    world: World, receiver: Receiver
):
    authentic = receivers_check()
    receiver.start()
    try:
        sender.deliver_due(world.system, NetTransport(webhooks=LOOPBACK), WallClock().now())
        [first] = [r for r in outbox_rows(world.system) if r["channel"] == "webhook"][:1]
        notify.retry(world.system, first["id"])
        signed_long_ago = WallClock().now() - timedelta(minutes=6)
        sender.deliver_due(world.system, NetTransport(webhooks=LOOPBACK), signed_long_ago)
    finally:
        receiver.stop()

    (headers, body), *_, (old_headers, old_body) = receiver.received
    header = headers["X-Ceasewatch-Signature"]
    assert authentic(body, header, SECRET)
    assert not authentic(body.replace(b'"kind"', b'"kind" '), header, SECRET)
    assert not authentic(body, header, "another-secret")
    assert old_headers["Idempotency-Key"] == first["key"]
    assert not authentic(old_body, old_headers["X-Ceasewatch-Signature"], SECRET)
    for garbled in ("", "sha256=" + header[-64:], header.replace("t=", "t=\u00b2"), "t=,v1="):
        assert not authentic(body, garbled, SECRET)


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
            sender.deliver_due(world.system, NetTransport(webhooks=LOOPBACK), at, max_attempts=3)
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
    sender.deliver_due(world.system, NetTransport(webhooks=LOOPBACK), NOW)
    [first] = [r for r in outbox_rows(world.system) if r["status"] == "pending"][:1]
    with TestClient(create_app(world.system), headers=world.headers("admin")) as client:
        acked = client.post(f"/api/v1/outbox/{first['id']}/ack").json()
    receiver.start()
    try:
        sender.deliver_due(world.system, NetTransport(webhooks=LOOPBACK), NOW + timedelta(hours=1))
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


def test_a_slow_endpoint_delays_only_its_own_messages(system: System, tmp_path: Path):
    slow, fast = Receiver(delay=60), Receiver()
    world = build(system, tmp_path, before_reports=lambda w: with_contacts(w, fast, {"UA": slow}))
    hooks = [r for r in outbox_rows(world.system) if r["channel"] == "webhook"]
    to_others = [r for r in hooks if r["party"] != "UA"]
    results: list[sender.Delivered] = []
    delivering = threading.Thread(
        target=lambda: results.append(
            sender.deliver_due(world.system, NetTransport(webhooks=LOOPBACK), NOW)
        )
    )
    slow.start()
    fast.start()
    try:
        delivering.start()
        deadline = time.monotonic() + 30
        while len(fast.received) < len(to_others) and time.monotonic() < deadline:
            time.sleep(0.05)
        others_sent = len(fast.received)
        slow.release()
        delivering.join(timeout=30)
    finally:
        slow.stop()
        fast.stop()

    assert others_sent == len(to_others), "the others' messages waited for the slow endpoint"
    assert len(hooks) - len(to_others) > sender.PER_ENDPOINT == slow.most_at_once
    assert results[0].sent == len(hooks)


def queue_notices(system: System, url: str, count: int) -> None:
    """`count` messages to the webhook at `url`."""
    event = ProtocolEvent(T0, "action_overdue", "cf-1/RU/1", "RU", {})
    notices = [Notice("UA", f"overdue-{n}", event) for n in range(count)]
    with system.db.begin() as conn:
        outbox.write(
            conn, outbox.rows_for("cf-1", notices, {"UA": {"emails": [], "webhook_url": url}}, T0)
        )


def test_a_full_endpoints_backlog_never_hides_another_endpoints_messages(system: System):
    busy, idle = "http://busy.example/hook", "http://idle.example/hook"
    queue_notices(system, busy, 300)
    queue_notices(system, idle, 1)
    with writing_rows(system.db) as conn:
        claimed = outbox.claim(conn, NOW, NOW + notify.CLAIM, 2, per_endpoint=4, busy={busy: 4})
        more = outbox.claim(conn, NOW, NOW + notify.CLAIM, 10, per_endpoint=4, busy={busy: 3})

    assert [m["address"] for m in claimed] == [idle]
    assert [m["address"] for m in more] == [busy]


def test_two_senders_never_send_one_message_at_once(world: World, receiver: Receiver):
    receiver.delay = 0.2
    results: list[sender.Delivered] = []

    def send() -> None:
        results.append(sender.deliver_due(world.system, NetTransport(webhooks=LOOPBACK), NOW))

    receiver.start()
    try:
        senders = [threading.Thread(target=send) for _ in range(2)]
        for thread in senders:
            thread.start()
        for thread in senders:
            thread.join()
    finally:
        receiver.stop()

    hooks = [r for r in outbox_rows(world.system) if r["channel"] == "webhook"]
    keys = Counter(headers["Idempotency-Key"] for headers, _ in receiver.received)
    assert set(keys) == {r["key"] for r in hooks} and set(keys.values()) == {1}
    assert sum(r.sent for r in results) == len(hooks)


def test_a_send_that_runs_long_keeps_its_claim(world: World, receiver: Receiver):
    receiver.delay = 60
    clock = FixedClock(NOW)
    sending = sender.Sender(world.system, NetTransport(webhooks=LOOPBACK), clock, per_endpoint=1)
    receiver.start()
    try:
        sending.start(poll=0.05)
        wait_for(lambda: len(receiver.received) == 1)
        key = receiver.received[0][0]["Idempotency-Key"]
        clock.at = NOW + notify.CLAIM * 0.75
        wait_for(lambda: claim_of(world.system, key) > NOW + notify.CLAIM)
        with writing_rows(world.system.db) as conn:
            taken = outbox.claim(conn, NOW + notify.CLAIM * 1.5, NOW + notify.CLAIM * 2, 1000)
    finally:
        receiver.release()
        sending.stop(grace=5)
        receiver.stop()

    assert key not in {m["key"] for m in taken}
    assert [r["status"] for r in outbox_rows(world.system) if r["key"] == key] == ["sent"]


def wait_for(condition: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)


def claim_of(system: System, key: str) -> Any:
    return next(r["claimed_until"] for r in outbox_rows(system) if r["key"] == key)


def test_live_mode_sends_the_parties_their_notifications(world: World, receiver: Receiver):
    receiver.start()
    live = live_run(world.system.db.url.render_as_string(False), interval=0.1)
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
