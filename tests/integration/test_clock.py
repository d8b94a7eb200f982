"""The stored clock: timers fire once, after a restart, and with two processes at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from builders import DAY, HOUR, T0, front_reports, write_jsonl
from ceasewatch.config import load_ceasefire, load_policy
from ceasewatch.domain.reports import Report
from ceasewatch.importers.records import read_reports
from ceasewatch.services.clock import tick
from ceasewatch.services.ingest import ingest
from ceasewatch.services.replay import replay
from ceasewatch.services.setup import add_ceasefire
from ceasewatch.services.system import System, open_system
from ceasewatch.store import queries
from ceasewatch.store.database import reading

CEASEFIRE = "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"
END = T0 + 120 * DAY


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
        [sys.executable, "-m", "ceasewatch", "run", "--interval", "0.1", "--json"],
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
