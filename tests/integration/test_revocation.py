"""Revocation bites at once: an open event stream of a revoked token, or of a session signed
out, closes within 5 s; a signed-out session's cookie is refused by the server."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from api_world import NOW, World, build
from servers import serving
from web_client import SETTINGS, FixedClock, client, csrf_of, sign_in

from builders import HOUR, T0
from ceasewatch.app import create_app
from ceasewatch.httpkit import stream
from ceasewatch.services import tokens
from ceasewatch.services.system import System
from ceasewatch.web.sessions import COOKIE

CLOCK = FixedClock(T0 + 74 * HOUR)
PROMPTLY = 5.0
"""Seconds within which an open stream must close."""


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


@pytest.fixture
def base(world: World) -> Iterator[str]:
    with serving(create_app(world.system, clock=CLOCK, web=SETTINGS)) as url:
        yield url


def seconds_until_closed(response: httpx.Response) -> float:
    """How long the open stream runs on before the server ends it (a read timeout, the
    test's failure, if it never does)."""
    began = time.monotonic()
    for _ in response.iter_bytes():
        pass
    return time.monotonic() - began


@contextmanager
def signed_in_browser(base: str, token: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=httpx.Timeout(10, read=PROMPTLY + 5)) as browser:
        page = browser.get("/login")
        browser.post("/login", data={"token": token, "csrf": csrf_of(page.text)})
        yield browser


def test_the_api_stream_of_a_revoked_token_closes_within_5_s(base: str, world: World):
    timeout = httpx.Timeout(10, read=PROMPTLY + 5)
    headers = world.headers("observer")
    with httpx.stream("GET", f"{base}/api/v1/events/stream", headers=headers, timeout=timeout) as r:
        assert r.status_code == 200
        tokens.revoke(world.system, "observer", NOW)

        assert seconds_until_closed(r) < PROMPTLY


def test_the_api_stream_of_a_live_token_stays_open(base: str, world: World):
    timeout = httpx.Timeout(10, read=PROMPTLY)
    headers = world.headers("observer")
    with httpx.stream("GET", f"{base}/api/v1/events/stream", headers=headers, timeout=timeout) as r:
        tokens.revoke(world.system, "analyst", NOW)  # someone else's

        with pytest.raises(httpx.ReadTimeout):
            seconds_until_closed(r)


def test_the_pages_stream_of_a_revoked_token_closes_within_5_s(base: str, world: World):
    with (
        signed_in_browser(base, world.tokens["observer"]) as browser,
        browser.stream("GET", "/stream") as stream,
    ):
        assert stream.status_code == 200
        tokens.revoke(world.system, "observer", NOW)

        assert seconds_until_closed(stream) < PROMPTLY


def test_signing_out_closes_the_sessions_open_stream_within_5_s(base: str, world: World):
    with (
        signed_in_browser(base, world.tokens["observer"]) as browser,
        browser.stream("GET", "/stream") as stream,
    ):
        assert stream.status_code == 200
        csrf = csrf_of(browser.get("/cases").text)
        assert browser.post("/logout", data={"csrf": csrf}).status_code == 303

        assert seconds_until_closed(stream) < PROMPTLY


def test_a_signed_out_sessions_cookie_is_refused(world: World):
    http = client(world, CLOCK)
    csrf = sign_in(http, world.tokens["observer"])
    kept = http.cookies[COOKIE]

    http.post("/logout", data={"csrf": csrf})
    http.cookies.set(COOKIE, kept)

    assert http.get("/cases").status_code == 303
    assert http.get("/stream").status_code == 303


def test_signing_out_ends_that_session_only(world: World):
    here, there = client(world, CLOCK), client(world, CLOCK)
    csrf = sign_in(here, world.tokens["observer"])
    sign_in(there, world.tokens["observer"])

    here.post("/logout", data={"csrf": csrf})

    assert there.get("/cases").status_code == 200
    assert here.get("/cases").status_code == 303
    sign_in(here, world.tokens["observer"])
    assert here.get("/cases").status_code == 200


def test_a_holder_may_keep_only_so_many_of_the_pages_streams_open(base: str, world: World):
    with (
        signed_in_browser(base, world.tokens["observer"]) as browser,
        contextlib.ExitStack() as held,
    ):
        opened = [
            held.enter_context(browser.stream("GET", "/stream"))
            for _ in range(stream.STREAMS_PER_HOLDER)
        ]
        refused = browser.get("/stream")

    assert {r.status_code for r in opened} == {200}
    assert refused.status_code == 429 and "close one first" in refused.text
