"""DESIGN's promise, as a property: however an ingest is cut short and run again, the
stored events are exactly what `replay` prints."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasewatch.config import load_ceasefire, load_policy
from ceasewatch.importers.records import read_reports
from ceasewatch.services.clock import tick
from ceasewatch.services.ingest import ingest
from ceasewatch.services.replay import replay
from ceasewatch.services.setup import add_ceasefire, init
from ceasewatch.services.system import open_system
from ceasewatch.store import queries
from ceasewatch.store.database import reading

END = datetime(2027, 1, 1, tzinfo=UTC)


class CutShort(Exception):
    """Stands for the process being killed between two transactions."""


@pytest.mark.parametrize("name", ["corroborated-105", "trusted-102"])
def test_an_ingest_cut_short_anywhere_and_run_again_gives_replays_events(
    conformance_dir: Path, tmp_path_factory: pytest.TempPathFactory, name: str
):
    ceasefire_file = conformance_dir / "ceasefire.yaml"
    reports = str(conformance_dir / f"{name}.jsonl")
    trusted = name.startswith("trusted")
    ceasefire = load_ceasefire(ceasefire_file)
    expected = [
        e.to_dict()
        for e in replay(ceasefire, load_policy(), read_reports(reports), trust_input=trusted).events
    ]

    @given(batch=st.integers(1, 60), stop_after=st.integers(0, 20), second_batch=st.integers(1, 60))
    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def check(batch: int, stop_after: int, second_batch: int) -> None:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'cw.db'}"
        init(url)
        system = open_system(url)
        add_ceasefire(system, ceasefire_file)
        done = 0

        def maybe_die(_: int) -> None:
            nonlocal done
            done += 1
            if done == stop_after:
                raise CutShort

        with contextlib.suppress(CutShort):
            ingest(system, [reports], trusted=trusted, batch_size=batch, on_batch=maybe_die)
        again = open_system(url)
        ingest(again, [reports], trusted=trusted, batch_size=second_batch)
        tick(again, END)
        with reading(again.db) as conn:
            assert [e.to_dict() for e in queries.events(conn)] == expected
        system.db.dispose()
        again.db.dispose()

    check()
