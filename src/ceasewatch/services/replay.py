"""Replay: run the protocol over a file of reports on a simulated clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain.ceasefire import Ceasefire
from ..domain.engine import Engine
from ..domain.events import ProtocolEvent
from ..domain.policy import Policy
from ..domain.reports import Report
from ..intake import Rejection


@dataclass
class ReplayResult:
    engine: Engine
    events: list[ProtocolEvent]
    reports: int
    duplicates: int
    rejected: list[Rejection] = field(default_factory=list)
    after_until: int = 0


def arrival_order(report: Report) -> tuple[datetime, datetime, str, str]:
    """A total order on reports, so input order within one arrival time cannot matter."""
    return (report.arrival, report.occurred_at, report.source, report.id)


def replay(
    ceasefire: Ceasefire,
    policy: Policy,
    records: Iterable[Report | Rejection],
    *,
    trust_input: bool = False,
    until: datetime | None = None,
) -> ReplayResult:
    """Feed the reports in arrival order; then run the clock out, or stop it at `until`."""
    unique: dict[tuple[str, str], Report] = {}
    rejected: list[Rejection] = []
    total = 0
    for record in records:
        if isinstance(record, Rejection):
            rejected.append(record)
            continue
        total += 1
        unique.setdefault(record.key, record)
    reports = sorted(unique.values(), key=arrival_order)
    after_until = 0
    if until is not None:
        kept = [r for r in reports if r.arrival <= until]
        after_until, reports = len(reports) - len(kept), kept
    engine = Engine(ceasefire, policy, trust_input=trust_input)
    events = engine.feed_all(reports)
    events.extend(engine.advance(until) if until is not None else engine.run_out())
    return ReplayResult(engine, events, len(unique), total - len(unique), rejected, after_until)
