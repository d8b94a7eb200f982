"""Every event stored exactly once, whichever process fires it (issue 12).

A report that arrives after its deadlines have passed, ingested by one process and caught
up with by another, gives the store every event `replay` gives: the overdue alerts and
the quiet close included. Ingest says when a report arrives at an instant the store has
already taken (DESIGN's tie rule).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_world import violation
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_store_cli import Cli

from builders import HOUR, T0, make_ceasefire, place, write_jsonl
from ceasewatch.app import create_app
from ceasewatch.config import load_policy
from ceasewatch.domain.events import iso_z
from ceasewatch.domain.reports import arrival_order, parse_report
from ceasewatch.services import tokens
from ceasewatch.services.clock import tick
from ceasewatch.services.ingest import take
from ceasewatch.services.replay import replay
from ceasewatch.services.setup import add_ceasefire, init
from ceasewatch.services.system import System, open_system
from ceasewatch.services.tokens import UserRole
from ceasewatch.store import queries
from ceasewatch.store.database import reading

END = datetime(2027, 1, 1, tzinfo=UTC)
WALL = datetime(2026, 11, 30, tzinfo=UTC)
CEASEFIRE = "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"


def test_a_report_learnt_of_after_its_deadlines_stores_their_alerts(db_url: str, tmp_path: Path):
    """The issue's reproduction: each command is a process of its own."""
    cli = Cli(db_url)
    cli("init")
    (tmp_path / "cf.yaml").write_text(CEASEFIRE)
    cli("ceasefire", "add", str(tmp_path / "cf.yaml"))
    cli("tick", "--until", "2026-03-10T00:00:00Z")
    report = violation(1, 0) | {"occurred_at": "2026-03-08T06:00:00Z"}

    said = cli("ingest", str(write_jsonl(tmp_path / "late.jsonl", [report])))
    cli("tick", "--until", "2026-03-10T01:00:00Z")
    events = [json.loads(line) for line in cli("events", "--json").splitlines()]

    assert "1 report(s) arrived at an instant the store had already taken" in said
    assert [(e["event"], e["at"]) for e in events] == [
        ("case_opened", "2026-03-10T00:00:00Z"),
        ("action_overdue", "2026-03-10T00:00:00Z"),
        ("action_overdue", "2026-03-10T00:00:00Z"),
    ]


def test_a_verification_after_the_quiet_period_closes_the_case_in_the_store_too(
    system: System, tmp_path: Path
):
    (tmp_path / "cf.yaml").write_text(CEASEFIRE)
    add_ceasefire(system, tmp_path / "cf.yaml")
    record = violation(1, 0) | {"reported_at": iso_z(T0 + 80 * HOUR)}

    take(system, [parse_report(record)])
    tick(system, T0 + 81 * HOUR)

    with reading(system.db) as conn:
        stored = [(e.event, e.at) for e in queries.events(conn)]
    assert stored[0] == ("case_opened", T0 + 80 * HOUR)
    assert ("case_closed", T0 + 80 * HOUR) in stored


# -- the property ------------------------------------------------------------------------

SPOTS = [place(), place(km_north=3), place(km_north=9), place(km_north=40)]
"""Close enough for reports to corroborate (rule 6) and for fire to answer fire (rule 7)."""
SOURCES = [
    ("omm-1", "monitor", "A", 1),
    ("osint-1", "osint", "C", 3),
    ("osint-2", "osint", "C", 3),
    ("ru-mod", "party_statement", "E", 5),
]
TYPES = ["artillery", "mortar", "small_arms", "drone_strike", "missile_strike"]


@st.composite
def late_reports(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Reports on whole hours (so arrivals tie), arriving 0-120 h after they occurred."""
    records = []
    for n in range(draw(st.integers(1, 24))):
        source, kind, reliability, credibility = draw(st.sampled_from(SOURCES))
        occurred = T0 + draw(st.integers(0, 96)) * HOUR
        delay = draw(st.sampled_from([0, 0, 1, 2, 6, 23, 25, 30, 48, 73, 120])) * HOUR
        records.append(
            {
                "id": f"r{n}",
                "source": source,
                "source_kind": kind,
                "reliability": reliability,
                "credibility": credibility,
                "occurred_at": iso_z(occurred),
                "reported_at": iso_z(occurred + delay),
                "event_type": draw(st.sampled_from(TYPES)),
                "perpetrator": draw(st.sampled_from(["RU", "RU", "UA"])),
                **draw(st.sampled_from(SPOTS)),
            }
        )
    return records


@st.composite
def runs(draw: st.DrawFn, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records cut into runs between arrival instants; each run through `ingest` or
    the API, in this process or a fresh one, maybe after a tick to at most its first
    arrival."""
    ordered = sorted(records, key=lambda r: arrival_order(parse_report(r)))
    instants = sorted({r["reported_at"] for r in ordered})
    starts = [instants[0], *sorted(draw(st.sets(st.sampled_from(instants[1:] or instants))))]
    plan = []
    for start, end in zip(starts, [*starts[1:], None], strict=True):
        part = [
            r
            for r in ordered
            if start <= r["reported_at"] and (end is None or r["reported_at"] < end)
        ]
        back = draw(st.sampled_from([None, 0, 1, 5]))
        plan.append(
            {
                "records": part,
                "via": draw(st.sampled_from(["ingest", "api"])),
                "fresh": draw(st.booleans()),
                "tick": None if back is None else instant(start) - back * HOUR,
            }
        )
    return [run for run in plan if run["records"]]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@contextmanager
def empty_store(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}"
        return
    base = pg_base()

    name = f"cw_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def pg_base() -> str:
    base = os.environ.get("CEASEWATCH_TEST_PG_URL")
    if not base:
        pytest.skip("no PostgreSQL: set CEASEWATCH_TEST_PG_URL")
    return base


class Process:
    """One process of the store: its own engines, caught up from the journal."""

    def __init__(self, url: str):
        self.system = open_system(url)
        self._client: TestClient | None = None

    def submit(self, records: list[dict[str, Any]]) -> None:
        if self._client is None:
            token = tokens.create(
                self.system, name=uuid.uuid4().hex, role=UserRole.ANALYST, party=None, now=WALL
            )
            app = create_app(self.system)
            self._client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        answer = self._client.post("/api/v1/reports", json=records)
        assert answer.status_code == 200, answer.text
        assert answer.json()["rejected"] == []

    def close(self) -> None:
        self.system.db.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_late_arrivals_and_ties_in_runs_cut_anywhere_give_every_event_replay_gives(
    kind: str, tmp_path_factory: pytest.TempPathFactory
):
    if kind == "postgresql":
        pg_base()
    folder = tmp_path_factory.mktemp("stores")
    ceasefire_file = folder / "cf.yaml"
    ceasefire_file.write_text(CEASEFIRE)
    ceasefire = make_ceasefire(id="cf-1", name="One")
    policy = load_policy()

    @given(data=st.data())
    @settings(
        max_examples=25 if kind == "sqlite" else 12,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def check(data: st.DataObject) -> None:
        records = data.draw(late_reports())
        plan = data.draw(runs(records))
        expected = [
            e.to_dict() for e in replay(ceasefire, policy, map(parse_report, records)).events
        ]
        with empty_store(kind, folder) as url:
            init(url)
            process = Process(url)
            add_ceasefire(process.system, ceasefire_file)
            for run in plan:
                if run["fresh"]:
                    process.close()
                    process = Process(url)
                if run["tick"] is not None:
                    tick(process.system, run["tick"])
                if run["via"] == "api":
                    process.submit(run["records"])
                else:
                    take(process.system, [parse_report(r) for r in run["records"]])
            process.close()
            last = Process(url)
            tick(last.system, END)
            with reading(last.system.db) as conn:
                stored = [e.to_dict() for e in queries.events(conn)]
            last.close()
        assert stored == expected

    check()


def test_runs_are_cut_only_between_arrival_instants():
    """The plan itself: no tie is split across runs, and nothing is lost or repeated."""

    @given(data=st.data())
    @settings(max_examples=50, deadline=None, derandomize=True, database=None)
    def check(data: st.DataObject) -> None:
        records = data.draw(late_reports())
        plan = data.draw(runs(records))
        taken = [r["id"] for run in plan for r in run["records"]]
        assert sorted(taken) == sorted(r["id"] for r in records)
        for before, after in pairwise(plan):
            assert before["records"][-1]["reported_at"] < after["records"][0]["reported_at"]

    check()
