"""The audit log in the database: every state change chained, and tampering found."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ceasewatch.audit import sha256_hex
from ceasewatch.cli import app
from ceasewatch.services.ingest import ingest
from ceasewatch.services.setup import add_ceasefire
from ceasewatch.services.system import System
from ceasewatch.store import tables

runner = CliRunner()


@pytest.fixture
def exported(db_url: str, system: System, conformance_dir: Path, tmp_path: Path) -> Path:
    add_ceasefire(system, conformance_dir / "ceasefire.yaml")
    ingest(system, [str(conformance_dir / "corroborated-105.jsonl")], batch_size=40)
    path = tmp_path / "audit.jsonl"
    result = runner.invoke(app, ["audit", "export", str(path), "--db", db_url])
    assert result.exit_code == 0, result.output
    return path


def verify_file(path: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["audit", "verify", "--file", str(path), *extra])
    return result.exit_code, result.output


def rewrite(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    lines = path.read_text().splitlines()
    path.write_text("\n".join(edit(lines)) + "\n")


def test_each_kind_of_state_change_is_in_the_chain(exported: Path):
    kinds = Counter(json.loads(line)["kind"] for line in exported.read_text().splitlines())

    assert kinds["ceasefire_added"] == 1
    assert kinds["reports_accepted"] == 4
    assert {"incidents_verified", "case_opened", "phase_recommended", "case_closed"} <= set(kinds)
    assert kinds["action_overdue"] > 0


def test_a_batch_of_reports_is_recorded_with_the_sha256_of_each(system: System, exported: Path):
    listed = [
        (seq, source, rid, digest)
        for line in exported.read_text().splitlines()
        if (entry := json.loads(line))["kind"] == "reports_accepted"
        for seq, source, rid, digest, _clock in entry["body"]["reports"]
    ]
    with system.db.connect() as conn:
        bodies = {
            (r.seq, r.source, r.id): r.body
            for r in conn.execute(
                sa.select(
                    tables.reports.c.seq,
                    tables.reports.c.source,
                    tables.reports.c.id,
                    tables.reports.c.body,
                )
            )
        }

    assert len(listed) == len(bodies) == 159
    assert all(sha256_hex(bodies[(n, s, i)].encode()) == d for n, s, i, d in listed)


def test_an_untouched_export_verifies(exported: Path):
    assert verify_file(exported) == (0, f"{exported}: the chain holds\n")


def test_an_edited_entry_is_named(exported: Path):
    def edit(lines: list[str]) -> list[str]:
        entry = json.loads(lines[4])
        entry["at"] = "2020-01-01T00:00:00Z"
        lines[4] = json.dumps(entry)
        return lines

    rewrite(exported, edit)

    code, output = verify_file(exported)
    assert code == 1 and "line 5 (seq 5): edited" in output


def test_a_deleted_entry_is_named(exported: Path):
    rewrite(exported, lambda lines: lines[:6] + lines[7:])

    code, output = verify_file(exported)
    assert code == 1 and "line 7 (seq 8): seq 7 is missing" in output


def test_an_inserted_entry_is_named(exported: Path):
    rewrite(exported, lambda lines: [*lines[:3], lines[2], *lines[3:]])

    code, output = verify_file(exported)
    assert code == 1 and "line 4" in output


def test_reordered_entries_are_named(exported: Path):
    rewrite(exported, lambda lines: [*lines[:9], lines[10], lines[9], *lines[11:]])

    code, output = verify_file(exported)
    assert code == 1 and "line 10" in output


def test_a_truncated_export_fails_against_the_published_head(db_url: str, exported: Path):
    head = runner.invoke(app, ["audit", "head", "--db", db_url]).output.split()[1]
    rewrite(exported, lambda lines: lines[:-1])

    code, output = verify_file(exported, "--head", head)
    assert code == 1 and "expected head" in output


def test_an_entry_edited_in_the_database_is_found(db_url: str, system: System, exported: Path):
    with system.db.begin() as conn:
        conn.execute(
            sa.update(tables.audit).where(tables.audit.c.seq == 3).values(kind="case_closed")
        )

    result = runner.invoke(app, ["audit", "verify", "--db", db_url])

    assert result.exit_code == 1
    assert "line 3 (seq 3): edited" in result.output
