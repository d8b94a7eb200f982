"""Ingest: stored, idempotent, and through the same engine as replay, so the same events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from builders import T0, front_reports, make_report, write_jsonl
from ceasewatch.config import load_ceasefire, load_policy
from ceasewatch.domain.reports import parse_report
from ceasewatch.importers.records import read_reports
from ceasewatch.services import unit_of_work
from ceasewatch.services.clock import tick
from ceasewatch.services.ingest import ingest
from ceasewatch.services.replay import replay
from ceasewatch.services.setup import SetupError, add_ceasefire
from ceasewatch.services.system import System, open_system
from ceasewatch.store import journal, queries, tables
from ceasewatch.store.database import reading, writing_rows

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


def with_accounts(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records, each with an account and a piece of evidence."""
    return [
        {
            **r,
            "text": f"{r['id']}: shelling seen from the checkpoint. " * 20,
            "evidence": [
                {"uri": f"https://evidence.example.org/{r['id']}.jpg", "sha256": "a" * 64}
            ],
        }
        for r in records
    ]


def held_reports(system: System) -> list[Any]:
    """Every report the system's engines hold, once they have caught up."""
    with unit_of_work.protocol(system, snapshot=False):
        engines = system.protocol.engines
    return [r for e in engines.values() for i in e.incidents.values() for r in i.reports]


def test_the_engines_hold_no_account_or_evidence_which_the_store_keeps(
    system: System, conformance_dir: Path, tmp_path: Path
):
    ceasefire = conformance_dir / "ceasefire.yaml"
    add_ceasefire(system, ceasefire)
    first = with_accounts(front_reports(30))
    later = front_reports(5, seed=2, start=T0 + timedelta(days=30))
    then = with_accounts([{**r, "id": f"later-{r['id']}"} for r in later])

    ingest(system, [str(write_jsonl(tmp_path / "first.jsonl", first))], batch_size=7)
    unit_of_work.snapshot(system, datetime.now(UTC))
    ingest(system, [str(write_jsonl(tmp_path / "then.jsonl", then))])
    rebuilt = open_system(system.db.url.render_as_string(hide_password=False))
    run_out(system)

    records = first + then
    for process in (system, rebuilt):
        held = held_reports(process)
        assert len(held) == len(records)
        assert {(r.text, r.evidence) for r in held} == {(None, ())}
    assert rebuilt.protocol.started_from is not None  # and so the snapshot held them bare
    with reading(system.db) as conn:
        kept = queries.reports(conn, [[r["source"], r["id"]] for r in records])
    assert [(k["text"], k["evidence"]) for k in kept] == [
        (r["text"], r["evidence"]) for r in records
    ]
    assert stored(system) == replayed(ceasefire, write_jsonl(tmp_path / "all.jsonl", records))


def test_a_batch_ends_with_its_arrival_instant_not_inside_it(
    system: System, conformance_dir: Path, tmp_path: Path
):
    """Reports of one instant across a batch's end were said to be late arrivals, as if
    the store had taken the instant before this run, though the run held them all."""
    ceasefire = conformance_dir / "ceasefire.yaml"
    add_ceasefire(system, ceasefire)
    at = "2026-03-02T10:00:00Z"
    records = [
        {
            "id": f"t{n}",
            "source": f"s{n}",
            "occurred_at": at,
            "lat": 48.0 + n / 10,
            "lon": 37.8,
            "event_type": "artillery",
            "perpetrator": "RU",
        }
        for n in range(5)
    ]
    reports = write_jsonl(tmp_path / "tied.jsonl", records)

    result = ingest(system, [str(reports)], trusted=True, batch_size=2)
    run_out(system)

    assert result.late == [] and result.accepted == 5
    assert stored(system) == replayed(ceasefire, reports, trusted=True)


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


def test_a_report_sent_twice_in_one_batch_or_in_two_is_stored_once(
    system: System, conformance_dir: Path, tmp_path: Path
):
    """The journal is asked which reports it holds; a batch remembers its own until it
    writes them, and a fresh process knows the journal's without a snapshot's help."""
    add_ceasefire(system, conformance_dir / "ceasefire.yaml")
    one, two = (
        {"id": id_, "source": "osint-1", "occurred_at": "2026-03-02T10:00:00Z", "lat": 48.0,
         "lon": 37.0, "event_type": "artillery", "perpetrator": "RU"}
        for id_ in ("a", "b")
    )  # fmt: skip
    with unit_of_work.protocol(system) as batch:
        first = batch.take_reports([parse_report(one), parse_report(one), parse_report(two)])
        again = batch.take_reports([parse_report(two), parse_report(one)])
    fresh = open_system(system.db.url.render_as_string(hide_password=False))
    try:
        repeated = ingest(fresh, [str(write_jsonl(tmp_path / "twice.jsonl", [one, two, one]))])
    finally:
        fresh.db.dispose()

    assert [r.id for r in first] == ["a", "b"] and again == []
    assert (repeated.accepted, repeated.already_stored) == (0, 2)  # the file's copy: once
    with reading(system.db) as conn:
        assert queries.stats(conn)["reports"] == 2


def test_the_journal_names_the_pairs_it_holds_whatever_they_spell(system: System):
    """`stored_keys` looks a batch's (source, id) pairs up in one statement, however many
    (more than PostgreSQL's 65,535 parameters): quotes, brackets and other scripts in
    them are data, and only the whole pair matches."""
    odd = [('src "a"', "id-1"), ("src-b", "ід-2 ✓"), ("src-c", "[1, 2]"), ("src-d", "x\\y")]
    with unit_of_work.protocol(system) as batch:
        batch.take_reports(
            [make_report(source=source, id=id_) for source, id_ in odd], trusted=True
        )
    others = [
        ("src-b", "id-1"),
        ('src "a"', "ід-2 ✓"),
        *((f"s{n}", f"r{n}") for n in range(70_000)),
    ]

    with reading(system.db) as conn:
        assert journal.stored_keys(conn, [*others, *odd]) == set(odd)
        assert journal.stored_keys(conn, []) == set()


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


def test_a_policy_stored_before_todays_rules_still_runs(
    system: System, conformance_dir: Path, db_url: str
):
    """A stored policy with a duration written as a bare number (72: seconds, as it was
    read when it was admitted) is read as it was by every process, never refused."""
    ceasefire = conformance_dir / "ceasefire.yaml"
    add_ceasefire(system, ceasefire)
    c = tables.ceasefires
    with writing_rows(system.db) as conn:
        text = conn.execute(sa.select(c.c.policy_text)).scalar_one()
        assert "  quiet: 72h" in text
        conn.execute(sa.update(c).values(policy_text=text.replace("  quiet: 72h", "  quiet: 72")))
    later = open_system(db_url)

    ingest(later, [str(conformance_dir / "trusted-101.jsonl")], trusted=True)
    run_out(later)

    assert "case_closed" in [e["event"] for e in stored(later)]
    later.db.dispose()
