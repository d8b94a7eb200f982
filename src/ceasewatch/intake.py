"""Reading report records from JSONL and CSV files into validated reports."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

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
    """Each record of a JSONL or CSV file (gzipped or not), validated; bad ones as rejections."""
    name = str(path)
    fmt = fmt or _format_of(name)
    rows = _csv_rows(name) if fmt == "csv" else _jsonl_rows(name)
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


def _open_binary(name: str) -> contextlib.AbstractContextManager[IO[bytes]]:
    if name == STDIN:
        return contextlib.nullcontext(sys.stdin.buffer)
    if name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(name, "rb"))
    return open(name, "rb")


def _jsonl_rows(name: str) -> Iterator[tuple[str, bytes]]:
    """Lines as bytes: the validator reads UTF-8 itself, and a bad byte rejects one line."""
    with _open_binary(name) as stream:
        for number, line in enumerate(stream, start=1):
            if not line.isspace():
                yield f"{name}:{number}", line


def _csv_rows(name: str) -> Iterator[tuple[str, dict[str, Any] | Rejection]]:
    with _open_binary(name) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
        reader = csv.DictReader(stream)
        for row in reader:
            where = f"{name}:{reader.line_num}"
            record: dict[str, Any] = {k: v for k, v in row.items() if k and v not in (None, "")}
            if bad := [k for k, v in record.items() if not _is_utf8(k) or not _is_utf8(v)]:
                errors = [FieldError(where, field, "not valid UTF-8") for field in bad]
                yield where, Rejection(where, errors)
                continue
            if "evidence" in record:
                with contextlib.suppress(ValueError):
                    record["evidence"] = json.loads(record["evidence"])
            yield where, record
        stream.detach()


def _is_utf8(text: object) -> bool:
    """False for a string holding bytes that were not UTF-8 (kept as lone surrogates)."""
    if not isinstance(text, str) or text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
