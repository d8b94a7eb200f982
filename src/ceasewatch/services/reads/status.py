"""How much the store holds, the stored clock, and what an operator's alerts watch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ...store import outbox
from ...store.database import reading
from ...store.queries import status as rows
from ..lag import ClockLag
from ..system import System

if TYPE_CHECKING:  # services.clock reads the stored clock through this module
    from ..clock import Clock


def stats(system: System, estimated: bool = False) -> dict[str, int]:
    """Rows of each kind: reports, incidents, cases, pending timers, events, audit entries,
    ceasefires. `estimated`: on PostgreSQL, a large table's size as the planner estimates
    it (within a few percent), not counted (`store.queries.status.estimated_stats`)."""
    with reading(system.db) as conn:
        return rows.estimated_stats(conn) if estimated else rows.stats(conn)


def clock(system: System) -> datetime | None:
    """The stored clock: None until the first report or tick."""
    with reading(system.db) as conn:
        return rows.clock(conn)


@dataclass(frozen=True)
class Counts:
    counts: dict[str, int]
    """Rows of each kind (see `stats`)."""
    clock: datetime | None


def counts(system: System) -> Counts:
    """The counts and the stored clock, from one read."""
    with reading(system.db) as conn:
        return Counts(rows.stats(conn), rows.clock(conn))


@dataclass(frozen=True)
class Watch:
    """What an operator's alerts watch: whether the clock is kept, the outbox sent, the
    protocol's deadlines met and the audit log checkpointed (`/metrics`)."""

    lag: ClockLag
    outbox: dict[str, int]
    """Messages by status (each status, 0 where there are none)."""
    waiting_s: float
    """How long the message due longest has waited to be sent (0: none waits): it grows
    while no `run` sends."""
    actions_overdue: int
    """Actions of open cases not done by their deadline."""
    since_checkpoint: int
    """Audit entries no checkpoint covers yet."""
    checkpoint_age_s: float | None
    """Seconds since the newest checkpoint was made (None: there is none)."""
    database_clock_s: float | None
    """How far the database server's clock is ahead of this host's (behind: below 0; None:
    SQLite): a second witness of the time, on another host."""


def watch(system: System, wall: Clock) -> Watch:
    now = wall.now()
    with reading(system.db) as conn:
        seen = rows.watched(conn, now)
    size, made = seen.checkpoint if seen.checkpoint is not None else (0, None)
    waited = (now - seen.waiting_since).total_seconds() if seen.waiting_since else 0.0
    return Watch(
        lag=ClockLag(seen.clock, now),
        outbox={status: seen.outbox.get(status, 0) for status in outbox.STATUSES},
        waiting_s=max(0.0, waited),
        actions_overdue=seen.actions_overdue,
        since_checkpoint=seen.audit_entries - size,
        checkpoint_age_s=(now - made).total_seconds() if made is not None else None,
        database_clock_s=(
            (seen.server_time - now).total_seconds() if seen.server_time is not None else None
        ),
    )
