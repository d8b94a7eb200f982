"""Mappings: how a format's columns become the report record, as YAML a user may override.

Each importer ships its mapping (`importers/mappings/FORMAT.yaml`); a user's file given
with `--mapping` is merged over it: mappings merge key by key, anything else (a list, a
value) replaces what it overrides. The result is validated, so a misspelt key is an error
that names it, not a silently ignored line.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..domain.problems import problems_in
from ..domain.reports import SourceKind
from ..timezones import zone
from .rows import RowError

M = TypeVar("M", bound=BaseModel)


class MappingError(ValueError):
    """A mapping file that cannot be used: where, which key, what is wrong."""


class Common(BaseModel):
    """Keys every format's mapping has: who the source is, and the data's time zone."""

    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(cached_property,))

    source: Annotated[str, Field(min_length=1)]
    source_kind: SourceKind | None = None
    reliability: Annotated[str, Field(pattern="^[A-F]$")] = "F"
    credibility: Annotated[int, Field(ge=1, le=6)] = 6
    timezone: str = "UTC"
    """The zone of the file's local times and dates."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.timezone)

    def source_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "source": self.source,
            "reliability": self.reliability,
            "credibility": self.credibility,
        }
        if self.source_kind is not None:
            fields["source_kind"] = self.source_kind.value
        return fields


def shipped_text(fmt: str) -> str:
    """The YAML text of a format's shipped mapping."""
    resource = resources.files("ceasewatch.importers") / "mappings" / f"{fmt}.yaml"
    return resource.read_text(encoding="utf-8")


def load(model: type[M], fmt: str | None, override: Path | None) -> M:
    """The shipped mapping of `fmt` (if any) with the user's file merged over it."""
    data: dict[str, Any] = {}
    origin = "the shipped mapping"
    if fmt is not None:
        data = _as_mapping(yaml.safe_load(shipped_text(fmt)), f"{fmt} (shipped)")
    if override is not None:
        origin = str(override)
        try:
            text = override.read_text(encoding="utf-8")
            data = merge(data, _as_mapping(yaml.safe_load(text) or {}, origin))
        except OSError as exc:
            raise MappingError(f"{override}: {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            raise MappingError(f"{override}: not YAML: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = problems_in(exc)
        raise MappingError("\n".join(p.render(origin, "mapping") for p in problems)) from None


def _as_mapping(data: Any, origin: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise MappingError(f"{origin}: a mapping file is a YAML mapping of keys")
    return data


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` over `base`: mappings merge key by key; anything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_US = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")
_NAMED = ("%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y")


def local_time(text: str, tz: ZoneInfo, column: str, *, end: bool = False) -> datetime:
    """A time from a file, in UTC: local time of `tz` unless the text has a zone.

    A date alone is a whole day: its start, or with `end` the start of the next day.
    Accepted: ISO 8601 (`2026-03-02`, `2026-03-02 18:00`, `2026-03-02T18:00:00+02:00`,
    a one-digit hour too), `3/2/2026 12:00:00 AM`, `2 March 2026`.
    """
    value = text.strip()
    if not value:
        raise RowError(column, "is missing")
    parsed, date_only = _parse(value)
    if parsed is None:
        raise RowError(column, f"{value!r} is not a date or time this importer reads")
    try:
        if date_only and end:
            parsed += timedelta(days=1)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=tz)
        return parsed.astimezone(UTC)
    except OverflowError:  # at the ends of the calendar
        raise RowError(column, f"{value!r} is out of range") from None


def _parse(value: str) -> tuple[datetime | None, bool]:
    if _DATE_ONLY.match(value):
        try:
            return datetime.combine(date.fromisoformat(value), time()), True
        except ValueError:
            return None, True
    iso = re.sub(r"^(\d{4}-\d{2}-\d{2})[ T](\d):", r"\1 0\2:", value).replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(iso), False
    except ValueError:
        pass
    for pattern in _US:
        try:
            parsed = datetime.strptime(value, pattern)
        except ValueError:
            continue
        return parsed, parsed.time() == time()
    for pattern in _NAMED:
        try:
            return datetime.strptime(value, pattern), True
        except ValueError:
            continue
    return None, False


def number(text: str, column: str, *, integer: bool = False) -> float | None:
    """A number from a cell ('' is none; `12.0` is a whole number)."""
    value = text.strip()
    if not value or value.lower() == "nan":
        return None
    try:
        parsed = float(value)
    except ValueError:
        raise RowError(column, f"{value!r} is not a number") from None
    if integer and not parsed.is_integer():
        raise RowError(column, f"{value!r} is not a whole number")
    return parsed


def count(text: str, column: str) -> int | None:
    value = number(text, column, integer=True)
    if value is not None and value < 0:
        raise RowError(column, f"{text.strip()!r} is negative")
    return None if value is None else int(value)
