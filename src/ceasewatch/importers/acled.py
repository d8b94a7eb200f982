"""ACLED exports: one row per event, versioned by ACLED's `timestamp`.

An event's version is a report of its own, with the id `EVENT_ID_CNTY@TIMESTAMP`
(reports are immutable): a newer export's changed event is a new report, and `plan`
says which stored versions it replaces; the import service carries that out
(`services/imports.py`).

Importing a newer export stores the versions that are newer than the stored ones and
withdraws what they replace; an event the new export no longer holds (within the dates
and countries that export covers, and stored from an export no newer than it) is
withdrawn as deleted. An older export imported after a newer one changes nothing: its
versions are stale or stored already, and it deletes nothing newer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from ..domain.reports import EventType, Report, Target
from .mapping import Common, count, local_time, number
from .plans import Plan, Previous, Withdraw
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


MAPPING = AcledMapping
"""The model of this format's mapping (see `formats.py`)."""


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


# -- the plan of an import: which versions to store, which stored ones to withdraw ----


class Latest(NamedTuple):
    """The newest version of an event in the export."""

    stamp: int
    report: Report


class Stored(NamedTuple):
    """A stored version of an event."""

    stamp: int
    report_id: str
    day: date
    """The local day the event occurred."""


def plan(
    reports: list[Report],
    mapping: AcledMapping,
    previous: Previous,
    path: str,
    options: Mapping[str, bool],
) -> Plan:
    """Store each event's newest version unless a newer one is stored; withdraw the
    stored versions it supersedes and, with `withdraw_missing`, the events it deletes."""
    newest = newest_versions(reports)
    stored = stored_versions(previous.reports, mapping.zone)
    result = Plan([], stale=len(reports) - len(newest))
    for event, latest in newest.items():
        versions = stored.get(event, [])
        if any(latest.stamp < v.stamp for v in versions):
            result.stale += 1
            continue
        result.reports.append(latest.report)
        result.withdrawals.extend(superseded(latest, versions, previous.withdrawn))
    if options.get("withdraw_missing", True) and newest:
        export = Export.of(newest, mapping.zone, Path(path).name)
        result.withdrawals.extend(export.deleted(stored, previous.withdrawn))
    return result


def newest_versions(reports: Sequence[Report]) -> dict[str, Latest]:
    """Each event's newest version in the export, by event id (in the order first read)."""
    newest: dict[str, Latest] = {}
    for report in reports:
        version = parse_version(report.id)
        assert version is not None, f"{report.id} is not an ACLED version id"
        event, stamp = version
        if event not in newest or stamp > newest[event].stamp:
            newest[event] = Latest(stamp, report)
    return newest


def stored_versions(
    reports: Sequence[tuple[str, datetime]], zone: ZoneInfo
) -> dict[str, list[Stored]]:
    """The stored versions of each event; reports of other ids are left out."""
    stored: dict[str, list[Stored]] = {}
    for report_id, occurred in reports:
        version = parse_version(report_id)
        if version is not None:
            day = occurred.astimezone(zone).date()
            stored.setdefault(version[0], []).append(Stored(version[1], report_id, day))
    return stored


def superseded(latest: Latest, versions: list[Stored], withdrawn: Set[str]) -> Iterator[Withdraw]:
    """The stored versions older than `latest` and not withdrawn yet."""
    reason = f"superseded by ACLED version {latest.report.id}"
    for version in versions:
        if version.stamp < latest.stamp and version.report_id not in withdrawn:
            yield Withdraw(version.report_id, reason)


@dataclass(frozen=True, slots=True)
class Export:
    """What an export holds (its events) and covers: its days, countries and newest
    timestamp."""

    name: str
    events: frozenset[str]
    first: date
    last: date
    countries: frozenset[str]
    stamp: int

    @classmethod
    def of(cls, newest: Mapping[str, Latest], zone: ZoneInfo, name: str) -> Export:
        days = [latest.report.occurred_at.astimezone(zone).date() for latest in newest.values()]
        return cls(
            name,
            frozenset(newest),
            min(days),
            max(days),
            frozenset(country_of(e) for e in newest),
            max(latest.stamp for latest in newest.values()),
        )

    def covers(self, event: str, versions: list[Stored]) -> bool:
        """Whether the export would hold the event: its country, a day within the
        export's, and stored from an export no newer than this one."""
        return (
            country_of(event) in self.countries
            and any(self.first <= v.day <= self.last for v in versions)
            and max(v.stamp for v in versions) <= self.stamp
        )

    def deleted(
        self, stored: Mapping[str, list[Stored]], withdrawn: Set[str]
    ) -> Iterator[Withdraw]:
        """The stored versions of the events this export covers but no longer holds."""
        reason = f"deleted by ACLED: not in the export {self.name}"
        for event, versions in stored.items():
            if event in self.events or not self.covers(event, versions):
                continue
            for version in versions:
                if version.report_id not in withdrawn:
                    yield Withdraw(version.report_id, reason)
