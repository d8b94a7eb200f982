"""Reports submitted live (the API, the web form): validated one by one, stored together."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..bootstrap import System
from ..domain.events import iso_z
from ..domain.reports import Report, ReportRejected, parse_report
from .replay import in_arrival_order


@dataclass(frozen=True, slots=True)
class RecordError:
    """One bad field of one submitted record: its place in the batch, its id, the field."""

    index: int
    id: str | None
    field: str
    message: str


@dataclass
class Submitted:
    stored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    """Ids already stored (or repeated in the batch): nothing changed for them."""
    rejected: list[RecordError] = field(default_factory=list)


def validate(records: list[Any], received_at: datetime) -> tuple[list[Report], list[RecordError]]:
    """The good records as reports, and every bad field of the others.

    A record without `reported_at` was reported when it was received (DESIGN's default).
    """
    good: list[Report] = []
    bad: list[RecordError] = []
    for index, raw in enumerate(records):
        if not isinstance(raw, dict):
            bad.append(RecordError(index, None, "(record)", "a report is a JSON object"))
            continue
        rid = raw.get("id") if isinstance(raw.get("id"), str) else None
        if raw.get("reported_at") is None:
            raw = {**raw, "reported_at": iso_z(received_at)}
        try:
            good.append(parse_report(raw, f"record {index}"))
        except ReportRejected as exc:
            bad.extend(RecordError(index, rid, e.field, e.message) for e in exc.errors)
    return good, bad


def submit(system: System, records: list[Any], received_at: datetime) -> Submitted:
    """Store the good records of a batch (in arrival order, in one transaction)."""
    good, bad = validate(records, received_at)
    arrivals = in_arrival_order(good)
    with system.engines.transaction() as batch:
        taken = {r.key for r in batch.take_reports(arrivals.reports)}
    result = Submitted(rejected=bad)
    for report in good:
        if report.key in taken:
            result.stored.append(report.id)
            taken.discard(report.key)
        else:
            result.duplicates.append(report.id)
    return result
