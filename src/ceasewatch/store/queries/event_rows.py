"""Stored protocol events: by case or time, and by the number they were stored under."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...domain.events import ProtocolEvent
from .. import tables
from ..database import streamed


def events(
    conn: Connection,
    *,
    case: str | None = None,
    since: datetime | None = None,
    ceasefire: str | None = None,
) -> Iterator[ProtocolEvent]:
    """Stored protocol events in time order (as `replay` prints them), streamed."""
    t = tables.events
    query = sa.select(t).order_by(t.c.at, t.c.seq)
    if case is not None:
        query = query.where(t.c.case_id == case)
    if since is not None:
        query = query.where(t.c.at >= since)
    if ceasefire is not None:
        query = query.where(t.c.ceasefire_id == ceasefire)
    rows = conn.execute(streamed(query))
    for row in rows:
        yield ProtocolEvent(row.at, row.event, row.case_id, row.violator, row.details)


def events_after(conn: Connection, seq: int, limit: int = 500) -> list[tuple[int, ProtocolEvent]]:
    """Stored events numbered after `seq`, in the order they were stored, with their numbers."""
    e = tables.events
    rows = conn.execute(sa.select(e).where(e.c.seq > seq).order_by(e.c.seq).limit(limit))
    return [
        (row.seq, ProtocolEvent(row.at, row.event, row.case_id, row.violator, row.details))
        for row in rows
    ]


def last_event_seq(conn: Connection) -> int:
    last = conn.execute(sa.select(sa.func.max(tables.events.c.seq))).scalar()
    return int(last or 0)
