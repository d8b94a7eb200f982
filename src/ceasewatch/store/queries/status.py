"""How much is stored, and the stored clock."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import tables


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
