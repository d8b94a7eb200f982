"""The report record itself, as JSONL or CSV: read and validated, no mapping needed.

This is what `ingest` and `replay` read by default; the other formats (`acled`, `ucdp`,
`air-attacks`, a mapped `csv`) go through a mapping onto the same record.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..domain.reports import (
    FieldError,
    Rejection,
    Report,
    ReportRejected,
    parse_report,
    valid_report,
)
from .files import LineTooLong, lines
from .rows import csv_rows


def read_reports(path: str | Path, fmt: str | None = None) -> Iterator[Report | Rejection]:
    """Each record of a JSONL or CSV file (gzipped or not), validated; bad ones as rejections."""
    name = str(path)
    fmt = fmt or _format_of(name)
    if fmt != "csv":
        yield from _jsonl_reports(name)
        return
    rows = _csv_records(name)
    for where, raw in rows:
        if isinstance(raw, Rejection):
            yield raw
            continue
        try:
            yield parse_report(raw, where)
        except ReportRejected as exc:
            yield Rejection(where, exc.errors)


def _format_of(name: str) -> str:
    return "csv" if name.lower().removesuffix(".gz").endswith(".csv") else "jsonl"


def _jsonl_reports(name: str) -> Iterator[Report | Rejection]:
    """Each line as bytes, validated: the validator reads UTF-8 itself, and a bad byte
    rejects one line. A line that is not valid is validated again by `parse_report`,
    whose messages name it by file and line (made only then)."""
    for number, line in lines(name):
        if line is None:
            where = f"{name}:{number}"
            yield Rejection(where, [FieldError(where, "(record)", str(LineTooLong("bytes")))])
            continue
        report = valid_report(line)
        if report is not None:
            yield report
        elif line.strip():
            try:
                yield parse_report(line, f"{name}:{number}")
            except ReportRejected as exc:
                yield Rejection(f"{name}:{number}", exc.errors)


def _csv_records(name: str) -> Iterator[tuple[str, dict[str, Any] | Rejection]]:
    """Each row as a record: empty cells left out, `evidence` read as JSON when it is."""
    for row in csv_rows(name):
        if isinstance(row, Rejection):
            yield row.where, row
            continue
        record: dict[str, Any] = {k: v for k, v in row.values.items() if v not in (None, "")}
        if "evidence" in record:
            with contextlib.suppress(ValueError):
                record["evidence"] = json.loads(record["evidence"])
        yield row.where, record
