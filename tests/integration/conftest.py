"""Databases for integration tests: a SQLite file, and a fresh PostgreSQL database each.

PostgreSQL comes from $CEASEWATCH_TEST_PG_URL (CI sets it to this machine's server);
without it the PostgreSQL half is skipped, with the reason shown.

A test that asks for `system` gets its database already migrated, as a copy of one
migrated once per test process (a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on
PostgreSQL): running the migrations for each of a thousand tests was minutes of the
suite. A test that asks only for `db_url` gets an empty database, as `init` finds one.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from postgres_admin import fresh_database

from ceasewatch.services.setup import init
from ceasewatch.services.system import System, open_system
from ceasewatch.store import database


def _migrate(url: str) -> None:
    """Migrate a database to the newest schema, and let go of it (a template must be idle)."""
    db = database.connect(url)
    try:
        database.upgrade(db)
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest schema, to copy."""
    path = tmp_path_factory.mktemp("template") / "ceasewatch.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[str]:
    """The name of a PostgreSQL database migrated to the newest schema, to copy."""
    for url in fresh_database():
        _migrate(url)
        yield sa.make_url(url).database or ""


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind, by URL: empty, or migrated where the test uses `system`."""
    migrated = "system" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "ceasewatch.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        yield f"sqlite:///{path}"
    else:
        template = request.getfixturevalue("migrated_postgres") if migrated else None
        yield from fresh_database(template)


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from fresh_database()


@pytest.fixture
def pg_system(pg_url: str) -> Iterator[System]:
    """A migrated PostgreSQL store, for a test that needs a server (one to cut off)."""
    init(pg_url)
    opened = open_system(pg_url)
    yield opened
    opened.db.dispose()


@pytest.fixture
def other_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind as `db_url` (tests import no conftest:
    which one `conftest` names depends on what else the run collects)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'rebuilt.db'}"
        return
    yield from fresh_database()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database of each kind shared by one module's tests (for read-mostly suites)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'ceasewatch.db'}"
    else:
        yield from fresh_database()


@pytest.fixture
def system(db_url: str) -> Iterator[System]:
    """A migrated database, opened."""
    opened = open_system(db_url)
    yield opened
    opened.db.dispose()
