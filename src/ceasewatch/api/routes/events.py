"""`/api/v1/events`: the protocol's events as a page, or as a live Server-Sent Events stream."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from sse_starlette import EventSourceResponse

from ...httpkit.errors import ApiError, ErrorBody
from ...httpkit.stream import STREAMS_PER_HOLDER, TooManyStreams, follow
from ...services import tokens
from ...services.reads import events
from ...services.tokens import Principal
from ..auth import EVERYONE, allow, bearer, system_of
from ..schemas import EventOut

router = APIRouter(prefix="/events", tags=["events"])
Reader = Annotated[Principal, Depends(allow(*EVERYONE))]


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
    return [
        EventOut(**e.to_dict(), id=n) for n, e in events.after(system_of(request), after, limit)
    ]


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"},
        429: {
            "model": ErrorBody,
            "description": f"The token has {STREAMS_PER_HOLDER} streams open already.",
        },
    },
)
async def stream(
    request: Request,
    who: Reader,
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
    stream ends within seconds of its token being revoked. A token may have only so many
    streams open at once (429 past that)."""
    system = system_of(request)
    assert credentials is not None  # `who` has checked it
    token, clock = credentials.credentials, request.app.state.clock
    try:
        return follow(
            request,
            system,
            after,
            last_event_id,
            who.name,
            lambda: tokens.authenticate(system, token, clock.now()) is not None,
        )
    except TooManyStreams as exc:
        raise ApiError(429, str(exc)) from None
