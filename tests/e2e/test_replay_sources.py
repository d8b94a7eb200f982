"""`replay --sources`: the source registry decides groups, kinds and grades (rule 6)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from builders import write_jsonl
from ceasewatch.cli import app

runner = CliRunner()

CEASEFIRE = """\
id: cf-2026
name: Example ceasefire
parties: [RU, UA]
effective_from: 2026-03-01T00:00:00Z
"""
SOURCES = """\
sources:
  - {id: omm-3, kind: monitor, reliability: A, group: omm}
  - {id: chan-a, kind: media, group: newsroom-1}   # reposts of one newsroom
  - {id: chan-b, kind: media, group: newsroom-1}
"""


def record(rid: str, source: str, minutes: int, **claims: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "source": source,
        "occurred_at": f"2026-03-05T09:{minutes:02d}:00Z",
        "lat": 48.0,
        "lon": 37.8 + minutes / 1000,
        "event_type": "artillery",
        "perpetrator": "RU",
        **claims,
    }


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "cf.yaml").write_text(CEASEFIRE)
    (tmp_path / "sources.yaml").write_text(SOURCES)
    return tmp_path


def replay(files: Path, reports: list[dict[str, Any]], *more: str) -> list[dict[str, Any]]:
    path = write_jsonl(files / "reports.jsonl", reports)
    args = ["replay", "--ceasefire", str(files / "cf.yaml"), str(path), "--json", *more]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def opened(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == "case_opened"]


def test_two_channels_of_one_newsroom_do_not_corroborate(files: Path):
    reports = [record("a1", "chan-a", 0, source_kind="media"), record("b1", "chan-b", 10)]

    assert len(opened(replay(files, reports))) == 1
    assert opened(replay(files, reports, "--sources", str(files / "sources.yaml"))) == []


def test_a_source_of_another_group_corroborates_them(files: Path):
    reports = [record("a1", "chan-a", 0), record("b1", "chan-b", 10), record("x1", "osint-x", 20)]

    [event] = opened(replay(files, reports, "--sources", str(files / "sources.yaml")))

    assert event["at"] == "2026-03-05T09:20:00Z"


def test_a_declared_media_channel_cannot_grade_itself_a_monitor(files: Path):
    reports = [record("a1", "chan-a", 0, source_kind="monitor", reliability="A", credibility=1)]

    assert opened(replay(files, reports, "--sources", str(files / "sources.yaml"))) == []


def test_a_declared_monitor_verifies_alone(files: Path):
    reports = [record("m1", "omm-3", 0, credibility=1)]

    assert len(opened(replay(files, reports, "--sources", str(files / "sources.yaml")))) == 1


def test_a_bad_sources_file_names_the_entry_and_field(files: Path):
    (files / "bad.yaml").write_text(
        "sources:\n  - {id: omm-3, kind: monitor}\n  - {id: chan-a, reliability: AA}\n"
    )
    reports = write_jsonl(files / "reports.jsonl", [record("a1", "chan-a", 0)])

    result = runner.invoke(
        app,
        [
            "replay",
            "-c",
            str(files / "cf.yaml"),
            str(reports),
            "--sources",
            str(files / "bad.yaml"),
        ],
    )

    assert result.exit_code == 2
    assert "bad.yaml:3: sources.1 (chan-a): field reliability" in result.stderr
