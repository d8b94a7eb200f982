"""The audit log as rows: pages of entries, and the bodies of one kind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import tables
from ..database import streamed


def audit_page(conn: Connection, *, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    a = tables.audit
    rows = conn.execute(sa.select(a).where(a.c.seq > after).order_by(a.c.seq).limit(limit))
    return [
        {
            "seq": row.seq,
            "at": row.at,
            "kind": row.kind,
            "body": json.loads(row.body),
            "prev": row.prev,
            "hash": row.hash,
        }
        for row in rows
    ]


def audit_bodies(conn: Connection, kind: str) -> Iterator[dict[str, Any]]:
    """The bodies of the audit log's entries of one kind, in order."""
    t = tables.audit
    query = sa.select(t.c.body).where(t.c.kind == kind).order_by(t.c.seq)
    for row in conn.execute(streamed(query)):
        yield json.loads(row.body)
