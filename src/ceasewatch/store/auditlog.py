"""The audit log in the database: appended in the writer's transaction, read for export."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..audit import GENESIS, Entry, chain
from ..domain.events import iso_z
from . import tables
from .database import streamed


def last_link(conn: Connection) -> tuple[int, str]:
    """The last entry's seq and hash (0 and the genesis hash for an empty log)."""
    row = conn.execute(
        sa.select(tables.audit.c.seq, tables.audit.c.hash)
        .order_by(tables.audit.c.seq.desc())
        .limit(1)
    ).first()
    return (0, GENESIS) if row is None else (row.seq, row.hash)


def append(conn: Connection, at: datetime | None, items: Iterable[tuple[str, Any]]) -> int:
    """Chain `(kind, body)` items at the stored clock `at`; returns how many were appended.

    A body may be given as `audit.Encoded`, its canonical JSON made already."""
    stamp = iso_z(at) if at is not None else None
    seq, prev = last_link(conn)
    listed = list(items)
    entries = chain(seq, prev, ((stamp, kind, body) for kind, body in listed))
    if entries:
        conn.execute(
            sa.insert(tables.audit),
            [
                {
                    "seq": e.seq,
                    "at": at,
                    "kind": kind,
                    "body": e.body.decode("utf-8"),
                    "prev": e.prev,
                    "hash": e.hash,
                }
                for e, (kind, _) in zip(entries, listed, strict=True)
            ],
        )
    return len(entries)


def entries(conn: Connection, *, after: int = 0, upto: int | None = None) -> Iterator[Entry]:
    """The log (the entries numbered after `after`, up to `upto`), in order, streamed."""
    a = tables.audit
    query = sa.select(a).where(a.c.seq > after).order_by(a.c.seq)
    if upto is not None:
        query = query.where(a.c.seq <= upto)
    rows = conn.execute(streamed(query))
    for row in rows:
        at = iso_z(row.at) if row.at is not None else None
        yield Entry(row.seq, at, row.kind, json.loads(row.body), row.prev, row.hash)
