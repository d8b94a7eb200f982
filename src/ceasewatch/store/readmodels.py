"""Writing what the engines changed into the read models, in the journal's transaction.

The rows a report makes (its incident, membership and event) are built as tuples in the
table's column order, converted as they go (`bulk.converters`), and written with one
statement a table; the same builders with no conversion give the rows as dicts, which
`audit verify` compares with what is stored.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..domain.cases import Case
from ..domain.events import ProtocolEvent
from ..domain.incidents import Incident
from ..domain.reports import Report
from ..domain.sources import Source
from ..domain.state import Changes
from ..domain.timers import Timer
from . import bulk, tables
from .bulk import Convert, same

EVENT_COLUMNS = ("ceasefire_id", "at", "event", "case_id", "violator", "details")
"""The columns of an event's row, less the `seq` the table numbers it with."""
INCIDENT_COLUMNS = tuple(c.name for c in tables.incidents.columns)
MEMBERSHIP_COLUMNS = ("ceasefire_id", "source", "report_id", "incident_id")


def write_events(conn: Connection, ceasefire: str, events: Iterable[ProtocolEvent]) -> None:
    instant = bulk.instant_of(conn.dialect.name)
    json_text = bulk.json_text
    values = [event_values(ceasefire, e, instant, json_text) for e in events]
    bulk.insert_values(conn, tables.events, EVENT_COLUMNS, values)


def write_changes(
    conn: Connection,
    ceasefire: str,
    changes: Changes,
    stored: int | None = None,
    taken: Container[tuple[str, str]] = (),
) -> None:
    """Write a ceasefire's changed incidents (with their membership) and cases.

    What is surely new is appended, not upserted (`bulk.insert_new`): the incidents
    numbered after `stored`, how many the ceasefire had when these changes began (an
    incident's `seq` counts them from 1, and none is ever dropped; None: any may exist),
    and the membership of the reports `taken` with these changes, (source, id) (a
    report is stored once; an older one may move to an incident that absorbed its own).
    """
    new: list[Incident] = []
    changed: list[Incident] = []
    for incident in changes.incidents.values():
        (new if stored is not None and incident.seq > stored else changed).append(incident)
    instant = bulk.instant_of(conn.dialect.name)
    json_text = bulk.json_text
    for incidents, write in ((new, bulk.insert_new), (changed, bulk.upsert_values)):
        values = [incident_values(ceasefire, i, instant, json_text) for i in incidents]
        write(conn, tables.incidents, INCIDENT_COLUMNS, values)
    members = membership_values(ceasefire, list(changes.incidents.values()))
    fresh = [m for m in members if (m[1], m[2]) in taken]
    moved = [m for m in members if (m[1], m[2]) not in taken] if fresh else members
    bulk.insert_new(conn, tables.incident_reports, MEMBERSHIP_COLUMNS, fresh)
    bulk.upsert_values(conn, tables.incident_reports, MEMBERSHIP_COLUMNS, moved)
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
    return dict(zip(EVENT_COLUMNS, event_values(ceasefire, event), strict=True))


def event_values(
    ceasefire: str, event: ProtocolEvent, instant: Convert = same, json_text: Convert = same
) -> tuple[Any, ...]:
    """An event's row as a tuple of `EVENT_COLUMNS`, its instant and JSON converted."""
    return (
        ceasefire,
        instant(event.at),
        event.event,
        event.case,
        event.violator,
        json_text(event.details),
    )


def incident_row(ceasefire: str, incident: Incident) -> dict[str, Any]:
    return dict(zip(INCIDENT_COLUMNS, incident_values(ceasefire, incident), strict=True))


def incident_values(
    ceasefire: str, incident: Incident, instant: Convert = same, json_text: Convert = same
) -> tuple[Any, ...]:
    """An incident's row as a tuple of `INCIDENT_COLUMNS`, its instants and JSON converted.

    Its status, types and verification are the domain's `StrEnum`s: strings already, to
    the drivers and to JSON."""
    reports = incident.reports
    return (
        ceasefire,
        incident.id,
        incident.seq,
        incident.status,
        incident.severity.label,
        incident.perpetrator,
        instant(incident.occurred_at),
        incident.lat,
        incident.lon,
        incident.killed,
        incident.injured,
        json_text(sorted(incident.event_types)),
        instant(incident.verified_at),
        instant(incident.violation_at),
        incident.verified_by,
        incident.verified_how,
        incident.case,
        json_text([[r.source, r.id] for r in reports]),
        incident.reviewed_by,
        incident.review_reason,
        incident.response_to,
    )


def membership_values(ceasefire: str, incidents: list[Incident]) -> list[tuple[str, ...]]:
    """Which incident each report of these incidents belongs to (the merged left out)."""
    return [(ceasefire, r.source, r.id, i.id) for r, i in memberships(incidents)]


def memberships(incidents: Iterable[Incident]) -> Iterator[tuple[Report, Incident]]:
    """Each report of these incidents with the incident it belongs to (the merged left out:
    their reports belong to the incident they were merged into)."""
    for incident in incidents:
        if incident.merged_into is None:
            for report in incident.reports:
                yield report, incident


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
