"""`run` keeps time whatever the receivers do (DESIGN, "Live time"): notifications are sent
beside the clock, and a slow receiver delays only its own messages."""

from __future__ import annotations

import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from servers import Receiver, live_run
from test_notifications import LOOPBACK

from builders import HOUR, write_jsonl
from ceasewatch.domain.events import iso_z
from ceasewatch.domain.parties import Party
from ceasewatch.services import setup
from ceasewatch.services.clock import WallClock
from ceasewatch.services.ingest import ingest
from ceasewatch.services.system import System
from ceasewatch.store import queries, tables
from ceasewatch.store.database import reading

SECRET = "s3cret-for-the-hooks"
SLOW = 12.0
"""Seconds each of the ten slow receivers takes to answer (the send timeout is 10 s)."""
WATCH = 16.0
"""Seconds the clock is watched for, from the first tick."""
LAG = 5.0
PROMPT = 3.0


def slow_and_fast_directory(slow: list[Receiver], fast: Receiver) -> list[Party]:
    """Ten coordination cells behind slow receivers and one behind a fast one: each is
    told of every case opened and every overdue action."""
    return [
        Party(
            code=code,
            name=f"Cell {code}",
            roles=["coordination_cell"],
            webhook_url=receiver.url,
            webhook_secret=SECRET,
        )
        for code, receiver in [*((f"SLOW{n}", r) for n, r in enumerate(slow)), ("FAST", fast)]
    ]


def stored_clock_lag(system: System) -> float:
    with reading(system.db) as conn:
        clock = queries.clock(conn)
    assert clock is not None
    return (WallClock().now() - clock).total_seconds()


@pytest.mark.slow
def test_ten_slow_receivers_hold_back_neither_the_clock_nor_a_fast_one(
    system: System, tmp_path: Path
):
    start = WallClock().now()
    due = start + timedelta(seconds=12)  # the case's actions fall due while `run` runs
    (tmp_path / "cf.yaml").write_text(
        f"id: cf-live\nname: Live\nparties: [RU, UA]\neffective_from: {iso_z(start - 48 * HOUR)}\n"
    )
    report = {
        "id": "r1",
        "source": "omm",
        "source_kind": "monitor",
        "reliability": "A",
        "credibility": 1,
        "occurred_at": iso_z(due - 24 * HOUR),
        "lat": 48.0,
        "lon": 37.8,
        "event_type": "missile_strike",
        "perpetrator": "RU",
    }
    slow = [Receiver(delay=SLOW) for _ in range(10)]
    fast = Receiver()
    setup.add_ceasefire(system, tmp_path / "cf.yaml")
    setup.import_parties(system, slow_and_fast_directory(slow, fast), LOOPBACK)
    ingest(system, [str(write_jsonl(tmp_path / "reports.jsonl", [report]))])
    for receiver in [*slow, fast]:
        receiver.start()
    live = live_run(system.db.url.render_as_string(False), interval=0.2)
    try:
        startup = time.monotonic() + 60
        while stored_clock_lag(system) > LAG:
            assert live.poll() is None and time.monotonic() < startup, "run never ticked"
            time.sleep(0.1)
        first_tick = time.time()
        lags = []
        while time.time() < first_tick + WATCH:
            lags.append(stored_clock_lag(system))
            time.sleep(0.25)
        with system.db.connect() as conn:
            rows = [dict(r) for r in conn.execute(sa.select(tables.outbox)).mappings()]
        slow_requests = [len(r.received) for r in slow]
    finally:
        live.send_signal(signal.SIGTERM)
        for receiver in slow:
            receiver.release()
        try:
            _, errors = live.communicate(timeout=30)
        finally:
            live.kill()
            for receiver in [*slow, fast]:
                receiver.stop()

    assert max(lags) < LAG, f"the clock fell {max(lags):.1f} s behind the wall clock"
    to_fast = {r["key"]: r for r in rows if r["party"] == "FAST"}
    assert {r["event"] for r in to_fast.values()} == {"case_opened", "action_overdue"}
    assert all(r["status"] == "sent" for r in to_fast.values())
    for (headers, _), arrived in zip(fast.received, fast.arrived, strict=True):
        sent_for = to_fast[headers["Idempotency-Key"]]
        ready = first_tick if sent_for["event"] == "case_opened" else due.timestamp()
        assert arrived - ready < PROMPT, f"{sent_for['event']} reached the fast party late"
    to_slow = [r for r in rows if r["party"] != "FAST"]
    assert min(slow_requests) >= 1 and not any(r["status"] == "sent" for r in to_slow)
    assert live.returncode == 0, errors
    with system.db.connect() as conn:
        left = conn.execute(sa.select(tables.outbox).where(tables.outbox.c.status == "sending"))
        assert not left.first(), "a send under way at shutdown was not recorded"
