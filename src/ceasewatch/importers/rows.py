"""Reading a table row by row, and what an importer makes of each row.

A row becomes a report, a rejection (the fields that are wrong, named with the file, line
and id), or a skip (a row that is no violation by the mapping, e.g. an ACLED protest):
nothing is dropped without a word. Files are read as a stream, gzipped or not, and the
bytes read so far are reported for a progress bar.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from ..domain.reports import FieldError, Report, ReportRejected, parse_report
from ..intake import STDIN, Rejection

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


def file_size(path: str) -> int | None:
    """The size in bytes of a file, for a progress bar's total (None for stdin)."""
    if path == STDIN:
        return None
    try:
        return Path(path).stat().st_size
    except OSError:
        return None


def csv_rows(path: str, on_progress: Progress | None = None) -> Iterator[Row | Rejection]:
    """Each data row of a CSV file with its line number; a row with bad UTF-8 is rejected."""
    with _open(path) as (raw, position):
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.DictReader(stream)
        for count, values in enumerate(reader, start=1):
            where = f"{path}:{reader.line_num}"
            bad = [k for k, v in values.items() if not _is_utf8(k) or not _is_utf8(v)]
            if bad:
                errors = [FieldError(where, k or "(row)", "not valid UTF-8") for k in bad]
                yield Rejection(where, errors)
            else:
                yield Row(where, reader.line_num, {k: v for k, v in values.items() if k})
            if on_progress is not None and count % PROGRESS_EVERY == 0:
                on_progress(position())
        if on_progress is not None:
            on_progress(position())
        stream.detach()


@contextlib.contextmanager
def _open(path: str) -> Iterator[tuple[IO[bytes], Callable[[], int]]]:
    """The file's bytes (uncompressed), and how far into the file on disk reading is."""
    if path == STDIN:
        yield sys.stdin.buffer, lambda: 0
        return
    with open(path, "rb") as disk:
        if path.lower().endswith(".gz"):
            with gzip.open(disk, "rb") as unzipped:
                yield cast(IO[bytes], unzipped), disk.tell
        else:
            yield disk, disk.tell


def _is_utf8(text: object) -> bool:
    if not isinstance(text, str) or text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
            name = f"{row.where} (id {rid})"
            yield parse_report(make(row, rid), row.where)
        except SkipRow as skip:
            yield Skipped(row.where, skip.reason)
        except RowError as exc:
            yield Rejection(row.where, [FieldError(name, exc.field, exc.message)])
        except ReportRejected as exc:
            yield Rejection(row.where, exc.errors)
