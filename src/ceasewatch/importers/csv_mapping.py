"""Any other table: a CSV file and a YAML mapping that says which column is which field.

    source: my-monitors           # the report's source id (and source_kind, reliability,
    source_kind: monitor          # credibility, timezone, as every mapping has)
    timezone: Europe/Kyiv
    id: "{incident_no}"           # a template over the columns
    skip: {column: category, values: [protest, arrest]}    # rows that are no violation
    fields:
      occurred_at: {column: date}                          # a date alone: the day's start
      reported_at: {column: logged, end_of_day: true}
      lat: {column: y}
      lon: {column: x}
      location_precision_m: {column: precision_km, scale: 1000}
      event_type: {column: weapon, values: {shelling: artillery, uav: drone_strike}, default: other}
      perpetrator: {column: side, values: {Russia: RU, Ukraine: UA}, default: null}
      target: {value: civilian}
      killed: {column: deaths}
      text: {template: "{description} ({place})"}
    place: {column: oblast}       # where lat/lon are empty: the named area's centroid

A field is a `column` (with `values`, a lookup table matched without case, and a
`default` for an empty cell or a value not in the table: without one, such a value is
an error for its row), a constant `value`, or a `template`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..oblasts import areas
from .mapping import Common, local_time, number
from .rows import Progress, Record, Row, RowError, SkipRow, csv_rows, mapped

_NO_DEFAULT = object()
_TIMES = frozenset({"occurred_at", "reported_at"})
_FLOATS = frozenset({"lat", "lon"})
_COUNTS = frozenset({"location_precision_m", "killed", "injured", "credibility"})
_TEMPLATE_FIELD = re.compile(r"{([^{}]+)}")


class FieldSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str | None = None
    value: Any = None
    template: str | None = None
    values: dict[str, Any] | None = None
    default: Any = Field(default=_NO_DEFAULT)
    scale: float | None = None
    end_of_day: bool = False
    """A date alone means the end of that day (e.g. for reported_at)."""

    @model_validator(mode="after")
    def _one_origin(self) -> FieldSpec:
        given = [k for k in ("column", "value", "template") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give one of column, value or template")
        return self

    def raw(self, row: Row, name: str) -> Any:
        """The cell (looked up in `values`), constant or template, before conversion."""
        if self.value is not None:
            return self.value
        if self.template is not None:
            return _fill(self.template, row)
        assert self.column is not None
        cell = row.get(self.column)
        if self.values is not None and cell:
            table = {k.casefold(): v for k, v in self.values.items()}
            if cell.casefold() in table:
                return table[cell.casefold()]
            if self.default is _NO_DEFAULT:
                raise RowError(self.column, f"{cell!r} is not in the mapping's values for {name}")
            return self.default
        if not cell and self.default is not _NO_DEFAULT:
            return self.default
        return cell


class SkipSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str
    values: list[str]


class PlaceSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str


class CsvMapping(Common):
    id: str
    fields: dict[str, FieldSpec]
    skip: SkipSpec | None = None
    place: PlaceSpec | None = None


MAPPING = CsvMapping
"""The model of this format's mapping (see `formats.py`)."""


def read(path: str, mapping: CsvMapping, on_progress: Progress | None = None) -> Iterator[Record]:
    return mapped(csv_rows(path, on_progress), lambda row: _fill(mapping.id, row), _maker(mapping))


def _fill(template: str, row: Row) -> str:
    def cell(match: re.Match[str]) -> str:
        column = match.group(1)
        if column not in row.values:
            raise RowError(column, "no such column")
        return row.get(column)

    return _TEMPLATE_FIELD.sub(cell, template).strip()


def _maker(mapping: CsvMapping) -> Any:
    tz = mapping.zone
    source = mapping.source_fields()
    skip = mapping.skip
    skipped = {v.casefold() for v in skip.values} if skip else set()

    def make(row: Row, rid: str) -> dict[str, Any]:
        if skip is not None and row.get(skip.column).casefold() in skipped:
            raise SkipRow(f"{skip.column} {row.get(skip.column)!r} is skipped by the mapping")
        record: dict[str, Any] = {"id": rid, **source}
        for name, spec in mapping.fields.items():
            value = _convert(name, spec, spec.raw(row, name), tz)
            if value is not None and value != "":
                record[name] = value
        if mapping.place is not None and ("lat" not in record or "lon" not in record):
            named = row.get(mapping.place.column)
            area = areas().find(named) if named else None
            if area is None:
                raise RowError(mapping.place.column, f"{named!r} is no admin-1 area of Ukraine")
            record.update(lat=area.lat, lon=area.lon)
            record.setdefault("location_precision_m", round(area.radius_m))
        return record

    return make


def _convert(name: str, spec: FieldSpec, raw: Any, tz: Any) -> Any:
    column = spec.column or name
    if raw is None or raw == "":
        return None
    if name in _TIMES:
        return local_time(str(raw), tz, column, end=spec.end_of_day)
    if name in _FLOATS or name in _COUNTS:
        value = number(str(raw), column, integer=name in _COUNTS and spec.scale is None)
        if value is None:
            return None
        if spec.scale is not None:
            value *= spec.scale
        return round(value) if name in _COUNTS else value
    return raw
