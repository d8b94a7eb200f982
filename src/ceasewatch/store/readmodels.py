"""Writing what the engines changed into the read models, in the journal's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..domain.cases import Case
from ..domain.events import ProtocolEvent
from ..domain.incidents import Incident
from ..domain.sources import Source
from ..domain.state import Changes
from ..domain.timers import Timer
from . import bulk, tables


def write_events(conn: Connection, ceasefire: str, events: Iterable[ProtocolEvent]) -> None:
    bulk.insert(conn, tables.events, [event_row(ceasefire, e) for e in events])


def write_changes(conn: Connection, ceasefire: str, changes: Changes) -> None:
    incidents = list(changes.incidents.values())
    bulk.upsert(conn, tables.incidents, [incident_row(ceasefire, i) for i in incidents])
    bulk.upsert(conn, tables.incident_reports, membership_rows(ceasefire, incidents))
    cases = list(changes.cases.values())
    bulk.upsert(conn, tables.cases, [case_row(ceasefire, c) for c in cases])
    bulk.upsert(conn, tables.actions, [row for c in cases for row in action_rows(c)])
    bulk.upsert(conn, tables.decisions, [row for c in cases for row in decision_rows(c)])


def write_timers(conn: Connection, ceasefire: str, timers: Iterable[Timer]) -> None:
    """Replace a ceasefire's pending timers with the engine's."""
    conn.execute(sa.delete(tables.timers).where(tables.timers.c.ceasefire_id == ceasefire))
    rows = [
        {
            "ceasefire_id": ceasefire,
            "case_id": t.case,
            "kind": t.kind.name.lower(),
            "action": t.action,
            "due": t.due,
        }
        for t in timers
    ]
    if rows:
        conn.execute(sa.insert(tables.timers), rows)


def event_row(ceasefire: str, event: ProtocolEvent) -> dict[str, Any]:
    """An event's row, less the `seq` the table numbers it with."""
    return {
        "ceasefire_id": ceasefire,
        "at": event.at,
        "event": event.event,
        "case_id": event.case,
        "violator": event.violator,
        "details": event.details,
    }


def incident_row(ceasefire: str, incident: Incident) -> dict[str, Any]:
    return {
        "ceasefire_id": ceasefire,
        "id": incident.id,
        "seq": incident.seq,
        "status": incident.status.value,
        "severity": incident.severity.label,
        "perpetrator": incident.perpetrator,
        "occurred_at": incident.occurred_at,
        "lat": incident.lat,
        "lon": incident.lon,
        "killed": incident.killed,
        "injured": incident.injured,
        "event_types": sorted(t.value for t in incident.event_types),
        "verified_at": incident.verified_at,
        "violation_at": incident.violation_at,
        "verified_by": incident.verified_by,
        "verified_how": incident.verified_how and incident.verified_how.value,
        "case_id": incident.case,
        "response_to": incident.response_to,
        "reports": [[r.source, r.id] for r in incident.reports],
        "reviewed_by": incident.reviewed_by,
        "review_reason": incident.review_reason,
    }


def membership_rows(ceasefire: str, incidents: list[Incident]) -> list[dict[str, Any]]:
    return [
        {"ceasefire_id": ceasefire, "source": r.source, "report_id": r.id, "incident_id": i.id}
        for i in incidents
        if i.merged_into is None
        for r in i.reports
    ]


def case_row(ceasefire: str, case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "ceasefire_id": ceasefire,
        "violator": case.violator,
        "phase": case.phase,
        "severity": case.severity.label,
        "opened": case.opened,
        "opened_at": case.opened_at,
        "last_violation": case.last_violation,
        "closed_at": case.closed_at,
        "close_reason": case.close_reason,
        "recommended": {str(p): at.isoformat() for p, at in case.recommended.items()},
        "settled": {str(p): [s.value, at.isoformat()] for p, (s, at) in case.settled.items()},
    }


def action_rows(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "case_id": case.id,
            "action_id": a.id,
            "phase": a.phase,
            "title": a.title,
            "owners": a.owners,
            "due": a.due,
            "done_at": a.done_at,
            "done_by": a.done_by,
            "note": a.note,
            "overdue_at": a.overdue_at,
            "evidence": [{"uri": uri, "sha256": digest} for uri, digest in a.evidence],
        }
        for a in case.actions
    ]


def decision_rows(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "case_id": case.id,
            "phase": d.phase,
            "party": d.party,
            "position": position,
            "authorise": d.authorise,
            "reason": d.reason,
            "at": d.at,
            "roles": sorted(d.roles),
        }
        for position, d in enumerate(case.decisions)
    ]


def write_sources(
    conn: Connection, sources: Iterable[Source], seq: int, at: datetime | None
) -> None:
    """The registry's entries as declared by journal command `seq`."""
    rows = [
        {
            "id": s.id,
            "kind": s.kind.value if s.kind else None,
            "reliability": s.reliability,
            "credibility": s.credibility,
            "independence_group": s.group,
            "seq": seq,
            "declared_at": at,
        }
        for s in sources
    ]
    bulk.upsert(conn, tables.sources, rows)
