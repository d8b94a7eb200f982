"""`/stream`: the protocol's live events for the pages, authenticated by the session cookie
(a browser's EventSource cannot send a bearer token). The same stream as the API's, and it
ends, as that one does, soon after the session is signed out or its token revoked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from sse_starlette import EventSourceResponse

from ...httpkit.stream import TooManyStreams, follow
from ..access import EVERYONE, WebError, require, system_of, visitor

router = APIRouter()


@router.get("/stream")
def stream(
    request: Request, last_event_id: Annotated[str | None, Header(max_length=30)] = None
) -> EventSourceResponse:
    holder = require(request, *EVERYONE).principal.name
    try:
        return follow(
            request,
            system_of(request),
            None,
            last_event_id,
            holder,
            lambda: visitor(request) is not None,
        )
    except TooManyStreams as exc:
        raise WebError(429, str(exc)) from None
