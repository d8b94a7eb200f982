"""Ingest's bulk writes: rows thought new are appended, and upserted if one was not."""

from __future__ import annotations

import sqlalchemy as sa

from ceasewatch.services.system import System
from ceasewatch.store import bulk, tables
from ceasewatch.store.database import reading, writing
from ceasewatch.store.readmodels import MEMBERSHIP_COLUMNS


def _members(system: System) -> list[tuple[str, ...]]:
    t = tables.incident_reports
    with reading(system.db) as conn:
        rows = conn.execute(sa.select(t).order_by(t.c.source, t.c.report_id)).all()
    return [tuple(row) for row in rows]


def test_rows_appended_as_new_are_stored(system: System):
    rows = [("cf", "s", "r1", "inc-1"), ("cf", "s", "r2", "inc-2")]

    with writing(system.db) as conn:
        bulk.insert_new(conn, tables.incident_reports, MEMBERSHIP_COLUMNS, rows)

    assert _members(system) == rows


def test_a_row_stored_already_turns_the_append_into_an_upsert(system: System):
    with writing(system.db) as conn:
        bulk.insert_new(conn, tables.incident_reports, MEMBERSHIP_COLUMNS, [("cf", "s", "r1", "a")])
        bulk.insert_new(
            conn,
            tables.incident_reports,
            MEMBERSHIP_COLUMNS,
            [("cf", "s", "r0", "b"), ("cf", "s", "r1", "b"), ("cf", "s", "r2", "b")],
        )
        conn.execute(sa.update(tables.clock).values(next_seq=tables.clock.c.next_seq))

    assert _members(system) == [
        ("cf", "s", "r0", "b"),
        ("cf", "s", "r1", "b"),
        ("cf", "s", "r2", "b"),
    ]
