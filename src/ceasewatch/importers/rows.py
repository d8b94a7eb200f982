"""Reading a table row by row, and what an importer makes of each row.

A row becomes a report, a rejection (the fields that are wrong, named with the file, line
and id), or a skip (a row that is no violation by the mapping, e.g. an ACLED protest):
nothing is dropped without a word. Files are read as a stream through `files.py`, and
the bytes read so far are reported for a progress bar.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..domain.reports import (
    FieldError,
    Rejection,
    Report,
    ReportRejected,
    parse_report,
    record_named,
)
from .files import LineTooLong, TextLines, csv_text, is_utf8

Progress = Callable[[int], None]
"""Called now and then with the bytes of the file read so far."""

PROGRESS_EVERY = 500
"""Rows between two progress calls."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row the mapping says is not a violation: counted and said, not stored."""

    where: str
    reason: str


Record = Report | Rejection | Skipped


class RowError(ValueError):
    """One field of a row cannot be mapped: which, and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SkipRow(Exception):
    """The mapping says this row is not a violation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Row:
    where: str
    """file:line, for messages."""
    line: int
    values: Mapping[str, str]

    def get(self, column: str) -> str:
        """The column's value, stripped; '' when absent or empty."""
        value = self.values.get(column)
        return value.strip() if value else ""

    def need(self, column: str) -> str:
        value = self.get(column)
        if not value:
            raise RowError(column, "is missing")
        return value


def csv_rows(path: str, on_progress: Progress | None = None) -> Iterator[Row | Rejection]:
    """Each data row of a CSV file with its line number; a row with bad UTF-8, a field
    over `csv`'s limit (128 KiB) or a line over `LINE_LIMIT` is rejected, and the rows
    after it are read."""
    with csv_text(path) as (stream, position):
        text = TextLines(stream)
        reader = csv.DictReader(text)
        for count, values in enumerate(_rows(reader, text, path), start=1):
            if isinstance(values, Rejection):
                yield values
                continue
            where = f"{path}:{reader.line_num}"
            bad = [k for k, v in values.items() if not is_utf8(k) or not is_utf8(v)]
            if bad:
                errors = [FieldError(where, k or "(row)", "not valid UTF-8") for k in bad]
                yield Rejection(where, errors)
            else:
                yield Row(where, reader.line_num, {k: v for k, v in values.items() if k})
            if on_progress is not None and count % PROGRESS_EVERY == 0:
                on_progress(position())
        if on_progress is not None:
            on_progress(position())


def _rows(
    reader: csv.DictReader[str], text: TextLines, path: str
) -> Iterator[dict[str, str] | Rejection]:
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except (csv.Error, LineTooLong) as exc:
            where = f"{path}:{text.count}"
            yield Rejection(where, [FieldError(where, "(row)", str(exc))])


def mapped(
    rows: Iterator[Row | Rejection],
    ident: Callable[[Row], str],
    make: Callable[[Row, str], dict[str, Any]],
) -> Iterator[Record]:
    """Apply a row mapper to each row and validate what it makes as a report record.

    `ident` gives the row's report id (first, so that every error can name it); `make`
    returns the report record's fields, raises `RowError` for a field it cannot map, or
    `SkipRow` for a row that is no violation.
    """
    for row in rows:
        if isinstance(row, Rejection):
            yield row
            continue
        name = row.where
        try:
            rid = ident(row)
            name = record_named(row.where, rid)
            yield parse_report(make(row, rid), row.where)
        except SkipRow as skip:
            yield Skipped(row.where, skip.reason)
        except RowError as exc:
            yield Rejection(row.where, [FieldError(name, exc.field, exc.message)])
        except ReportRejected as exc:
            yield Rejection(row.where, exc.errors)
