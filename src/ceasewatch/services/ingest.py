"""Ingest: report files into the durable store, through the engines, in batches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain

from ..domain.reports import Rejection, Report, ahead_of_receipt
from ..importers.records import read_reports
from . import unit_of_work
from .clock import Clock
from .replay import in_arrival_order, paused_gc
from .system import System

BATCH = 10_000


@dataclass
class IngestResult:
    accepted: int = 0
    already_stored: int = 0
    repeated: int = 0
    """Copies of a report within the files themselves (the first to arrive is kept)."""
    rejected: list[Rejection] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)
    late: list[Report] = field(default_factory=list)
    """Reports that arrived at an instant the store had already taken (DESIGN's tie
    rule): taken after the reports of that instant, at the stored clock."""
    clock: datetime | None = None
    """The stored clock when the last batch was taken."""


def ingest(
    system: System,
    paths: Iterable[str],
    *,
    trusted: bool = False,
    batch_size: int = BATCH,
    received: Clock | None = None,
    on_start: Callable[[int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> IngestResult:
    """Validate every record of the files, then store and feed the good ones (`take`)."""
    records = chain.from_iterable(read_reports(p) for p in paths)
    return take(
        system,
        records,
        trusted=trusted,
        batch_size=batch_size,
        received=received,
        on_start=on_start,
        on_batch=on_batch,
    )


def take(
    system: System,
    records: Iterable[Report | Rejection],
    *,
    trusted: bool = False,
    batch_size: int = BATCH,
    received: Clock | None = None,
    on_start: Callable[[int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> IngestResult:
    """Store and feed validated records in arrival order; rejections are set aside.

    The records are read whole and sorted as `replay` sorts them, so the engines see the
    same sequence whatever the batches; each batch is one transaction, and a report
    already stored is skipped: a run killed midway and repeated stores every report once
    and gives the events `replay` gives. With `received`, the wall clock, records are
    taken live: once read, any that says it arrives more than 5 minutes after that time
    is rejected (`received_live`).
    """
    with paused_gc():
        if received is not None:
            records = received_live(list(records), received.now())
        arrivals = in_arrival_order(records)
        result = IngestResult(repeated=arrivals.duplicates, rejected=arrivals.rejected)
        if on_start is not None:
            on_start(len(arrivals.reports))
        for batch in _batches(arrivals.reports, batch_size):
            # one snapshot at the end, not one every so many batches: each costs what the
            # whole store does, and the next would soon supersede it
            with unit_of_work.protocol(system, snapshot=False, takes_reports=True) as tx:
                taken = len(tx.take_reports(batch, trusted=trusted))
                result.events.update(e.event for _, e in tx.events)
                result.late.extend(tx.late)
                result.clock = tx.now
            result.accepted += taken
            result.already_stored += len(batch) - taken
            if on_batch is not None:
                on_batch(len(batch))
        unit_of_work.snapshot_if_due(system)
    return result


def received_live(
    records: Iterable[Report | Rejection], received_at: datetime
) -> list[Report | Rejection]:
    """The records, each report that would arrive more than 5 minutes after `received_at`
    turned into a rejection naming its field: the clock guard of every path into a store."""
    out: list[Report | Rejection] = []
    for record in records:
        if isinstance(record, Report):
            name = f"source {record.source}, id {record.id}"
            ahead = ahead_of_receipt(record, received_at, name)
            if ahead is not None:
                record = Rejection(name, [ahead])
        out.append(record)
    return out


def _batches(reports: list[Report], size: int) -> Iterable[list[Report]]:
    """The reports (in arrival order) in batches of `size`, each grown past it to the end
    of the arrival instant it ends in: a batch that ended inside one would leave the rest
    of that instant to a store that had taken it already, reported as late arrivals
    (DESIGN's tie rule) though this run had them all."""
    start = 0
    while start < len(reports):
        end = min(start + size, len(reports))
        while end < len(reports) and reports[end].arrival == reports[end - 1].arrival:
            end += 1
        yield reports[start:end]
        start = end
