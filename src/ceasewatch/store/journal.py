"""The journal: the inputs the engines are a function of, the stored clock, the ceasefires.

Every input (a report, or a command such as "action done") takes the next number of one
sequence and records the engine clock it was taken at. Feeding the inputs to a fresh
engine in that order, advancing it to each input's clock first and to the stored clock
at the end, rebuilds exactly the state the live engines had.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Row

from ..audit import canonical, sha256_hex
from ..domain.events import iso_z
from ..domain.reports import Report, parse_report, report_json
from . import bulk, tables
from .database import streamed

SOURCES = "sources"
"""The command, for every ceasefire's engine, that declares or regrades sources: its body
is `{"sources": [...], "at": ISO 8601 or null}`."""


@dataclass(frozen=True, slots=True)
class StoredClock:
    now: datetime | None
    next_seq: int


@dataclass(frozen=True, slots=True)
class ReportInput:
    seq: int
    clock: datetime | None
    report: Report
    trusted: bool


@dataclass(frozen=True, slots=True)
class CommandInput:
    seq: int
    clock: datetime | None
    ceasefire: str | None
    """None: a command for every ceasefire's engine (e.g. declaring sources)."""
    kind: str
    body: dict[str, Any]


Input = ReportInput | CommandInput


@dataclass(frozen=True, slots=True)
class StoredCeasefire:
    id: str
    name: str
    definition: dict[str, Any]
    policy_name: str
    policy_version: int
    policy_text: str
    added_at: datetime | None


def encode_report(report: Report) -> str:
    """A report's canonical JSON: its fields in the record's order, defaults left out."""
    return report_json(report, exclude_defaults=True)


# -- the clock ------------------------------------------------------------------------


def read_clock(conn: Connection) -> StoredClock:
    row = conn.execute(sa.select(tables.clock.c.now, tables.clock.c.next_seq)).one()
    return StoredClock(row.now, row.next_seq)


def write_clock(conn: Connection, clock: StoredClock) -> None:
    conn.execute(
        sa.update(tables.clock)
        .where(tables.clock.c.id == 1)
        .values(now=clock.now, next_seq=clock.next_seq)
    )


# -- inputs ---------------------------------------------------------------------------


REPORT_COLUMNS = tuple(c.name for c in tables.reports.columns)
"""A report's journal row: the fields queries filter on, its canonical JSON (`body`) and
that body's SHA-256 (the last two columns)."""


def stored_keys(conn: Connection, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (source, id) pairs the journal holds: one statement, by the unique
    index, whatever their number (a batch of reports asks once)."""
    r = tables.reports
    listed = list(keys)
    if not listed:
        return set()
    source: sa.ColumnElement[Any]
    id_: sa.ColumnElement[Any]
    if conn.dialect.name == "postgresql":
        sources = sa.bindparam("sources", [k[0] for k in listed], type_=ARRAY(sa.Text))
        ids = sa.bindparam("ids", [k[1] for k in listed], type_=ARRAY(sa.Text))
        given = sa.func.unnest(sources, ids).table_valued("source", "id").render_derived("given")
        source, id_ = given.c.source, given.c.id
    else:  # SQLite: the pairs as one JSON array, its rows by json_each
        pairs = sa.bindparam("pairs", orjson.dumps(listed).decode(), type_=sa.Text)
        given = sa.func.json_each(pairs).table_valued("value").alias("given")
        source = sa.func.json_extract(given.c.value, "$[0]")
        id_ = sa.func.json_extract(given.c.value, "$[1]")
    on = sa.and_(r.c.source == source, r.c.id == id_)
    found = conn.execute(sa.select(r.c.source, r.c.id).select_from(given.join(r, on)))
    return {(row.source, row.id) for row in found}


def append_reports(conn: Connection, inputs: list[ReportInput]) -> list[str]:
    """Journal reports; returns the SHA-256 of each one's canonical JSON."""
    instant = bulk.instant_of(conn.dialect.name)
    rows = [report_values(i.seq, i.clock, i.report, i.trusted, instant) for i in inputs]
    bulk.insert_values(conn, tables.reports, REPORT_COLUMNS, rows)
    return [row[-1] for row in rows]


def report_row(
    seq: int, clock: datetime | None, report: Report, trusted: bool, body: str | None = None
) -> dict[str, Any]:
    """A report's journal row: its canonical JSON (`body`, made from the report unless
    given), that body's SHA-256, and the fields queries filter on, read from the report."""
    values = report_values(seq, clock, report, trusted, bulk.same, body)
    return dict(zip(REPORT_COLUMNS, values, strict=True))


def report_values(
    seq: int,
    clock: datetime | None,
    report: Report,
    trusted: bool,
    instant: bulk.Convert,
    body: str | None = None,
) -> tuple[Any, ...]:
    """`report_row` as a tuple of `REPORT_COLUMNS`, its instants converted by `instant`."""
    body = encode_report(report) if body is None else body
    return (
        seq,
        report.source,
        report.id,
        instant(clock),
        instant(report.arrival),
        instant(report.occurred_at),
        report.event_type,
        report.perpetrator,
        report.lat,
        report.lon,
        trusted,
        body,
        sha256_hex(body.encode("utf-8")),
    )


def append_command(conn: Connection, item: CommandInput) -> None:
    conn.execute(
        sa.insert(tables.commands).values(
            seq=item.seq,
            clock=item.clock,
            ceasefire_id=item.ceasefire,
            kind=item.kind,
            body=item.body,
        )
    )


JournalRow = tuple[str, Row[Any]]
"""A row of the journal and the table it is in: `reports` or `commands`."""

_INPUT_COLUMNS = ("seq", "clock", "body", "trusted")
"""What feeding a report needs of its row."""


def rows_after(conn: Connection, seq: int, *, whole: bool = False) -> Iterator[JournalRow]:
    """Every journal row numbered after `seq`, in order, streamed (commands, fewer, are
    read at once); `whole` reads every column of a report's row, not only its input's."""
    c = tables.commands
    commands = conn.execute(sa.select(c).where(c.c.seq > seq).order_by(c.c.seq)).all()
    t = tables.reports
    columns = list(t.columns) if whole else [t.c[name] for name in _INPUT_COLUMNS]
    reports = conn.execute(streamed(sa.select(*columns).where(t.c.seq > seq).order_by(t.c.seq)))
    merged: Iterable[JournalRow] = heapq.merge(
        ((t.name, row) for row in reports),
        ((c.name, row) for row in commands),
        key=lambda item: item[1].seq,
    )
    yield from merged


def input_of(table: str, row: Row[Any]) -> Input:
    """The input a journal row holds (a report's body is validated again)."""
    if table == tables.reports.name:
        report = parse_report(row.body, f"report seq {row.seq}", stored=True)
        return ReportInput(row.seq, row.clock, report, row.trusted)
    return CommandInput(row.seq, row.clock, row.ceasefire_id, row.kind, row.body)


def inputs_after(conn: Connection, seq: int) -> Iterator[Input]:
    """Every input numbered after `seq`, in order, streamed."""
    for table, row in rows_after(conn, seq):
        yield input_of(table, row)


# -- what the audit chain records of each entry ----------------------------------------

REPORT_LISTING = ("seq", "source", "id", "sha256", "clock")
"""The fields of a report as its batch's `reports_accepted` audit entry lists it."""


def report_listing(
    seq: int, source: str, id: str, digest: str, clock: datetime | str | None
) -> list[Any]:
    """A report as the chain lists it: its number, source and id, the SHA-256 of its
    canonical JSON (`body`), and the clock it was taken at (or that clock's stamp)."""
    return [seq, source, id, digest, clock if isinstance(clock, str) else _stamp(clock)]


def report_listings(inputs: Iterable[ReportInput], digests: Iterable[str]) -> list[list[Any]]:
    """`report_listing` of each input, given its digest: a batch's listing, each clock's
    stamp worked out once (a batch's reports share a few clocks)."""
    out = []
    last: datetime | None = None
    stamp = None
    for item, digest in zip(inputs, digests, strict=True):
        clock = item.clock
        if clock != last or stamp is None:
            last, stamp = clock, _stamp(clock)
        out.append(report_listing(item.seq, item.report.source, item.report.id, digest, stamp))
    return out


def command_record(item: CommandInput) -> dict[str, Any]:
    """A command as its `command` audit entry records it: its number, ceasefire, kind
    and clock, and the SHA-256 of its body's canonical JSON."""
    return {
        "seq": item.seq,
        "ceasefire": item.ceasefire,
        "command": item.kind,
        "clock": _stamp(item.clock),
        "sha256": sha256_hex(canonical(item.body)),
    }


def ceasefire_record(stored: StoredCeasefire) -> dict[str, Any]:
    """A ceasefire as its `ceasefire_added` audit entry records it: its id, name and
    policy, when it was added, and the SHA-256 of its definition's canonical JSON and of
    its policy's text (UTF-8): `sha256sum` of the policy file gives the same."""
    return {
        "ceasefire": stored.id,
        "name": stored.name,
        "policy": stored.policy_name,
        "policy_version": stored.policy_version,
        "added_at": _stamp(stored.added_at),
        "definition_sha256": sha256_hex(canonical(stored.definition)),
        "policy_sha256": sha256_hex(stored.policy_text.encode("utf-8")),
    }


def _stamp(at: datetime | None) -> str | None:
    return None if at is None else iso_z(at.astimezone(UTC))


def store_commands(conn: Connection, kind: str) -> list[CommandInput]:
    """The journaled commands of one kind that belong to no one ceasefire, in order."""
    c = tables.commands
    rows = conn.execute(
        sa.select(c).where(c.c.kind == kind, c.c.ceasefire_id.is_(None)).order_by(c.c.seq)
    ).all()
    return [CommandInput(r.seq, r.clock, None, r.kind, r.body) for r in rows]


# -- ceasefires -----------------------------------------------------------------------


def stored_ceasefires(conn: Connection) -> list[StoredCeasefire]:
    rows = conn.execute(sa.select(tables.ceasefires).order_by(tables.ceasefires.c.id)).all()
    return [
        StoredCeasefire(
            r.id, r.name, r.definition, r.policy_name, r.policy_version, r.policy_text, r.added_at
        )
        for r in rows
    ]


def add_ceasefire(conn: Connection, stored: StoredCeasefire) -> None:
    conn.execute(
        sa.insert(tables.ceasefires).values(
            id=stored.id,
            name=stored.name,
            definition=stored.definition,
            policy_name=stored.policy_name,
            policy_version=stored.policy_version,
            policy_text=stored.policy_text,
            added_at=stored.added_at,
        )
    )
