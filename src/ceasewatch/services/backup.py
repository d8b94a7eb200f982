"""Backups of the store, taken while ceasewatch runs: SQLite's online backup of the file,
or `pg_dump` of the PostgreSQL database. Each is a consistent copy as of one moment,
written beside its name and renamed into place once whole, so that a backup under its
name is never half written; one is never written over."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from .system import System

SUFFIXES = {"sqlite": ".db", "postgresql": ".dump"}
"""A backup's suffix, by the store's kind: a SQLite file, or pg_dump's custom format."""
NAMED = "ceasewatch-%Y%m%dT%H%M%SZ"
"""The name of a backup made `into` a folder: when it was made."""


class BackupError(Exception):
    """Why no backup was made."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    """Bytes."""
    how: str
    removed: tuple[Path, ...] = ()
    """Older backups of the folder removed to keep the newest (`into` with `keep`)."""


def backup(system: System, out: Path) -> Backup:
    """Copy the store to `out`, which must not exist."""
    url = system.db.url
    if url.get_backend_name() not in SUFFIXES:
        raise BackupError(f"{url.get_backend_name()} stores are not backed up here")
    if out.exists():
        raise BackupError(f"{out} exists already: a backup never writes over another")
    if not out.parent.is_dir():
        raise BackupError(f"there is no folder {out.parent}")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            how = _sqlite(url, partial)
        else:
            how = _pg_dump(url, partial)
        partial.rename(out)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(out, out.stat().st_size, how)


def into(system: System, folder: Path, at: datetime, keep: int | None = None) -> Backup:
    """A backup in `folder`, named for `at` (UTC); with `keep`, only the newest `keep`
    backups of the folder are kept (by their names, which sort as their times do)."""
    suffix = SUFFIXES.get(system.db.url.get_backend_name(), "")
    made = backup(system, folder / (at.strftime(NAMED) + suffix))
    if keep is None:
        return made
    older = sorted(path for path in folder.glob(f"*{suffix}") if _named(path, suffix))[:-keep]
    for path in older:
        path.unlink()
    return Backup(made.path, made.size, made.how, tuple(older))


def _sqlite(url: sa.URL, target: Path) -> str:
    """SQLite's online backup: a copy of the file as of one moment, while writers go on;
    checked whole (`integrity_check`) before it is given its name."""
    source = url.database
    if not source or source == ":memory:" or not Path(source).exists():
        raise BackupError(f"there is no SQLite file at {source}")
    with closing(sqlite3.connect(source)) as db, closing(sqlite3.connect(target)) as copy:
        db.backup(copy)
        (checked,) = copy.execute("PRAGMA integrity_check").fetchone()
    if checked != "ok":
        raise BackupError(f"the copy is not whole: {checked}")
    return "SQLite's online backup"


def _pg_dump(url: sa.URL, target: Path) -> str:
    """`pg_dump` in its custom format (restored with `pg_restore`), one snapshot of the
    database; the password goes to it in its environment, never on its command line."""
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, **({"PGPASSWORD": str(url.password)} if url.password else {})}
    done = subprocess.run(
        [program, "--format=custom", "--no-owner", f"--file={target}", plain],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        raise BackupError(f"pg_dump failed: {said[-1] if said else done.returncode}")
    return "pg_dump"


def _named(path: Path, suffix: str) -> bool:
    """Whether the file is a backup `into` made (named for its time), not another file
    someone keeps beside them: only those are ever removed."""
    try:
        datetime.strptime(path.name.removesuffix(suffix), NAMED)
    except ValueError:
        return False
    return True
