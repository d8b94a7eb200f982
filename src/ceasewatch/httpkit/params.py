"""Query parameters both the API and the map's data read: times with a zone, and boxes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query

from ..domain.instants import Instant
from .errors import ApiError, FieldProblem

Since = Annotated[
    Instant | None, Query(description="occurred_at at or after (ISO 8601, with a zone)")
]
Until = Annotated[Instant | None, Query(description="occurred_at before (ISO 8601, with a zone)")]
"""Times in a query: with a zone, and in the range every time is held to (a 422 else)."""
BBOX = r"^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$"


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


def since_until(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and until < since:
        raise ApiError(
            422, "bad range", [FieldProblem(record="query", field="until", message="before since")]
        )
