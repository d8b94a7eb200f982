"""Replay: run the protocol over a file of reports on a simulated clock."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from ..domain.ceasefire import Ceasefire
from ..domain.engine import Engine
from ..domain.events import ProtocolEvent
from ..domain.policy import Policy
from ..domain.reports import Rejection, Report, arrival_order, bare, report_json
from ..domain.sources import Source


@dataclass
class ReplayResult:
    engine: Engine
    events: list[ProtocolEvent]
    """Every event in order; none where they were handed to `on_events` instead."""
    reports: int
    duplicates: int
    rejected: list[Rejection] = field(default_factory=list)
    after_until: int = 0


def _sent_first(copy: Report, other: Report) -> bool:
    """Of two copies of one report, the one the engine takes: the first to arrive.

    The engine ignores a re-sent id, so the copy that arrives first is the report. Copies
    that arrive together are told apart by their content, never by their place in a file.
    """
    if copy.arrival != other.arrival:
        return copy.arrival < other.arrival
    return report_json(copy) < report_json(other)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a replay builds its records.

    Nearly everything a replay makes (reports, incidents, events) lives to its end, and
    each collection of the young generation walks all of it again: at a million reports
    that costs more than the replay's own work. On the way out, what was made is moved
    straight to the oldest generation (freeze, then unfreeze) instead of being walked by
    the next young collection; cycles among it, if any, go at the next full collection.
    Reference counting frees whatever is dropped at once, paused or not.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def replay(
    ceasefire: Ceasefire,
    policy: Policy,
    records: Iterable[Report | Rejection],
    *,
    trust_input: bool = False,
    until: datetime | None = None,
    sources: Iterable[Source] = (),
    on_events: Callable[[list[ProtocolEvent]], None] | None = None,
    accounts: bool = True,
) -> ReplayResult:
    """Feed the reports in arrival order; then run the clock out, or stop it at `until`.

    `sources` is the source registry, declared before the first report. With `on_events`,
    the events are handed to it as they come, a few thousand at a time, and not kept: a
    replay that writes them out need not hold a million of them. `accounts=False` holds
    each report `bare`, without its free text and evidence, which only a printout of the
    incidents shows (an import's notes are a few hundred characters a report).
    """
    events: list[ProtocolEvent] = []
    take = events.extend if on_events is None else on_events
    held = None if accounts else bare
    with paused_gc():
        arrivals = in_arrival_order(records, held)
        return _replay(ceasefire, policy, arrivals, trust_input, until, sources, take, events)


@dataclass
class Arrivals:
    """A batch of records as the engine takes them: valid, one copy each, in arrival order."""

    reports: list[Report]
    duplicates: int
    rejected: list[Rejection]


def in_arrival_order(
    records: Iterable[Report | Rejection], held: Callable[[Report], Report] | None = None
) -> Arrivals:
    """Set rejections aside, keep the first copy to arrive of each report, sort by arrival.

    `held`: what is kept of each report (`bare`: no text or evidence). The copy kept is
    the same to the engine: text and evidence are the last fields of the JSON that
    `_sent_first` compares, so copies that differ elsewhere are told apart as before."""
    unique: dict[tuple[str, str], Report] = {}
    rejected: list[Rejection] = []
    total = 0
    for record in records:
        if isinstance(record, Rejection):
            rejected.append(record)
            continue
        total += 1
        first = unique.get(record.key)
        if first is None or _sent_first(record, first):
            unique[record.key] = record if held is None else held(record)
    reports = sorted(unique.values(), key=arrival_order)
    return Arrivals(reports, total - len(unique), rejected)


def _replay(
    ceasefire: Ceasefire,
    policy: Policy,
    arrivals: Arrivals,
    trust_input: bool,
    until: datetime | None,
    sources: Iterable[Source],
    take: Callable[[list[ProtocolEvent]], object],
    events: list[ProtocolEvent],
) -> ReplayResult:
    reports = arrivals.reports
    unique = len(reports)
    after_until = 0
    if until is not None:
        kept = [r for r in reports if r.arrival <= until]
        after_until, reports = len(reports) - len(kept), kept
    engine = Engine(ceasefire, policy, trust_input=trust_input, sources=sources)
    for start in range(0, len(reports), 10_000):
        take(engine.feed_all(reports[start : start + 10_000], unique=True))
        engine.take_changes()  # what a store would write: a replay lets it go
    take(engine.advance(until) if until is not None else engine.run_out())
    return ReplayResult(engine, events, unique, arrivals.duplicates, arrivals.rejected, after_until)
