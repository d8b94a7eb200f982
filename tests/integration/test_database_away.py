"""A database gone for a while (restarted, cut off), as the server meets it: each request
is answered 503 with `Retry-After`, not 500, nothing half-taken, and the same request
sent again once the database is back is taken."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from api_world import World, build, violation
from postgres_admin import cut_off
from web_client import client, sign_in

from builders import HOUR, T0
from ceasewatch.cli.common import system_at
from ceasewatch.domain.events import iso_z
from ceasewatch.services.reads import status
from ceasewatch.services.system import System


@pytest.fixture
def world(pg_system: System, tmp_path: Path) -> World:
    return build(pg_system, tmp_path)


def test_a_report_sent_while_the_database_is_away_is_refused_for_now_and_taken_after(
    world: World, pg_url: str
):
    http = client(world)
    report = violation(20, 74, reported_at=iso_z(T0 + 74 * HOUR))
    headers = world.headers("reporter:omm")
    with cut_off(pg_url):
        away = http.post("/api/v1/reports", json=report, headers=headers)
    back = http.post("/api/v1/reports", json=report, headers=headers)

    assert away.status_code == 503
    assert away.headers["Retry-After"] == "10"
    assert away.json()["error"] == (
        "the database cannot be reached: nothing was taken; try again shortly"
    )
    assert (back.status_code, back.json()["stored"]) == (200, ["v20"])


def test_a_page_while_the_database_is_away_says_so_and_tries_again(world: World, pg_url: str):
    http = client(world)
    sign_in(http, world.tokens["observer"])
    with cut_off(pg_url):
        page = http.get("/cases")
    again = http.get("/cases")

    assert page.status_code == 503
    assert "The database cannot be reached" in page.text
    assert '<meta http-equiv="refresh" content="10">' in page.text
    assert again.status_code == 200


def test_a_command_whose_database_goes_away_while_it_runs_says_so_in_one_line(
    pg_system: System, pg_url: str, capsys: pytest.CaptureFixture[str]
):
    with pytest.raises(typer.Exit) as ended, system_at(pg_url) as system:
        status.stats(system)
        with cut_off(pg_url):
            status.stats(system)

    assert ended.value.exit_code == 1
    said = capsys.readouterr().err.strip()
    assert said.startswith("error: the database failed: ")
    assert "Traceback" not in said and len(said.splitlines()) == 1
