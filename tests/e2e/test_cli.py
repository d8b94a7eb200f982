"""The command line, end to end: files in, the replay contract out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import write_jsonl
from ceasewatch.cli import app

runner = CliRunner()

CEASEFIRE = """\
id: cf-test
name: Test ceasefire
parties: [RU, UA]
effective_from: 2026-03-01T00:00:00Z
"""


def record(rid: str, occurred: str, **fields: object) -> dict[str, object]:
    return {
        "id": rid,
        "source": "mon",
        "source_kind": "monitor",
        "reliability": "A",
        "credibility": 1,
        "occurred_at": occurred,
        "lat": 48.0,
        "lon": 37.8,
        "event_type": "artillery",
        "perpetrator": "RU",
        **fields,
    }


@pytest.fixture
def ceasefire_file(tmp_path: Path) -> Path:
    path = tmp_path / "ceasefire.yaml"
    path.write_text(CEASEFIRE)
    return path


REALERTS = ["2026-03-03T22:00:00Z", "2026-03-04T10:00:00Z", "2026-03-04T22:00:00Z"]
"""Every 12 h while the two phase-1 actions stay undone, until the quiet close."""


def test_replay_json_prints_the_contract_in_time_order(tmp_path: Path, ceasefire_file: Path):
    reports = write_jsonl(tmp_path / "r.jsonl", [record("r1", "2026-03-02T10:00:00Z")])
    result = runner.invoke(
        app, ["replay", "--ceasefire", str(ceasefire_file), str(reports), "--json"]
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["event"], e["at"]) for e in events] == [
        ("case_opened", "2026-03-02T10:00:00Z"),
        ("action_overdue", "2026-03-03T10:00:00Z"),
        ("action_overdue", "2026-03-03T10:00:00Z"),
        *[("action_still_overdue", at) for at in REALERTS for _ in ("warning", "halt")],
        ("case_closed", "2026-03-05T10:00:00Z"),
    ]
    assert all({"at", "event", "case", "violator"} <= e.keys() for e in events)
    assert events[0]["phase"] == 1 and events[0]["incident"]
    assert events[-1]["reason"] == "quiet"


def test_replay_reads_csv_with_the_same_columns(tmp_path: Path, ceasefire_file: Path):
    rows = [
        "id,source,source_kind,reliability,credibility,occurred_at,lat,lon,event_type,perpetrator",
        "c1,mon,monitor,A,1,2026-03-02T10:00:00Z,48.0,37.8,artillery,RU",
    ]
    reports = tmp_path / "r.csv"
    reports.write_text("\n".join(rows) + "\n")
    result = runner.invoke(app, ["replay", "-c", str(ceasefire_file), str(reports), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0])["event"] == "case_opened"


def test_until_stops_the_clock(tmp_path: Path, ceasefire_file: Path):
    reports = write_jsonl(tmp_path / "r.jsonl", [record("r1", "2026-03-02T10:00:00Z")])
    result = runner.invoke(
        app,
        [
            "replay",
            "-c",
            str(ceasefire_file),
            str(reports),
            "--json",
            "--until",
            "2026-03-03T09:59:59Z",
        ],
    )
    assert [json.loads(line)["event"] for line in result.stdout.splitlines()] == ["case_opened"]


def test_bad_records_are_named_and_the_good_ones_kept(tmp_path: Path, ceasefire_file: Path):
    reports = write_jsonl(
        tmp_path / "r.jsonl",
        [
            record("good", "2026-03-02T10:00:00Z"),
            record("bad-lat", "2026-03-02T11:00:00Z", lat=123.0),
        ],
    )
    result = runner.invoke(app, ["replay", "-c", str(ceasefire_file), str(reports), "--json"])
    assert result.exit_code == 1
    assert "r.jsonl:2 (id bad-lat): field lat" in result.stderr
    assert "case_opened" in result.stdout


def test_timeline_shows_phases_actions_and_evidence(tmp_path: Path, ceasefire_file: Path):
    evidence = [{"uri": "https://example.org/photo.jpg", "sha256": "ab" * 32}]
    reports = write_jsonl(
        tmp_path / "r.jsonl",
        [
            record("r1", "2026-03-02T10:00:00Z", evidence=evidence),
            record("r2", "2026-03-03T11:00:00Z", lat=48.5),
        ],
    )
    result = runner.invoke(
        app, ["replay", "-c", str(ceasefire_file), str(reports)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    for expected in ("cf-test/RU/1", "PHASE 2 RECOMMENDED", "was overdue", "photo.jpg", "Summary"):
        assert expected in result.stdout


def test_missing_ceasefire_file_is_a_clear_error(tmp_path: Path):
    reports = write_jsonl(tmp_path / "r.jsonl", [])
    result = runner.invoke(app, ["replay", "-c", str(tmp_path / "nope.yaml"), str(reports)])
    assert result.exit_code == 2
    assert "nope.yaml" in result.stderr


def test_policy_show_prints_a_policy_that_checks(tmp_path: Path):
    shown = runner.invoke(app, ["policy", "show"])
    assert shown.exit_code == 0
    path = tmp_path / "p.yaml"
    path.write_text(shown.stdout)
    checked = runner.invoke(app, ["policy", "check", str(path)])
    assert checked.exit_code == 0
    assert "ok (policy three-phase v2)" in checked.stdout


def test_policy_check_names_the_line_of_each_problem(tmp_path: Path):
    text = runner.invoke(app, ["policy", "show"]).stdout
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("quiet: 72h", "quiet: soon"))
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "quiet: 72h" in row)
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 1
    assert f"p.yaml:{line}: close.quiet: invalid duration 'soon'" in result.stderr


def test_console_script_runs_the_demo_and_leaves_it_in_the_database(tmp_path: Path):
    exe = shutil.which("ceasewatch", path=str(Path(sys.executable).parent))
    assert exe is not None
    env = {k: v for k, v in os.environ.items() if k != "CEASEWATCH_DB"}

    def run(*args: str) -> str:
        done = subprocess.run(
            [exe, *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            cwd=tmp_path,
            env=env,
        )
        return done.stdout

    printed = run("demo", "--json")

    events = [json.loads(line) for line in printed.splitlines()]
    assert {e["phase"] for e in events if e["event"] == "phase_recommended"} == {2, 3}
    assert (tmp_path / "ceasewatch.db").is_file()
    assert run("events", "--json") == printed
