"""Reports submitted live (the API, the web form): validated one by one, stored together.

A reporter's token limits what it may send (`Sender`); importers, `ingest` and the
analysts' and admins' tokens are not limited.
"""

from __future__ import annotations

import queue
import threading
from abc import ABC, abstractmethod
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..domain.events import iso_z
from ..domain.reports import Report, ReportRejected, ahead_of_receipt, parse_report
from ..domain.sources import self_graded_problems
from ..store import queries
from ..store.database import reading
from . import unit_of_work
from .replay import in_arrival_order, paused_gc
from .system import System
from .tokens import Principal, UserRole


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


@dataclass(frozen=True, slots=True)
class Sender:
    """A reporter, and what its token lets it send.

    Bound to sources, it reports only as them, and the registry gives its reports their
    kind and grades whatever they claim. Bound to none, it may neither take the name of
    a source the registry declares nor give itself a kind or grade that verifies alone
    (`monitor`, `sensor`, `satellite`; reliability A or B).
    """

    sources: frozenset[str]
    """The sources it is bound to (none: it grades itself, within limits)."""
    declared: frozenset[str] = frozenset()
    """The registry's sources, which an unbound reporter may not report as."""

    def problems(self, report: Report) -> list[tuple[str, str]]:
        """What in this report the sender may not send, as (field, why)."""
        if self.sources:
            if report.source in self.sources:
                return []
            return [("source", f"this token reports only as {', '.join(sorted(self.sources))}")]
        problems = self_graded_problems(report)
        if report.source in self.declared:
            problems.append(
                (
                    "source",
                    f"{report.source} is in the source registry: only a token bound to it "
                    "reports as it",
                )
            )
        return problems


def sender(system: System, who: Principal) -> Sender | None:
    """The limits of what `who` may send: None for roles that are not limited."""
    if who.role is not UserRole.REPORTER:
        return None
    if who.sources:
        return Sender(frozenset(who.sources))
    with reading(system.db) as conn:
        declared = frozenset(s.id for s in queries.sources(conn))
    return Sender(frozenset(), declared)


def validate(
    records: list[Any], received_at: datetime, sent_by: Sender | None = None
) -> tuple[list[Report], list[RecordError]]:
    """The good records as reports, and every bad field of the others (including what
    `sent_by` may not send).

    A record without `reported_at` was reported when it was received (DESIGN's default);
    one reported more than 5 minutes after it was received is refused (the clock guard).
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
            report = parse_report(raw, f"record {index}")
        except ReportRejected as exc:
            bad.extend(RecordError(index, rid, e.field, e.message) for e in exc.errors)
            continue
        ahead = ahead_of_receipt(report, received_at, f"record {index}")
        refused = [(ahead.field, ahead.message)] if ahead is not None else []
        if sent_by is not None:
            refused += sent_by.problems(report)
        if refused:
            bad.extend(RecordError(index, report.id, name, why) for name, why in refused)
        else:
            good.append(report)
    return good, bad


def submit(
    system: System, records: list[Any], received_at: datetime, sent_by: Sender | None = None
) -> Submitted:
    """Store the good records of a batch (in arrival order, in one transaction)."""
    with paused_gc():
        good, bad = validate(records, received_at, sent_by)
        arrivals = in_arrival_order(good)
        with unit_of_work.protocol(system, takes_reports=True) as batch:
            taken = {r.key for r in batch.take_reports(arrivals.reports)}
    return _answer(good, bad, taken)


def _answer(good: list[Report], bad: list[RecordError], taken: set[tuple[str, str]]) -> Submitted:
    """What was stored (each report once) and what was stored before, of one request."""
    result = Submitted(rejected=bad)
    for report in good:
        if report.key in taken:
            result.stored.append(report.id)
            taken.discard(report.key)
        else:
            result.duplicates.append(report.id)
    return result


class Submitter(ABC):
    """What takes a process's submissions: validates them in the caller's thread, then
    stores the good reports (`take`, which its kinds do differently)."""

    def submit(
        self, records: list[Any], received_at: datetime, sent_by: Sender | None = None
    ) -> Submitted:
        good, bad = validate(records, received_at, sent_by)
        return _answer(good, bad, self.take(good))

    @abstractmethod
    def take(self, reports: list[Report]) -> set[tuple[str, str]]:
        """Store these validated reports; the keys of those taken (the others were stored
        before, or by another caller at the same time)."""


@dataclass
class _Waiting:
    reports: list[Report]
    done: Future[set[tuple[str, str]]] = field(default_factory=Future)


class GroupCommit(Submitter):
    """Submissions made at once in one process share a transaction (group commit).

    Each caller validates its records in its own thread, then waits while one writer
    thread takes every batch queued by then (up to `most` reports) in a single
    transaction: the fixed cost of a transaction (the lock, catching up, the commit's
    sync to disk) is paid once for all of them. Reports are still taken in arrival order,
    and a report sent in two requests at once is stored for the first and a duplicate for
    the second.
    """

    def __init__(self, system: System, most: int = 5000) -> None:
        self.system, self.most = system, most
        self._queue: queue.Queue[_Waiting] = queue.Queue()
        self._writer: threading.Thread | None = None
        self._start = threading.Lock()

    def take(self, reports: list[Report]) -> set[tuple[str, str]]:
        """Store these validated reports with whatever else is queued by then."""
        waiting = _Waiting(reports)
        self._ensure_writer()
        self._queue.put(waiting)
        return waiting.done.result()

    def _ensure_writer(self) -> None:
        with self._start:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(
                    target=self._write, name="group-commit", daemon=True
                )
                self._writer.start()

    def _write(self) -> None:
        while True:
            group = [self._queue.get()]
            size = len(group[0].reports)
            while size < self.most:
                try:
                    waiting = self._queue.get_nowait()
                except queue.Empty:
                    break
                group.append(waiting)
                size += len(waiting.reports)
            self._commit(group)

    def _commit(self, group: list[_Waiting]) -> None:
        try:
            with paused_gc():
                arrivals = in_arrival_order(r for w in group for r in w.reports)
                with unit_of_work.protocol(self.system, takes_reports=True) as batch:
                    taken = {r.key for r in batch.take_reports(arrivals.reports)}
        except BaseException as exc:  # every caller hears of it; the writer goes on
            for waiting in group:
                waiting.done.set_exception(exc)
            return
        for waiting in group:
            mine = {r.key for r in waiting.reports} & taken
            taken -= mine
            waiting.done.set_result(mine)
