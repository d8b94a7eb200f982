"""One unit of work for every write: what it changes is written in one transaction.

Three kinds of write, each opened here and nowhere else in the services:

- `protocol(system)`: a change to the protocol's state. It holds the writers' lock,
  brings this process's engines up to the journal (`LiveProtocol.catch_up`), and yields
  a `Batch`: reports and commands go to the engines and are journaled; at the end the
  events, read models, timers, audit entries, outbox messages and the stored clock are
  written with them, and all of it commits at once or not at all.
- `locked(system)`: rows written under the writers' lock that the engines do not read
  back (a mirror copying its primary's journal and rows).
- `rows(system)`: a short write beside the writers' lock, of rows that lock themselves
  (the outbox's claims and outcomes, tokens, web sessions, checkpoints): it never waits
  for a tick or an ingest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.engine import Connection

from ..audit import Encoded, plain_canonical
from ..domain import events as ev
from ..domain.commands import CeasefireCommand, DeclareSources, journal_body
from ..domain.engine import CommandRefused, Engine, NotAnOwner
from ..domain.events import ProtocolEvent
from ..domain.notices import notices_for
from ..domain.reports import Report, bare
from ..domain.sources import Registry, Source
from ..store import auditlog, journal, outbox, queries, readmodels
from ..store.database import held_alone, writing, writing_rows
from ..store.database import snapshot as consistent_read
from ..store.journal import CommandInput, ReportInput, StoredCeasefire, StoredClock
from . import snapshots
from .handlers import apply_command, apply_store_command, build_engine
from .live_protocol import LiveProtocol

if TYPE_CHECKING:
    from .system import System

REPORTS_ACCEPTED = "reports_accepted"
COMMAND = "command"
CEASEFIRE_ADDED = "ceasefire_added"
"""The audit entries that record journal entries: a batch of reports, a command, a
ceasefire (`journal.report_listing`, `command_record`, `ceasefire_record`)."""

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


# -- the three kinds of write -------------------------------------------------------


@contextmanager
def protocol(
    system: System, *, snapshot: bool = True, takes_reports: bool = False
) -> Iterator[Batch]:
    """A change to the protocol's state, in one transaction (see the module's doc).

    After it, a snapshot if one is due; `snapshot=False` leaves that to the caller, which
    has more batches to come (`snapshot_if_due` once they are done). `takes_reports`:
    the caller will feed reports, which read what a snapshot left out of the engines;
    that is read before the writers' lock is taken (`_caught_up`)."""
    live = system.protocol
    with live.lock:
        with _caught_up(live, takes_reports) as conn:
            batch = Batch(live, conn)
            yield batch
            batch.write()
        if snapshot:
            _snapshot_if_due(live)


def snapshot_if_due(system: System) -> None:
    """Save a snapshot if the journal has grown enough since the newest one."""
    live = system.protocol
    with live.lock:
        _snapshot_if_due(live)


@contextmanager
def locked(system: System) -> Iterator[Connection]:
    """A write under the writers' lock, beside the engines (a mirror's copying)."""
    with writing(system.db) as conn:
        yield conn


@contextmanager
def rows(system: System) -> Iterator[Connection]:
    """A short write of rows that lock themselves, beside the writers' lock."""
    with writing_rows(system.db) as conn:
        yield conn


def snapshot(system: System, taken_at: datetime) -> snapshots.Saved | None:
    """Save a snapshot of the journal as it stands (`ceasewatch snapshot`, and a server's
    `SnapshotProcess`): engines of its own, started like any process's from the newest
    snapshot and fed the journal after it, in one consistent read. It takes no writer's
    lock, so no writer waits while it works; the journal position it saves is the one it
    read. One process at a time takes one (each needs a second set of engines, a
    gigabyte or more at a million reports): None when another is at it."""
    with held_alone(system.db, snapshots.TAKING) as mine:
        if not mine:
            return None
        live = LiveProtocol(system.db)
        try:
            with consistent_read(system.db) as conn:
                live.catch_up(conn)
            return live.save_snapshot(taken_at)
        finally:
            live.reset()  # frees the engines; deletes a snapshot whose body would not load


@contextmanager
def _caught_up(live: LiveProtocol, takes_reports: bool = False) -> Iterator[Connection]:
    """The writers' lock, with the engines brought up to the journal; if anything fails,
    the engines are dropped, to be rebuilt from the journal at the next unit of work.

    A process starting (a tick from cron, any CLI command, a worker just started) first
    brings its engines from their snapshot to the journal's end in one consistent read,
    holding no lock (as `snapshot` does): that may be half an hour of a server's
    reports, and the snapshot's body to read for them, and the writers go on meanwhile.
    Under the lock it then takes only what came since. A process already running is
    close behind, and takes what others stored under the lock alone. Reports about to be
    fed read the snapshot's body (at a million reports, seconds): that too is read
    before the lock, if it is not yet.
    """
    try:
        if live.starting or (takes_reports and not live.loaded_all):
            _read_ahead(live, takes_reports)
        with writing(live.db) as conn:
            live.catch_up(conn)
            yield conn
    except BaseException:
        live.reset()
        raise


def _read_ahead(live: LiveProtocol, load_body: bool) -> None:
    with consistent_read(live.db) as conn:
        live.catch_up(conn)
        if load_body:
            live.load_body(conn)


def warm(system: System) -> None:
    """Bring the engines to the journal's end and read their snapshot's body, holding no
    lock but this process's: a server's writer process does it as it starts, so that the
    first report or verdict handed to it does not wait for it (seconds a million
    reports). A failure drops the engines, as in a unit of work."""
    live = system.protocol
    with live.lock:
        try:
            _read_ahead(live, load_body=True)
        except BaseException:
            live.reset()
            raise


def _snapshot_if_due(live: LiveProtocol) -> None:
    """After a commit: save a snapshot when the journal has grown enough since the
    newest one, or for long enough (`LiveProtocol.take_due_snapshot`)."""
    if live.snapshot_due():
        live.take_due_snapshot()


# -- what one protocol transaction does -----------------------------------------------


def _instant_taken(arrival: datetime, clock: datetime | None, last: datetime | None) -> bool:
    """Whether a store whose clock and latest arrival are these has already taken the
    instant `arrival` (DESIGN's tie rule): the clock is past it, or reports of that
    instant were taken. A report arriving then is taken after those, at the stored
    clock, where `replay` of one file would have put it among them."""
    if clock is None or arrival > clock:
        return False
    return arrival < clock or (last is not None and arrival <= last)


@dataclass
class Refusal:
    message: str
    why: Literal["unknown", "forbidden", "not now"] = "not now"
    """An unknown record; a party that may not do this at all (not an owner); or a command
    the protocol does not allow now."""


@dataclass
class Batch:
    """What one transaction does: its inputs go to the engines, its outputs to the store."""

    live: LiveProtocol
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
    _taken: set[tuple[str, str]] = field(default_factory=set)
    """(source, id) of the reports this batch took: not in the journal until it is written."""
    _stored: dict[str, int] = field(default_factory=dict)
    """How many incidents each ceasefire's engine had when the batch began: all of them
    stored (`readmodels.write_changes` appends those made since). Left unknown while a
    snapshot's body is still unread, so that a batch that reads no incident (a tick of
    deadlines) never loads it; the first batch that does upserts its incidents instead."""

    def __post_init__(self) -> None:
        if self.live.loaded_all:
            self._stored = {cf: len(e.incidents) for cf, e in self.live.engines.items()}

    @property
    def now(self) -> datetime | None:
        return self.live.now

    def take_reports(self, reports: Iterable[Report], *, trusted: bool = False) -> list[Report]:
        """Journal the reports not stored before and feed them to every engine, in order.

        Returns the reports taken (the others were stored already). The journal is asked
        which it holds (one statement a call), not a set of every report held in memory,
        which would grow with the store in every process and every snapshot.
        """
        live = self.live
        given = list(reports)
        stored = journal.stored_keys(self.conn, {r.key for r in given} - self._taken)
        taken: list[Report] = []
        clock, last_arrival = live.now, live.last_arrival
        for report in given:
            key = report.key
            if key in stored or key in self._taken:
                continue
            self._taken.add(key)
            if _instant_taken(report.arrival, clock, last_arrival):
                self.late.append(report)
            live.arrived(report)
            live.position += 1
            self.accepted.append(ReportInput(live.position, live.now, report, trusted))
            held = bare(report)
            for cf, engine in live.engines.items():
                self._collect(cf, engine.feed(held, trusted=trusted, unique=True))
            arrival = report.arrival
            if live.now is None or arrival > live.now:
                live.now = arrival
            taken.append(report)
        return taken

    def advance(self, until: datetime) -> None:
        """Move the stored clock to `until` (never back), firing every timer due by then."""
        live = self.live
        for cf, engine in live.engines.items():
            self._collect(cf, engine.advance(until))
        if live.now is None or until > live.now:
            live.now = until

    def command(
        self,
        ceasefire: str,
        command: CeasefireCommand,
        at: datetime,
        check: Callable[[Engine], None] | None = None,
    ) -> Refusal | None:
        """Run a command at `at` (or now, if later); a refusal changes nothing but the clock.

        `check` asks the engine, once the clock has moved, whether the command may be taken
        now (rules that a journal written under older ones need not meet on its replay).
        The engine takes the command as the journal holds it, as a replay will."""
        engine = self.live.engines.get(ceasefire)
        if engine is None:
            return Refusal(f"no ceasefire {ceasefire}", "unknown")
        self.advance(at)
        at = max(at, self.live.now or at)
        body = journal_body(command, at)
        clock = self.live.now
        try:
            if check is not None:
                check(engine)
            events = apply_command(engine, type(command).from_json(body), at)
        except (CommandRefused, KeyError) as exc:
            message = str(exc.args[0]) if exc.args else str(exc)
            if isinstance(exc, KeyError):
                return Refusal(message, "unknown")
            return Refusal(message, "forbidden" if isinstance(exc, NotAnOwner) else "not now")
        self._journal(CommandInput(self._next_seq(), clock, ceasefire, command.kind, body))
        self._collect(ceasefire, events)
        self.touched.add(ceasefire)
        return None

    def declare_sources(self, sources: list[Source]) -> list[Source]:
        """Declare or regrade sources at the stored clock, for every ceasefire's engine (and
        any added later, which replays the journal): a journaled command, listed in the
        `sources` read model and audited. Returns those that changed; nothing is journaled
        when none did."""
        live = self.live
        changed = Registry(queries.sources(self.conn)).changes(sources)
        if not changed:
            return []
        at = live.now
        body = journal_body(DeclareSources(tuple(changed)), at)
        for cf, engine in live.engines.items():
            self._collect(cf, apply_store_command(engine, DeclareSources.from_json(body), at))
        self._journal(CommandInput(self._next_seq(), at, None, DeclareSources.kind, body))
        readmodels.write_sources(self.conn, changed, live.position, at)
        self.audit.append(("sources_declared", {"sources": body["sources"]}))
        return changed

    def add_ceasefire(self, stored: StoredCeasefire) -> None:
        """Store a ceasefire and build its engine over the whole journal so far."""
        assert not self.accepted, "add a ceasefire before taking reports in a batch"
        journal.add_ceasefire(self.conn, stored)
        engine = build_engine(stored)
        live = self.live
        caught_up = live.replay_journal(self.conn, {stored.id: engine}, live.position)
        self._collect(stored.id, [e for _, e in caught_up])
        if live.now is not None:
            self._collect(stored.id, engine.advance(live.now))
        live.engines[stored.id] = engine
        self.touched.add(stored.id)
        self.audit.append((CEASEFIRE_ADDED, journal.ceasefire_record(stored)))

    def note(self, kind: str, body: Any) -> None:
        """An audit entry for a change made outside the engines (e.g. the directory)."""
        self.audit.append((kind, body))

    def _next_seq(self) -> int:
        self.live.position += 1
        return self.live.position

    def _journal(self, item: CommandInput) -> None:
        journal.append_command(self.conn, item)
        self.audit.append((COMMAND, journal.command_record(item)))

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
        outbox.write(self.conn, outbox.rows_for(ceasefire, notices, self._contacts, self.live.now))

    def write(self) -> None:
        """Write what the batch did: journal, audit, read models, timers, outbox, clock."""
        conn, live = self.conn, self.live
        audit: list[tuple[str, Any]] = []
        if self.accepted:
            digests = journal.append_reports(conn, self.accepted)
            audit.extend(_reports_accepted(self.accepted, digests))
        audit.extend(self.audit)
        taken = {item.report.key for item in self.accepted}
        for cf, engine in live.engines.items():
            changes = engine.take_changes()
            if changes.verified:
                verified = [[i.id, i.verified_by or "corroboration"] for i in changes.verified]
                body = {"ceasefire": cf, "incidents": verified}
                audit.append(("incidents_verified", Encoded(plain_canonical(body))))
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
            readmodels.write_changes(conn, cf, changes, self._stored.get(cf), taken)
            events = [e for c, e in self.events if c == cf]
            readmodels.write_events(conn, cf, events)
            self._queue_notices(cf, engine, events)
            audit.extend(
                (e.event, {"ceasefire": cf, **e.to_dict()}) for e in events if e.event in AUDITED
            )
            if cf in self.touched or changes.cases:
                readmodels.write_timers(conn, cf, engine.pending_timers())
        auditlog.append(conn, live.now, audit)
        journal.write_clock(conn, StoredClock(live.now, live.position + 1))


def _reports_accepted(accepted: list[ReportInput], digests: list[str]) -> Iterator[tuple[str, Any]]:
    """The `reports_accepted` entries of a batch: one per run of equally trusted reports,
    each listing its reports as `journal.report_listing` does (no floats: encoded by
    `plain_canonical`)."""
    pairs = zip(accepted, digests, strict=True)
    for trusted, run in groupby(pairs, key=lambda pair: pair[0].trusted):
        inputs, run_digests = zip(*run, strict=True)
        listed = journal.report_listings(inputs, run_digests)
        yield REPORTS_ACCEPTED, Encoded(plain_canonical({"trusted": trusted, "reports": listed}))
