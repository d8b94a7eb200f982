"""Rule 7 through the store: the events replay gives, and an analyst's reclassification
journaled, audited and rebuilt by a process that starts afresh."""

from __future__ import annotations

from pathlib import Path

from test_ingest import replayed, run_out, stored

from ceasewatch.services import commands
from ceasewatch.services.ingest import ingest
from ceasewatch.services.setup import add_ceasefire
from ceasewatch.services.system import System, open_system
from ceasewatch.store import queries
from ceasewatch.store.database import reading


def halted(system: System, conformance_dir: Path) -> tuple[Path, Path]:
    ceasefire, reports = conformance_dir / "ceasefire.yaml", conformance_dir / "trusted-107.jsonl"
    add_ceasefire(system, ceasefire)
    ingest(system, [str(reports)], trusted=True, batch_size=1)
    return ceasefire, reports


def test_the_store_records_defensive_responses_as_replay_does(
    system: System, conformance_dir: Path
):
    ceasefire, reports = halted(system, conformance_dir)
    run_out(system)

    assert stored(system) == replayed(ceasefire, reports, trusted=True)
    with reading(system.db) as conn:
        responses = [
            (i["id"], i["response_to"], i["case_id"])
            for i in (queries.incident(conn, "cf-example", f"inc-{n}") for n in (2, 3, 4))
        ]
        kinds = [b["event"] for b in queries.audit_bodies(conn, "defensive_response")]
    assert responses == [
        ("inc-2", "cf-example/RU/1", None),
        ("inc-3", "cf-example/RU/1", None),
        ("inc-4", None, "cf-example/UA/1"),
    ]
    assert kinds == ["defensive_response", "defensive_response"]


def test_counting_a_response_as_a_violation_is_journaled_and_rebuilt(
    db_url: str, system: System, conformance_dir: Path
):
    halted(system, conformance_dir)

    events = commands.count_as_violation(
        system, "cf-example", "inc-2", by="analyst-1", reason="no RU fire there that morning"
    )

    assert [e.event for e in events] == ["response_reclassified", "violation_added"]
    with reading(system.db) as conn:
        incident = queries.incident(conn, "cf-example", "inc-2")
        [audited] = list(queries.audit_bodies(conn, "response_reclassified"))
    assert incident is not None
    assert (incident["response_to"], incident["case_id"]) == (None, "cf-example/UA/1")
    assert audited["reason"] == "no RU fire there that morning"

    fresh = open_system(db_url)
    try:
        run_out(fresh)
        run_out(system)
    finally:
        fresh.db.dispose()
    with reading(system.db) as conn:
        closes = [e.case for e in queries.events(conn) if e.event == "case_closed"]
    assert closes == ["cf-example/RU/1", "cf-example/UA/1"]
