"""The protocol's stored events: in time order (as `replay` prints them), or by the number
they were stored under (what the event streams follow)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ...domain.events import ProtocolEvent
from ...store.database import reading
from ...store.queries import event_rows as rows
from ..system import System
from .models import NumberedEvent


def after(system: System, seq: int, limit: int = 500) -> list[NumberedEvent]:
    """Events numbered after `seq`, in the order they were stored."""
    with reading(system.db) as conn:
        return [NumberedEvent(n, e) for n, e in rows.events_after(conn, seq, limit)]


def last_number(system: System) -> int:
    """The number of the last event stored (0 before the first)."""
    with reading(system.db) as conn:
        return rows.last_event_seq(conn)


def in_time_order(
    system: System,
    *,
    case: str | None = None,
    since: datetime | None = None,
    ceasefire: str | None = None,
) -> Iterator[ProtocolEvent]:
    """Stored events in time order, filtered, streamed from one read transaction."""
    with reading(system.db) as conn:
        yield from rows.events(conn, case=case, since=since, ceasefire=ceasefire)
