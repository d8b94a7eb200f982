"""A command imports only what it uses: `--help` and the light commands start without the
web, plotting, PDF, cluster or columnar libraries (each one costs a start that does not
use it tenths of a second). Checked on what `python -X importtime` says was imported, in
a fresh process; how long it took is bench/startup.py's to measure, not a test's."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from ceasewatch.services.setup import init

HEAVY = {
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",  # web
    "matplotlib",  # plotting
    "weasyprint",  # PDF
    "dask",
    "distributed",
    "ray",  # cluster
    "pyarrow",  # columnar
}
DATABASE = {"sqlalchemy", "alembic", "psycopg"}
GEOMETRY = {"shapely", "numpy"}

CEASEFIRE = """\
id: cf-test
name: Test ceasefire
parties: [RU, UA]
effective_from: 2026-03-01T00:00:00Z
"""
REPORT = (
    '{"id": "r1", "source": "mon", "source_kind": "monitor", "reliability": "A", '
    '"credibility": 1, "occurred_at": "2026-03-02T10:00:00Z", "lat": 48.0, "lon": 37.8, '
    '"event_type": "artillery", "perpetrator": "RU"}\n'
)


def imported(*args: str, cwd: Path) -> set[str]:
    """The top-level packages `ceasewatch ARGS` imports, after checking that it ran."""
    env = {k: v for k, v in os.environ.items() if k != "CEASEWATCH_DB"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ceasewatch", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )
    lines = done.stderr.splitlines()
    said = "\n".join(line for line in lines if not line.startswith("import time:"))
    assert done.returncode == 0, said
    names = [line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:")]
    return {name.split(".")[0] for name in names[1:]}  # the first is the header


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ceasewatch.db'}"
    init(url)
    return url


def test_help_imports_no_heavy_library_and_no_database_driver(tmp_path: Path):
    loaded = imported("--help", cwd=tmp_path)

    assert "typer" in loaded
    assert loaded & (HEAVY | DATABASE | GEOMETRY) == set()


def test_a_command_s_help_imports_no_heavy_library(tmp_path: Path):
    assert imported("stats", "--help", cwd=tmp_path) & (HEAVY | DATABASE) == set()


def test_policy_check_imports_no_heavy_library(tmp_path: Path):
    policy = resources.files("ceasewatch") / "policies" / "three-phase.yaml"
    with resources.as_file(policy) as path:
        loaded = imported("policy", "check", str(path), cwd=tmp_path)

    assert "yaml" in loaded
    assert loaded & (HEAVY | DATABASE) == set()


@pytest.mark.parametrize("command", [["stats"], ["cases"], ["cases", "--open"]])
def test_a_light_command_on_the_database_imports_no_heavy_library(
    tmp_path: Path, db: str, command: list[str]
):
    loaded = imported(*command, "--db", db, cwd=tmp_path)

    assert "sqlalchemy" in loaded
    assert loaded & HEAVY == set()


def test_replay_as_json_imports_no_heavy_library_nor_the_database(tmp_path: Path):
    (tmp_path / "ceasefire.yaml").write_text(CEASEFIRE)
    (tmp_path / "reports.jsonl").write_text(REPORT)

    loaded = imported(
        "replay", "reports.jsonl", "-c", "ceasefire.yaml", "--json", "--trust-input", cwd=tmp_path
    )

    assert "pydantic" in loaded
    assert loaded & (HEAVY | DATABASE | GEOMETRY) == set()
