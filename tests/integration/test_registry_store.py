"""The source registry in the store: imported, listed, journaled, audited, rebuilt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from builders import write_jsonl
from ceasewatch.cli import app
from ceasewatch.services import unit_of_work
from ceasewatch.services.system import open_system
from ceasewatch.store import queries, tables
from ceasewatch.store.database import reading

runner = CliRunner()
CEASEFIRE = "id: {id}\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"
SOURCES = """\
sources:
  - {id: omm-3, kind: monitor, reliability: A, group: omm}
  - {id: chan-a, kind: media, group: newsroom-1}   # reposts of one newsroom
  - {id: chan-b, kind: media, group: newsroom-1}
"""
REGRADED = "sources:\n  - {id: omm-3, kind: monitor, reliability: C, group: omm}\n"


class Store:
    """The command line on one database, with files in a folder."""

    def __init__(self, db: str, folder: Path):
        self.db, self.folder = db, folder

    def __call__(self, *args: str, code: int = 0) -> str:
        result = runner.invoke(app, [*args, "--db", self.db])
        assert result.exit_code == code, result.output
        return result.output

    def file(self, name: str, text: str) -> str:
        (self.folder / name).write_text(text)
        return str(self.folder / name)

    def ingest(self, name: str, *records: dict[str, Any]) -> None:
        self("ingest", str(write_jsonl(self.folder / name, records)))

    def incidents(self, ceasefire: str = "cf-1") -> dict[str, str]:
        """Each incident's status, by id."""
        with reading(open_system(self.db).db) as conn:
            rows = queries.incident_page(conn, ceasefire=ceasefire, limit=1000)
        return {r["id"]: r["status"] for r in rows}


def report(rid: str, source: str, minutes: int, **claims: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "source": source,
        "occurred_at": f"2026-03-05T{9 + minutes // 60:02d}:{minutes % 60:02d}:00Z",
        "lat": 48.0,
        "lon": 37.8 + minutes / 10,
        "event_type": "artillery",
        "perpetrator": "RU",
        **claims,
    }


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Store:
    store = Store(db_url, tmp_path)
    store("init")
    store("ceasefire", "add", store.file("cf.yaml", CEASEFIRE.format(id="cf-1")))
    return store


def test_imported_sources_are_listed_with_their_groups(store: Store):
    output = store("source", "import", store.file("sources.yaml", SOURCES))

    assert "3 sources read, 3 declared or regraded" in output
    assert json.loads(store("source", "list", "--json")) == [
        {"id": "chan-a", "kind": "media", "reliability": "F", "group": "newsroom-1"},
        {"id": "chan-b", "kind": "media", "reliability": "F", "group": "newsroom-1"},
        {"id": "omm-3", "kind": "monitor", "reliability": "A", "group": "omm"},
    ]
    assert "omm-3   monitor  A            as reported  omm" in store("source", "list")


def test_importing_the_same_file_again_journals_nothing(store: Store):
    path = store.file("sources.yaml", SOURCES)
    store("source", "import", path)

    assert "0 declared or regraded" in store("source", "import", path)
    with reading(open_system(store.db).db) as conn:
        assert len(conn.execute(sa.select(tables.commands)).all()) == 1


def test_a_bad_sources_file_names_the_entry_and_field_and_declares_nothing(store: Store):
    path = store.file(
        "bad.yaml", "sources:\n  - {id: omm-3, kind: monitor}\n  - {id: x, kind: tv}\n"
    )

    output = store("source", "import", path, code=2)

    assert "bad.yaml:3: sources.1 (x): field kind" in output
    assert store("source", "list") == "no sources declared\n"


def test_two_sources_of_one_group_do_not_corroborate(store: Store):
    store("source", "import", store.file("sources.yaml", SOURCES))
    store.ingest("r.jsonl", report("a1", "chan-a", 0), report("b1", "chan-b", 0))

    assert store.incidents() == {"inc-1": "corroborated"}
    assert "no cases" in store("cases")


def test_a_declared_media_channel_cannot_grade_itself_into_a_case(store: Store):
    store("source", "import", store.file("sources.yaml", SOURCES))
    claims = {"source_kind": "monitor", "reliability": "A", "credibility": 1}
    store.ingest("r.jsonl", report("a1", "chan-a", 0, **claims))

    assert store.incidents() == {"inc-1": "unverified"}
    with reading(open_system(store.db).db) as conn:
        [record] = queries.reports(conn, [["chan-a", "a1"]])
        body = conn.execute(sa.select(tables.reports.c.body)).scalar_one()
    assert (record["source_kind"], record["reliability"]) == ("media", "F")
    assert record["claims"] == {"source_kind": "monitor", "reliability": "A"}
    assert json.loads(body)["source_kind"] == "monitor"


def regraded_history(store: Store) -> None:
    """omm-3 graded A verifies a report alone; regraded C, its next report does not."""
    store("source", "import", store.file("sources.yaml", SOURCES))
    store.ingest("r1.jsonl", report("m1", "omm-3", 0, credibility=1))
    store("source", "import", store.file("regraded.yaml", REGRADED))
    store.ingest("r2.jsonl", report("m2", "omm-3", 120, credibility=1))


def test_regrading_judges_the_reports_that_arrive_after_it(store: Store):
    regraded_history(store)

    assert store.incidents() == {"inc-1": "verified", "inc-2": "unverified"}
    with reading(open_system(store.db).db) as conn:
        first, second = queries.reports(conn, [["omm-3", "m1"], ["omm-3", "m2"]])
    assert (first["reliability"], second["reliability"]) == ("A", "C")


def test_regrading_is_a_journaled_command_and_audited(store: Store):
    regraded_history(store)

    with reading(open_system(store.db).db) as conn:
        commands = conn.execute(sa.select(tables.commands).order_by(tables.commands.c.seq)).all()
        audited = [
            json.loads(row.body)
            for row in conn.execute(
                sa.select(tables.audit.c.body).where(tables.audit.c.kind == "sources_declared")
            )
        ]
    assert [(c.kind, c.ceasefire_id) for c in commands] == [("sources", None), ("sources", None)]
    assert commands[1].body["sources"] == [
        {"id": "omm-3", "kind": "monitor", "reliability": "C", "group": "omm"}
    ]
    assert [len(a["sources"]) for a in audited] == [3, 1]
    store("audit", "verify")  # exits 0: the chain holds


def test_a_fresh_process_rebuilding_from_the_journal_gives_the_same_incidents(store: Store):
    regraded_history(store)
    stored = store.incidents()

    fresh = open_system(store.db)
    with unit_of_work.protocol(fresh):
        engine = fresh.protocol.engines["cf-1"]
        rebuilt = {i.id: i.status.value for i in engine.incidents.values()}

    assert rebuilt == stored == {"inc-1": "verified", "inc-2": "unverified"}


def test_a_ceasefire_added_later_judges_each_report_by_the_registry_of_its_day(store: Store):
    regraded_history(store)

    store("ceasefire", "add", store.file("cf2.yaml", CEASEFIRE.format(id="cf-2")))

    assert store.incidents("cf-2") == store.incidents("cf-1")
