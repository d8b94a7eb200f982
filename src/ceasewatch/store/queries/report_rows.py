"""Stored reports: their records as rule 6 weighed them, pages of them, one source's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...domain.sources import History, Source, judged
from .. import journal, tables
from ..database import streamed
from ..journal import SOURCES
from ..paging import FEW, PAGE_BYTES, Page, bounded


def reports(conn: Connection, keys: list[list[str]]) -> list[dict[str, Any]]:
    """The stored records of reports named by (source, id), in the order given, each as
    rule 6 weighed it (see `judged`)."""
    if not keys:
        return []
    t = tables.reports
    rows = conn.execute(
        sa.select(t.c.seq, t.c.source, t.c.id, t.c.body).where(
            sa.tuple_(t.c.source, t.c.id).in_(keys)
        )
    ).all()
    history = registry_history(conn)
    found = {
        (r.source, r.id): judged(json.loads(r.body), history.at(r.source, r.seq)) for r in rows
    }
    return [found[(s, i)] for s, i in keys if (s, i) in found]


def first_reports(
    conn: Connection, keys: list[list[str]], budget: int = PAGE_BYTES
) -> tuple[list[dict[str, Any]], int]:
    """The records of the first of these reports (in the order given) whose bodies fit in
    `budget` bytes (at least one), and how many are left out: an incident may hold
    thousands of reports of 2 MB each, and a page shows it to anyone with a token. The
    sizes come first, counted by the database (`paging`)."""
    if not keys:
        return [], 0
    r = tables.reports
    size = sa.func.length(r.c.body)
    sized = conn.execute(
        sa.select(r.c.source, r.c.id, size).where(sa.tuple_(r.c.source, r.c.id).in_(keys))
    )
    sizes = {(source, rid): n for source, rid, n in sized}
    shown = bounded(keys, lambda key: sizes.get((key[0], key[1]), 0), len(keys), budget).items
    return reports(conn, shown), len(keys) - len(shown)


def registry_history(conn: Connection) -> History:
    """Every declaration of the source registry, by journal number."""
    return History(
        (command.seq, [Source.model_validate(s) for s in command.body["sources"]])
        for command in journal.store_commands(conn, SOURCES)
    )


def report_page(
    conn: Connection,
    *,
    after: int = 0,
    limit: int = 100,
    since: datetime | None = None,
    until: datetime | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    event_type: str | None = None,
    source: str | None = None,
    status: str | None = None,
    ceasefire: str | None = None,
) -> Page[dict[str, Any]]:
    """Stored reports in journal order after `after`, filtered; each with its `seq`: at
    most `limit` of them, and at most `PAGE_BYTES` of their bodies past the first.

    `status` is the status of the incident holding the report (in `ceasefire`, or in any).
    """
    r = tables.reports
    query = sa.select(r.c.seq, r.c.body).where(r.c.seq > after).order_by(r.c.seq).limit(limit)
    if since is not None:
        query = query.where(r.c.occurred_at >= since)
    if until is not None:
        query = query.where(r.c.occurred_at < until)
    if bbox is not None:
        west, south, east, north = bbox
        query = query.where(r.c.lon.between(west, east), r.c.lat.between(south, north))
    if event_type is not None:
        query = query.where(r.c.event_type == event_type)
    if source is not None:
        query = query.where(r.c.source == source)
    if status is not None or ceasefire is not None:
        m, i = tables.incident_reports, tables.incidents
        held = (
            sa.select(m.c.source)
            .join(i, sa.and_(i.c.ceasefire_id == m.c.ceasefire_id, i.c.id == m.c.incident_id))
            .where(m.c.source == r.c.source, m.c.report_id == r.c.id)
        )
        if status is not None:
            held = held.where(i.c.status == status)
        if ceasefire is not None:
            held = held.where(m.c.ceasefire_id == ceasefire)
        query = query.where(held.exists())
    found = bounded(
        conn.execute(streamed(query, FEW)), lambda row: len(row.body), limit, PAGE_BYTES
    )
    history = registry_history(conn) if found.items else History()
    records = [
        {"seq": row.seq, **judged(body, history.at(body["source"], row.seq))}
        for row in found.items
        for body in (json.loads(row.body),)
    ]
    return Page(records, found.more)


def source_reports(conn: Connection, source: str) -> Iterator[tuple[str, datetime]]:
    """(id, occurred_at) of every stored report of one source, streamed."""
    t = tables.reports
    rows = conn.execute(streamed(sa.select(t.c.id, t.c.occurred_at).where(t.c.source == source)))
    for row in rows:
        yield row.id, row.occurred_at
