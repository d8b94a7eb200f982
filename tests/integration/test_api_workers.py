"""`serve --workers 4`: every worker hands its reports to the one writer (issue 15).

Real processes on real PostgreSQL: clients racing to send the same reports, each cut
into batches of its own size, store each report once, tell exactly one of them so, and
leave the store with the events `replay` prints for the file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from api_world import violation
from postgres_admin import cut_off
from servers import a_writer_that_stops_midway, free_port

from ceasewatch.cli.serve import writer_process
from ceasewatch.config import load_ceasefire, load_policy
from ceasewatch.domain.reports import arrival_order, parse_report
from ceasewatch.importers.records import read_reports
from ceasewatch.services import tokens
from ceasewatch.services.clock import tick
from ceasewatch.services.replay import replay
from ceasewatch.services.setup import add_ceasefire, init
from ceasewatch.services.submit import GroupCommit
from ceasewatch.services.system import System, open_system
from ceasewatch.services.tokens import UserRole
from ceasewatch.services.writer import Address, Handoff, Unavailable, said
from ceasewatch.store import queries
from ceasewatch.store.database import reading

END = datetime(2027, 1, 1, tzinfo=UTC)
SIZES = [7, 10, 13, 25, 40, 100]
"""Each client's batch size: the clients' batches overlap every way."""


@contextmanager
def served(url: str, workers: int, log: Path) -> Iterator[str]:
    """`ceasewatch serve --workers N` in processes of its own; its base URL."""
    with serving(url, workers, log) as (base, _):
        yield base


@contextmanager
def serving(url: str, workers: int, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`served`, with the `serve` process itself."""
    port = free_port()
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "ceasewatch", *command],
            env={**os.environ, "CEASEWATCH_DB": url},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=60)


def cut(records: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [records[i : i + size] for i in range(0, len(records), size)]


def test_four_workers_store_each_report_once_and_give_replays_events(
    pg_url: str, conformance_dir: Path, tmp_path: Path
):
    ceasefire = conformance_dir / "ceasefire.yaml"
    reports = conformance_dir / "corroborated-105.jsonl"
    lines = [json.loads(line) for line in reports.read_text().splitlines()]
    records = sorted(lines, key=lambda r: arrival_order(parse_report(r)))
    assert len({arrival_order(parse_report(r))[0] for r in records}) == len(records)
    init(pg_url)
    system = open_system(pg_url)
    add_ceasefire(system, ceasefire)
    token = tokens.create(
        system, name="racer", role=UserRole.ANALYST, party=None, now=datetime.now(UTC)
    )
    system.db.dispose()
    log = tmp_path / "serve.log"

    def send_all(size: int) -> list[dict[str, Any]]:
        """One client: the whole file in order, each batch once the one before is stored."""
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            answers = []
            for batch in cut(records, size):
                response = client.post("/api/v1/reports", json=batch)
                assert response.status_code == 200, response.text
                answers.append(response.json())
            return answers

    with served(pg_url, 4, log) as base, ThreadPoolExecutor(len(SIZES)) as pool:
        answers = [a for run in pool.map(send_all, SIZES) for a in run]

    ids = [r["id"] for r in records]
    stored = Counter(rid for a in answers for rid in a["stored"])
    assert stored == Counter(ids)  # each report stored once, and one client told so
    assert sum(len(a["duplicates"]) for a in answers) == len(ids) * (len(SIZES) - 1)
    assert not any(a["rejected"] for a in answers)
    assert "writer process cannot be reached" not in log.read_text()

    again = open_system(pg_url)
    tick(again, END)
    with reading(again.db) as conn:
        assert queries.stats(conn)["reports"] == len(ids)
        events = [e.to_dict() for e in queries.events(conn)]
    again.db.dispose()
    cf = load_ceasefire(ceasefire)
    expected = replay(cf, load_policy(cf.policy), read_reports(str(reports))).events
    assert events == [e.to_dict() for e in expected]


def test_a_worker_whose_writer_cannot_be_reached_writes_itself(
    system: System, tmp_path: Path, conformance_dir: Path
):
    add_ceasefire(system, conformance_dir / "ceasefire.yaml")
    records = [json.loads(line) for line in (conformance_dir / "trusted-101.jsonl").open()][:5]
    handoff = Handoff(Address(str(tmp_path / "no-writer.sock"), b"key"), GroupCommit(system))

    result = handoff.submit(records, datetime.now(UTC))

    assert result.stored == [r["id"] for r in records]
    with reading(system.db) as conn:
        assert queries.stats(conn)["reports"] == 5


def test_a_writer_that_stops_before_answering_is_said_to_have_left_the_batch_unknown(
    system: System, tmp_path: Path
):
    address = Address(str(tmp_path / "writer.sock"), b"key")
    handoff = Handoff(address, GroupCommit(system))

    stopping = a_writer_that_stops_midway(address.path, address.key)
    with stopping, pytest.raises(Unavailable, match="may or may not be stored"):
        handoff.submit([violation(1, 0)], datetime.now(UTC))
    with reading(system.db) as conn:
        assert queries.stats(conn)["reports"] == 0


def test_serve_killed_outright_leaves_no_worker_or_writer_behind(pg_url: str, tmp_path: Path):
    init(pg_url)
    with serving(pg_url, 2, tmp_path / "serve.log") as (base, server):
        started = children(server.pid)
        assert len(started) == 3  # two workers and the writer

        server.kill()
        server.wait()

        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in started if alive(pid)]
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{base}/healthz", timeout=2)


def children(pid: int) -> list[int]:
    """The processes `pid` started (Linux's /proc), but for multiprocessing's resource
    tracker, which is no server's."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"resource_tracker" not in command:
                found.append(int(child))
    return found


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped by init, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_batch_the_writer_cannot_store_is_refused_in_words_that_hold_none_of_its_values(
    pg_url: str, tmp_path: Path, conformance_dir: Path
):
    """The writer's batch may hold other clients' reports, and a database error's words
    hold its statement and values: the worker is told what kind of failure it was."""
    init(pg_url)
    system = open_system(pg_url)
    add_ceasefire(system, conformance_dir / "ceasefire.yaml")
    record = violation(1, 0, id="held-back-secret")
    with writer_process(pg_url):
        handoff = Handoff(Address.from_env() or Address.new(), GroupCommit(system))
        with cut_off(pg_url), pytest.raises(Unavailable) as refused:
            handoff.submit([record], datetime.now(UTC))
        again = handoff.submit([record], datetime.now(UTC))
    system.db.dispose()

    assert str(refused.value) == "the batch was not stored: the database cannot be reached"
    assert again.stored == ["held-back-secret"]


AWAY = sa.exc.OperationalError("SELECT 1", {}, OSError("server closed the connection"))
TOO_LONG = sa.exc.DataError("INSERT INTO reports", [{"id": "another-clients"}], ValueError("long"))


@pytest.mark.parametrize(
    ("failure", "told"),
    [
        (AWAY, "the database cannot be reached"),
        (TOO_LONG, "DataError (the server's log says more)"),
    ],
)
def test_what_a_worker_is_told_of_a_failure_in_the_writer(failure: Exception, told: str):
    assert said(failure) == told
