"""Rows for exports: incidents, cases and reports, filtered and streamed from the database.

Each query runs on a server-side cursor (PostgreSQL) or SQLite's incremental cursor, and
rows come `yield_per` at a time, so an export holds a batch in memory, never the table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables
from .database import streamed


@dataclass(frozen=True)
class Filter:
    since: datetime | None = None
    """Only rows whose time is at or after this."""
    until: datetime | None = None
    """Only rows whose time is before this."""
    bbox: tuple[float, float, float, float] | None = None
    """West, south, east, north, in degrees; a box across the antimeridian has west > east."""
    ceasefire: str | None = None

    def where(
        self, query: sa.Select[Any], at: Any, lat: Any, lon: Any, ceasefire: Any = None
    ) -> sa.Select[Any]:
        if self.since is not None:
            query = query.where(at >= self.since)
        if self.until is not None:
            query = query.where(at < self.until)
        if self.bbox is not None:
            west, south, east, north = self.bbox
            query = query.where(lat >= south, lat <= north)
            if west <= east:
                query = query.where(lon >= west, lon <= east)
            else:
                query = query.where(sa.or_(lon >= west, lon <= east))
        if self.ceasefire is not None and ceasefire is not None:
            query = query.where(ceasefire == self.ceasefire)
        return query


def _first_report() -> tuple[sa.ColumnElement[Any], ...]:
    """The (source, id) of an incident's first report, from its `reports` JSON."""
    t = tables.incidents
    return (t.c.reports[(0, 0)].as_string(), t.c.reports[(0, 1)].as_string())


def incidents(conn: Connection, where: Filter) -> Iterator[dict[str, Any]]:
    """Incidents (of every ceasefire, or one) by time, with their first report's record."""
    t, r = tables.incidents, tables.reports
    source, rid = _first_report()
    query = sa.select(t, r.c.body.label("first_report")).join(
        r, sa.and_(r.c.source == source, r.c.id == rid), isouter=True
    )
    query = where.where(query, t.c.occurred_at, t.c.lat, t.c.lon, t.c.ceasefire_id)
    query = query.order_by(t.c.occurred_at, t.c.ceasefire_id, t.c.seq)
    for row in conn.execute(streamed(query)).mappings():
        item = dict(row)
        body = item.pop("first_report")
        item["first_report"] = json.loads(body) if body else {}
        yield item


def cases(conn: Connection, where: Filter) -> Iterator[dict[str, Any]]:
    """Cases by opening time, with where their opening incident was and how many they hold."""
    c, i = tables.cases, tables.incidents
    held = (
        sa.select(
            i.c.ceasefire_id,
            i.c.case_id,
            sa.func.min(i.c.seq).label("first_seq"),
            sa.func.count().label("incidents"),
        )
        .where(i.c.case_id.is_not(None))
        .group_by(i.c.ceasefire_id, i.c.case_id)
        .subquery()
    )
    first = i.alias("first_incident")
    query = (
        sa.select(c, held.c.incidents, first.c.lat, first.c.lon, first.c.id.label("incident"))
        .join(
            held,
            sa.and_(held.c.ceasefire_id == c.c.ceasefire_id, held.c.case_id == c.c.id),
            isouter=True,
        )
        .join(
            first,
            sa.and_(first.c.ceasefire_id == held.c.ceasefire_id, first.c.seq == held.c.first_seq),
            isouter=True,
        )
    )
    query = where.where(query, c.c.opened, first.c.lat, first.c.lon, c.c.ceasefire_id)
    query = query.order_by(c.c.opened, c.c.id)
    for row in conn.execute(streamed(query)).mappings():
        yield dict(row)


def reports(conn: Connection, where: Filter) -> Iterator[dict[str, Any]]:
    """Stored reports in journal order, each with its record."""
    r = tables.reports
    query = sa.select(r.c.seq, r.c.trusted, r.c.arrival, r.c.body)
    query = where.where(query, r.c.occurred_at, r.c.lat, r.c.lon).order_by(r.c.seq)
    for row in conn.execute(streamed(query)).mappings():
        yield {
            "seq": row["seq"],
            "trusted": row["trusted"],
            "arrival": row["arrival"],
            **json.loads(row["body"]),
        }
