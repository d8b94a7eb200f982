"""Importing a file of another format into the store: read, plan, take, withdraw.

Curated formats (ACLED, UCDP, the air-attack series) are taken as trusted by default:
each record is a verified incident. Re-importing a file stores nothing new.

A format with a planner (ACLED, which versions its events) decides from what earlier
imports of its source stored which reports to take and which stored ones to withdraw
(`importers/acled.py`); this service reads that from the store and carries the plan out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.reports import Rejection, Report
from ..importers import FORMATS, read
from ..importers.mapping import Common
from ..importers.plans import Previous
from ..importers.rows import Progress, Skipped
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
    mapping: Common | None = None,
    mapping_file: Path | None = None,
    trusted: bool | None = None,
    options: Mapping[str, bool] | None = None,
    batch_size: int = BATCH,
    received: Clock | None = None,
    on_read: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read `path` in format `fmt` and store its reports; see the module's docstring.

    With `received` (the wall clock), a report that would arrive more than 5 minutes
    after the file was read is rejected, as `ingest` rejects it, before any plan is made
    (a refused ACLED version withdraws nothing). `options` are the format's switches
    (e.g. ACLED's `withdraw_missing`), by name."""
    spec = FORMATS[fmt]
    chosen = mapping if mapping is not None else spec.mapping(mapping_file)
    settings = spec.settings(options)
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
    previous = _previous(system, chosen.source) if spec.versioned else None
    plan = spec.plan(reports, chosen, previous, path, settings)
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
        by = f"import:{fmt}"
        done = withdraw(
            system,
            [Withdrawal(chosen.source, w.report_id, by, w.reason) for w in plan.withdrawals],
        )
        result.withdrawn, result.incidents_rejected = done.reports, done.incidents
    return result


def _previous(system: System, source: str) -> Previous:
    """What earlier imports of `source` stored, and which of it is withdrawn."""
    with reading(system.db) as conn:
        gone = withdrawn(conn)
        reports = list(queries.source_reports(conn, source))
    return Previous(reports, {rid for src, rid in gone if src == source})
