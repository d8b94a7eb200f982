"""Writing many rows at once, for ingest's hot path.

SQLAlchemy's per-row parameter processing (type conversion, JSON encoding, building each
parameter dict) costs several times the insert itself, so the tables a batch of reports
writes to go straight to the driver: values converted once, here, to what the column
holds; rows as tuples; SQLite's `executemany`, PostgreSQL's `COPY` (or `executemany` for
an upsert). The statements are generated from the table definitions and parameterised;
what is written reads back through the same SQLAlchemy types as any other row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .types import Instant

Convert = Callable[[Any], Any]


def _sqlite_instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = _instants.get(value)
    if text is None:
        if len(_instants) >= _INSTANTS_KEPT:
            _instants.clear()
        text = (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()
        _instants[value] = text
    return text


_instants: dict[datetime, str] = {}
"""Instants as SQLite text, kept: `isoformat` of an aware datetime costs many times a
dict look-up (a datetime keeps its hash), and a batch's rows repeat their instants (a
report's arrival is its incident's verification and its event's time). Equal instants
in any zone give the same UTC text, so keying by the instant is sound."""
_INSTANTS_KEPT = 1 << 16


def _postgres_instant(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


def json_text(value: Any) -> str:
    """A JSON column's text: compact JSON by orjson (an order of magnitude faster than
    `json.dumps`); it reads back, through SQLAlchemy's JSON type, as the same value.
    Not the audit chain's canonical form: nothing hashes these bytes."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


def same(value: Any) -> Any:
    """A value the driver takes as it is."""
    return value


def instant_of(dialect: str) -> Convert:
    """How an instant is written on this dialect (see `types.Instant`)."""
    return _postgres_instant if dialect == "postgresql" else _sqlite_instant


def converters(columns: Sequence[sa.Column[Any]], dialect: str) -> list[Convert]:
    """For each column, how to turn a Python value into what the driver takes."""
    out: list[Convert] = []
    for column in columns:
        if isinstance(column.type, Instant):
            out.append(instant_of(dialect))
        elif isinstance(column.type, sa.JSON):
            out.append(json_text)
        else:
            out.append(same)
    return out


def insert(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append rows: mappings of column to value (a column left out takes its default)."""
    if not rows:
        return
    columns = _columns(table, rows[0])
    values = _converted(columns, conn.dialect.name, rows)
    insert_values(conn, table, [c.name for c in columns], values)


def insert_values(
    conn: Connection, table: sa.Table, columns: Sequence[str], values: Sequence[Sequence[Any]]
) -> None:
    """Append rows given as tuples of `columns`' values, already as the driver takes them
    (see `converters`)."""
    if not values:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)


def insert_new(
    conn: Connection, table: sa.Table, names: Sequence[str], values: Sequence[Sequence[Any]]
) -> None:
    """Append rows that should all be new (`insert_values`: SQLite's plain INSERT costs
    a fifth less than an upsert, PostgreSQL's `COPY` far less); if one of them is stored
    already, the append is undone (a savepoint) and they are all upserted instead."""
    if not values:
        return
    refused: tuple[type[BaseException], ...] = (sa.exc.IntegrityError,)
    dbapi = conn.dialect.dbapi
    if dbapi is not None:  # `COPY` goes to the driver: its own error, not SQLAlchemy's
        refused += (dbapi.IntegrityError,)
    try:
        with conn.begin_nested():
            insert_values(conn, table, names, values)
    except refused:
        upsert_values(conn, table, names, values)


def upsert(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows, or update every other column of those whose primary key exists."""
    if not rows:
        return
    columns = _columns(table, rows[0])
    values = _converted(columns, conn.dialect.name, rows)
    upsert_values(conn, table, [c.name for c in columns], values)


def upsert_values(
    conn: Connection, table: sa.Table, names: Sequence[str], values: Sequence[Sequence[Any]]
) -> None:
    """`upsert` of rows given as tuples of the columns `names`, converted as the driver
    takes them (see `converters`)."""
    if not values:
        return
    dialect = conn.dialect.name
    keys = [c.name for c in table.primary_key.columns]
    updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in keys)
    mark = "%s" if dialect == "postgresql" else "?"
    statement = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "
        f"VALUES ({', '.join(mark for _ in names)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )
    if dialect == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.executemany(statement, values)
        return
    conn.exec_driver_sql(statement, values)


def _columns(table: sa.Table, row: Mapping[str, Any]) -> list[sa.Column[Any]]:
    """The columns of `table` a row gives, in the table's order."""
    unknown = set(row) - set(table.columns.keys())
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    return [c for c in table.columns if c.name in row]


def _converted(
    columns: Sequence[sa.Column[Any]], dialect: str, rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """Each row's values in column order, converted where the column needs it."""
    pick = itemgetter(*(c.name for c in columns))
    convert = [(i, f) for i, f in enumerate(converters(columns, dialect)) if f is not same]
    out = []
    for row in rows:
        values = list(pick(row)) if len(columns) > 1 else [pick(row)]
        for i, f in convert:
            values[i] = f(values[i])
        out.append(tuple(values))
    return out
