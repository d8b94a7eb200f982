"""The schema: created from empty by the migrations, equal to the code's tables, re-runnable."""

from __future__ import annotations

from importlib import resources

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ceasewatch.services.setup import init
from ceasewatch.services.system import open_system
from ceasewatch.store.database import StoreError, connect, revisions, upgrade
from ceasewatch.store.tables import metadata


def test_init_migrates_an_empty_database_to_the_newest_schema(db_url: str):
    init(db_url)

    current, head = revisions(connect(db_url))
    assert current == head


def test_the_migrated_schema_is_the_one_the_code_describes(db_url: str):
    init(db_url)

    with connect(db_url).connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)

    assert differences == []


def test_init_twice_changes_nothing(db_url: str):
    init(db_url)
    init(db_url)

    assert revisions(connect(db_url))[0] is not None


def test_a_database_never_initialised_is_a_clear_error(db_url: str):
    with pytest.raises(StoreError, match="ceasewatch init"):
        open_system(db_url)


def test_incidents_verified_before_their_way_was_recorded_keep_what_was_known(db_url: str):
    """The migration that records how incidents were verified fills in the analysts' and
    trusted input's; which way of rule 6 verified the others was never kept."""
    engine = connect(db_url)
    script = ScriptDirectory(str(resources.files("ceasewatch.store") / "migrations"))
    [adding] = [r for r in script.walk_revisions() if "verified_how" in (r.doc or "") + r.path]
    upgrade(engine, str(adding.down_revision))
    row = {
        "ceasefire_id": "cf-1",
        "seq": 1,
        "status": "verified",
        "severity": "minor",
        "occurred_at": "2026-03-02 10:00:00",
        "lat": 48.0,
        "lon": 37.8,
        "killed": 0,
        "injured": 0,
        "event_types": "[]",
        "reports": "[]",
    }
    incidents = sa.table("incidents", *(sa.column(c) for c in [*row, "id", "verified_by"]))
    with engine.begin() as conn:
        for n, by in enumerate(["trusted input", "ann", None], 1):
            conn.execute(incidents.insert().values(**row, id=f"inc-{n}", verified_by=by))

    upgrade(engine)

    with engine.connect() as conn:
        how = conn.execute(sa.text("SELECT id, verified_how FROM incidents ORDER BY id")).all()
    assert [tuple(r) for r in how] == [
        ("inc-1", "trusted_input"),
        ("inc-2", "analyst"),
        ("inc-3", None),
    ]
