"""Rows as they travel between a store and its mirrors: the journal, the audit chain,
the ceasefires and the rows derived from the journal, column for column.

A row travels as a JSON object of its columns: instants as ISO 8601 (`isoformat`, to the
microsecond), JSON columns as they are, text as it is (a report's body is its canonical
JSON, byte for byte), numbers as JSON numbers (a float's shortest repr reads back as the
same float). `encode` and `decode` are each other's inverse for every table here.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..audit import canonical
from . import bulk, tables
from .database import streamed
from .paging import FEW, PAGE_BYTES, Page, bounded
from .types import Instant

JOURNAL = (tables.reports, tables.commands)
DERIVED = (
    tables.incidents,
    tables.incident_reports,
    tables.cases,
    tables.actions,
    tables.decisions,
    tables.events,
)
"""The rows `audit verify` derives from the journal and compares (`services.verify`)."""
COPIED = {t.name: t for t in (tables.ceasefires, *JOURNAL, *DERIVED)}


class RowError(ValueError):
    """A row that does not fit its table, naming the table and column."""


def encode(table: sa.Table, row: Mapping[Any, Any]) -> dict[str, Any]:
    out = {}
    for column in table.columns:
        value = row[column.name]
        if isinstance(column.type, Instant) and value is not None:
            value = value.isoformat()
        out[column.name] = value
    return out


def decode(table: sa.Table, data: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for column in table.columns:
        if column.name not in data:
            raise RowError(f"{table.name}: no column {column.name}")
        value = data[column.name]
        if isinstance(column.type, Instant) and value is not None:
            try:
                value = datetime.fromisoformat(value)
            except (TypeError, ValueError):
                raise RowError(f"{table.name}.{column.name}: {value!r} is not an instant") from None
        out[column.name] = value
    return out


# -- the primary's side: reading ---------------------------------------------------------


def journal_after(conn: Connection, after: int, limit: int) -> Page[tuple[str, dict[str, Any]]]:
    """Up to `limit` journal rows numbered after `after`, in order, with their tables: at
    most `PAGE_BYTES` of their bodies past the first (`paging`)."""

    def numbered(table: sa.Table) -> Iterator[tuple[int, str, sa.Row[Any]]]:
        query = sa.select(table).where(table.c.seq > after).order_by(table.c.seq).limit(limit)
        return ((row.seq, table.name, row) for row in conn.execute(streamed(query, FEW)))

    rows = heapq.merge(*(numbered(t) for t in JOURNAL), key=lambda item: item[0])
    page = bounded(rows, lambda item: len(item[2].body), limit, PAGE_BYTES)
    return Page(
        [(name, encode(COPIED[name], row._mapping)) for _, name, row in page.items], page.more
    )


def rows(conn: Connection, table: sa.Table) -> Iterator[dict[str, Any]]:
    """A table's rows in key order, streamed."""
    query = sa.select(table).order_by(*table.primary_key.columns)
    for row in conn.execute(streamed(query)):
        yield encode(table, row._mapping)


def journal_end(conn: Connection) -> int:
    """The largest journal number taken (0 for none)."""
    ends = [conn.execute(sa.select(sa.func.max(t.c.seq))).scalar() or 0 for t in JOURNAL]
    return max(ends)


# -- the mirror's side: writing ----------------------------------------------------------


def append(conn: Connection, table: sa.Table, data: Sequence[Mapping[str, Any]]) -> None:
    bulk.insert(conn, table, [decode(table, item) for item in data])


def set_clock(conn: Connection, now: datetime | None, next_seq: int) -> None:
    clock = tables.clock
    conn.execute(sa.update(clock).where(clock.c.id == 1).values(now=now, next_seq=next_seq))


def append_audit(conn: Connection, entries: Sequence[Mapping[str, Any]]) -> None:
    """Append audit entries exactly as another store holds them (bodies kept canonical)."""
    rows = []
    for entry in entries:
        at = entry["at"]
        rows.append(
            {
                "seq": entry["seq"],
                "at": None if at is None else datetime.fromisoformat(at.replace("Z", "+00:00")),
                "kind": entry["kind"],
                "body": canonical(entry["body"]).decode("utf-8"),
                "prev": entry["prev"],
                "hash": entry["hash"],
            }
        )
    bulk.insert(conn, tables.audit, rows)


def clear(conn: Connection, table: sa.Table) -> None:
    conn.execute(sa.delete(table))
