"""What a mirror reads from a store: its journal and audit chain page by page (each page
starts after a number the mirror already holds, so a pull that stops resumes where it
stopped), and the rest as one snapshot (`state`).

`state` streams, from one snapshot of the store: first a `mark` (the stored clock, the
last journal number, the audit log's size and head at that snapshot), then every
ceasefire and every row derived from the journal, then an `end` line. Journal and chain
pages read later are cut at the mark, so what a mirror holds is one state of the store
however busy it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from ..domain.events import iso_z
from ..store import auditlog, journal, mirroring, tables
from ..store.database import reading, snapshot
from .system import System


def journal_page(system: System, after: int, limit: int) -> dict[str, Any]:
    """Journal rows numbered after `after`: `{items: [{table, row}], next_after}`."""
    with reading(system.db) as conn:
        found = mirroring.journal_after(conn, after, limit)
    items = [{"table": table, "row": row} for table, row in found.items]
    return {"items": items, "next_after": found.items[-1][1]["seq"] if found.more else None}


def audit_page(system: System, after: int, limit: int) -> dict[str, Any]:
    """Audit entries numbered after `after`, exactly as held: `{items, next_after}`."""
    with reading(system.db) as conn:
        items = [e.to_dict() for e in islice(auditlog.entries(conn, after=after), limit)]
    return {"items": items, "next_after": items[-1]["seq"] if len(items) == limit else None}


def state(system: System) -> Iterator[dict[str, Any]]:
    """The mark, then `{table, row}` for each ceasefire and derived row, then `{end}`."""
    with snapshot(system.db) as conn:
        clock = journal.read_clock(conn)
        size, head = auditlog.last_link(conn)
        yield {
            "mark": {
                "clock": None if clock.now is None else iso_z(clock.now),
                "next_seq": clock.next_seq,
                "journal_end": mirroring.journal_end(conn),
                "audit_size": size,
                "audit_head": head,
            }
        }
        for table in (tables.ceasefires, *mirroring.DERIVED):
            for row in mirroring.rows(conn, table):
                yield {"table": table.name, "row": row}
    yield {"end": True}
