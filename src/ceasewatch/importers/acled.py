"""ACLED exports: one row per event, versioned by ACLED's `timestamp`.

An event's version is a report of its own, with the id `EVENT_ID_CNTY@TIMESTAMP`
(reports are immutable): a newer export's changed event is a new report, and the store's
import service withdraws the version it replaces (see `services/imports.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..domain.reports import EventType, Target
from .mapping import Common, count, local_time, number
from .rows import Progress, Record, Row, RowError, SkipRow, csv_rows, mapped

SKIP = "skip"


class NotesRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sub_event_types: list[str]
    pattern: str
    event_type: EventType


class ActorRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pattern: str
    party: str


class AcledMapping(Common):
    reported_at: Literal["timestamp", "event_date"] = "timestamp"
    sub_event_types: dict[str, EventType | Literal["skip"]]
    notes_rules: list[NotesRule] = Field(default_factory=list)
    actors: list[ActorRule] = Field(default_factory=list)
    geo_precision_m: dict[int, int]
    civilian_targeting: Target | None = None

    @cached_property
    def _rules(self) -> list[tuple[frozenset[str], re.Pattern[str], EventType]]:
        return [
            (frozenset(r.sub_event_types), re.compile(r.pattern, re.IGNORECASE), r.event_type)
            for r in self.notes_rules
        ]

    @cached_property
    def _actors(self) -> list[tuple[re.Pattern[str], str]]:
        return [(re.compile(a.pattern, re.IGNORECASE), a.party) for a in self.actors]

    def event_type(self, sub_event_type: str, notes: str) -> EventType | None:
        """The type of a sub-event, refined by its notes; None: skip it."""
        base = self.sub_event_types.get(sub_event_type)
        if base is None:
            raise RowError(
                "sub_event_type",
                f"{sub_event_type!r} is not in the mapping's sub_event_types "
                "(add it, or `skip` it)",
            )
        if base == SKIP:
            return None
        for subs, pattern, refined in self._rules:
            if sub_event_type in subs and pattern.search(notes):
                return refined
        return EventType(base)

    def perpetrator(self, actor: str) -> str | None:
        for pattern, party in self._actors:
            if pattern.match(actor):
                return party
        return None


def version_id(event_id: str, timestamp: int) -> str:
    return f"{event_id}@{timestamp}"


def parse_version(report_id: str) -> tuple[str, int] | None:
    """(event id, timestamp) of a report id made by `version_id`; None for any other id."""
    event_id, _, stamp = report_id.rpartition("@")
    if not event_id or not stamp.isdigit():
        return None
    return event_id, int(stamp)


def country_of(event_id: str) -> str:
    """ACLED event ids start with their country's letters: UKR1234 -> UKR."""
    match = re.match(r"[A-Za-z]+", event_id)
    return match.group(0).upper() if match else ""


def read(path: str, mapping: AcledMapping, on_progress: Progress | None = None) -> Iterator[Record]:
    return mapped(csv_rows(path, on_progress), lambda row: _ident(row), _maker(mapping))


def _ident(row: Row) -> str:
    return version_id(row.need("event_id_cnty"), _timestamp(row))


def _timestamp(row: Row) -> int:
    stamp = number(row.need("timestamp"), "timestamp", integer=True)
    assert stamp is not None
    return int(stamp)


def _uploaded(row: Row) -> datetime:
    """ACLED's upload time: its `timestamp`, in Unix seconds."""
    stamp = _timestamp(row)
    try:
        return datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, ValueError, OSError):  # past the ends of the calendar
        raise RowError("timestamp", f"{stamp} is out of range") from None


def _maker(mapping: AcledMapping) -> Any:
    tz = mapping.zone
    source = mapping.source_fields()

    def make(row: Row, rid: str) -> dict[str, Any]:
        sub_event = row.need("sub_event_type")
        notes = row.get("notes")
        event_type = mapping.event_type(sub_event, notes)
        if event_type is None:
            raise SkipRow(f"sub_event_type {sub_event!r} is skipped by the mapping")
        occurred = local_time(row.need("event_date"), tz, "event_date")
        if mapping.reported_at == "timestamp":
            reported = _uploaded(row)
        else:
            reported = local_time(row.need("event_date"), tz, "event_date", end=True)
        precision = number(row.get("geo_precision") or "1", "geo_precision", integer=True)
        radius = mapping.geo_precision_m.get(int(precision or 1))
        if radius is None:
            raise RowError("geo_precision", f"{precision:g} has no radius in the mapping")
        record: dict[str, Any] = {
            "id": rid,
            **source,
            "occurred_at": occurred,
            "reported_at": reported,
            "lat": number(row.need("latitude"), "latitude"),
            "lon": number(row.need("longitude"), "longitude"),
            "location_precision_m": radius,
            "event_type": event_type.value,
            "text": _text(row),
        }
        if perpetrator := mapping.perpetrator(row.get("actor1")):
            record["perpetrator"] = perpetrator
        if mapping.civilian_targeting is not None and row.get("civilian_targeting"):
            record["target"] = mapping.civilian_targeting.value
        killed = count(row.get("fatalities"), "fatalities")
        if killed is not None:
            record["killed"] = killed
        return record

    return make


def _text(row: Row) -> str:
    """What an analyst reads: the event, its actors, place, notes and sources."""
    actors = " vs ".join(a for a in (row.get("actor1"), row.get("actor2")) if a)
    place = ", ".join(p for p in (row.get("location"), row.get("admin1")) if p)
    parts = [
        f"{row.get('event_type')} / {row.get('sub_event_type')}",
        actors,
        place,
        row.get("notes"),
    ]
    if sources := row.get("source"):
        scale = row.get("source_scale")
        parts.append(f"sources: {sources}" + (f" ({scale})" if scale else ""))
    if (precision := row.get("time_precision")) and precision != "1":
        parts.append(f"time precision {precision}")
    return " | ".join(p for p in parts if p)
