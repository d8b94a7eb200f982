"""Export formats: incidents, cases or reports from the store written as CSV, GeoJSON
or Parquet, with each one's columns.

Rows stream from the database (the queries are in `store/exports.py`) in batches; each
batch gets its admin-1 area (point in polygon, vectorised) and is written before the
next is read, so memory stays bounded however many rows there are. Parquet is written
one row group per batch.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.engine import Connection

from .domain.events import iso_z
from .oblasts import areas
from .store import exports as rows
from .store.exports import Filter

KINDS = ("incidents", "cases", "reports")
FORMATS = ("csv", "geojson", "parquet")
BATCH = 20_000
"""Rows read, located and written at a time; a Parquet row group."""

Kind = str
"""One of: str, int, float, bool, time."""

_ARROW = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "time": pa.timestamp("us", tz="UTC"),
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    get: Callable[[dict[str, Any]], Any]


def _field(name: str, kind: Kind = "str", key: str | None = None) -> Column:
    source = key or name
    return Column(name, kind, lambda row: row.get(source))


def _joined(values: Iterable[Any]) -> str:
    return ";".join(str(v) for v in values)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


COLUMNS: dict[str, list[Column]] = {
    "incidents": [
        _field("ceasefire", key="ceasefire_id"),
        _field("id"),
        _field("status"),
        _field("severity"),
        _field("perpetrator"),
        _field("occurred_at", "time"),
        _field("verified_at", "time"),
        _field("violation_at", "time"),
        _field("lat", "float"),
        _field("lon", "float"),
        Column("precision_m", "int", lambda row: row["first_report"].get("location_precision_m")),
        _field("oblast"),
        _field("oblast_iso"),
        Column("event_types", "str", lambda row: _joined(row["event_types"])),
        _field("killed", "int"),
        _field("injured", "int"),
        _field("case", key="case_id"),
        _field("verified_by"),
        _field("reviewed_by"),
        _field("review_reason"),
        Column("reports", "int", lambda row: len(row["reports"])),
        Column("sources", "str", lambda row: _joined(dict.fromkeys(s for s, _ in row["reports"]))),
        Column("report_ids", "str", lambda row: _joined(f"{s}:{i}" for s, i in row["reports"])),
    ],
    "cases": [
        _field("ceasefire", key="ceasefire_id"),
        _field("id"),
        _field("violator"),
        _field("phase", "int"),
        _field("severity"),
        _field("opened", "time"),
        _field("opened_at", "time"),
        _field("last_violation", "time"),
        _field("closed_at", "time"),
        _field("close_reason"),
        _field("incidents", "int"),
        _field("opening_incident", key="incident"),
        _field("lat", "float"),
        _field("lon", "float"),
        _field("oblast"),
        _field("oblast_iso"),
        Column("recommended", "str", lambda row: _json(row["recommended"])),
        Column("settled", "str", lambda row: _json(row["settled"])),
    ],
    "reports": [
        _field("seq", "int"),
        _field("source"),
        _field("id"),
        _field("trusted", "bool"),
        _field("arrival", "time"),
        Column("occurred_at", "time", lambda row: _instant(row.get("occurred_at"))),
        Column("reported_at", "time", lambda row: _instant(row.get("reported_at"))),
        _field("lat", "float"),
        _field("lon", "float"),
        _field("location_precision_m", "int"),
        _field("oblast"),
        _field("oblast_iso"),
        _field("event_type"),
        _field("perpetrator"),
        _field("target"),
        _field("killed", "int"),
        _field("injured", "int"),
        _field("source_kind"),
        Column("reliability", "str", lambda row: row.get("reliability", "F")),
        Column("credibility", "int", lambda row: row.get("credibility", 6)),
        _field("text"),
        Column("evidence", "str", lambda row: _json(row.get("evidence"))),
    ],
}


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).astimezone(UTC)


def _precision(kind: str, row: dict[str, Any]) -> float | None:
    if kind == "incidents":
        value = row["first_report"].get("location_precision_m")
    elif kind == "reports":
        value = row.get("location_precision_m")
    else:
        value = None
    return None if value is None else float(value)


def batched(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while batch := list(islice(items, size)):
        yield batch


def located(kind: str, source: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Batches of rows, each row with its admin-1 area's name and ISO code."""
    known = areas()
    for batch in batched(source, BATCH):
        placed = [r for r in batch if r.get("lat") is not None and r.get("lon") is not None]
        found = known.locate_many(
            [r["lat"] for r in placed],
            [r["lon"] for r in placed],
            [_precision(kind, r) for r in placed],
        )
        for row, area in zip(placed, found, strict=True):
            row["oblast"] = None if area is None else area.name
            row["oblast_iso"] = None if area is None else area.iso
        yield batch


def stream(conn: Connection, kind: str, where: Filter) -> Iterator[list[dict[str, Any]]]:
    source = {"incidents": rows.incidents, "cases": rows.cases, "reports": rows.reports}[kind]
    return located(kind, source(conn, where))


def write(
    conn: Connection, kind: str, fmt: str, where: Filter, target: Path | IO[str] | None
) -> int:
    """Export `kind` as `fmt` to a file (or a text stream, for csv and geojson)."""
    columns = COLUMNS[kind]
    batches = stream(conn, kind, where)
    if fmt == "parquet":
        if not isinstance(target, Path):
            raise ValueError("parquet is written to a file: give -o FILE")
        return _parquet(batches, columns, target)
    if isinstance(target, Path):
        with target.open("w", encoding="utf-8", newline="") as stream_:
            return _text(fmt, batches, columns, stream_)
    assert target is not None
    return _text(fmt, batches, columns, target)


def _text(
    fmt: str, batches: Iterator[list[dict[str, Any]]], columns: list[Column], out: IO[str]
) -> int:
    return (_csv if fmt == "csv" else _geojson)(batches, columns, out)


def _csv(batches: Iterator[list[dict[str, Any]]], columns: list[Column], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    count = 0
    for batch in batches:
        writer.writerows([_cell(c.get(row)) for c in columns] for row in batch)
        count += len(batch)
    return count


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return iso_z(value)
    if type(value) is str and value[:1] in _FORMULA and not _NUMBER.fullmatch(value):
        return "'" + value.replace("|", "\\|")
    return value


_FORMULA = frozenset("=+-@|%")
_NUMBER = re.compile(r"-?[0-9,.]+")
"""A spreadsheet runs a cell that starts like a formula: such text (a report's words, id
or source are anyone's) is written with a `'` before it and its `|` escaped, as
defusedcsv does (OWASP's advice on CSV injection); a negative number is left as it is.
This is a cell's cost of export on every row, so it is not defusedcsv's writer, which
wraps every row in a generator (+15% on the whole export)."""


def _geojson(batches: Iterator[list[dict[str, Any]]], columns: list[Column], out: IO[str]) -> int:
    """A FeatureCollection, one feature a line: Points at (lon, lat), or no geometry."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for batch in batches:
        for row in batch:
            lat, lon = row.get("lat"), row.get("lon")
            point = {"type": "Point", "coordinates": [lon, lat]}
            geometry = None if lat is None or lon is None else point
            properties = {
                c.name: _property(c.get(row)) for c in columns if c.name not in ("lat", "lon")
            }
            feature = {"type": "Feature", "geometry": geometry, "properties": properties}
            out.write((",\n" if count else "") + json.dumps(feature, ensure_ascii=False))
            count += 1
    out.write("\n]}\n")
    return count


def _property(value: Any) -> Any:
    return iso_z(value) if isinstance(value, datetime) else value


def _parquet(batches: Iterator[list[dict[str, Any]]], columns: list[Column], path: Path) -> int:
    schema = pa.schema([pa.field(c.name, _ARROW[c.kind]) for c in columns])
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in batches:
            data = {c.name: [c.get(row) for row in batch] for c in columns}
            writer.write_batch(pa.RecordBatch.from_pydict(data, schema=schema))
            count += len(batch)
    return count
