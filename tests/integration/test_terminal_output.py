"""What the command line prints cannot steer the operator's terminal: a report's names,
an analyst's reason or a peer's message that holds a control character is shown with it
written out, so nobody can clear the screen, rewrite a line already shown, or retitle the
window of the person reading a case."""

from __future__ import annotations

import io
import json
import os
import pty
import sys
from pathlib import Path

import pytest
from api_world import violation
from rich.table import Table
from typer.testing import CliRunner

from builders import write_jsonl
from ceasewatch.cli import app
from ceasewatch.cli.common import Terminal, document_out
from ceasewatch.domain.reports import parse_report
from ceasewatch.services import commands
from ceasewatch.services.ingest import take
from ceasewatch.services.setup import add_ceasefire, init
from ceasewatch.services.system import open_system

CASE = "cf-1/RU/1"
CLEAR = "\x1b[2J"
UP_AND_ERASE = "\x1b[1A\x1b[2K"
TITLE = "\x1b]0;pwned\x07"


def cli(db: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, [*args, "--db", db], env={"COLUMNS": "120"})
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def store_of_old(tmp_path: Path) -> str:
    """A store that took, before names had to be printable, a report whose id and source
    steer a terminal, and an analyst's reason that does."""
    db = f"sqlite:///{tmp_path / 'cw.db'}"
    init(db)
    system = open_system(db)
    (tmp_path / "cf.yaml").write_text(
        "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"
    )
    add_ceasefire(system, tmp_path / "cf.yaml")
    old = violation(1, 0, id=f"v1{CLEAR}", source=f"omm{TITLE}")
    take(system, [parse_report(json.dumps(old), "old", stored=True)])
    take(system, [parse_report(json.dumps(violation(2, 1, source_kind="media")), "new")])
    commands.review_incident(
        system, "cf-1", "inc-2", "verify", by="ann", reason=f"seen{UP_AND_ERASE}ok"
    )
    system.db.dispose()
    return db


@pytest.mark.parametrize("command", [["cases"], ["case", "show", CASE], ["events"], ["stats"]])
def test_no_command_prints_a_control_character_from_the_store(store_of_old: str, command):
    shown = cli(store_of_old, *command)

    assert "\x1b" not in shown and "\x07" not in shown


def test_a_case_shows_the_characters_it_held_back_as_escapes(store_of_old: str):
    shown = cli(store_of_old, "case", "show", CASE)

    assert "v1\\x1b[2J" in shown
    assert "omm\\x1b]0;pwned\\x07" in shown


def test_an_ingest_names_a_record_whose_id_steers_a_terminal_in_escapes(
    store_of_old: str, tmp_path: Path
):
    path = write_jsonl(tmp_path / "hostile.jsonl", [violation(3, 2, id=f"v3{UP_AND_ERASE}")])

    shown = cli(store_of_old, "ingest", str(path), code=1)

    assert "\x1b" not in shown
    assert "(id v3\\x1b[1A\\x1b[2K): field id: must hold no control or formatting" in shown
    assert "1 rejected" in shown


def test_a_document_written_to_a_terminal_shows_its_controls_as_escapes(
    monkeypatch: pytest.MonkeyPatch,
):
    """As `ls` shows a file's name: an export or a daily report to a file or a pipe is
    written as it is."""
    reader, writer = pty.openpty()
    with open(writer, "w", closefd=False) as terminal:
        monkeypatch.setattr(sys, "stdout", terminal)
        document_out().write(f"id,text\nv1,{CLEAR}hidden\n")
    assert os.read(reader, 1000) == b"id,text\r\nv1,\\x1b[2Jhidden\r\n"  # the tty's \r\n
    os.close(reader)
    os.close(writer)

    piped = io.StringIO()
    monkeypatch.setattr(sys, "stdout", piped)
    document_out().write(f"v1,{CLEAR}\n")
    assert piped.getvalue() == f"v1,{CLEAR}\n"


def test_the_console_keeps_its_own_styles_and_line_breaks():
    file = io.StringIO()
    console = Terminal(file=file, force_terminal=True, color_system="standard", width=60)
    table = Table("name")
    table.add_row(f"a{CLEAR}b")

    console.print("[bold]two[/bold]\nlines", table)

    shown = file.getvalue()
    assert "\x1b[1mtwo\x1b[0m\nlines" in shown
    assert "a\\x1b[2Jb" in shown and CLEAR not in shown
