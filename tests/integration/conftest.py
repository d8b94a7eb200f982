"""Databases for integration tests: a SQLite file, and a fresh PostgreSQL database each.

PostgreSQL comes from $CEASEWATCH_TEST_PG_URL (CI sets it to this machine's server);
without it the PostgreSQL half is skipped, with the reason shown.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ceasewatch.services.setup import init
from ceasewatch.services.system import System, open_system

PG_ENV = "CEASEWATCH_TEST_PG_URL"


def _postgres_database() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"no PostgreSQL: set {PG_ENV}")
    name = f"cw_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, by URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ceasewatch.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _postgres_database()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database of each kind shared by one module's tests (for read-mostly suites)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'ceasewatch.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def system(db_url: str) -> Iterator[System]:
    """An initialised database, opened."""
    init(db_url)
    opened = open_system(db_url)
    yield opened
    opened.db.dispose()
