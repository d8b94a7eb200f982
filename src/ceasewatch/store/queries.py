"""Reading the read models: what the CLI, the API and the web show. No engine needed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from ..domain import events as ev
from ..domain.events import ProtocolEvent
from ..domain.sources import History, Source, judged
from . import journal, tables
from .database import streamed
from .journal import SOURCES


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
    """A case with its actions, decisions, incidents and the other side's defensive responses
    (each with its reports), and its events."""
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
    return {
        **row,
        "actions": [dict(a) for a in actions],
        "decisions": [dict(d) for d in decisions],
        "incidents": [{**n, "records": reports(conn, n["reports"])} for n in incidents],
        "responses": [{**n, "records": reports(conn, n["reports"])} for n in responses],
        "events": list(events(conn, case=case_id)),
    }


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


def registry_history(conn: Connection) -> History:
    """Every declaration of the source registry, by journal number."""
    return History(
        (command.seq, [Source.model_validate(s) for s in command.body["sources"]])
        for command in journal.store_commands(conn, SOURCES)
    )


def sources(conn: Connection) -> list[Source]:
    """The source registry as it stands, by id."""
    t = tables.sources
    return [
        Source(
            id=row.id,
            kind=row.kind,
            reliability=row.reliability,
            credibility=row.credibility,
            group=row.independence_group,
        )
        for row in conn.execute(sa.select(t).order_by(t.c.id))
    ]


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
    rows = conn.execute(query).all()
    history = registry_history(conn) if rows else History()
    return [
        {"seq": row.seq, **judged(body, history.at(body["source"], row.seq))}
        for row in rows
        for body in (json.loads(row.body),)
    ]


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


# -- for the web dashboard --------------------------------------------------------------

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
REVIEW = ("unverified", "corroborated", "disputed")
"""The statuses an analyst may still settle."""


class MapRow(NamedTuple):
    ceasefire_id: str
    id: str
    lat: float
    lon: float
    epoch: int
    status: str
    severity: str
    perpetrator: str | None
    event_types: list[str]
    case_id: str | None


def journal_state(conn: Connection) -> tuple[int, int]:
    """(the journal's next number, how many ceasefires): what the map's snapshot keys on.

    Every change to an incident is made by a journaled input (a report or a command,
    which moves the number) or by adding a ceasefire (whose engine makes incidents of the
    reports already stored).
    """
    position = conn.execute(sa.select(tables.clock.c.next_seq)).scalar() or 0
    count = conn.execute(sa.select(sa.func.count()).select_from(tables.ceasefires)).scalar()
    return int(position), int(count or 0)


def _epoch(conn: Connection, column: Any) -> Any:
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.extract("epoch", column), sa.BigInteger)
    return sa.cast(sa.func.strftime("%s", sa.type_coerce(column, sa.String)), sa.Integer)


def _map_query(conn: Connection) -> Any:
    i = tables.incidents
    return sa.select(
        i.c.ceasefire_id,
        i.c.id,
        i.c.lat,
        i.c.lon,
        _epoch(conn, i.c.occurred_at),
        i.c.status,
        i.c.severity,
        i.c.perpetrator,
        sa.type_coerce(i.c.event_types, sa.Text),  # parsed once per distinct list, not per row
        i.c.case_id,
    )


def _map_rows(rows: Any) -> Iterator[MapRow]:
    parsed: dict[str, list[str]] = {}
    for row in rows:
        types = row[8]
        if isinstance(types, str):
            types = parsed.get(types) or parsed.setdefault(types, json.loads(types))
        yield MapRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], types, row[9])


def map_rows(conn: Connection) -> Iterator[MapRow]:
    """Every incident's position, time (seconds since the epoch) and categories, streamed."""
    yield from _map_rows(conn.execute(streamed(_map_query(conn))))


SPLITS = frozenset({"split"})
"""Commands that make incidents no input names: the map reads every incident again."""
REVIEWS = frozenset({"verify", "dispute", "reject", "merge"})


def map_rows_changed(conn: Connection, after: int, upto: int) -> list[MapRow] | None:
    """The incidents the journal's inputs numbered in (`after`, `upto`] may have changed:
    those holding the reports taken, and those the analysts' commands named. None when
    that cannot be told (a split makes an incident no input names)."""
    r, m, c = tables.reports, tables.incident_reports, tables.commands
    keys: set[tuple[str, str]] = set()
    taken = conn.execute(
        sa.select(r.c.source, r.c.id).where(r.c.seq > after, r.c.seq <= upto)
    ).all()
    ceasefires = list(conn.execute(sa.select(tables.ceasefires.c.id)).scalars()) if taken else []
    for start in range(0, len(taken), 500):
        chunk = [(row.source, row.id) for row in taken[start : start + 500]]
        for ceasefire in ceasefires:
            held = sa.select(m.c.incident_id).where(
                m.c.ceasefire_id == ceasefire, sa.tuple_(m.c.source, m.c.report_id).in_(chunk)
            )
            keys.update((ceasefire, incident) for incident in conn.execute(held).scalars())
    commands = conn.execute(
        sa.select(c.c.ceasefire_id, c.c.kind, c.c.body).where(c.c.seq > after, c.c.seq <= upto)
    )
    for row in commands:
        if row.kind in SPLITS:
            return None
        if row.kind in REVIEWS:
            named = [row.body["incident"], *row.body.get("others", [])]
            keys.update((row.ceasefire_id, str(incident)) for incident in named)
    if not keys:
        return []
    i = tables.incidents
    found: list[MapRow] = []
    listed = sorted(keys)
    for start in range(0, len(listed), 500):
        chunk = listed[start : start + 500]
        query = _map_query(conn).where(sa.tuple_(i.c.ceasefire_id, i.c.id).in_(chunk))
        found.extend(_map_rows(conn.execute(query)))
    return found


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
    count = _count_up_to(conn, i.c.case_id == case_id, count_to)
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
    return _count_up_to(conn, tables.incidents.c.status.in_(REVIEW), count_to)


def defensive_responses(
    conn: Connection, *, case: str | None = None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Incidents recorded as the other side's fire to halt a breach (rule 7), of one case or
    of all, newest first."""
    i = tables.incidents
    which = i.c.response_to.is_not(None) if case is None else i.c.response_to == case
    query = (
        sa.select(i)
        .where(which)
        .order_by(i.c.occurred_at.desc(), i.c.ceasefire_id, i.c.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def response_count(conn: Connection, *, count_to: int = 10_000) -> int:
    return _count_up_to(conn, tables.incidents.c.response_to.is_not(None), count_to)


def _count_up_to(conn: Connection, where: Any, count_to: int) -> int:
    """How many incidents match, counted up to `count_to` + 1 (so a page says "10,000+")."""
    held = sa.select(sa.literal(1)).select_from(tables.incidents).where(where).limit(count_to + 1)
    return int(conn.execute(sa.select(sa.func.count()).select_from(held.subquery())).scalar_one())


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
