"""What the map's snapshot of every incident is read from, whole or where it changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import tables
from ..database import streamed


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
