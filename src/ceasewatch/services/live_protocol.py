"""The live protocol state: every stored ceasefire's engine, kept in step with the journal.

One `LiveProtocol` per process (`System.protocol`). Every change to it is made in a unit
of work (`unit_of_work.protocol`): it takes the writers' lock, catches up with what other
processes journaled since (their outputs are already stored, so catching up only moves
this process's engines), then lets the caller journal reports, move the clock or run
commands; the journal rows, events, read models, timers, audit entries and the clock are
written in that one transaction. Two processes therefore never fire a timer or recommend
a phase twice: the second one to take the lock finds it done. If a transaction fails, the
engines are dropped and rebuilt from the journal at the next one.

A snapshot of the engines (`snapshots.py`) lets a process start without feeding them the
whole journal; when one is due, and where it is taken, is decided here.
A process started from one loads the snapshot's body (what grows with the journal: the
incidents and the indexes) only when something first reads it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ..domain.engine import Engine
from ..domain.events import ProtocolEvent
from ..domain.reports import Report
from ..store import journal
from ..store.database import held_alone, reading, writing_rows
from ..store.journal import Input, ReportInput
from . import snapshots
from .handlers import build_engine, take_input
from .snapshot_pending import Body, Unreadable
from .snapshot_process import SnapshotProcess

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SnapshotEvery:
    """When a process saves a snapshot of its engines after a commit: once the journal
    has grown since the newest snapshot by `entries`, or by `fraction` of what that
    snapshot held if that is more, or after `minutes` of commits that added to it (None:
    never on that count).

    A snapshot costs about what feeding its reports once more costs, so it is taken
    seldom, and the more so the larger the store: one every 200,000 entries would make
    a bulk ingest's cost a report grow with the store (at a million reports two fifths
    of the time went to snapshots, each larger than the last). Growing by half each time,
    a snapshot costs each report ingested the same at any size, and a process that
    starts from the newest feeds at most a third of the journal after it."""

    entries: int | None = 200_000
    fraction: float = 0.5
    minutes: float | None = 30.0

    def due(self, grown: int, seconds: float, held: int = 0) -> bool:
        """`grown`: journal entries since the newest snapshot, which `held` entries."""
        if grown <= 0:
            return False
        if self.entries is not None and grown >= max(self.entries, self.fraction * held):
            return True
        return self.minutes is not None and seconds >= self.minutes * 60


@dataclass
class LiveProtocol:
    db: sa.Engine
    engines: dict[str, Engine] = field(default_factory=dict)
    position: int = 0
    """The last journal number the engines have taken."""
    now: datetime | None = None
    last_arrival: datetime | None = None
    """The latest arrival instant of a journaled report."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    """One thread of this process at a time (the database's lock orders the processes)."""
    snapshot_every: SnapshotEvery = field(default_factory=lambda: SnapshotEvery())
    snapshotted: int = 0
    """The journal position of the newest snapshot this process knows of (or started,
    in a process of its own)."""
    started_from: int | None = None
    """The journal position of the snapshot these engines started from (None: none)."""
    _snapshot_clock: float = field(default_factory=time.monotonic, repr=False)
    _body: Body | None = field(default=None, repr=False)
    """The body of the snapshot these engines started from, loaded when first needed."""
    snapshot_apart: bool = False
    """Take the snapshots due in a process of their own (`SnapshotProcess`), as a server
    does, so that no request waits while the engines are pickled."""
    snapshot_process: SnapshotProcess | None = field(default=None, repr=False)
    """The process started for the latest snapshot taken apart, if any."""

    @property
    def starting(self) -> bool:
        """Whether the engines have yet to be brought to the journal (a new process, or
        one whose engines were dropped)."""
        return not self.engines and not self.position

    @property
    def loaded_all(self) -> bool:
        """Whether everything the snapshot these engines started from left out is in
        memory (true for engines fed the journal)."""
        return self._body is None or self._body.loaded

    def reset(self) -> None:
        """Drop the engines (a transaction failed): the next one rebuilds them. A snapshot
        whose body could not be read is deleted, so that no process starts from it again."""
        body, self._body = self._body, None
        self.engines, self.position, self.now = {}, 0, None
        self.last_arrival = None
        if body is not None and body.failed:
            try:
                with writing_rows(self.db) as conn:
                    snapshots.discard(conn, body.seq)
            except Exception:
                log.exception("deleting unreadable snapshot %s failed", body.seq)

    # -- snapshots ------------------------------------------------------------------

    def save_snapshot(self, taken_at: datetime) -> snapshots.Saved:
        """Save the engines' state as it stands (caught up, and held still: the caller
        holds `lock`, or the engines are its own).

        The pickling, seconds per 100,000 reports, is done outside any transaction, so
        other processes' writers wait only for the row's insert (on SQLite, whose writers
        share one lock, they would otherwise wait for all of it)."""
        with reading(self.db) as conn:
            digests = snapshots.ceasefire_digests(journal.stored_ceasefires(conn))
            self.load_body(conn)
        state = snapshots.State(self.engines, self.position, self.now, self.last_arrival)
        made = snapshots.made(state, digests)
        with writing_rows(self.db) as conn:
            saved = snapshots.store(conn, made, taken_at)
            snapshots.prune(conn)
        self.snapshotted, self._snapshot_clock = self.position, time.monotonic()
        return saved

    def snapshot_due(self) -> bool:
        """Whether the journal has grown enough since the newest snapshot, or for long
        enough, to save another after this commit (never while one is being taken).

        The newest snapshot may be another process's (each of a server's, each CLI
        command): it is looked up once this process's own count says one is due."""
        if self.snapshot_process is not None and self.snapshot_process.running():
            return False
        if not self._grown_enough():
            return False
        try:
            with reading(self.db) as conn:
                newest = snapshots.newest_position(conn)
        except SQLAlchemyError:  # asked after a commit: what was committed stands
            log.exception("looking up the newest snapshot failed; taking one all the same")
            return True
        if newest <= self.snapshotted:
            return True
        self.snapshotted, self._snapshot_clock = newest, time.monotonic()
        return self._grown_enough()

    def _grown_enough(self) -> bool:
        return self.snapshot_every.due(
            self.position - self.snapshotted,
            time.monotonic() - self._snapshot_clock,
            self.snapshotted,
        )

    def take_due_snapshot(self) -> None:
        """Save the snapshot due (`snapshot_due`): in a process of its own if
        `snapshot_apart`, else here. One that fails is logged and changes nothing but
        when the next is due: what was committed is committed, the journal is the truth."""
        if self.snapshot_apart and SnapshotProcess.possible(self.db):
            if self.snapshot_process is None:
                self.snapshot_process = SnapshotProcess(self.db.url)
            try:
                self.snapshot_process.start()
            except OSError:
                log.exception("starting the snapshot process failed; going on without")
            # due again after the same growth or interval, whether it succeeds or not
            self.snapshotted, self._snapshot_clock = self.position, time.monotonic()
            return
        try:
            with held_alone(self.db, snapshots.TAKING) as mine:
                if mine:
                    self.save_snapshot(datetime.now(UTC))
                else:  # another process is taking one: due again after the usual growth
                    self.snapshotted, self._snapshot_clock = self.position, time.monotonic()
        except Exception:
            log.exception("saving a snapshot of the engines failed; going on without")
            self._snapshot_clock = time.monotonic()  # wait the interval before trying again

    def load_body(self, conn: Connection) -> None:
        """Read what the snapshot these engines started from left out, if it is not read
        yet, through `conn`: a transaction that sees the snapshot however long it runs
        (a consistent read, or the writers' lock), or one held by the process taking
        snapshots (`snapshots.TAKING`: none is pruned meanwhile). Engines whose body
        fails are dropped, and the snapshot deleted."""
        if self._body is None or self._body.loaded:
            return
        try:
            self._body.load(conn)
        except Unreadable:
            self.reset()
            raise

    def _start(self, conn: Connection, up_to: int) -> None:
        """A process with no engines yet: start from the newest usable snapshot."""
        digests = snapshots.ceasefire_digests(journal.stored_ceasefires(conn))
        state = snapshots.load(conn, digests, up_to)
        self.snapshotted = snapshots.newest_position(conn)
        self.started_from = None if state is None else state.position
        if state is None:
            return
        self.engines = state.engines
        self.position, self.now, self.last_arrival = state.position, state.now, state.last_arrival
        self._body = state.body

    def arrived(self, report: Report) -> None:
        if self.last_arrival is None or report.arrival > self.last_arrival:
            self.last_arrival = report.arrival

    # -- catching up ----------------------------------------------------------------

    def catch_up(self, conn: Connection) -> None:
        """Take what other processes stored since: new ceasefires, inputs, clock moves."""
        clock = journal.read_clock(conn)
        body = self._body
        if body is not None and not body.loaded and not snapshots.kept(conn, body.seq):
            self.reset()  # pruned since: start again, from the newest
        if self.starting:
            self._start(conn, clock.next_seq - 1)
        if self._body is not None and not self._body.loaded:
            self._body.connection = conn  # where it is read, if this transaction needs it
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
            self.arrived(item.report)
        return take_input(engines, item)

    @staticmethod
    def _settle(engines: dict[str, Engine], now: datetime | None) -> None:
        for engine in engines.values():
            if now is not None:
                engine.advance(now)
            engine.take_changes()
