"""The engines of every stored ceasefire, kept in step with the journal.

One `Engines` per process. Every change goes through `transaction()`: it takes the
writers' lock, catches up with what other processes journaled since (their outputs are
already stored, so catching up only moves this process's engines), then lets the caller
journal reports, move the clock or run commands; the journal rows, events, read models,
timers, audit entries and the clock are written in that one transaction. Two processes
therefore never fire a timer or recommend a phase twice: the second one to take the lock
finds it done. If a transaction fails, the engines are dropped and rebuilt from the
journal at the next one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..config import ceasefire_from_dict
from ..domain import events as ev
from ..domain.engine import CommandRefused, Engine, NotAnOwner
from ..domain.events import ProtocolEvent
from ..domain.notices import notices_for
from ..domain.policy import parse_policy
from ..domain.reports import Report
from ..domain.sources import Registry, Source
from ..store import auditlog, journal, outbox, queries, readmodels
from ..store.database import writing, writing_rows
from ..store.journal import (
    SOURCES,
    CommandInput,
    Input,
    ReportInput,
    StoredCeasefire,
    StoredClock,
)
from . import snapshots

REPORTS_ACCEPTED = "reports_accepted"
COMMAND = "command"
CEASEFIRE_ADDED = "ceasefire_added"
"""The audit entries that record journal entries: a batch of reports, a command, a
ceasefire (`journal.report_listing`, `command_record`, `ceasefire_record`)."""

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SnapshotEvery:
    """When a process saves a snapshot of its engines after a commit: once the journal
    has grown by `entries` since the newest snapshot, or after `minutes` of commits
    that added to it (None: never on that count). A snapshot costs about what
    feeding its reports once more costs, so it is taken seldom."""

    entries: int | None = 200_000
    minutes: float | None = 30.0

    def due(self, grown: int, seconds: float) -> bool:
        if grown <= 0:
            return False
        if self.entries is not None and grown >= self.entries:
            return True
        return self.minutes is not None and seconds >= self.minutes * 60


AUDITED = frozenset(
    {
        ev.CASE_OPENED,
        ev.CASE_CLOSED,
        ev.PHASE_RECOMMENDED,
        ev.PHASE_AUTHORISED,
        ev.PHASE_DECLINED,
        ev.ACTION_DONE,
        ev.ACTION_OVERDUE,
        ev.DECISION_RECORDED,
        ev.DEFENSIVE_RESPONSE,
        ev.RESPONSE_RECLASSIFIED,
    }
)
"""Protocol events that are state changes the audit log records one by one."""


def build_engine(stored: StoredCeasefire) -> Engine:
    ceasefire = ceasefire_from_dict(stored.definition, f"stored ceasefire {stored.id}")
    policy = parse_policy(stored.policy_text, f"policy of ceasefire {stored.id}")
    return Engine(ceasefire, policy)


def run_command(
    engine: Engine, kind: str, body: dict[str, Any], at: datetime
) -> list[ProtocolEvent]:
    """Apply one journaled command to its ceasefire's engine."""
    match kind:
        case "action_done":
            evidence = tuple((e["uri"], e["sha256"]) for e in body.get("evidence", ()))
            return engine.mark_action_done(
                body["case"],
                body["action"],
                at,
                by=body["by"],
                note=body.get("note", ""),
                evidence=evidence,
            )
        case "decide":
            return engine.decide(
                body["case"],
                body["phase"],
                body["party"],
                authorise=body["authorise"],
                reason=body["reason"],
                at=at,
                roles=frozenset(body.get("roles", ())),
            )
        case "verify":
            return engine.verify_incident(
                body["incident"], at, by=body["by"], reason=body.get("reason", "")
            )
        case "dispute":
            return engine.dispute_incident(
                body["incident"], at, by=body["by"], reason=body["reason"]
            )
        case "reject":
            return engine.reject_incident(
                body["incident"], at, by=body["by"], reason=body["reason"]
            )
        case "count_as_violation":
            return engine.count_as_violation(
                body["incident"], at, by=body["by"], reason=body["reason"]
            )
        case "merge":
            return engine.merge_incidents(
                body["incident"], body["others"], at, by=body["by"], reason=body["reason"]
            )
        case "split":
            reports = [(source, rid) for source, rid in body["reports"]]
            return engine.split_incident(
                body["incident"], reports, at, by=body["by"], reason=body["reason"]
            )
        case "close":
            return engine.close_case(body["case"], at)
    raise ValueError(f"unknown command {kind!r}")


def run_store_command(engine: Engine, kind: str, body: dict[str, Any]) -> list[ProtocolEvent]:
    """Apply one journaled command that belongs to no one ceasefire (every engine takes it)."""
    match kind:
        case "sources":
            at = None if body["at"] is None else _at(body)
            return engine.declare_sources((Source.model_validate(s) for s in body["sources"]), at)
    raise ValueError(f"unknown store command {kind!r}")


@dataclass
class Engines:
    db: sa.Engine
    engines: dict[str, Engine] = field(default_factory=dict)
    position: int = 0
    """The last journal number the engines have taken."""
    now: datetime | None = None
    seen: set[tuple[str, str]] = field(default_factory=set)
    """(source, id) of every journaled report."""
    last_arrival: datetime | None = None
    """The latest arrival instant of a journaled report."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    """One thread of this process at a time (the database's lock orders the processes)."""
    snapshot_every: SnapshotEvery = field(default_factory=lambda: SnapshotEvery())
    snapshotted: int = 0
    """The journal position of the newest snapshot this process knows of."""
    started_from: int | None = None
    """The journal position of the snapshot these engines started from (None: none)."""
    _snapshot_clock: float = field(default_factory=time.monotonic, repr=False)

    @contextmanager
    def transaction(self) -> Iterator[Batch]:
        with self.lock:
            yield from self._transaction()
            self._snapshot_if_due()

    def _transaction(self) -> Iterator[Batch]:
        try:
            with writing(self.db) as conn:
                self._catch_up(conn)
                batch = Batch(self, conn)
                yield batch
                batch.write()
        except BaseException:
            self._reset()
            raise

    def _reset(self) -> None:
        self.engines, self.position, self.now, self.seen = {}, 0, None, set()
        self.last_arrival = None

    # -- snapshots ------------------------------------------------------------------

    def snapshot(self, taken_at: datetime) -> snapshots.Saved:
        """Save the engines' state as the journal stands now (`ceasewatch snapshot`)."""
        with self.lock:
            try:
                with writing(self.db) as conn:
                    self._catch_up(conn)
                    return self._save_snapshot(conn, taken_at)
            except BaseException:
                self._reset()
                raise

    def _save_snapshot(self, conn: Connection, taken_at: datetime) -> snapshots.Saved:
        digests = snapshots.ceasefire_digests(journal.stored_ceasefires(conn))
        state = snapshots.State(self.engines, self.position, self.now, self.seen, self.last_arrival)
        saved = snapshots.save(conn, state, digests, taken_at)
        snapshots.prune(conn)
        self.snapshotted, self._snapshot_clock = self.position, time.monotonic()
        return saved

    def _snapshot_if_due(self) -> None:
        """After a commit: save a snapshot when the journal has grown enough since the
        newest one, or for long enough. A snapshot that fails is only logged: what the
        transaction stored is committed, and the journal is the truth."""
        if not self.snapshot_every.due(
            self.position - self.snapshotted, time.monotonic() - self._snapshot_clock
        ):
            return
        try:
            with writing_rows(self.db) as conn:
                self._save_snapshot(conn, datetime.now(UTC))
        except Exception:
            log.exception("saving a snapshot of the engines failed; going on without")
            self._snapshot_clock = time.monotonic()

    def _start(self, conn: Connection, up_to: int) -> None:
        """A process with no engines yet: start from the newest usable snapshot."""
        digests = snapshots.ceasefire_digests(journal.stored_ceasefires(conn))
        state = snapshots.load(conn, digests, up_to)
        self.snapshotted = snapshots.newest_position(conn)
        self.started_from = None if state is None else state.position
        if state is None:
            return
        self.engines, self.position, self.now = state.engines, state.position, state.now
        self.seen, self.last_arrival = state.seen, state.last_arrival

    def _arrived(self, report: Report) -> None:
        self.seen.add(report.key)
        if self.last_arrival is None or report.arrival > self.last_arrival:
            self.last_arrival = report.arrival

    # -- catching up ----------------------------------------------------------------

    def _catch_up(self, conn: Connection) -> None:
        """Take what other processes stored since: new ceasefires, inputs, clock moves."""
        clock = journal.read_clock(conn)
        if not self.engines and not self.position:
            self._start(conn, clock.next_seq - 1)
        fresh = {
            c.id: build_engine(c)
            for c in journal.stored_ceasefires(conn)
            if c.id not in self.engines
        }
        if fresh and self.position:
            self._rebuild(conn, fresh, up_to=self.position)
        self.engines.update(fresh)
        for item in journal.inputs_after(conn, self.position):
            self._take(self.engines, item)
        self._settle(self.engines, clock.now)
        self.position, self.now = clock.next_seq - 1, clock.now

    def _rebuild(self, conn: Connection, engines: dict[str, Engine], up_to: int) -> None:
        """Bring new engines to where the others stand: the journal up to `up_to`."""
        self.replay_journal(conn, engines, up_to)
        self._settle(engines, self.now)

    def replay_journal(
        self, conn: Connection, engines: dict[str, Engine], up_to: int
    ) -> list[tuple[str, ProtocolEvent]]:
        """Feed engines the journal from its start up to `up_to`; the events they give."""
        out: list[tuple[str, ProtocolEvent]] = []
        for item in journal.inputs_after(conn, 0):
            if item.seq > up_to:
                break
            out.extend(self._take(engines, item, remember=False))
        return out

    def _take(
        self, engines: dict[str, Engine], item: Input, remember: bool = True
    ) -> list[tuple[str, ProtocolEvent]]:
        """Feed a journaled input to the engines; the events they give, which a catch-up
        drops: whoever journaled the input stored them."""
        if remember and isinstance(item, ReportInput):
            self._arrived(item.report)
        return take_input(engines, item)

    @staticmethod
    def _settle(engines: dict[str, Engine], now: datetime | None) -> None:
        for engine in engines.values():
            if now is not None:
                engine.advance(now)
            engine.take_changes()


def _instant_taken(arrival: datetime, clock: datetime | None, last: datetime | None) -> bool:
    """Whether a store whose clock and latest arrival are these has already taken the
    instant `arrival` (DESIGN's tie rule): the clock is past it, or reports of that
    instant were taken. A report arriving then is taken after those, at the stored
    clock, where `replay` of one file would have put it among them."""
    if clock is None or arrival > clock:
        return False
    return arrival < clock or (last is not None and arrival <= last)


def take_input(engines: dict[str, Engine], item: Input) -> list[tuple[str, ProtocolEvent]]:
    """Feed a journaled input to the engines, at the clock it was taken at: a report to
    every engine, a command to its ceasefire's; the events they give, by ceasefire."""
    out: list[tuple[str, ProtocolEvent]] = []
    if isinstance(item, ReportInput):
        for cf, engine in engines.items():
            if item.clock is not None:
                out.extend((cf, e) for e in engine.advance(item.clock))
            out.extend((cf, e) for e in engine.feed(item.report, trusted=item.trusted))
    elif item.ceasefire is None:
        for cf, engine in engines.items():
            if item.clock is not None:
                out.extend((cf, e) for e in engine.advance(item.clock))
            out.extend((cf, e) for e in run_store_command(engine, item.kind, item.body))
    elif item.ceasefire in engines:
        target = engines[item.ceasefire]
        if item.clock is not None:
            out.extend((item.ceasefire, e) for e in target.advance(item.clock))
        events = run_command(target, item.kind, item.body, _at(item.body))
        out.extend((item.ceasefire, e) for e in events)
    return out


def _at(body: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(body["at"])


@dataclass
class Refusal:
    message: str
    why: Literal["unknown", "forbidden", "not now"] = "not now"
    """An unknown record; a party that may not do this at all (not an owner); or a command
    the protocol does not allow now."""


@dataclass
class Batch:
    """What one transaction does: its inputs go to the engines, its outputs to the store."""

    host: Engines
    conn: Connection
    events: list[tuple[str, ProtocolEvent]] = field(default_factory=list)
    accepted: list[ReportInput] = field(default_factory=list)
    late: list[Report] = field(default_factory=list)
    """Reports that arrived at an instant the store had already taken before this batch."""
    audit: list[tuple[str, Any]] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    """Ceasefires whose engines did something in this batch."""
    _contacts: dict[str, Any] | None = None
    """The directory, read once a batch if some event needs it."""

    @property
    def now(self) -> datetime | None:
        return self.host.now

    def take_reports(self, reports: Iterable[Report], *, trusted: bool = False) -> list[Report]:
        """Journal the reports not seen before and feed them to every engine, in order.

        Returns the reports taken (the others were stored already).
        """
        host = self.host
        taken: list[Report] = []
        clock, last_arrival = host.now, host.last_arrival
        for report in reports:
            if report.key in host.seen:
                continue
            if _instant_taken(report.arrival, clock, last_arrival):
                self.late.append(report)
            host._arrived(report)
            host.position += 1
            self.accepted.append(ReportInput(host.position, host.now, report, trusted))
            for cf, engine in host.engines.items():
                self._collect(cf, engine.feed(report, trusted=trusted))
            arrival = report.arrival
            if host.now is None or arrival > host.now:
                host.now = arrival
            taken.append(report)
        return taken

    def advance(self, until: datetime) -> None:
        """Move the stored clock to `until` (never back), firing every timer due by then."""
        host = self.host
        for cf, engine in host.engines.items():
            self._collect(cf, engine.advance(until))
        if host.now is None or until > host.now:
            host.now = until

    def command(
        self,
        ceasefire: str,
        kind: str,
        body: dict[str, Any],
        at: datetime,
        check: Callable[[Engine], None] | None = None,
    ) -> Refusal | None:
        """Run a command at `at` (or now, if later); a refusal changes nothing but the clock.

        `check` asks the engine, once the clock has moved, whether the command may be taken
        now (rules that a journal written under older ones need not meet on its replay)."""
        engine = self.host.engines.get(ceasefire)
        if engine is None:
            return Refusal(f"no ceasefire {ceasefire}", "unknown")
        self.advance(at)
        at = max(at, self.host.now or at)
        body = {**body, "at": at.isoformat()}
        clock = self.host.now
        try:
            if check is not None:
                check(engine)
            events = run_command(engine, kind, body, at)
        except (CommandRefused, KeyError) as exc:
            message = str(exc.args[0]) if exc.args else str(exc)
            if isinstance(exc, KeyError):
                return Refusal(message, "unknown")
            return Refusal(message, "forbidden" if isinstance(exc, NotAnOwner) else "not now")
        self.host.position += 1
        item = CommandInput(self.host.position, clock, ceasefire, kind, body)
        journal.append_command(self.conn, item)
        self.audit.append((COMMAND, journal.command_record(item)))
        self._collect(ceasefire, events)
        self.touched.add(ceasefire)
        return None

    def declare_sources(self, sources: list[Source]) -> list[Source]:
        """Declare or regrade sources at the stored clock, for every ceasefire's engine (and
        any added later, which replays the journal): a journaled command, listed in the
        `sources` read model and audited. Returns those that changed; nothing is journaled
        when none did."""
        host = self.host
        changed = Registry(queries.sources(self.conn)).changes(sources)
        if not changed:
            return []
        at = host.now
        body = {
            "sources": [s.as_record() for s in changed],
            "at": None if at is None else at.isoformat(),
        }
        for cf, engine in host.engines.items():
            self._collect(cf, run_store_command(engine, SOURCES, body))
        host.position += 1
        item = CommandInput(host.position, at, None, SOURCES, body)
        journal.append_command(self.conn, item)
        self.audit.append((COMMAND, journal.command_record(item)))
        readmodels.write_sources(self.conn, changed, host.position, at)
        self.audit.append(("sources_declared", {"sources": body["sources"]}))
        return changed

    def add_ceasefire(self, stored: StoredCeasefire) -> None:
        """Store a ceasefire and build its engine over the whole journal so far."""
        assert not self.accepted, "add a ceasefire before taking reports in a batch"
        journal.add_ceasefire(self.conn, stored)
        engine = build_engine(stored)
        host = self.host
        caught_up = host.replay_journal(self.conn, {stored.id: engine}, host.position)
        self._collect(stored.id, [e for _, e in caught_up])
        if host.now is not None:
            self._collect(stored.id, engine.advance(host.now))
        host.engines[stored.id] = engine
        self.touched.add(stored.id)
        self.audit.append((CEASEFIRE_ADDED, journal.ceasefire_record(stored)))

    def note(self, kind: str, body: Any) -> None:
        """An audit entry for a change made outside the engines (e.g. the directory)."""
        self.audit.append((kind, body))

    def _collect(self, ceasefire: str, events: list[ProtocolEvent]) -> None:
        if events:
            self.events.extend((ceasefire, e) for e in events)
            self.touched.add(ceasefire)

    # -- writing --------------------------------------------------------------------

    def _queue_notices(self, ceasefire: str, engine: Engine, events: list[ProtocolEvent]) -> None:
        """Into the outbox: what each party should be told of these events."""
        if not events:
            return
        if self._contacts is None:
            self._contacts = {row["code"]: row for row in queries.parties(self.conn)}
        roles = {code: frozenset(row["roles"]) for code, row in self._contacts.items()}
        parties = engine.ceasefire.parties
        notices = [n for e in events for n in notices_for(e, engine.policy, parties, roles)]
        outbox.write(self.conn, outbox.rows_for(ceasefire, notices, self._contacts, self.host.now))

    def write(self) -> None:
        conn, host = self.conn, self.host
        audit: list[tuple[str, Any]] = []
        if self.accepted:
            digests = journal.append_reports(conn, self.accepted)
            audit.extend(_reports_accepted(self.accepted, digests))
        audit.extend(self.audit)
        for cf, engine in host.engines.items():
            changes = engine.take_changes()
            if changes.verified:
                verified = [[i.id, i.verified_by or "corroboration"] for i in changes.verified]
                audit.append(("incidents_verified", {"ceasefire": cf, "incidents": verified}))
            for incident in changes.rejected:
                audit.append(
                    (
                        "incident_rejected",
                        {
                            "ceasefire": cf,
                            "incident": incident.id,
                            "by": incident.reviewed_by,
                            "reason": incident.review_reason,
                        },
                    )
                )
            readmodels.write_changes(conn, cf, changes)
            events = [e for c, e in self.events if c == cf]
            readmodels.write_events(conn, cf, events)
            self._queue_notices(cf, engine, events)
            audit.extend(
                (e.event, {"ceasefire": cf, **e.to_dict()}) for e in events if e.event in AUDITED
            )
            if cf in self.touched or changes.cases:
                readmodels.write_timers(conn, cf, engine.pending_timers())
        auditlog.append(conn, host.now, audit)
        journal.write_clock(conn, StoredClock(host.now, host.position + 1))


def _reports_accepted(accepted: list[ReportInput], digests: list[str]) -> Iterator[tuple[str, Any]]:
    """The `reports_accepted` entries of a batch: one per run of equally trusted reports,
    each listing its reports as `journal.report_listing` does."""
    pairs = zip(accepted, digests, strict=True)
    for trusted, run in groupby(pairs, key=lambda pair: pair[0].trusted):
        listed = [
            journal.report_listing(i.seq, i.report.source, i.report.id, d, i.clock) for i, d in run
        ]
        yield REPORTS_ACCEPTED, {"trusted": trusted, "reports": listed}
