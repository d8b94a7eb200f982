"""`ceasewatch db backup`: a copy of the store taken while it runs, which restored is the
same record (`audit verify` holds on it), on both databases."""

from __future__ import annotations

import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from api_world import World, build
from typer.testing import CliRunner

from builders import HOUR, T0, front_reports, write_jsonl
from ceasewatch.cli import app
from ceasewatch.services import backup
from ceasewatch.services.ingest import ingest
from ceasewatch.services.system import System
from ceasewatch.store import queries
from ceasewatch.store.database import reading

runner = CliRunner()


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


def cli(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def restored(made: Path, db_url: str, other_url: str) -> str:
    """The store a backup gives back: the SQLite file itself, or `pg_restore` of the dump
    into an empty database."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{made}"
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={other_url}", str(made)], check=True)
    return other_url


def record_of(url: str) -> tuple[dict[str, int], tuple[int, str]]:
    from ceasewatch.services.system import open_system
    from ceasewatch.store import auditlog

    system = open_system(url)
    with reading(system.db) as conn:
        found = queries.stats(conn), auditlog.last_link(conn)
    system.db.dispose()
    return found


def test_a_backup_restored_is_the_same_record(
    world: World, db_url: str, other_url: str, tmp_path: Path
):
    out = tmp_path / "backup"

    said = cli("db", "backup", str(out), "--db", db_url)

    assert said.startswith(f"backed up to {out} (")
    back = restored(out, db_url, other_url)
    assert cli("audit", "verify", "--db", back).splitlines()[-1].startswith("verified:")
    assert record_of(back) == record_of(db_url)


def test_a_backup_never_writes_over_another(world: World, db_url: str, tmp_path: Path):
    out = tmp_path / "backup"
    out.write_text("last night's")

    said = cli("db", "backup", str(out), "--db", db_url, code=1)

    assert said == f"error: {out} exists already: a backup never writes over another\n"
    assert out.read_text() == "last night's"


def test_backups_into_a_folder_are_named_for_their_time_and_only_the_newest_are_kept(
    world: World, tmp_path: Path
):
    suffix = backup.SUFFIXES[world.system.db.url.get_backend_name()]
    kept_by_hand = tmp_path / f"ceasewatch-before-the-upgrade{suffix}"
    kept_by_hand.write_text("an operator's own copy")
    made = [backup.into(world.system, tmp_path, T0 + n * HOUR, keep=2) for n in range(3)]

    assert [m.path.name for m in made] == [
        f"ceasewatch-20260302T{hour}0000Z{suffix}" for hour in ("10", "11", "12")
    ]
    assert made[2].removed == (made[0].path,)
    assert sorted(tmp_path.glob("ceasewatch-*")) == [made[1].path, made[2].path, kept_by_hand]


def test_a_backup_taken_while_reports_are_stored_is_a_whole_record(
    world: World, db_url: str, other_url: str, tmp_path: Path
):
    """The copy is of one moment: whatever the writer was doing, what it holds verifies."""
    files = [
        write_jsonl(tmp_path / f"more-{n}.jsonl", front_reports(40, seed=n, start=T0 + n * HOUR))
        for n in range(6)
    ]
    writing = threading.Thread(target=lambda: [ingest(world.system, [str(f)]) for f in files])
    writing.start()
    out = tmp_path / "backup"
    try:
        backup.backup(world.system, out)
    finally:
        writing.join()

    back = restored(out, db_url, other_url)
    assert cli("audit", "verify", "--db", back).splitlines()[-1].startswith("verified:")


@pytest.mark.parametrize(
    ("args", "why"),
    [
        ([], "give the backup's FILE, or --into a folder"),
        (["b.db", "--into", "."], "give the backup's FILE, or --into a folder"),
        (["b.db", "--keep", "3"], "--keep goes with --into"),
    ],
)
def test_a_backup_is_to_a_file_or_into_a_folder(db_url: str, args: list[str], why: str):
    assert cli("db", "backup", *args, "--db", db_url, code=2) == f"error: {why}\n"


def test_when_a_backup_is_made_is_its_name(world: World, tmp_path: Path):
    at = T0 + timedelta(days=3, seconds=7)

    made = backup.into(world.system, tmp_path, at)

    assert made.path.name.startswith("ceasewatch-20260305T100007Z")
