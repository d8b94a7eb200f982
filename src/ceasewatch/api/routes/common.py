"""What the routes share: paging cursors, bounding boxes, times, the events of a command."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query

from ...domain.events import ProtocolEvent
from ...domain.instants import Instant
from ...domain.text import NO_NUL
from ...services.commands import Forbidden, Refused, Unknown
from ..errors import ApiError, FieldProblem
from ..schemas import EventOut

MAX_PAGE = 1000
MAX_SEQ = 2**62

Filter = Annotated[str | None, Query(max_length=300, pattern=NO_NUL)]
"""A text filter of a list: bounded, no NUL (the store could not compare it)."""
Since = Annotated[
    Instant | None, Query(description="occurred_at at or after (ISO 8601, with a zone)")
]
Until = Annotated[Instant | None, Query(description="occurred_at before (ISO 8601, with a zone)")]
"""Times in a query: with a zone, and in the range every time is held to (a 422 else)."""
CURSOR = r"^[A-Za-z0-9_=-]*$"
BBOX = r"^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$"


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def decode_cursor(cursor: str | None) -> Any:
    if cursor is None:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        numbers = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int)]
        if any(abs(n) > MAX_SEQ for n in numbers) or "\x00" in json.dumps(value):
            raise ValueError("out of range")
        return value
    except (ValueError, TypeError):
        raise ApiError(
            422, "bad cursor", [FieldProblem(record="query", field="cursor", message="not ours")]
        ) from None


def bbox_of(text: str | None) -> tuple[float, float, float, float] | None:
    """`W,S,E,N` in degrees."""
    if text is None:
        return None
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise ApiError(
            422,
            "bad bbox",
            [FieldProblem(record="query", field="bbox", message="give W,S,E,N in degrees")],
        ) from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ApiError(
            422,
            "bad bbox",
            [FieldProblem(record="query", field="bbox", message="W <= E and S <= N, in range")],
        )
    return west, south, east, north


def json_body(body: bytes) -> Any:
    """A request's body as JSON (for routes that validate it record by record)."""
    try:
        return json.loads(body)
    except ValueError as exc:
        message = str(exc)
    except RecursionError:  # the parser's stack: a report is never nested this deep
        message = "nested too deeply"
    problem = FieldProblem(record="body", field="(body)", message=message)
    raise ApiError(400, "the body is not JSON", [problem])


def events_out(events: Iterable[ProtocolEvent]) -> list[EventOut]:
    return [EventOut(**e.to_dict()) for e in events]


def refused(exc: Refused) -> ApiError:
    """A command the protocol does not allow: 404 for an unknown record, 403 for a party
    that may not do it at all, else (not now) 409."""
    status = 404 if isinstance(exc, Unknown) else 403 if isinstance(exc, Forbidden) else 409
    return ApiError(status, str(exc))


def since_until(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and until < since:
        raise ApiError(
            422, "bad range", [FieldProblem(record="query", field="until", message="before since")]
        )
