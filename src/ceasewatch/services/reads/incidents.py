"""Incidents as the API and the pages read them: pages of them, one with its reports'
records, and the analysts' queue (what awaits a verdict, the defensive responses, and
what the chosen incident might be merged with)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy.engine import Connection

from ...store.database import reading
from ...store.queries import incident_rows as rows
from ..system import System
from .models import IncidentRow, IncidentWithRecords, KeyedIncident

NEAR_DEG = 0.25
"""How far (about 25 km) and ..."""
NEAR_TIME = timedelta(hours=24)
""" ... how long apart incidents may be to be offered for merging."""


class NoIncident(LookupError):
    """No incident has this key (or it is no key at all)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def incident_key(row: IncidentRow | dict[str, Any]) -> str:
    """`CEASEFIRE:INCIDENT`: how the API and the pages name an incident."""
    return f"{row['ceasefire_id']}:{row['id']}"


def parse_incident_key(key: str) -> tuple[str, str] | None:
    """(ceasefire, incident) of a key `CEASEFIRE:INCIDENT`, or None if it is not one."""
    ceasefire, sep, incident = key.partition(":")
    if not sep or not ceasefire or not incident or len(key) > 310 or "\x00" in key:
        return None
    return ceasefire, incident


def keyed(row: dict[str, Any]) -> KeyedIncident:
    return cast(KeyedIncident, {**row, "key": incident_key(row)})


def page(
    system: System,
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
) -> list[KeyedIncident]:
    """Incidents in (ceasefire, seq) order after `after`, filtered."""
    with reading(system.db) as conn:
        found = rows.incident_page(
            conn,
            after=after,
            limit=limit,
            ceasefire=ceasefire,
            status=status,
            severity=severity,
            perpetrator=perpetrator,
            case=case,
            response_to=response_to,
            since=since,
            until=until,
            bbox=bbox,
        )
    return [keyed(r) for r in found]


def incident(system: System, ceasefire: str, incident_id: str) -> IncidentWithRecords | None:
    """An incident with its reports' records."""
    with reading(system.db) as conn:
        return _incident(conn, ceasefire, incident_id)


def _incident(conn: Connection, ceasefire: str, incident_id: str) -> IncidentWithRecords | None:
    found = rows.incident(conn, ceasefire, incident_id)
    return None if found is None else cast(IncidentWithRecords, keyed(found))


def by_key(system: System, key: str) -> IncidentWithRecords:
    """The incident `CEASEFIRE:INCIDENT`, with its reports' records; `NoIncident` else."""
    parts = parse_incident_key(key)
    found = None if parts is None else incident(system, *parts)
    if found is None:
        raise NoIncident(key)
    return found


@dataclass(frozen=True)
class ReviewQueue:
    """The analysts' queue: a page of incidents awaiting a verdict (newest first) and how
    many await one, the newest defensive responses and how many there are, and the
    incident chosen (the one asked for, else the first listed) with those it might merge."""

    waiting: list[KeyedIncident]
    count: int
    responses: list[KeyedIncident]
    response_count: int
    incident: IncidentWithRecords | None = None
    candidates: list[KeyedIncident] = field(default_factory=list)


def review_queue(system: System, *, limit: int, offset: int, key: str | None) -> ReviewQueue:
    """The queue's page at `offset`, at the incident `key` (`NoIncident` if there is none)."""
    with reading(system.db) as conn:
        waiting = [keyed(r) for r in rows.review_queue(conn, limit=limit, offset=offset)]
        responses = [keyed(r) for r in rows.defensive_responses(conn, limit=limit)]
        first = next(iter(waiting or responses), None)
        chosen = key or (first["key"] if first else None)
        incident = None
        candidates: list[KeyedIncident] = []
        if chosen is not None:
            parts = parse_incident_key(chosen)
            incident = None if parts is None else _incident(conn, *parts)
            if incident is None:
                raise NoIncident(chosen)
            incident["key"] = chosen
            candidates = _candidates(conn, incident)
        return ReviewQueue(
            waiting=waiting,
            count=rows.review_count(conn),
            responses=responses,
            response_count=rows.response_count(conn),
            incident=incident,
            candidates=candidates,
        )


def _candidates(conn: Connection, incident: IncidentRow) -> list[KeyedIncident]:
    """Incidents of the same ceasefire near it in space and time: what it might merge."""
    lat, lon, at = incident["lat"], incident["lon"], incident["occurred_at"]
    found = rows.incident_page(
        conn,
        limit=40,
        ceasefire=incident["ceasefire_id"],
        since=at - NEAR_TIME,
        until=at + NEAR_TIME,
        bbox=(lon - NEAR_DEG, lat - NEAR_DEG, lon + NEAR_DEG, lat + NEAR_DEG),
    )
    return [
        keyed(r) for r in found if r["id"] != incident["id"] and r["status"] not in rows.SET_ASIDE
    ][:20]
