"""The PostgreSQL server the tests use, as its administrator: databases made and dropped
for each test (conftest.py), and one cut off under the code that uses it (`cut_off`).
A module of its own, since tests import no conftest: which module that name finds
depends on what else the run collects."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

PG_ENV = "CEASEWATCH_TEST_PG_URL"


def admin_engine() -> sa.Engine:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"no PostgreSQL: set {PG_ENV}")
    return sa.create_engine(
        base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )


@contextmanager
def cut_off(db_url: str) -> Iterator[None]:
    """The PostgreSQL database gone while inside, as in a restart or a network cut: new
    connections are turned away and those open are cut off; back on leaving."""
    admin, name = admin_engine(), sa.make_url(db_url).database

    def allow(allowed: bool) -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {allowed}')

    allow(False)
    try:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        yield
    finally:
        allow(True)
        admin.dispose()


def fresh_database(template: str | None = None) -> Iterator[str]:
    """A new database on the server, its URL; dropped after."""
    admin = admin_engine()
    name = f"cw_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        copy = f' TEMPLATE "{template}"' if template else ""
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
    url = url_of(name)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def url_of(name: str) -> str:
    base = os.environ[PG_ENV]
    return sa.make_url(base).set(database=name).render_as_string(hide_password=False)
