"""The live event stream, over a real server: events as they are stored, resumable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_world import World, build, violation
from servers import serving

from builders import HOUR, T0
from ceasewatch.app import create_app
from ceasewatch.domain.events import iso_z
from ceasewatch.services.system import System
from ceasewatch.store import queries
from ceasewatch.store.database import reading


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


@pytest.fixture
def base(world: World) -> Iterator[str]:
    with serving(create_app(world.system)) as url:
        yield url


def read_events(response: httpx.Response, count: int) -> list[dict[str, Any]]:
    """The first `count` events of an SSE response: each with its id, kind and data."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for line in response.iter_lines():
        if not line:
            if "data" in current:
                events.append(current)
                if len(events) == count:
                    return events
            current = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            current[name] = value.strip()
    return events


def test_the_stream_sends_events_as_they_are_stored(base: str, world: World):
    with reading(world.system.db) as conn:
        last = queries.last_event_seq(conn)
    headers = world.headers("observer")
    with httpx.stream(
        "GET", f"{base}/api/v1/events/stream", headers=headers, timeout=30
    ) as response:
        assert response.status_code == 200
        httpx.post(
            f"{base}/api/v1/reports",
            json=violation(20, 74, reported_at=iso_z(T0 + 74 * HOUR)),
            headers=world.headers("reporter:omm"),
        ).raise_for_status()
        [event] = read_events(response, 1)

    assert int(event["id"]) == last + 1
    assert event["event"] == "violation_added"
    assert json.loads(event["data"])["case"] == "cf-1/RU/1"


def test_a_client_that_reconnects_with_last_event_id_misses_nothing(base: str, world: World):
    headers = {**world.headers("observer"), "Last-Event-ID": "2"}
    with httpx.stream(
        "GET", f"{base}/api/v1/events/stream", headers=headers, timeout=30
    ) as response:
        events = read_events(response, 3)

    assert [int(e["id"]) for e in events] == [3, 4, 5]
    with reading(world.system.db) as conn:
        stored = [e.to_dict() for _, e in queries.events_after(conn, 2, 3)]
    assert [json.loads(e["data"]) for e in events] == stored
