"""The schema: created from empty by the migrations, equal to the code's tables, re-runnable."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ceasewatch.bootstrap import open_system
from ceasewatch.services.setup import init
from ceasewatch.store.database import StoreError, connect, revisions
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
