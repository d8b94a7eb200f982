"""Incidents: pages of them, one with its reports, the analysts' queue, defensive responses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import tables
from ..database import streamed
from .report_rows import first_reports

REVIEW = ("unverified", "corroborated", "disputed")
"""The statuses an analyst may still settle."""
SET_ASIDE = ("rejected", "merged")
"""Statuses of an incident that no longer stands: nothing is left to review or merge."""


def incident_page(
    conn: Connection,
    *,
    after: tuple[str, int] | None = None,
    limit: int = 100,
    ceasefire: str | None = None,
    status: str | None = None,
    severity: str | None = None,
    perpetrator: str | None = None,
    case: str | None = None,
    response_to: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> list[dict[str, Any]]:
    """Incidents in (ceasefire, seq) order after `after`, filtered."""
    i = tables.incidents
    query = sa.select(i).order_by(i.c.ceasefire_id, i.c.seq).limit(limit)
    if after is not None:
        query = query.where(sa.tuple_(i.c.ceasefire_id, i.c.seq) > sa.tuple_(*after))
    for column, value in (
        (i.c.ceasefire_id, ceasefire),
        (i.c.status, status),
        (i.c.severity, severity),
        (i.c.perpetrator, perpetrator),
        (i.c.case_id, case),
        (i.c.response_to, response_to),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(i.c.occurred_at >= since)
    if until is not None:
        query = query.where(i.c.occurred_at < until)
    if bbox is not None:
        west, south, east, north = bbox
        query = query.where(i.c.lon.between(west, east), i.c.lat.between(south, north))
    return [dict(row) for row in conn.execute(query).mappings()]


def incident(conn: Connection, ceasefire: str, incident_id: str) -> dict[str, Any] | None:
    """An incident with its reports' records: the first 16 MiB of them, and how many more
    it holds (`records_left`; its `reports` name them all)."""
    i = tables.incidents
    row = (
        conn.execute(sa.select(i).where(i.c.ceasefire_id == ceasefire, i.c.id == incident_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    records, left = first_reports(conn, row["reports"])
    return {**row, "records": records, "records_left": left}


def review_queue(conn: Connection, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Incidents awaiting an analyst's verdict, newest first."""
    i = tables.incidents
    query = (
        sa.select(i)
        .where(i.c.status.in_(REVIEW))
        .order_by(i.c.occurred_at.desc(), i.c.ceasefire_id, i.c.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def review_count(conn: Connection, *, count_to: int = 10_000) -> int:
    return count_up_to(conn, tables.incidents.c.status.in_(REVIEW), count_to)


def defensive_responses(
    conn: Connection, *, case: str | None = None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Incidents recorded as the other side's fire to halt a breach (rule 7), newest first:
    of one case, whatever became of them (its page shows each one's status), or of all,
    those that still stand (the analysts' queue: one rejected or merged since is done)."""
    i = tables.incidents
    which = _standing_response() if case is None else i.c.response_to == case
    query = (
        sa.select(i)
        .where(which)
        .order_by(i.c.occurred_at.desc(), i.c.ceasefire_id, i.c.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def response_count(conn: Connection, *, count_to: int = 10_000) -> int:
    return count_up_to(conn, _standing_response(), count_to)


def _standing_response() -> Any:
    i = tables.incidents
    return sa.and_(i.c.response_to.is_not(None), i.c.status.not_in(SET_ASIDE))


def count_up_to(conn: Connection, where: Any, count_to: int) -> int:
    """How many incidents match, counted up to `count_to` + 1 (so a page says "10,000+")."""
    held = sa.select(sa.literal(1)).select_from(tables.incidents).where(where).limit(count_to + 1)
    return int(conn.execute(sa.select(sa.func.count()).select_from(held.subquery())).scalar_one())


def live_incidents(conn: Connection) -> Iterator[tuple[str, str, list[list[str]]]]:
    """(ceasefire, incident, its reports' [source, id]) of every incident not rejected."""
    t = tables.incidents
    query = sa.select(t.c.ceasefire_id, t.c.id, t.c.reports).where(t.c.status != "rejected")
    for row in conn.execute(streamed(query.order_by(t.c.ceasefire_id, t.c.seq))):
        yield row.ceasefire_id, row.id, row.reports
