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
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..audit import sha256_hex
from ..domain.reports import Report, parse_report
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
    return report.model_dump_json(exclude_defaults=True)


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


def append_reports(conn: Connection, inputs: list[ReportInput]) -> list[str]:
    """Journal reports; returns the SHA-256 of each one's canonical JSON."""
    rows, digests = [], []
    for item in inputs:
        report = item.report
        body = encode_report(report)
        digest = sha256_hex(body.encode("utf-8"))
        digests.append(digest)
        rows.append(
            {
                "seq": item.seq,
                "source": report.source,
                "id": report.id,
                "clock": item.clock,
                "arrival": report.arrival,
                "occurred_at": report.occurred_at,
                "event_type": report.event_type.value,
                "perpetrator": report.perpetrator,
                "lat": report.lat,
                "lon": report.lon,
                "trusted": item.trusted,
                "body": body,
                "sha256": digest,
            }
        )
    bulk.insert(conn, tables.reports, rows)
    return digests


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


def inputs_after(conn: Connection, seq: int) -> Iterator[Input]:
    """Every input numbered after `seq`, in order, streamed."""
    commands = conn.execute(
        sa.select(tables.commands)
        .where(tables.commands.c.seq > seq)
        .order_by(tables.commands.c.seq)
    ).all()
    reports = conn.execute(
        streamed(
            sa.select(
                tables.reports.c.seq,
                tables.reports.c.clock,
                tables.reports.c.body,
                tables.reports.c.trusted,
            )
            .where(tables.reports.c.seq > seq)
            .order_by(tables.reports.c.seq)
        )
    )
    report_inputs = (
        ReportInput(
            row.seq, row.clock, parse_report(row.body, f"report seq {row.seq}"), row.trusted
        )
        for row in reports
    )
    command_inputs = (
        CommandInput(row.seq, row.clock, row.ceasefire_id, row.kind, row.body) for row in commands
    )
    merged: Iterable[Input] = heapq.merge(report_inputs, command_inputs, key=lambda i: i.seq)
    yield from merged


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
