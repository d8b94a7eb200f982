"""Cases: lists, one whole, summaries for the board, one for its page, their evidence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from ...domain import events as ev
from ...domain.events import ProtocolEvent
from .. import tables
from .event_rows import events
from .incident_rows import count_up_to, defensive_responses
from .report_rows import reports

MILESTONES = (
    ev.CASE_OPENED,
    ev.SEVERITY_RAISED,
    ev.PHASE_RECOMMENDED,
    ev.ACTION_OVERDUE,
    ev.ACTION_DONE,
    ev.ACTION_STILL_OVERDUE,
    ev.DECISION_RECORDED,
    ev.PHASE_AUTHORISED,
    ev.PHASE_DECLINED,
    ev.INCIDENT_REJECTED,
    ev.INCIDENT_MERGED,
    ev.DEFENSIVE_RESPONSE,
    ev.RESPONSE_RECLASSIFIED,
    ev.CASE_CLOSED,
)
"""A case's events other than each violation joining it (those are its incidents)."""


def cases(conn: Connection, *, open_only: bool = False) -> list[RowMapping]:
    t = tables.cases
    query = sa.select(t).order_by(t.c.opened_at, t.c.id)
    if open_only:
        query = query.where(t.c.closed_at.is_(None))
    return list(conn.execute(query).mappings())


def case(conn: Connection, case_id: str, *, records: bool = True) -> dict[str, Any] | None:
    """A case with its actions, decisions, incidents and the other side's defensive responses
    (each with its reports' records; `records=False`: without, which for a long breach
    would be every report body of thousands of incidents), and its events."""
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
    i = tables.incidents
    incidents = conn.execute(
        sa.select(i).where(i.c.case_id == case_id).order_by(i.c.seq)
    ).mappings()
    responses = conn.execute(
        sa.select(i).where(i.c.response_to == case_id).order_by(i.c.seq)
    ).mappings()

    def with_records(incident: RowMapping) -> dict[str, Any]:
        if not records:
            return dict(incident)
        return {**incident, "records": reports(conn, incident["reports"])}

    return {
        **row,
        "actions": [dict(a) for a in actions],
        "decisions": [dict(d) for d in decisions],
        "incidents": [with_records(n) for n in incidents],
        "responses": [with_records(n) for n in responses],
        "events": list(events(conn, case=case_id)),
    }


def case_ceasefire(conn: Connection, case_id: str) -> str | None:
    return conn.execute(
        sa.select(tables.cases.c.ceasefire_id).where(tables.cases.c.id == case_id)
    ).scalar()


def case_summaries(
    conn: Connection, *, open_only: bool = True, ids: list[str] | None = None
) -> list[dict[str, Any]]:
    """Cases (all, the open ones, or those named) with their actions and decisions, but not
    their incidents or events."""
    if ids is None:
        found = [dict(row) for row in cases(conn, open_only=open_only)]
    else:
        t = tables.cases
        found = [dict(r) for r in conn.execute(sa.select(t).where(t.c.id.in_(ids))).mappings()]
    if not found:
        return []
    ids = [c["id"] for c in found]
    a, d = tables.actions, tables.decisions
    actions: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    decisions: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    rows = conn.execute(sa.select(a).where(a.c.case_id.in_(ids)).order_by(a.c.phase, a.c.due))
    for row in rows.mappings():
        actions[row["case_id"]].append(dict(row))
    rows = conn.execute(sa.select(d).where(d.c.case_id.in_(ids)).order_by(d.c.position))
    for row in rows.mappings():
        decisions[row["case_id"]].append(dict(row))
    return [{**c, "actions": actions[c["id"]], "decisions": decisions[c["id"]]} for c in found]


def case_overview(
    conn: Connection, case_id: str, *, incidents: int = 50, count_to: int = 10_000
) -> dict[str, Any] | None:
    """A case for one page: actions, decisions, its milestone events, its newest incidents
    (their reports' records not read) and how many it holds, counted up to `count_to`, and
    the newest of the other side's defensive responses to it."""
    found = case_summaries(conn, open_only=False, ids=[case_id])
    if not found:
        return None
    e, i = tables.events, tables.incidents
    milestones = conn.execute(
        sa.select(e)
        .where(e.c.case_id == case_id, e.c.event.in_(MILESTONES))
        .order_by(e.c.at, e.c.seq)
    )
    newest = conn.execute(
        sa.select(i).where(i.c.case_id == case_id).order_by(i.c.seq.desc()).limit(incidents)
    ).mappings()
    count = count_up_to(conn, i.c.case_id == case_id, count_to)
    return {
        **found[0],
        "milestones": [
            ProtocolEvent(r.at, r.event, r.case_id, r.violator, r.details) for r in milestones
        ],
        "incidents": [dict(n) for n in newest],
        "incident_count": count,
        "incident_count_capped": count > count_to,
        "responses": defensive_responses(conn, case=case_id, limit=incidents),
    }


def recommendations(conn: Connection, case_ids: list[str]) -> dict[str, dict[int, dict[str, Any]]]:
    """Each case's `phase_recommended` events by phase: their time, incident and reason."""
    if not case_ids:
        return {}
    e = tables.events
    rows = conn.execute(
        sa.select(e.c.case_id, e.c.at, e.c.details)
        .where(e.c.case_id.in_(case_ids), e.c.event == ev.PHASE_RECOMMENDED)
        .order_by(e.c.seq)
    )
    found: dict[str, dict[int, dict[str, Any]]] = {c: {} for c in case_ids}
    for row in rows:
        details = dict(row.details)
        found[row.case_id].setdefault(int(details.get("phase", 0)), {**details, "at": row.at})
    return found


def closed_cases(conn: Connection, *, limit: int = 20) -> list[dict[str, Any]]:
    """Closed cases, the last closed first."""
    t = tables.cases
    query = (
        sa.select(t)
        .where(t.c.closed_at.is_not(None))
        .order_by(t.c.closed_at.desc(), t.c.id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def cases_open_at(
    conn: Connection, ceasefire: str, cutoff: datetime
) -> list[tuple[RowMapping, list[RowMapping]]]:
    """The ceasefire's cases opened before `cutoff` and not closed by then, by opening time,
    each with all its actions (by phase, due, id)."""
    c, a = tables.cases, tables.actions
    query = (
        sa.select(c)
        .where(c.c.ceasefire_id == ceasefire, c.c.opened_at < cutoff)
        .where(sa.or_(c.c.closed_at.is_(None), c.c.closed_at >= cutoff))
        .order_by(c.c.opened_at, c.c.id)
    )
    found = []
    for row in conn.execute(query).mappings().all():
        actions = conn.execute(
            sa.select(a).where(a.c.case_id == row["id"]).order_by(a.c.phase, a.c.due, a.c.action_id)
        ).mappings()
        found.append((row, list(actions)))
    return found
