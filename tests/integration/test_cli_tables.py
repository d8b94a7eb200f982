"""The command line's tables read at 80 columns as at 120: words wrap whole, every date is
shown whole (the year left out where columns are narrow), nothing is cut off with an
ellipsis, and timelines say in words what happened, each overdue action's reminders in
one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from api_world import violation
from typer.testing import CliRunner

from builders import HOUR, T0, write_jsonl
from ceasewatch.cli import app
from ceasewatch.domain.events import iso_z

CASE = "cf-1/RU/1"
PARTIES = """\
parties:
  - {code: US, name: United States, roles: [guarantor], emails: [desk@us.example]}
  - {code: GB, name: United Kingdom, roles: [coalition_lead, coalition_member]}
  - {code: UA, name: Ukraine, roles: [side], emails: [ops@ua.example]}
  - {code: RU, name: Russia, roles: [side]}
"""
SOURCES = """\
sources:
  - {id: omm, kind: monitor, reliability: A, group: omm}
  - {id: chan-a, kind: media, group: newsroom-1}
"""
COMMANDS = [
    ["cases"],
    ["case", "show", CASE],
    ["events"],
    ["stats"],
    ["source", "list"],
    ["token", "list"],
    ["outbox"],
]
SPLIT_DATE = re.compile(r"\d\d-\d\d$|^\s*\d\d:\d\d\b")
"""A date at a line's end whose time went to the next line."""


class Cli:
    def __init__(self, db: str, width: int = 80):
        self.db, self.width = db, width

    def __call__(self, *args: str, code: int = 0) -> str:
        env = {"COLUMNS": str(self.width)}
        result = CliRunner().invoke(app, [*args, "--db", self.db], env=env)
        assert result.exit_code == code, result.output
        return result.stdout


@pytest.fixture(scope="module")
def closed_case(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database whose RU case went through its phases, its actions overdue for days, and
    closed quiet; with sources, tokens and notifications waiting."""
    folder = tmp_path_factory.mktemp("tables")
    db = f"sqlite:///{folder / 'cw.db'}"
    cli = Cli(db)
    cli("init")
    (folder / "cf.yaml").write_text(
        "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"
    )
    (folder / "parties.yaml").write_text(PARTIES)
    (folder / "sources.yaml").write_text(SOURCES)
    cli("ceasefire", "add", str(folder / "cf.yaml"))
    cli("party", "import", str(folder / "parties.yaml"))
    cli("source", "import", str(folder / "sources.yaml"))
    reports = [violation(1, 0, "missile_strike"), violation(2, 30), violation(3, 60)]
    cli("ingest", str(write_jsonl(folder / "reports.jsonl", reports)))
    cli("tick", "--until", iso_z(T0 + 10 * 24 * HOUR))
    cli("token", "create", "--role", "analyst", "--name", "ann")
    cli("token", "create", "--role", "reporter", "--name", "omm-team", "--source", "omm")
    return db


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_tables_fit_the_terminal_with_every_date_whole(
    closed_case: str, command: list[str], width: int
):
    lines = Cli(closed_case, width)(*command).splitlines()

    assert lines, command
    assert max(len(line) for line in lines) <= width
    assert not [line for line in lines if "…" in line or line != line.rstrip()]
    assert not [line for line in lines if SPLIT_DATE.search(line)]


def test_narrow_tables_show_dates_without_their_year_and_wide_ones_with_it(closed_case: str):
    narrow = Cli(closed_case, 80)("case", "show", CASE)
    wide = Cli(closed_case, 120)("case", "show", CASE)

    assert "Timeline (2026, UTC)" in narrow and "\n03-02 10:00  case opened" in narrow
    assert "Timeline (UTC)" in wide and "\n2026-03-02 10:00  case opened" in wide


def test_a_case_tells_its_timeline_in_words_with_its_reminders_folded(closed_case: str):
    shown = Cli(closed_case, 80)("case", "show", CASE)
    said = " ".join(shown.split())

    assert "case opened at phase 1 on inc-1 (broad attack)" in said
    assert "diplomatic_warning still overdue: reminded 8 times, last 03-07 10:00" in said
    assert "halt_breach still overdue: reminded 8 times, last 03-07 10:00" in said
    assert said.count("still overdue") == 2
    assert "case closed at phase 3: no further violation (quiet)" in said


def test_events_list_every_reminder(closed_case: str):
    events = Cli(closed_case, 120)("events", "--case", CASE)

    assert events.count("still overdue: its owners reminded") == 16


def test_a_closed_case_shows_its_deadlines_as_they_stood(closed_case: str):
    said = " ".join(Cli(closed_case, 80)("case", "show", CASE).split())

    assert "03-03 10:00 was overdue" in said
    assert "overdue by" not in said


def test_the_replay_of_the_demo_fits_80_columns():
    result = CliRunner().invoke(app, ["demo", "--no-store"], env={"COLUMNS": "80"})
    lines = result.stdout.splitlines()

    assert result.exit_code == 0
    assert max(len(line) for line in lines) <= 80
    assert not [line for line in lines if "…" in line or SPLIT_DATE.search(line)]
    assert "reminded" in result.stdout


def test_tick_says_what_fell_due_in_words(tmp_path: Path, closed_case: str):
    assert Cli(closed_case)("tick", "--until", iso_z(T0)) == (
        "the clock stays at 2026-03-12 10:00 UTC (it never goes back): nothing fell due\n"
    )
