"""The live event stream, over a real server: events as they are stored, resumable."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_world import World, build, many_violations, violation
from servers import reading_nothing, serving

from builders import HOUR, T0
from ceasewatch.app import create_app
from ceasewatch.domain.events import iso_z
from ceasewatch.httpkit import stream
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


def test_a_reader_that_stops_reading_has_its_stream_closed_not_held(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Its events wait for it no longer than `SEND_SECONDS`: a stalled reader would
    otherwise hold the stream, and the buffers filled for it, for good (and its right to
    read would be checked again only once it read)."""
    many_violations(world, tmp_path)
    monkeypatch.setattr(stream, "SEND_SECONDS", 1.0)
    token = world.tokens["observer"]
    with (
        serving(create_app(world.system)) as url,
        reading_nothing(url, "/api/v1/events/stream?after=0", token) as reader,
    ):
        time.sleep(4)  # reading nothing, far past SEND_SECONDS
        reader.settimeout(5)
        received, closed, give_up = 0, False, time.monotonic() + 60
        while not closed and time.monotonic() < give_up:  # an open stream pings forever
            chunk = reader.recv(65536)
            received, closed = received + len(chunk), not chunk

    assert closed
    assert received < 20_000 * 200  # cut off long before the end of its events


@contextlib.contextmanager
def open_stream(base: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
    with httpx.stream(
        "GET", f"{base}/api/v1/events/stream", headers=headers, timeout=30
    ) as response:
        yield response


def test_a_token_may_hold_only_so_many_streams_open_at_once(base: str, world: World):
    observer, analyst = world.headers("observer"), world.headers("analyst")
    with contextlib.ExitStack() as held:
        opened = [
            held.enter_context(open_stream(base, observer))
            for _ in range(stream.STREAMS_PER_HOLDER)
        ]
        refused = httpx.get(f"{base}/api/v1/events/stream", headers=observer, timeout=30)
        another_holder = held.enter_context(open_stream(base, analyst))

    assert {r.status_code for r in opened} == {200} and another_holder.status_code == 200
    assert refused.status_code == 429
    assert "has 16 event streams open already: close one first" in refused.json()["error"]
    reopened = 429
    for _ in range(40):  # the server notices within a poll that the streams were closed
        with open_stream(base, observer) as again:
            reopened = again.status_code
        if reopened == 200:
            break
        time.sleep(0.25)
    assert reopened == 200
