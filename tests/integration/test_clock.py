"""The stored clock: timers fire once, after a restart, and with two processes at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from postgres_admin import cut_off

from builders import DAY, HOUR, T0, front_reports, write_jsonl
from ceasewatch.config import load_ceasefire, load_policy
from ceasewatch.domain.events import ProtocolEvent, iso_z
from ceasewatch.domain.reports import Report
from ceasewatch.importers.records import read_reports
from ceasewatch.services import clock
from ceasewatch.services.clock import tick
from ceasewatch.services.ingest import ingest
from ceasewatch.services.replay import replay
from ceasewatch.services.setup import add_ceasefire
from ceasewatch.services.system import System, open_system
from ceasewatch.store import queries
from ceasewatch.store.database import reading

CEASEFIRE = "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"
END = T0 + 120 * DAY
RUN = [sys.executable, "-m", "ceasewatch", "run"]


def stored(url: str) -> list[dict[str, Any]]:
    system = open_system(url)
    with reading(system.db) as conn:
        events = [e.to_dict() for e in queries.events(conn)]
    system.db.dispose()
    return events


def replayed(ceasefire: Path, reports: Path) -> list[dict[str, Any]]:
    cf = load_ceasefire(ceasefire)
    return [e.to_dict() for e in replay(cf, load_policy(), read_reports(reports)).events]


def prepared(system: System, tmp_path: Path, events: int = 80) -> tuple[Path, Path]:
    ceasefire = tmp_path / "cf.yaml"
    ceasefire.write_text(CEASEFIRE)
    add_ceasefire(system, ceasefire)
    reports = write_jsonl(tmp_path / "reports.jsonl", front_reports(events, seed=11))
    return ceasefire, reports


def test_a_timer_due_while_no_process_ran_fires_once_on_restart(
    db_url: str, system: System, tmp_path: Path
):
    ceasefire, reports = prepared(system, tmp_path)
    ingest(system, [str(reports)])
    system.db.dispose()

    restarted = open_system(db_url)
    fired = tick(restarted, END)
    again = tick(open_system(db_url), END + HOUR)

    assert [e.event for _, e in fired].count("case_closed") == 2
    assert again == []
    assert stored(db_url) == replayed(ceasefire, reports)


def test_a_process_that_fell_behind_catches_up_and_fires_nothing_twice(
    db_url: str, system: System, tmp_path: Path
):
    ceasefire, reports = prepared(system, tmp_path)
    other = open_system(db_url)
    tick(other, T0)
    ingest(system, [str(reports)])
    tick(system, END)

    late = tick(other, END)

    assert late == []
    assert stored(db_url) == replayed(ceasefire, reports)


TICKER = """
import sys
from datetime import datetime, timedelta
from ceasewatch.services.system import open_system
from ceasewatch.domain.events import ProtocolEvent, iso_z
from ceasewatch.services import clock
from ceasewatch.services.clock import tick
system = open_system(sys.argv[1])
at, end = datetime.fromisoformat(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
while at <= end:
    tick(system, at)
    at += timedelta(hours=int(sys.argv[4]))
"""


def test_two_processes_ticking_at_once_fire_each_timer_once(
    db_url: str, system: System, tmp_path: Path
):
    ceasefire, reports = prepared(system, tmp_path)
    ingest(system, [str(reports)])
    start = datetime(2026, 3, 1, tzinfo=UTC)
    tickers = [
        subprocess.Popen(
            [sys.executable, "-c", TICKER, db_url, start.isoformat(), END.isoformat(), step]
        )
        for step in ("5", "7")
    ]

    assert [p.wait(timeout=120) for p in tickers] == [0, 0]

    assert stored(db_url) == replayed(ceasefire, reports)


def test_two_ingests_of_one_file_at_once_store_each_report_once(
    db_url: str, system: System, tmp_path: Path
):
    ceasefire, reports = prepared(system, tmp_path, events=300)
    command = [sys.executable, "-m", "ceasewatch", "ingest", "--db", db_url, "--batch-size", "25"]
    runs = [subprocess.Popen([*command, str(reports)]) for _ in range(2)]

    assert [p.wait(timeout=120) for p in runs] == [0, 0]

    tick(system, END)
    with reading(system.db) as conn:
        assert queries.stats(conn)["reports"] == sum(1 for _ in reports.open())
    assert stored(db_url) == replayed(ceasefire, reports)


def test_live_mode_fires_what_fell_due_while_it_was_down_then_stops_cleanly(
    db_url: str, system: System, tmp_path: Path
):
    ceasefire, reports = prepared(system, tmp_path)
    ingest(system, [str(reports)])
    env = {**os.environ, "CEASEWATCH_DB": db_url}
    live = subprocess.Popen(
        [*RUN, "--interval", "0.1", "--json", "--catch-up", "any"],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with reading(system.db) as conn:
            if queries.clock(conn) and queries.clock(conn) > datetime(2026, 11, 1, tzinfo=UTC):
                break
        time.sleep(0.1)
    live.send_signal(signal.SIGTERM)
    printed, _ = live.communicate(timeout=30)

    assert live.returncode == 0
    assert stored(db_url) == replayed(ceasefire, reports)
    assert printed.count("\n") == sum(
        1 for e in stored(db_url) if datetime.fromisoformat(e["at"]) > max_arrival(reports)
    )


def max_arrival(reports: Path) -> datetime:
    return max(r.arrival for r in read_reports(reports) if isinstance(r, Report))


class SetClock:
    """A wall clock the test sets."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def wait_until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not done():
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.05)


def test_live_mode_rides_out_a_database_gone_and_fires_what_fell_due_meanwhile_once(
    pg_url: str, pg_system: System, tmp_path: Path
):
    system, db_url = pg_system, pg_url
    ceasefire, reports = prepared(system, tmp_path)
    ingest(system, [str(reports)])
    before = max_arrival(reports)
    after = before + 5 * DAY
    wall = SetClock(before)
    fired: list[tuple[str, ProtocolEvent]] = []
    failures: list[str] = []
    stopping = threading.Event()
    live = threading.Thread(
        target=clock.run,
        args=(system, wall),
        kwargs={
            "interval": 0.05,
            "keep_going": lambda: not stopping.is_set(),
            "on_events": fired.extend,
            "on_failure": failures.append,
            "pace": clock.Pace(clock=clock.SteadyClock(wall, monotonic=lambda: elapsed(wall))),
        },
    )
    live.start()
    try:
        wait_until(lambda: stored_clock(system) == before, "ticked")
        with cut_off(db_url):
            wall.at = after  # five days pass while the database is away
            wait_until(lambda: len(failures) >= 3, "failed")
            assert live.is_alive()
        wait_until(lambda: stored_clock(system) == after, "caught up")
    finally:
        stopping.set()
        live.join(60)

    expected = [e for e in replayed(ceasefire, reports) if before < _at(e) <= after]
    assert expected, "nothing fell due meanwhile: the test proves nothing"
    assert [e.to_dict() for _, e in fired if before < e.at] == expected
    assert [e for e in stored(db_url) if before < _at(e) <= after] == expected
    assert failures[0].startswith("the database could not be reached: ")
    assert failures[0].endswith("(again in 0.1 s)") and failures[2].endswith("(again in 0.4 s)")


def elapsed(wall: SetClock) -> float:
    """The host's uptime, in step with the wall clock the test sets."""
    return (wall.at - T0).total_seconds()


def stored_clock(system: System) -> datetime | None:
    try:
        with reading(system.db) as conn:
            return queries.clock(conn)
    except sa.exc.OperationalError:
        return None


def _at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["at"])


def test_live_mode_does_not_close_a_gap_of_days_by_itself_but_waits_for_a_person(
    db_url: str, system: System, tmp_path: Path
):
    """Started on a store whose clock is months behind the wall clock (here, reports of
    March), `run` fires nothing: a wrong host clock would otherwise make every deadline
    in between fall due at once. Once a person moves the stored clock, it keeps it."""
    _, reports = prepared(system, tmp_path)
    ingest(system, [str(reports)])
    before = stored(db_url)
    live = subprocess.Popen(
        [*RUN, "--interval", "0.1", "--no-notify"],
        stderr=subprocess.PIPE,
        env={**os.environ, "CEASEWATCH_DB": db_url},
        text=True,
    )
    try:
        assert live.stderr is not None
        live.stderr.readline()  # running on ...
        said = live.stderr.readline()
        assert stored(db_url) == before
        now = datetime.now(UTC)
        tick(system, now)
        wait_until(lambda: (stored_clock(system) or now) > now, "moved on")
    finally:
        live.send_signal(signal.SIGTERM)
        live.communicate(timeout=30)

    assert said.startswith("clock: not moved: the wall clock (")
    assert "more than --catch-up 1 h" in said
    assert said.rstrip().split("ceasewatch tick --until ")[1] > iso_z(max_arrival(reports))
    assert live.returncode == 0
