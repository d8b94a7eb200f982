"""A page of reports or of the journal ends at its bytes as well as at its rows: a report
may carry 2 MB of evidence, and a page of 1,000 of them would be 2 GB for the server to
read and hold, for any reader's token to ask for again and again. The next page goes on
from where the last one stopped, so a reader who follows them gets every row once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_world import World, build, violation
from fastapi.testclient import TestClient

from builders import write_jsonl
from ceasewatch.app import create_app
from ceasewatch.services.ingest import ingest
from ceasewatch.services.system import System
from ceasewatch.store import tables
from ceasewatch.store.database import reading
from ceasewatch.store.paging import PAGE_BYTES

HEAVY = 12
"""Reports of about 2 MB each: more than one page holds."""


def heavy(n: int, hours: float) -> dict[str, Any]:
    """A violation with the most evidence a report may give, each a long link."""
    links = [
        {"uri": f"https://example.org/{n}/{i}/{'x' * 1900}", "sha256": "a" * 64}
        for i in range(1000)
    ]
    return {**violation(n, hours), "evidence": links}


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    """The API's world, with twelve heavy reports of one event (one incident) and twelve
    of twelve events."""
    built = build(system, tmp_path)
    one_event = [{**heavy(200 + n, 95), "lat": 48.5} for n in range(HEAVY)]
    apart = [heavy(100 + n, 90 + n) for n in range(HEAVY)]
    ingest(system, [str(write_jsonl(tmp_path / "heavy.jsonl", one_event + apart))])
    return built


@pytest.fixture
def api(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.system), headers=world.headers("observer")) as client:
        yield client


ONE_PAST = 3 * 2**20
"""A page may pass `PAGE_BYTES` by the report that crossed it, and the answer's own JSON."""


def test_a_page_of_reports_ends_at_its_bytes_and_the_next_goes_on(api: TestClient, world: World):
    ids: list[str] = []
    sizes: list[int] = []
    cursor: str | None = None
    while True:
        asked = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        answer = api.get("/api/v1/reports", params=asked)
        sizes.append(len(answer.content))
        ids += [r["id"] for r in answer.json()["items"]]
        cursor = answer.json()["next"]
        if cursor is None:
            break

    assert len(sizes) > 1  # twelve reports of 2 MB are more than one page
    assert max(sizes) < PAGE_BYTES + ONE_PAST
    assert len(ids) == len(set(ids)) == journal_rows(world, "reports")


def test_a_page_of_the_journal_ends_at_its_bytes_and_the_next_goes_on(
    api: TestClient, world: World
):
    seqs: list[int] = []
    sizes: list[int] = []
    after: int | None = 0
    while after is not None:
        answer = api.get("/api/v1/journal/entries", params={"after": after, "limit": 1000})
        sizes.append(len(answer.content))
        seqs += [int(item["row"]["seq"]) for item in answer.json()["items"]]
        after = answer.json()["next_after"]

    assert len(sizes) > 1
    assert max(sizes) < PAGE_BYTES + ONE_PAST
    assert seqs == sorted(set(seqs))
    assert len(seqs) == journal_rows(world, "reports") + journal_rows(world, "commands")


def test_an_incident_gives_the_first_of_its_records_and_says_how_many_are_left(
    api: TestClient, world: World
):
    with reading(world.system.db) as conn:
        m = tables.incident_reports
        where = sa.select(m.c.ceasefire_id, m.c.incident_id).where(m.c.report_id == "v200")
        ceasefire, incident = conn.execute(where).one()

    answer = api.get(f"/api/v1/incidents/{ceasefire}:{incident}")
    shown = answer.json()

    assert len(shown["reports"]) == HEAVY
    assert 0 < len(shown["records"]) < HEAVY
    assert shown["records_left"] == HEAVY - len(shown["records"])
    assert [[r["source"], r["id"]] for r in shown["records"]] == shown["reports"][
        : len(shown["records"])
    ]
    assert len(answer.content) < PAGE_BYTES + ONE_PAST


def journal_rows(world: World, table: str) -> int:
    with reading(world.system.db) as conn:
        counted: int = conn.execute(
            sa.select(sa.func.count()).select_from(tables.metadata.tables[table])
        ).scalar_one()
    return counted
