"""Engine snapshots: a process that starts from one, then takes more inputs, stores exactly
what a process rebuilt from the journal stores; a snapshot of other code, of other
ceasefires, or that does not hold together is passed over, never trusted."""

from __future__ import annotations

import hashlib
import io
import pickle
import threading
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_world import CEASEFIRE, PARTIES, incident_of, violation
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from builders import HOUR, T0, write_jsonl
from ceasewatch.audit import sha256_hex
from ceasewatch.cli import app
from ceasewatch.domain.sources import Source
from ceasewatch.services import commands, compressed, setup, snapshots, sources, unit_of_work
from ceasewatch.services.clock import tick
from ceasewatch.services.ingest import ingest
from ceasewatch.services.live_protocol import SnapshotEvery
from ceasewatch.services.reads import cases as case_reads
from ceasewatch.services.reads import incidents as incident_reads
from ceasewatch.services.setup import init
from ceasewatch.services.snapshot_pending import Unreadable
from ceasewatch.services.snapshot_process import SnapshotProcess
from ceasewatch.services.system import System, open_system
from ceasewatch.store import journal, tables
from ceasewatch.store.database import held_alone, reading, writing, writing_rows

runner = CliRunner()
CASE = "cf-1/RU/1"
LATER = "id: cf-2\nname: Two\nparties: [RU, UA]\neffective_from: 2026-03-03T00:00:00Z\n"
DERIVED = (
    tables.events,
    tables.incidents,
    tables.incident_reports,
    tables.cases,
    tables.actions,
    tables.decisions,
    tables.timers,
    tables.audit,
    tables.outbox,
    tables.clock,
)
"""Every table the engines' outputs are written to."""

Step = Callable[[System], Any]


def a_day_of_work(tmp_path: Path) -> list[Step]:
    """Reports in batches, ticks, a ceasefire added later and commands of every kind,
    each step what one process does before another takes over."""
    (tmp_path / "cf-1.yaml").write_text(CEASEFIRE)
    (tmp_path / "cf-2.yaml").write_text(LATER)
    (tmp_path / "parties.yaml").write_text(PARTIES)
    first = [violation(n, n * 2.0, lat=48.0 + n / 100) for n in range(1, 8)]
    fire = [violation(20, 15, perpetrator="UA", lat=48.02), violation(21, 30)]
    late = [violation(30, 50, "missile_strike"), violation(31, 70, lat=48.5)]

    def reports(name: str, records: list[dict[str, Any]], **how: Any) -> Step:
        path = str(write_jsonl(tmp_path / f"{name}.jsonl", records))
        return lambda system: ingest(system, [path], **how)

    return [
        lambda s: setup.import_parties(s, setup.read_parties(tmp_path / "parties.yaml")),
        lambda s: setup.add_ceasefire(s, tmp_path / "cf-1.yaml"),
        reports("first", first, batch_size=3),
        reports("fire", fire, trusted=True),
        lambda s: tick(s, T0 + 40 * HOUR),
        lambda s: setup.add_ceasefire(s, tmp_path / "cf-2.yaml"),
        lambda s: commands.action_done(s, CASE, "diplomatic_warning", by="US", note="sent"),
        reports("late", late),
        lambda s: commands.decide(s, CASE, 2, party="GB", authorise=True, reason="holds"),
        lambda s: tick(s, T0 + 30 * 24 * HOUR),
    ]


def every_command(tmp_path: Path) -> list[Step]:
    """After a day's work, each command in a process of its own, each reaching into what
    a snapshot leaves out until it is read (incidents, indexes, histories, reports seen),
    and a read before a report."""
    sourced = [violation(40, 400, lat=48.9, source="ua-army", id="s1")]
    path = str(write_jsonl(tmp_path / "sourced.jsonl", sourced))
    again = [violation(41, 401, lat=48.95)]
    again_path = str(write_jsonl(tmp_path / "again.jsonl", again))

    def read_then_report(system: System) -> None:
        assert case_reads.case(system, CASE) is not None
        assert incident_reads.incident(system, "cf-1", "inc-1") is not None
        ingest(system, [again_path])

    press = [violation(42, 402, lat=49.5, source="press", source_kind="media", reliability="C")]
    press_path = str(write_jsonl(tmp_path / "press.jsonl", press))

    def review(verdict: str) -> Step:
        return lambda s: commands.review_incident(s, "cf-1", incident_of(s, "v42"), verdict, **by)

    by = {"by": "analyst", "reason": "checked"}
    return [
        *a_day_of_work(tmp_path),
        lambda s: commands.count_as_violation(s, "cf-1", "inc-2", **by),
        lambda s: commands.split_incident(s, "cf-1", "inc-1", [("omm", "v7")], **by),
        lambda s: commands.merge_incidents(s, "cf-1", "inc-1", ["inc-3"], **by),
        lambda s: ingest(s, [press_path]),
        review("dispute"),
        review("verify"),
        review("reject"),
        lambda s: sources.declare(s, [Source(id="ua-army", kind="monitor", reliability="A")]),
        lambda s: ingest(s, [path]),
        read_then_report,
        lambda s: commands.close_case(s, CASE),
        lambda s: tick(s, T0 + 90 * 24 * HOUR),
    ]


def rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return {
                t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
                for t in DERIVED
            }
    finally:
        engine.dispose()


def fresh(url: str) -> System:
    """A new process's system: no engines until its first transaction."""
    return open_system(url)


def run(url: str, steps: list[Step], *, snapshot_each: bool) -> list[int | None]:
    """Each step in a process of its own; with `snapshot_each`, each process first saves
    a snapshot. Returns where each process started from (None: the journal's start)."""
    started: list[int | None] = []
    for step in steps:
        system = fresh(url)
        try:
            if snapshot_each:
                unit_of_work.snapshot(system, datetime.now(UTC))
                system = _reopen(system, url)
            step(system)
            started.append(system.protocol.started_from)
        finally:
            system.db.dispose()
    return started


def _reopen(system: System, url: str) -> System:
    system.db.dispose()
    return fresh(url)


def same_rows_from_snapshots(url: str, other_url: str, steps: list[Step]) -> None:
    """Each step in a process of its own, each first taking a snapshot and starting from
    it, stores in `url` what the same steps store in `other_url` from the journal."""
    init(url)
    init(other_url)
    started = run(url, steps, snapshot_each=True)
    run(other_url, steps, snapshot_each=False)
    assert [s for s in started[2:] if s is None] == [], started  # each began at a snapshot
    assert rows(url) == rows(other_url)


def test_processes_started_from_snapshots_store_what_rebuilt_ones_do(
    db_url: str, other_url: str, tmp_path: Path
):
    same_rows_from_snapshots(db_url, other_url, a_day_of_work(tmp_path))
    result = runner.invoke(app, ["audit", "verify", "--db", db_url])
    assert result.exit_code == 0, result.output


def test_each_command_reaches_what_a_snapshot_left_out(db_url: str, other_url: str, tmp_path: Path):
    same_rows_from_snapshots(db_url, other_url, every_command(tmp_path))


def test_a_tick_that_fires_only_deadlines_loads_no_incident(db_url: str, tmp_path: Path):
    """What a snapshot leaves out stays out while only cases are read: overdue actions."""
    init(db_url)
    steps = a_day_of_work(tmp_path)
    run(db_url, steps[:4], snapshot_each=False)
    system = fresh(db_url)
    unit_of_work.snapshot(system, datetime.now(UTC))
    system = _reopen(system, db_url)
    try:
        events = tick(system, T0 + 40 * HOUR)
        fired = {e.event for _, e in events}
        assert fired and fired <= {"action_overdue", "action_still_overdue"}, fired
        assert system.protocol.started_from is not None
        assert not system.protocol.loaded_all
        commands.action_done(system, CASE, "diplomatic_warning", by="US", note="sent")
        assert not system.protocol.loaded_all  # an action is a case's
        ingest(system, [str(write_jsonl(tmp_path / "one.jsonl", [violation(50, 41)]))])
        assert system.protocol.loaded_all
    finally:
        system.db.dispose()


def test_a_snapshot_is_taken_once_the_journal_has_grown_enough(db_url: str, tmp_path: Path):
    init(db_url)
    system = open_system(db_url)
    system.protocol.snapshot_every = SnapshotEvery(entries=5, minutes=None)
    steps = a_day_of_work(tmp_path)
    for step in steps[:3]:
        step(system)
    system.db.dispose()
    with reading(fresh(db_url).db) as conn:
        positions = [s.position for s in snapshots.listed(conn, {})]
    assert positions and positions[0] >= 5


def test_an_ingest_of_many_batches_takes_one_snapshot_at_its_end(
    db_url: str, conformance_dir: Path
):
    init(db_url)
    system = open_system(db_url)
    setup.add_ceasefire(system, conformance_dir / "ceasefire.yaml")
    system.protocol.snapshot_every = SnapshotEvery(entries=5, minutes=None)

    result = ingest(system, [str(conformance_dir / "trusted-101.jsonl")], batch_size=3)

    system.db.dispose()
    with reading(fresh(db_url).db) as conn:
        positions = [s.position for s in snapshots.listed(conn, {})]
    assert result.accepted > 3 * 5
    assert positions == [result.accepted]  # none after 5 or 10 entries, one at the end


# -- snapshots that hold no one up ------------------------------------------------------


def test_a_server_takes_its_snapshots_in_a_process_of_its_own(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A server's commits never wait while its engines are pickled: `ceasewatch snapshot`
    runs beside it, and a process started later starts from that snapshot."""
    init(db_url)
    system = open_system(db_url, serving=True)
    system.protocol.snapshot_every = SnapshotEvery(entries=5, minutes=None)

    def pickled_here(*_: object) -> None:
        raise AssertionError("the server pickled its own engines")

    monkeypatch.setattr(snapshots, "made", pickled_here)
    try:
        for step in a_day_of_work(tmp_path)[:3]:
            step(system)
        taker = system.protocol.snapshot_process
        assert taker is not None
        assert taker.wait(timeout=120) == 0
        position = system.protocol.position
    finally:
        system.db.dispose()
    monkeypatch.undo()
    assert started_from(db_url)[0] == position


def test_a_snapshot_process_that_fails_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    taker = SnapshotProcess(make_url(f"sqlite:///{tmp_path / 'gone' / 'ceasewatch.db'}"))
    taker.start()
    assert taker.wait(timeout=120) not in (0, None)
    assert "the snapshot process failed" in caplog.text


def test_the_snapshot_command_waits_for_no_writer(pg_url: str, tmp_path: Path):
    """It reads the journal in one consistent read and writes only its own row: a writer
    holding the writers' lock all the while does not hold it up (PostgreSQL; on SQLite,
    whose writers share one lock, it waits for that lock only to insert its row)."""
    init(pg_url)
    run(pg_url, a_day_of_work(tmp_path)[:3], snapshot_each=False)
    system, taker = fresh(pg_url), fresh(pg_url)
    saved: list[snapshots.Saved] = []
    try:
        with writing(system.db):
            thread = threading.Thread(
                target=lambda: saved.append(unit_of_work.snapshot(taker, datetime.now(UTC)))
            )
            thread.start()
            thread.join(timeout=120)
            assert not thread.is_alive(), "the snapshot waited for the writers' lock"
    finally:
        system.db.dispose()
        taker.db.dispose()
    assert saved and saved[0].position > 0
    assert started_from(pg_url)[0] == saved[0].position


def test_one_process_at_a_time_takes_a_snapshot(db_url: str, tmp_path: Path):
    """Each needs a second set of engines: a gigabyte or more at a million reports. One
    asked for while another is at it takes none, and says so."""
    init(db_url)
    run(db_url, a_day_of_work(tmp_path)[:3], snapshot_each=False)
    holder, taker = fresh(db_url), fresh(db_url)
    try:
        with held_alone(holder.db, snapshots.TAKING) as mine:
            assert mine
            assert unit_of_work.snapshot(taker, datetime.now(UTC)) is None
            command = runner.invoke(app, ["snapshot", "--db", db_url])
        assert command.output == (
            "another process is taking a snapshot of this store: none taken\n"
        )
        assert started_from(db_url)[0] is None
        taken = unit_of_work.snapshot(taker, datetime.now(UTC))
    finally:
        holder.db.dispose()
        taker.db.dispose()
    assert taken is not None and started_from(db_url)[0] == taken.position


def test_a_process_counts_from_the_newest_snapshot_whoever_took_it(db_url: str, tmp_path: Path):
    """A server's workers and the CLI commands beside them each count the entries since
    the newest snapshot: none takes another just after one of the others did."""
    init(db_url)
    system = open_system(db_url, serving=True)
    system.protocol.snapshot_every = SnapshotEvery(entries=5, minutes=None)
    other = fresh(db_url)
    try:
        steps = a_day_of_work(tmp_path)
        for step in steps[:2]:
            step(system)
        for step in steps[2:4]:
            step(other)
        taken = unit_of_work.snapshot(other, datetime.now(UTC))
        assert taken is not None
        with reading(system.db) as conn:
            system.protocol.catch_up(conn)
        assert system.protocol.position - system.protocol.snapshotted >= 5

        assert not system.protocol.snapshot_due()
        assert system.protocol.snapshotted == taken.position
    finally:
        system.db.dispose()
        other.db.dispose()


def test_a_process_whose_snapshot_was_pruned_starts_again_from_the_newest(
    db_url: str, other_url: str, tmp_path: Path
):
    """A server's worker may hold a snapshot's front for hours, its body unread, while
    others take newer snapshots and prune its own: its next unit of work starts from the
    newest, as a new process would, and stores what the journal says."""
    init(db_url)
    init(other_url)
    steps = a_day_of_work(tmp_path)
    run(db_url, steps[:4], snapshot_each=False)
    first = unit_of_work.snapshot(fresh(db_url), datetime.now(UTC))
    holder, other = fresh(db_url), fresh(db_url)
    try:
        steps[4](holder)  # a tick: the front alone
        assert first is not None and holder.protocol.started_from == first.position
        assert not holder.protocol.loaded_all
        for step in steps[5:7]:
            step(other)
            unit_of_work.snapshot(other, datetime.now(UTC))
        assert first.seq not in stored_snapshots(db_url)
        for step in steps[7:]:
            step(holder)
        assert holder.protocol.started_from == other.protocol.position
    finally:
        holder.db.dispose()
        other.db.dispose()
    run(other_url, steps, snapshot_each=False)
    assert rows(db_url) == rows(other_url)


def test_a_prune_waits_for_a_unit_of_work_that_may_read_the_body(pg_url: str, tmp_path: Path):
    """On PostgreSQL a unit of work holds the row of the snapshot its engines started
    from until it commits: a prune meanwhile waits, and the body can still be read."""
    init(pg_url)
    run(pg_url, a_day_of_work(tmp_path)[:4], snapshot_each=False)
    unit_of_work.snapshot(fresh(pg_url), datetime.now(UTC))
    holder, pruner = fresh(pg_url), fresh(pg_url)

    def prune_every_snapshot() -> None:
        with writing_rows(pruner.db) as conn:
            snapshots.prune(conn, keep=0)

    pruning = threading.Thread(target=prune_every_snapshot)
    try:
        with unit_of_work.protocol(holder):
            assert holder.protocol.started_from is not None
            assert not holder.protocol.loaded_all
            pruning.start()
            wait_for_a_lock_wait(holder)
            assert holder.protocol.engines["cf-1"].incidents  # the body, read now
            assert holder.protocol.loaded_all
        pruning.join(timeout=120)
        assert not pruning.is_alive()
    finally:
        holder.db.dispose()
        pruner.db.dispose()
    assert stored_snapshots(pg_url) == []


def wait_for_a_lock_wait(system: System) -> None:
    """Until another session of this database waits for a lock (PostgreSQL)."""
    waiting = sa.text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )

    def someone_waits() -> bool:
        with reading(system.db) as conn:
            return bool(conn.execute(waiting).scalar_one())

    eventually(someone_waits, "no session waited for a lock")


def eventually(condition: Callable[[], bool], failure: str) -> None:
    """Until `condition` holds (a minute at most)."""
    for _ in range(1200):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(failure)


def test_a_process_far_behind_catches_up_while_the_writers_go_on(db_url: str, tmp_path: Path):
    """A tick from cron after hours of the server's reports, or a worker's first write,
    first takes what others stored in a consistent read, holding no lock: only what came
    since is taken under the writers' lock."""
    init(db_url)
    steps = a_day_of_work(tmp_path)
    run(db_url, steps[:3], snapshot_each=False)
    unit_of_work.snapshot(fresh(db_url), datetime.now(UTC))
    run(db_url, steps[3:4], snapshot_each=False)  # reports after the snapshot
    behind, writer = fresh(db_url), fresh(db_url)
    with reading(writer.db) as conn:
        end = journal.read_clock(conn).next_seq - 1
    ticked: list[Any] = []
    ticking = threading.Thread(target=lambda: ticked.append(tick(behind, T0 + 40 * HOUR)))
    try:
        with writing(writer.db):  # the writers' lock, held by another process
            ticking.start()
            eventually(lambda: behind.protocol.position == end, "it caught up under the lock")
            assert behind.protocol.started_from is not None
            assert behind.protocol.loaded_all  # the reports after the snapshot read its body
            assert ticking.is_alive() and not ticked  # the tick itself waits for the lock
        ticking.join(timeout=120)
    finally:
        behind.db.dispose()
        writer.db.dispose()
    assert ticked and ticked[0]


def body_read(system: System) -> bool:
    """Whether a process started from a snapshot and has read its body."""
    return system.protocol.started_from is not None and system.protocol.loaded_all


def test_a_write_reads_its_snapshots_body_before_it_takes_the_lock(db_url: str, tmp_path: Path):
    """Reports read what a snapshot left out (seconds at a million reports): a process
    about to feed them reads it in a consistent read, while the writers go on."""
    init(db_url)
    run(db_url, a_day_of_work(tmp_path)[:4], snapshot_each=False)
    unit_of_work.snapshot(fresh(db_url), datetime.now(UTC))
    reporter, writer = fresh(db_url), fresh(db_url)
    one = str(write_jsonl(tmp_path / "one.jsonl", [violation(50, 41)]))
    ingested: list[Any] = []
    ingesting = threading.Thread(target=lambda: ingested.append(ingest(reporter, [one])))
    try:
        with writing(writer.db):  # the writers' lock, held by another process
            ingesting.start()
            eventually(lambda: body_read(reporter), "it read the body under the lock")
            assert ingesting.is_alive() and not ingested
        ingesting.join(timeout=120)
    finally:
        reporter.db.dispose()
        writer.db.dispose()
    assert ingested and ingested[0].accepted == 1


# -- snapshots passed over ---------------------------------------------------------------


@pytest.fixture
def snapshotted(db_url: str, tmp_path: Path) -> str:
    """A store of a day's work with a snapshot at its end."""
    return _snapshotted(db_url, tmp_path)


@pytest.fixture
def in_parts(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """`snapshotted`, its snapshot's body cut into parts of a few hundred bytes."""
    monkeypatch.setattr(compressed, "PART_BYTES", 256)
    return _snapshotted(db_url, tmp_path)


def _snapshotted(db_url: str, tmp_path: Path) -> str:
    init(db_url)
    run(db_url, a_day_of_work(tmp_path)[:-1], snapshot_each=False)
    system = fresh(db_url)
    unit_of_work.snapshot(system, datetime.now(UTC))
    system.db.dispose()
    return db_url


def started_from(url: str) -> tuple[int | None, list[Any]]:
    """Where a new process starts, and the events of its tick a month on."""
    system = fresh(url)
    try:
        events = tick(system, T0 + 60 * 24 * HOUR)
        return system.protocol.started_from, events
    finally:
        system.db.dispose()


class _Place:
    """A persistent id of a snapshot's front, kept as it is while the front is rewritten."""

    def __init__(self, pid: Any) -> None:
        self.pid = pid


class _FrontReader(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> _Place:
        return _Place(pid)


class _FrontWriter(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        return obj.pid if isinstance(obj, _Place) else None


def forge_body(url: str, parts: list[bytes]) -> None:
    """Put `parts` in place of the body of a store's one snapshot, with its front's list
    of digests and the row's digest made to agree, as anyone who can write to the
    database could."""
    s, p = tables.snapshots, tables.snapshot_parts
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        seq, data = conn.execute(sa.select(s.c.seq, s.c.state)).one()
        front = list(_FrontReader(io.BytesIO(zlib.decompress(data))).load())
        front[-1] = tuple(hashlib.sha256(part).digest() for part in parts)
        out = io.BytesIO()
        _FrontWriter(out, protocol=pickle.HIGHEST_PROTOCOL).dump(tuple(front))
        state = zlib.compress(out.getvalue())
        conn.execute(sa.delete(p))
        for n, part in enumerate(parts):
            conn.execute(sa.insert(p).values(snapshot=seq, part=n, data=part))
        conn.execute(sa.update(s).values(state=state, sha256=hashlib.sha256(state).hexdigest()))
    engine.dispose()


def edit(url: str, statement: Any) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(statement)
    engine.dispose()


def stored_snapshots(url: str) -> list[int]:
    with reading(fresh(url).db) as conn:
        return [saved.seq for saved in snapshots.listed(conn, {})]


def test_a_usable_snapshot_is_started_from(snapshotted: str):
    position, _ = started_from(snapshotted)
    assert position is not None and position > 0


def test_a_snapshot_of_other_code_is_passed_over(snapshotted: str):
    edit(snapshotted, sa.update(tables.snapshots).values(code="0" * 64))
    position, events = started_from(snapshotted)
    assert position is None
    assert events  # the journal alone brought the engines where they were


def test_a_snapshot_of_a_ceasefire_changed_since_is_passed_over(snapshotted: str):
    cf = tables.ceasefires
    edit(snapshotted, sa.update(cf).where(cf.c.id == "cf-1").values(name="renamed"))
    edit(
        snapshotted,
        sa.update(cf).where(cf.c.id == "cf-1").values(policy_text=cf.c.policy_text + "\n# x\n"),
    )
    assert started_from(snapshotted)[0] is None


def test_a_snapshot_whose_state_was_altered_is_passed_over(snapshotted: str):
    s = tables.snapshots
    edit(snapshotted, sa.update(s).values(state=zlib.compress(b"not a pickle")))
    assert started_from(snapshotted)[0] is None


def test_a_snapshot_missing_a_part_of_its_body_is_passed_over(in_parts: str):
    parts = tables.snapshot_parts
    edit(in_parts, sa.delete(parts).where(parts.c.part == 1))
    assert started_from(in_parts)[0] is None


def test_a_body_cut_short_is_passed_over(in_parts: str):
    """The front lists its body's parts: with the last ones dropped, what is left does
    not pass for the whole."""
    parts = tables.snapshot_parts
    edit(in_parts, sa.delete(parts).where(parts.c.part > 0))
    assert started_from(in_parts)[0] is None


def test_a_tick_reads_no_part_of_the_body(in_parts: str):
    """Opening a store reads the front alone, whatever the size of the body: a tick
    starts from a snapshot whose every part was altered, and never notices."""
    parts = tables.snapshot_parts
    edit(in_parts, sa.update(parts).values(data=b"altered"))
    system = fresh(in_parts)
    try:
        tick(system, T0 + 41 * HOUR)
        assert system.protocol.started_from is not None
        assert not system.protocol.loaded_all
    finally:
        system.db.dispose()


def test_a_part_altered_fails_the_one_unit_of_work_that_reads_it(in_parts: str, tmp_path: Path):
    """Each part is checked against the digest its front holds as it is read: the unit of
    work fails once, the snapshot is deleted, and the next process rebuilds."""
    parts = tables.snapshot_parts
    edit(in_parts, sa.update(parts).where(parts.c.part == 2).values(data=b"altered"))
    a_write_fails_once_and_the_snapshot_goes(in_parts, tmp_path, "part 2 of its body does not")


def a_write_fails_once_and_the_snapshot_goes(url: str, tmp_path: Path, why: str) -> None:
    """A report, which reads the body, fails its unit of work (`Unreadable`, saying
    `why`); the snapshot is deleted, and the next process rebuilds from the journal."""
    system = fresh(url)
    try:
        with pytest.raises(Unreadable, match=why):
            ingest(system, [str(write_jsonl(tmp_path / "one.jsonl", [violation(50, 41)]))])
    finally:
        system.db.dispose()
    assert stored_snapshots(url) == []
    assert started_from(url)[0] is None


def test_a_body_in_many_parts_gives_back_the_engines_it_saved(
    db_url: str, other_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(compressed, "PART_BYTES", 256)
    same_rows_from_snapshots(db_url, other_url, a_day_of_work(tmp_path))
    with reading(fresh(db_url).db) as conn:
        count = sa.select(sa.func.count()).select_from(tables.snapshot_parts)
        assert conn.execute(count).scalar_one() > 4  # two kept snapshots, in parts


def test_a_snapshot_naming_anything_but_the_domain_runs_nothing(snapshotted: str, tmp_path: Path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (Path.touch, (marker,))

    data = zlib.compress(pickle.dumps((snapshots.FORMAT, Payload())))
    s = tables.snapshots
    edit(snapshotted, sa.update(s).values(state=data, sha256=sha256_hex(data)))
    assert started_from(snapshotted)[0] is None
    assert not marker.exists()


def test_a_snapshot_whose_body_runs_anything_is_deleted_unread(snapshotted: str, tmp_path: Path):
    """A body is read only when needed; one naming anything but the domain fails that
    unit of work once, runs nothing, and is deleted: the next process rebuilds."""
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (Path.touch, (marker,))

    forge_body(snapshotted, [zlib.compress(pickle.dumps(([], Payload())))])
    a_write_fails_once_and_the_snapshot_goes(snapshotted, tmp_path, "Path")
    assert not marker.exists()


def test_the_snapshot_command_saves_and_lists(db_url: str, tmp_path: Path):
    init(db_url)
    run(db_url, a_day_of_work(tmp_path)[:3], snapshot_each=False)
    taken = runner.invoke(app, ["snapshot", "--db", db_url])
    assert taken.exit_code == 0, taken.output
    assert taken.output.startswith("snapshot 1: journal entry ")
    listed = runner.invoke(app, ["snapshot", "--list", "--db", db_url])
    assert listed.output.splitlines()[0].endswith(", usable")
