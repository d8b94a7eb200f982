"""How much is stored, the stored clock, and what says whether the live machinery keeps up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import outbox, tables

COUNTED = {
    "reports": tables.reports,
    "incidents": tables.incidents,
    "cases": tables.cases,
    "timers_pending": tables.timers,
    "events": tables.events,
    "audit_entries": tables.audit,
    "ceasefires": tables.ceasefires,
}
"""The kinds of row `stats` counts, and their tables."""

ESTIMATED_FROM = 100_000
"""Rows from which `estimated_stats` takes PostgreSQL's estimate of a table's size."""


def stats(conn: Connection) -> dict[str, int]:
    return {kind: _count(conn, table) for kind, table in COUNTED.items()}


def estimated_stats(conn: Connection, from_rows: int = ESTIMATED_FROM) -> dict[str, int]:
    """As `stats`, but on PostgreSQL a table the planner estimates at `from_rows` rows or
    more is given that estimate (`pg_class.reltuples`, which autovacuum's ANALYZE keeps
    within a few percent), where a count would read the whole table: 3M rows take
    0.15-0.3 s to count, the estimate under 1 ms. A smaller table, or one not analysed
    yet (an estimate that is low, or -1), is counted."""
    if conn.dialect.name != "postgresql":
        return stats(conn)
    names = [table.name for table in COUNTED.values()]
    planned = {
        name: estimate
        for name, estimate in conn.execute(
            sa.text(
                "SELECT t.name, c.reltuples FROM unnest(CAST(:names AS text[])) AS t(name)"
                " JOIN pg_class AS c ON c.oid = to_regclass(t.name)"
            ),
            {"names": names},
        )
    }
    return {
        kind: round(planned[table.name])
        if planned.get(table.name, -1) >= from_rows
        else _count(conn, table)
        for kind, table in COUNTED.items()
    }


def _count(conn: Connection, table: sa.Table) -> int:
    counted: int = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return counted


def clock(conn: Connection) -> datetime | None:
    return conn.execute(sa.select(tables.clock.c.now)).scalar()


def server_time(conn: Connection) -> datetime | None:
    """The database server's own clock, now (None: SQLite, which has no host of its own)."""
    if conn.dialect.name != "postgresql":
        return None
    now: datetime = conn.execute(sa.select(sa.func.clock_timestamp())).scalar_one()
    return now


@dataclass(frozen=True)
class Watched:
    """What says whether the live machinery keeps up (`services.reads.status.watch`)."""

    clock: datetime | None
    outbox: dict[str, int]
    """Messages by status."""
    waiting_since: datetime | None
    """When the message due longest became due (None: none is due): pending since its
    next attempt (or, sent at once, since it was written), or claimed by a sender whose
    claim lapsed."""
    actions_overdue: int
    """Actions of open cases not done by their deadline."""
    audit_entries: int
    checkpoint: tuple[int, datetime] | None
    """The newest checkpoint's size and when it was made."""
    server_time: datetime | None
    """The database server's clock (`server_time`)."""


def watched(conn: Connection, wall: datetime) -> Watched:
    o, a, c = tables.outbox, tables.actions, tables.cases
    now = clock(conn)
    pending = conn.execute(
        sa.select(sa.func.min(sa.func.coalesce(o.c.next_attempt_at, o.c.created_at))).where(
            o.c.status == outbox.PENDING,
            sa.or_(o.c.next_attempt_at.is_(None), o.c.next_attempt_at <= wall),
        )
    ).scalar()
    lapsed = conn.execute(
        sa.select(sa.func.min(o.c.claimed_until)).where(
            o.c.status == outbox.SENDING, o.c.claimed_until < wall
        )
    ).scalar()
    overdue = 0
    if now is not None:
        late = sa.or_(a.c.overdue_at.is_not(None), a.c.due <= now)
        overdue = conn.execute(
            sa.select(sa.func.count())
            .select_from(a.join(c, c.c.id == a.c.case_id))
            .where(a.c.done_at.is_(None), c.c.closed_at.is_(None), late)
        ).scalar_one()
    k = tables.checkpoints
    newest = conn.execute(
        sa.select(k.c.size, k.c.created_at).order_by(k.c.size.desc()).limit(1)
    ).first()
    return Watched(
        clock=now,
        outbox=outbox.counts(conn),
        waiting_since=min((t for t in (pending, lapsed) if t is not None), default=None),
        actions_overdue=overdue,
        audit_entries=_last_audit_entry(conn),
        checkpoint=(newest.size, newest.created_at) if newest is not None else None,
        server_time=server_time(conn),
    )


def _last_audit_entry(conn: Connection) -> int:
    """The number of audit entries, as the last one's: entries are numbered from 1 with
    no gap, and the index finds the last at once, where a count would read them all."""
    last: int = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(tables.audit.c.seq), 0))
    ).scalar_one()
    return last
