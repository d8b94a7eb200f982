"""A store whose parties hold signing keys: the API world with decisions on its case, a
key per party (US, GB) made with `key create`, and the CLI to drive it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from api_world import CASE, World, build
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.services import commands
from ceasewatch.services.system import System

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    """Run a command; its exit code and what it printed (stdout and stderr)."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def ok(*args: str) -> str:
    code, output = cli(*args)
    assert code == 0, output
    return output


def decided(system: System, tmp_path: Path) -> World:
    """The API world, where US has authorised phase 3 of its case."""
    world = build(system, tmp_path)
    commands.decide(system, CASE, 3, party="US", authorise=True, reason="evidence holds")
    return world


def party_keys(db_url: str, tmp_path: Path, *parties: str) -> dict[str, Path]:
    """A key per party, made and registered with `key create`: its private key file."""
    made = {}
    for party in parties:
        path = tmp_path / f"{party.lower()}.key"
        ok("key", "create", "--party", party, "--out", str(path), "--db", db_url)
        made[party] = path
    return made


def co_signed(db_url: str, tmp_path: Path, *parties: str) -> Path:
    """Checkpoint the log, have each party sign it, export it with the keys: the export."""
    keys = party_keys(db_url, tmp_path, *parties)
    ok("audit", "checkpoint", "--db", db_url)
    for key in keys.values():
        ok("audit", "sign", "--key", str(key), "--db", db_url)
    ok("key", "export", str(tmp_path / "keys.yaml"), "--db", db_url)
    export = tmp_path / "audit.jsonl"
    ok("audit", "export", str(export), "--db", db_url)
    return export


def verify_export(export: Path, keys: Path) -> tuple[int, str]:
    return cli("audit", "verify", "--file", str(export), "--keys", str(keys))


def edit_lines(path: Path, edit: Callable[[list[dict[str, object]]], None]) -> None:
    """Rewrite a JSONL file through `edit`, which changes its records in place."""
    records = [json.loads(line) for line in path.read_text().splitlines()]
    edit(records)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def execute(system: System, statement: str, **params: object) -> None:
    """Change the store behind its back (as a dishonest operator with the database might)."""
    with system.db.begin() as conn:
        conn.execute(sa.text(statement), params)
