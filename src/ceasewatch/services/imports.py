"""Importing a file of another format into the store: read, (version,) take, withdraw.

Curated formats (ACLED, UCDP, the air-attack series) are taken as trusted by default:
each record is a verified incident. Re-importing a file stores nothing new.

ACLED versions its events by `timestamp`; each version is its own report
(`EVENT@TIMESTAMP`). Importing a newer export stores the versions that are newer than
the stored ones and withdraws what they replace; an event the new export no longer holds
(within the dates and countries that export covers, and stored from an export no newer
than it) is withdrawn as deleted. An older export imported after a newer one changes
nothing: its versions are stale or stored already, and it deletes nothing newer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from ..domain.reports import Report
from ..importers import FORMATS, Skipped, mapping_for, read
from ..importers import acled as acled_format
from ..importers.rows import Progress
from ..intake import Rejection
from ..store import queries
from ..store.database import reading
from .clock import Clock
from .ingest import BATCH, IngestResult, received_live, take
from .system import System
from .withdrawals import Withdrawal, withdraw, withdrawn


@dataclass
class ImportResult:
    stored: IngestResult
    skipped: list[Skipped] = field(default_factory=list)
    stale: int = 0
    """ACLED versions older than the version stored."""
    withdrawn: int = 0
    """Reports newly withdrawn (superseded or deleted ACLED events)."""
    incidents_rejected: int = 0

    @property
    def rejected(self) -> list[Rejection]:
        return self.stored.rejected


def import_file(
    system: System,
    fmt: str,
    path: str,
    *,
    mapping: BaseModel | None = None,
    mapping_file: Path | None = None,
    trusted: bool | None = None,
    withdraw_missing: bool = True,
    batch_size: int = BATCH,
    received: Clock | None = None,
    on_read: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read `path` in format `fmt` and store its reports; see the module's docstring.

    With `received` (the wall clock), a report that would arrive more than 5 minutes
    after the file was read is rejected, as `ingest` rejects it, before any plan is made
    (a refused ACLED version withdraws nothing)."""
    spec = FORMATS[fmt]
    chosen = mapping if mapping is not None else mapping_for(fmt, mapping_file)
    reports: list[Report] = []
    rejected: list[Rejection] = []
    skipped: list[Skipped] = []
    for record in read(fmt, path, chosen, on_read):
        if isinstance(record, Report):
            reports.append(record)
        elif isinstance(record, Rejection):
            rejected.append(record)
        else:
            skipped.append(record)
    if received is not None:
        guarded = received_live(reports, received.now())
        reports = [r for r in guarded if isinstance(r, Report)]
        rejected.extend(r for r in guarded if isinstance(r, Rejection))
    plan = Plan(reports)
    if fmt == "acled":
        assert isinstance(chosen, acled_format.AcledMapping)
        plan = _acled_plan(system, reports, chosen, path, withdraw_missing)
    stored = take(
        system,
        [*plan.reports, *rejected],
        trusted=spec.curated if trusted is None else trusted,
        batch_size=batch_size,
        on_start=on_start,
        on_batch=on_batch,
    )
    result = ImportResult(stored, skipped, stale=plan.stale)
    if plan.withdrawals:
        done = withdraw(system, plan.withdrawals)
        result.withdrawn, result.incidents_rejected = done.reports, done.incidents
    return result


@dataclass
class Plan:
    reports: list[Report]
    withdrawals: list[Withdrawal] = field(default_factory=list)
    stale: int = 0


def _acled_plan(
    system: System,
    reports: list[Report],
    mapping: acled_format.AcledMapping,
    path: str,
    withdraw_missing: bool,
) -> Plan:
    """Which versions to store, and which stored versions they replace or delete."""
    by = "import:acled"
    newest: dict[str, tuple[int, Report]] = {}
    for report in reports:
        version = acled_format.parse_version(report.id)
        assert version is not None
        event, stamp = version
        if event not in newest or stamp > newest[event][0]:
            newest[event] = (stamp, report)
    stored: dict[str, list[tuple[int, str, date]]] = defaultdict(list)
    with reading(system.db) as conn:
        gone = withdrawn(conn)
        for rid, occurred in queries.source_reports(conn, mapping.source):
            version = acled_format.parse_version(rid)
            if version is not None:
                local_day = occurred.astimezone(mapping.zone).date()
                stored[version[0]].append((version[1], rid, local_day))
    plan = Plan([])
    for event, (stamp, report) in newest.items():
        versions = stored.get(event, [])
        latest = max((v[0] for v in versions), default=None)
        if latest is not None and stamp < latest:
            plan.stale += 1
            continue
        plan.reports.append(report)
        plan.withdrawals.extend(
            Withdrawal(mapping.source, rid, by, f"superseded by ACLED version {report.id}")
            for s, rid, _ in versions
            if s < stamp and (mapping.source, rid) not in gone
        )
    plan.stale += len(reports) - len(newest)
    if withdraw_missing and newest:
        days = [r.occurred_at.astimezone(mapping.zone).date() for _, r in newest.values()]
        first, last = min(days), max(days)
        countries = {acled_format.country_of(e) for e in newest}
        newest_stamp = max(stamp for stamp, _ in newest.values())
        name = Path(path).name
        for event, versions in stored.items():
            if event in newest or acled_format.country_of(event) not in countries:
                continue
            if not any(first <= day <= last for _, _, day in versions):
                continue
            if max(stamp for stamp, _, _ in versions) > newest_stamp:
                continue  # stored from a newer export than this one
            plan.withdrawals.extend(
                Withdrawal(mapping.source, rid, by, f"deleted by ACLED: not in the export {name}")
                for _, rid, _ in versions
                if (mapping.source, rid) not in gone
            )
    return plan
