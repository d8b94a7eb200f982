"""`/api/v1/events`: the protocol's events as a page, or as a live Server-Sent Events stream."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from ...services.system import System
from ...services import tokens
from ...services.tokens import Principal
from ...store import queries
from ...store.database import reading
from ..auth import EVERYONE, allow, bearer, system_of
from ..schemas import EventOut

router = APIRouter(prefix="/events", tags=["events"])
Reader = Annotated[Principal, Depends(allow(*EVERYONE))]
POLL_SECONDS = 0.5
RECHECK_SECONDS = 2.0
"""How often an open stream checks that its reader may still read: a revoked token's or
an ended session's stream closes within this and one poll."""


def _after(system: System, seq: int, limit: int) -> list[tuple[int, dict[str, object]]]:
    with reading(system.db) as conn:
        return [(n, e.to_dict()) for n, e in queries.events_after(conn, seq, limit)]


@router.get("", response_model=list[EventOut])
def page(
    request: Request,
    _who: Reader,
    after: Annotated[
        int, Query(ge=0, le=2**62, description="Events stored after this number.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[EventOut]:
    """Events in the order they were stored, each with `id` (its number) for paging."""
    return [EventOut(**event, id=n) for n, event in _after(system_of(request), after, limit)]


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}},
)
async def stream(
    request: Request,
    _who: Reader,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    last_event_id: Annotated[
        str | None, Header(description="Resume after this event (as browsers send it).")
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, le=2**62, description="Start after this event.")
    ] = None,
) -> EventSourceResponse:
    """Protocol events as they are stored: `id` is the event's number, `event` its kind,
    `data` the replay contract's JSON. Reconnecting with `Last-Event-ID` resumes. The
    stream ends within seconds of its token being revoked."""
    system = system_of(request)
    assert credentials is not None  # `_who` has checked it
    token, clock = credentials.credentials, request.app.state.clock
    return follow(
        request,
        system,
        after,
        last_event_id,
        lambda: tokens.authenticate(system, token, clock.now()) is not None,
    )


def follow(
    request: Request,
    system: System,
    after: int | None,
    last_event_id: str | None,
    still_allowed: Callable[[], bool],
) -> EventSourceResponse:
    """The live stream from `after`, or after `Last-Event-ID`, or from now (the API's and
    the web pages' streams are this one). Every `RECHECK_SECONDS` it asks `still_allowed`
    whether whoever opened it may still read (token not revoked, session not ended), and
    ends when not: a stream lasts no longer than the right to it."""
    start = after if after is not None else _number(last_event_id)
    if start is None:
        with reading(system.db) as conn:
            start = queries.last_event_seq(conn)

    async def events() -> AsyncIterator[ServerSentEvent]:
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

    return EventSourceResponse(events(), ping=15)


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None
