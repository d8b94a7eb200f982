"""The protocol's live events as Server-Sent Events: the API's stream (a bearer token)
and the pages' (a session cookie) are this one."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from ..services.reads import events
from ..services.system import System

POLL_SECONDS = 0.5
RECHECK_SECONDS = 2.0
"""How often an open stream checks that its reader may still read: a revoked token's or
an ended session's stream closes within this and one poll."""
STREAMS_PER_HOLDER = 16
"""Streams one token holder may have open at once in one server process. Each polls the
store twice a second in the server's thread pool, which every request shares: a holder
that opened thousands would slow everyone's requests (and use up the server's files)."""
SEND_SECONDS = 30.0
"""How long an event may wait for its reader to take it: a reader that stops reading
would otherwise hold its stream (and the buffers filled for it) open for good, and be
asked again whether it may still read only once it reads. It reconnects with
`Last-Event-ID` and misses nothing."""


def _after(system: System, seq: int, limit: int) -> list[tuple[int, dict[str, object]]]:
    return [(n, e.to_dict()) for n, e in events.after(system, seq, limit)]


class TooManyStreams(Exception):
    """The holder has `STREAMS_PER_HOLDER` streams open already."""


class OpenStreams:
    """How many streams each holder (a token's name) has open in this process."""

    def __init__(self, most: int = STREAMS_PER_HOLDER) -> None:
        self.most = most
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def open(self, holder: str) -> None:
        with self._lock:
            if self._open[holder] >= self.most:
                raise TooManyStreams(
                    f"{holder} has {self.most} event streams open already: close one first"
                )
            self._open[holder] += 1

    def close(self, holder: str) -> None:
        with self._lock:
            self._open[holder] -= 1
            if self._open[holder] <= 0:
                del self._open[holder]


class _Counted(EventSourceResponse):
    """A stream that counts as its holder's until it ends, however it ends."""

    def __init__(self, content: AsyncIterator[ServerSentEvent], release: Callable[[], None]):
        super().__init__(content, ping=15, send_timeout=SEND_SECONDS)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()


def follow(
    request: Request,
    system: System,
    after: int | None,
    last_event_id: str | None,
    holder: str,
    still_allowed: Callable[[], bool],
) -> EventSourceResponse:
    """The live stream from `after`, or after `Last-Event-ID`, or from now, for `holder`
    (`TooManyStreams` if it has as many open as it may: `OpenStreams`, the app's
    `state.streams`). Every `RECHECK_SECONDS` it asks `still_allowed` whether whoever
    opened it may still read (token not revoked, session not ended), and ends when not:
    a stream lasts no longer than the right to it."""
    start = after if after is not None else _number(last_event_id)
    if start is None:
        start = events.last_number(system)

    async def stream() -> AsyncIterator[ServerSentEvent]:
        seen = start
        checked = time.monotonic()
        while not await request.is_disconnected():
            if time.monotonic() - checked >= RECHECK_SECONDS:
                if not await run_in_threadpool(still_allowed):
                    return
                checked = time.monotonic()
            batch = await run_in_threadpool(_after, system, seen, 500)
            for n, event in batch:
                yield ServerSentEvent(id=str(n), event=str(event["event"]), data=json.dumps(event))
                seen = n
            if not batch:
                await asyncio.sleep(POLL_SECONDS)

    streams: OpenStreams = request.app.state.streams
    streams.open(holder)
    return _Counted(stream(), lambda: streams.close(holder))


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None
