"""A `kill -9` in the middle of an ingest loses nothing acknowledged and duplicates nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from builders import DAY, T0, front_reports, write_jsonl
from ceasewatch import audit
from ceasewatch.config import load_ceasefire, load_policy
from ceasewatch.importers.records import read_reports
from ceasewatch.services.clock import tick
from ceasewatch.services.replay import replay
from ceasewatch.services.setup import add_ceasefire
from ceasewatch.services.system import System
from ceasewatch.store import auditlog, queries
from ceasewatch.store.database import reading

CEASEFIRE = "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"


def stored_reports(system: System) -> int:
    with reading(system.db) as conn:
        return queries.stats(conn)["reports"]


def test_an_ingest_killed_midway_and_run_again_stores_each_report_once(
    db_url: str, system: System, tmp_path: Path
):
    ceasefire = tmp_path / "cf.yaml"
    ceasefire.write_text(CEASEFIRE)
    add_ceasefire(system, ceasefire)
    reports = write_jsonl(tmp_path / "reports.jsonl", front_reports(4000, seed=7))
    total = sum(1 for _ in reports.open())
    command = [sys.executable, "-m", "ceasewatch", "ingest", "--batch-size", "50", str(reports)]
    env = {**os.environ, "CEASEWATCH_DB": db_url}

    first = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 120
    while stored_reports(system) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = stored_reports(system)
    assert 0 < killed_at < total, "the kill should land in the middle of the ingest"

    assert subprocess.run(command, env=env).returncode == 0

    assert stored_reports(system) == total
    tick(system, T0 + 400 * DAY)
    with reading(system.db) as conn:
        events = [e.to_dict() for e in queries.events(conn)]
        chain = [e.to_dict() for e in auditlog.entries(conn)]
    cf = load_ceasefire(ceasefire)
    assert events == [e.to_dict() for e in replay(cf, load_policy(), read_reports(reports)).events]
    assert audit.verify(chain) is None
