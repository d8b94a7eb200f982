"""Ingest: stored, idempotent, and through the same engine as replay, so the same events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from builders import front_reports, write_jsonl
from ceasewatch.config import load_ceasefire, load_policy
from ceasewatch.importers.records import read_reports
from ceasewatch.services.clock import tick
from ceasewatch.services.ingest import ingest
from ceasewatch.services.replay import replay
from ceasewatch.services.setup import SetupError, add_ceasefire
from ceasewatch.services.system import System
from ceasewatch.store import queries
from ceasewatch.store.database import reading

END = datetime(2027, 6, 1, tzinfo=UTC)
"""Later than every timer of the test data: ticking there runs the clock out."""


def replayed(ceasefire: Path, reports: Path, *, trusted: bool = False) -> list[dict[str, Any]]:
    cf = load_ceasefire(ceasefire)
    result = replay(cf, load_policy(cf.policy), read_reports(reports), trust_input=trusted)
    return [e.to_dict() for e in result.events]


def stored(system: System) -> list[dict[str, Any]]:
    with reading(system.db) as conn:
        return [e.to_dict() for e in queries.events(conn)]


def run_out(system: System) -> None:
    tick(system, END)


@pytest.mark.parametrize("name", ["trusted-101", "corroborated-105", "corroborated-106"])
def test_ingest_in_batches_gives_the_events_replay_gives(
    system: System, conformance_dir: Path, name: str
):
    trusted = name.startswith("trusted")
    ceasefire, reports = conformance_dir / "ceasefire.yaml", conformance_dir / f"{name}.jsonl"
    add_ceasefire(system, ceasefire)

    ingest(system, [str(reports)], trusted=trusted, batch_size=5)
    run_out(system)

    assert stored(system) == replayed(ceasefire, reports, trusted=trusted)


def test_a_ceasefire_added_after_its_reports_gives_the_same_events(
    system: System, conformance_dir: Path
):
    ceasefire, reports = (
        conformance_dir / "ceasefire.yaml",
        conformance_dir / "corroborated-104.jsonl",
    )
    ingest(system, [str(reports)], batch_size=10)

    add_ceasefire(system, ceasefire)
    run_out(system)

    assert stored(system) == replayed(ceasefire, reports)


def test_ingesting_a_file_again_stores_nothing_new(system: System, conformance_dir: Path):
    add_ceasefire(system, conformance_dir / "ceasefire.yaml")
    reports = str(conformance_dir / "corroborated-105.jsonl")
    first = ingest(system, [reports])
    with reading(system.db) as conn:
        before = queries.stats(conn)

    again = ingest(system, [reports])

    with reading(system.db) as conn:
        assert queries.stats(conn) == before
    assert (first.accepted, again.accepted, again.already_stored) == (159, 0, 159)


def test_a_bad_record_is_named_and_the_good_ones_stored(system: System, tmp_path: Path):
    records = front_reports(5, seed=3)
    records[2]["lat"] = 123.0
    path = write_jsonl(tmp_path / "reports.jsonl", records)

    result = ingest(system, [str(path)])

    [rejection] = result.rejected
    assert rejection.where == f"{path}:3"
    assert [e.field for e in rejection.errors] == ["lat"]
    assert result.accepted == len(records) - 1


def test_every_report_is_weighed_against_every_ceasefire(system: System, tmp_path: Path):
    for number in (1, 2):
        (tmp_path / f"cf{number}.yaml").write_text(
            f"id: cf-{number}\nname: Ceasefire {number}\nparties: [RU, UA]\n"
            "effective_from: 2026-03-01T00:00:00Z\n"
        )
        add_ceasefire(system, tmp_path / f"cf{number}.yaml")
    path = write_jsonl(tmp_path / "reports.jsonl", front_reports(60, seed=5))

    ingest(system, [str(path)])

    events = stored(system)
    opened = {e["case"].split("/")[0] for e in events if e["event"] == "case_opened"}
    assert opened == {"cf-1", "cf-2"}


def test_the_same_terms_added_again_change_nothing_and_new_terms_are_refused(
    system: System, tmp_path: Path
):

    path = tmp_path / "cf.yaml"
    path.write_text(
        "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"
    )
    assert add_ceasefire(system, path).new
    assert not add_ceasefire(system, path).new

    path.write_text(
        "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-04-01T00:00:00Z\n"
    )
    with pytest.raises(SetupError, match="other terms"):
        add_ceasefire(system, path)
