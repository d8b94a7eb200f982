"""`replay --json` writes each event's line itself: the bytes `json.dumps` would write."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ceasewatch.cli.replay import details_encoder, event_line
from ceasewatch.domain.events import ProtocolEvent

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "event",
    [
        ProtocolEvent(AT, "case_opened", "cf/RU/1", "RU", {"phase": 1, "incident": "inc-1"}),
        ProtocolEvent(AT.replace(microsecond=5), "case_closed", "cf/RU/1", "RU", {}),
        ProtocolEvent(
            AT,
            "defensive_response",
            "cf/RU/1",
            "RU",
            {"breach": "inc-2", "distance_km": 3.0, "note": None, "ok": True},
        ),
        ProtocolEvent(AT, "action_overdue", "cf/«Ю»/1", 'Ю"\\\n', {"owners": ["коаліція", "US"]}),
        ProtocolEvent(AT, "odd", "cf/RU/1", "RU", {"at": "shadowed", "x": 1}),
        ProtocolEvent(AT, "odd", "c", "RU", {"n": {"a": [1, 2.5, float("inf")], "b": {}}}),
        ProtocolEvent(AT.astimezone(timezone(timedelta(hours=3))), "odd", "c", "RU", {}),
        ProtocolEvent(datetime(2026, 3, 2, 10, 0), "naive", "c", "RU", {"n": 10**20}),
    ],
)
def test_an_event_line_is_what_json_dumps_writes(event: ProtocolEvent):
    assert event_line()(event) == json.dumps(event.to_dict(), ensure_ascii=False) + "\n"


def test_without_the_c_encoder_the_details_are_the_same(monkeypatch):
    details = {"owners": ["коаліція", "US"], "distance_km": 0.1, "n": None}
    fast = details_encoder()(details)
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    assert details_encoder()(details) == fast == json.dumps(details, ensure_ascii=False)
