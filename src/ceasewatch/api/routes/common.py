"""What the routes share: paging cursors, text filters, JSON bodies, the events of a command.

Times and boxes in a query (`Since`, `Until`, `bbox_of`...) are in `httpkit.params`: the
map's data reads them too."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Query

from ...domain.events import ProtocolEvent
from ...domain.text import NO_NUL
from ...httpkit.errors import ApiError, FieldProblem
from ...services.commands import Forbidden, Refused, Unknown
from ..schemas import EventOut

MAX_PAGE = 1000
MAX_SEQ = 2**62

Filter = Annotated[str | None, Query(max_length=300, pattern=NO_NUL)]
"""A text filter of a list: bounded, no NUL (the store could not compare it)."""
CURSOR = r"^[A-Za-z0-9_=-]*$"


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


def json_body(body: bytes) -> Any:
    """A request's body as JSON (for routes that validate it record by record)."""
    try:
        return json.loads(body)
    except ValueError as exc:
        message = str(exc)
        if "integer string conversion" in message:  # Python's guard, which names its own call
            message = f"a number of more than {sys.get_int_max_str_digits():,} digits"
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
