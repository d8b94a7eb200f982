"""Sending one outbox message through a transport: what a receiver is given, signed."""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ceasewatch.services import notify
from ceasewatch.services.notify import DeliveryFailed
from fakes import FakeTransport

AT = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
SECRET = "s3cret"


def message(channel: str, address: str) -> dict[str, Any]:
    return {
        "id": 7,
        "channel": channel,
        "address": address,
        "party": "UA",
        "key": "9f86d081884c7d65",
        "kind": "action_due",
        "event": "case_opened",
        "case_id": "cf-1/RU/1",
        "payload": '{"event":"case_opened","case":"cf-1/RU/1"}',
    }


def test_a_webhook_goes_with_its_body_signed_at_the_sending_time() -> None:
    transport = FakeTransport()
    hook = message("webhook", "https://hooks.example/ua")
    notify.send(transport, hook, {"webhook_secret": SECRET}, "cw@example", AT)

    [(url, body, headers)] = transport.webhooks
    assert (url, body) == ("https://hooks.example/ua", hook["payload"].encode())
    t, v1 = (part.split("=", 1)[1] for part in headers[notify.SIGNATURE].split(","))
    assert int(t) == int(AT.timestamp())
    expected = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert v1 == expected
    assert headers["Idempotency-Key"] == hook["key"]
    assert headers["X-Ceasewatch-Kind"] == "action_due"
    assert headers["Content-Type"] == "application/json"


def test_a_webhook_without_a_secret_to_sign_with_is_not_sent() -> None:
    transport = FakeTransport()
    with pytest.raises(DeliveryFailed, match="UA has no webhook secret"):
        notify.send(transport, message("webhook", "https://hooks.example/ua"), {}, "cw@x", AT)
    assert transport.webhooks == []


def test_an_email_names_the_case_and_event_and_carries_the_payload() -> None:
    transport = FakeTransport()
    mail = message("email", "desk@ua.example")
    notify.send(transport, mail, None, "cw@example", AT)

    [sent] = transport.emails
    assert sent["Subject"] == "[ceasewatch] action due: cf-1/RU/1 (case_opened)"
    assert (sent["From"], sent["To"]) == ("cw@example", "desk@ua.example")
    assert sent["Message-ID"] == f"<{mail['key']}@ceasewatch>"
    assert mail["payload"] in sent.get_content()


def test_a_receiver_that_is_down_fails_the_send_with_why() -> None:
    transport = FakeTransport(refusing={"desk@ua.example"})
    with pytest.raises(DeliveryFailed, match="no such desk"):
        notify.send(transport, message("email", "desk@ua.example"), None, "cw@x", AT)


def test_retries_back_off_doubling_within_their_bounds() -> None:
    rng = random.Random(3)
    waits = [notify.backoff(n, rng) for n in range(1, 14)]
    assert notify.FIRST_RETRY * 0.8 <= waits[0] <= notify.FIRST_RETRY * 1.2
    assert all(w <= notify.LONGEST_WAIT * 1.2 for w in waits)
    assert waits[-1] >= notify.LONGEST_WAIT * 0.8
    assert all(w > timedelta(0) for w in waits)
