"""The protocol's live events as Server-Sent Events: the API's stream (a bearer token)
and the pages' (a session cookie) are this one."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..services.reads import events
from ..services.system import System

POLL_SECONDS = 0.5
RECHECK_SECONDS = 2.0
"""How often an open stream checks that its reader may still read: a revoked token's or
an ended session's stream closes within this and one poll."""
SEND_SECONDS = 30.0
"""How long an event may wait for its reader to take it: a reader that stops reading
would otherwise hold its stream (and the buffers filled for it) open for good, and be
asked again whether it may still read only once it reads. It reconnects with
`Last-Event-ID` and misses nothing."""


def _after(system: System, seq: int, limit: int) -> list[tuple[int, dict[str, object]]]:
    return [(n, e.to_dict()) for n, e in events.after(system, seq, limit)]


def follow(
    request: Request,
    system: System,
    after: int | None,
    last_event_id: str | None,
    still_allowed: Callable[[], bool],
) -> EventSourceResponse:
    """The live stream from `after`, or after `Last-Event-ID`, or from now. Every
    `RECHECK_SECONDS` it asks `still_allowed` whether whoever opened it may still read
    (token not revoked, session not ended), and ends when not: a stream lasts no longer
    than the right to it."""
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

    return EventSourceResponse(stream(), ping=15, send_timeout=SEND_SECONDS)


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None
