"""Reading the read models: what the CLI, the API and the web show. No engine needed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from ..domain.events import ProtocolEvent
from . import tables
from .database import streamed


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


def cases(conn: Connection, *, open_only: bool = False) -> list[RowMapping]:
    t = tables.cases
    query = sa.select(t).order_by(t.c.opened_at, t.c.id)
    if open_only:
        query = query.where(t.c.closed_at.is_(None))
    return list(conn.execute(query).mappings())


def case(conn: Connection, case_id: str) -> dict[str, Any] | None:
    """A case with its actions, decisions, incidents (each with its reports) and events."""
    row = (
        conn.execute(sa.select(tables.cases).where(tables.cases.c.id == case_id)).mappings().first()
    )
    if row is None:
        return None
    actions = conn.execute(
        sa.select(tables.actions)
        .where(tables.actions.c.case_id == case_id)
        .order_by(tables.actions.c.phase, tables.actions.c.due)
    ).mappings()
    decisions = conn.execute(
        sa.select(tables.decisions)
        .where(tables.decisions.c.case_id == case_id)
        .order_by(tables.decisions.c.position)
    ).mappings()
    incidents = conn.execute(
        sa.select(tables.incidents)
        .where(tables.incidents.c.case_id == case_id)
        .order_by(tables.incidents.c.seq)
    ).mappings()
    return {
        **row,
        "actions": [dict(a) for a in actions],
        "decisions": [dict(d) for d in decisions],
        "incidents": [{**i, "records": reports(conn, i["reports"])} for i in incidents],
        "events": list(events(conn, case=case_id)),
    }


def reports(conn: Connection, keys: list[list[str]]) -> list[dict[str, Any]]:
    """The stored records of reports named by (source, id), in the order given."""
    if not keys:
        return []
    t = tables.reports
    rows = conn.execute(
        sa.select(t.c.source, t.c.id, t.c.body).where(sa.tuple_(t.c.source, t.c.id).in_(keys))
    ).all()
    found = {(r.source, r.id): json.loads(r.body) for r in rows}
    return [found[(s, i)] for s, i in keys if (s, i) in found]


def ceasefires(conn: Connection) -> list[RowMapping]:
    return list(
        conn.execute(sa.select(tables.ceasefires).order_by(tables.ceasefires.c.id)).mappings()
    )


def parties(conn: Connection) -> list[RowMapping]:
    return list(conn.execute(sa.select(tables.parties).order_by(tables.parties.c.code)).mappings())


def party_roles(conn: Connection, code: str) -> frozenset[str] | None:
    """A party's roles in the directory; None when the directory does not know it."""
    row = conn.execute(
        sa.select(tables.parties.c.roles).where(tables.parties.c.code == code)
    ).first()
    return None if row is None else frozenset(row.roles)


def case_ceasefire(conn: Connection, case_id: str) -> str | None:
    return conn.execute(
        sa.select(tables.cases.c.ceasefire_id).where(tables.cases.c.id == case_id)
    ).scalar()


def stats(conn: Connection) -> dict[str, int]:
    def count(table: sa.Table) -> int:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()

    return {
        "reports": count(tables.reports),
        "incidents": count(tables.incidents),
        "cases": count(tables.cases),
        "timers_pending": count(tables.timers),
        "events": count(tables.events),
        "audit_entries": count(tables.audit),
        "ceasefires": count(tables.ceasefires),
    }


def clock(conn: Connection) -> datetime | None:
    return conn.execute(sa.select(tables.clock.c.now)).scalar()


# -- pages for the API ------------------------------------------------------------------


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
) -> list[dict[str, Any]]:
    """Stored reports in journal order after `after`, filtered; each with its `seq`.

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
    return [{"seq": row.seq, **json.loads(row.body)} for row in conn.execute(query)]


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
    """An incident with its reports' records."""
    i = tables.incidents
    row = (
        conn.execute(sa.select(i).where(i.c.ceasefire_id == ceasefire, i.c.id == incident_id))
        .mappings()
        .first()
    )
    return None if row is None else {**row, "records": reports(conn, row["reports"])}


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


def events_after(conn: Connection, seq: int, limit: int = 500) -> list[tuple[int, ProtocolEvent]]:
    """Stored events numbered after `seq`, in the order they were stored, with their numbers."""
    e = tables.events
    rows = conn.execute(sa.select(e).where(e.c.seq > seq).order_by(e.c.seq).limit(limit))
    return [
        (row.seq, ProtocolEvent(row.at, row.event, row.case_id, row.violator, row.details))
        for row in rows
    ]


def ceasefire(conn: Connection, ceasefire_id: str) -> RowMapping | None:
    c = tables.ceasefires
    return conn.execute(sa.select(c).where(c.c.id == ceasefire_id)).mappings().first()


def party(conn: Connection, code: str) -> RowMapping | None:
    p = tables.parties
    return conn.execute(sa.select(p).where(p.c.code == code)).mappings().first()


def last_event_seq(conn: Connection) -> int:
    last = conn.execute(sa.select(sa.func.max(tables.events.c.seq))).scalar()
    return int(last or 0)


def source_reports(conn: Connection, source: str) -> Iterator[tuple[str, datetime]]:
    """(id, occurred_at) of every stored report of one source, streamed."""
    t = tables.reports
    rows = conn.execute(streamed(sa.select(t.c.id, t.c.occurred_at).where(t.c.source == source)))
    for row in rows:
        yield row.id, row.occurred_at


def live_incidents(conn: Connection) -> Iterator[tuple[str, str, list[list[str]]]]:
    """(ceasefire, incident, its reports' [source, id]) of every incident not rejected."""
    t = tables.incidents
    query = sa.select(t.c.ceasefire_id, t.c.id, t.c.reports).where(t.c.status != "rejected")
    for row in conn.execute(streamed(query.order_by(t.c.ceasefire_id, t.c.seq))):
        yield row.ceasefire_id, row.id, row.reports


def audit_bodies(conn: Connection, kind: str) -> Iterator[dict[str, Any]]:
    """The bodies of the audit log's entries of one kind, in order."""
    t = tables.audit
    query = sa.select(t.c.body).where(t.c.kind == kind).order_by(t.c.seq)
    for row in conn.execute(streamed(query)):
        yield json.loads(row.body)
