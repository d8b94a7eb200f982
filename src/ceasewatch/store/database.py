"""Opening a database: its URL, the connection settings, migrations, the writers' lock."""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.sql.expression import Executable

from . import tables
from .location import chosen, not_a_url


class StoreError(RuntimeError):
    """The database cannot be used as asked (not initialised, behind its migrations...)."""


def database_url(url: str | None = None) -> URL:
    """`--db`, else `$CEASEWATCH_DB`, else ./ceasewatch.db; a plain postgresql:// URL works."""
    text = chosen(url)
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise StoreError(not_a_url(text)) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


UNREACHABLE = (OperationalError, InterfaceError)
"""The errors of a database that cannot be reached for now (restarted, cut off, busy):
what a live process rides out, and a request is told to try again after."""


def reason(exc: BaseException) -> str:
    """What went wrong, in the driver's words: without SQLAlchemy's "Background on this
    error" link, and for a driver's error without SQLAlchemy's wrapping."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).strip()
    if isinstance(exc, SQLAlchemyError):
        return str(exc.args[0]) if exc.args else type(exc).__name__
    return str(exc)


def connect(url: str | URL | None = None, *, create: bool = True) -> sa.Engine:
    """A database (SQLAlchemy's engine: ceasewatch calls it `db`, keeping "engine" for
    the protocol's) with ceasewatch's settings for SQLite or PostgreSQL.

    A SQLite file whose folder is missing is refused by name (the driver says only that
    it is "unable to open database file"); one that does not exist yet is made on first
    use unless `create` is false, when it is refused instead of left behind empty.
    """
    parsed = url if isinstance(url, URL) else database_url(url)
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_file(parsed, create)
        return _sqlite(parsed)
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(
            parsed, connect_args={"options": "-c timezone=UTC"}, pool_pre_ping=True
        )
    raise StoreError(f"{parsed.get_backend_name()}: ceasewatch stores in SQLite or PostgreSQL")


def _check_sqlite_file(url: URL, create: bool) -> None:
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:") or url.query.get("uri"):
        return  # in memory, or a URI the driver reads
    path = Path(name)
    if not path.parent.is_dir():
        raise StoreError(f"cannot open {name}: there is no folder {path.parent}")
    if not create and not path.exists():
        raise StoreError(f"there is no database at {name}: run `ceasewatch init`")


def _sqlite(url: URL) -> sa.Engine:
    """WAL, durable commits, foreign keys; writers begin IMMEDIATE, so they queue.

    pysqlite's own transaction handling is turned off, and each transaction begins
    explicitly: `BEGIN IMMEDIATE` for a writer (see `writing`), which takes SQLite's
    write lock at once and waits `busy_timeout` for it, `BEGIN` for a reader.
    """
    db = sa.create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(db, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            "busy_timeout=60000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(db, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("ceasewatch_writer", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return db


# -- migrations ---------------------------------------------------------------------


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("ceasewatch.store") / "migrations")
    )
    config.attributes["connection"] = connection
    return config


def upgrade(db: sa.Engine, revision: str = "head") -> None:
    """Create or migrate the schema to `revision`."""
    with db.connect() as connection:
        command.upgrade(_alembic_config(connection), revision)
        connection.commit()


def revisions(db: sa.Engine) -> tuple[str | None, str]:
    """The database's schema revision and the newest this code knows."""
    with db.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        head = ScriptDirectory.from_config(_alembic_config(connection)).get_current_head()
    assert head is not None
    return current, head


def require_current(db: sa.Engine) -> None:
    current, head = revisions(db)
    if current is None:
        raise StoreError(f"{db.url!r} is not a ceasewatch database: run `ceasewatch init`")
    if current != head:
        raise StoreError(
            f"the database is at schema {current}, this ceasewatch needs {head}: "
            "run `ceasewatch db upgrade`"
        )


# -- transactions -------------------------------------------------------------------


@contextmanager
def writing(db: sa.Engine) -> Iterator[Connection]:
    """A transaction holding the writers' lock: one writer at a time, across processes.

    PostgreSQL: the clock row, locked FOR UPDATE (other writers wait for the commit).
    SQLite: the database's write lock, taken at BEGIN IMMEDIATE.
    """
    with writing_rows(db) as connection:
        locked = sa.select(tables.clock.c.id).where(tables.clock.c.id == 1)
        if connection.dialect.name == "postgresql":
            locked = locked.with_for_update()
        if connection.execute(locked).first() is None:
            raise StoreError("the clock row is missing: run `ceasewatch init`")
        yield connection


@contextmanager
def writing_rows(db: sa.Engine) -> Iterator[Connection]:
    """A short write beside the writers' lock, for rows that lock themselves (the outbox's).

    PostgreSQL: a plain transaction; the rows it updates are locked as it goes, so it
    never waits for a tick or an ingest. SQLite: BEGIN IMMEDIATE all the same, so a read
    followed by a write waits for the write lock instead of failing on a snapshot that
    another writer has moved on from.
    """
    with db.connect() as connection:
        connection.execution_options(ceasewatch_writer=True)
        with connection.begin():
            yield connection


@contextmanager
def held_alone(db: sa.Engine, name: str) -> Iterator[bool]:
    """A lock across processes for work that one process at a time should do, and that
    others skip rather than wait for: whether this process holds it (False: another
    does). PostgreSQL: a session advisory lock, on a connection of its own. SQLite: an
    exclusive `flock` of a file beside the database (`DB-NAME.lock`), which the system
    releases when the process ends, however it ends; an in-memory database is one
    process's alone."""
    if db.dialect.name == "postgresql":
        key = zlib.crc32(name.encode())
        with db.connect() as connection:
            held = connection.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar()
            connection.commit()
            try:
                yield bool(held)
            finally:
                if held:
                    connection.execute(sa.select(sa.func.pg_advisory_unlock(key)))
                    connection.commit()
        return
    path = db.url.database
    if not path or path == ":memory:":
        yield True
        return
    with open(f"{path}-{name}.lock", "a") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


def streamed(statement: Executable, batch: int = 5000) -> Executable:
    """A query whose rows come `batch` at a time (a server-side cursor on PostgreSQL)."""
    return statement.execution_options(stream_results=True, yield_per=batch)


@contextmanager
def reading(db: sa.Engine) -> Iterator[Connection]:
    """A read-only snapshot (one transaction)."""
    with db.connect() as connection, connection.begin():
        yield connection


@contextmanager
def snapshot(db: sa.Engine) -> Iterator[Connection]:
    """A read-only transaction that sees one state of the database however long it runs:
    REPEATABLE READ on PostgreSQL (READ COMMITTED, its default, sees each commit); on
    SQLite a read transaction already does."""
    with db.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            yield connection
