"""Reading report records from JSONL and CSV files into validated reports."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .domain.reports import FieldError, Report, ReportRejected, parse_report

STDIN = "-"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that was not accepted: where it is and every field that is wrong."""

    where: str
    errors: list[FieldError]

    def to_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "errors": [
                {"record": e.record, "field": e.field, "message": e.message} for e in self.errors
            ],
        }

    def __str__(self) -> str:
        return "; ".join(str(e) for e in self.errors)


def read_reports(path: str | Path, fmt: str | None = None) -> Iterator[Report | Rejection]:
    """Each record of a JSONL or CSV file, validated; bad ones come back as rejections."""
    name = str(path)
    fmt = fmt or _format_of(name)
    with _open(name) as stream:
        rows = _csv_rows(stream, name) if fmt == "csv" else _jsonl_rows(stream, name)
        for where, raw in rows:
            try:
                yield parse_report(raw, where)
            except ReportRejected as exc:
                yield Rejection(where, exc.errors)


def _format_of(name: str) -> str:
    return "csv" if name.lower().endswith((".csv", ".csv.gz")) else "jsonl"


def _open(name: str) -> IO[str]:
    if name == STDIN:
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", newline="")
    return open(name, encoding="utf-8", newline="")


def _jsonl_rows(stream: IO[str], name: str) -> Iterator[tuple[str, str | dict[str, Any]]]:
    for number, line in enumerate(stream, start=1):
        if not line.isspace():
            yield f"{name}:{number}", line


def _csv_rows(stream: IO[str], name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(stream)
    for row in reader:
        record: dict[str, Any] = {k: v for k, v in row.items() if k and v not in (None, "")}
        if "evidence" in record:
            with contextlib.suppress(ValueError):
                record["evidence"] = json.loads(record["evidence"])
        yield f"{name}:{reader.line_num}", record
