"""Now is the store's clock: deadlines are counted against it, not the wall clock, and every
page says when it lags the wall clock (no live ticker running)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from api_world import CASE, NOW, World, build, violation
from starlette.testclient import TestClient
from typer.testing import CliRunner
from web_client import SETTINGS, FixedClock, sign_in

from builders import DAY, HOUR, MINUTE, SECOND, T0, write_jsonl
from ceasewatch.app import create_app
from ceasewatch.cli import app as cli_app
from ceasewatch.services.clock import Clock, SteadyClock, tick
from ceasewatch.services.ingest import ingest
from ceasewatch.services.system import System

STORED = T0 + 73 * HOUR
"""The world's stored clock: 2026-03-05 11:00 UTC, while the wall clock says November."""
PAGES = ["/cases", f"/cases/{CASE}", "/map", "/queue", "/reports/new"]


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    """The RU case (its phase-1 actions due at T0 + 24 h), and a UA case opened at the
    stored clock (its phase-1 actions due in 24 h)."""
    world = build(system, tmp_path)
    ua = violation(9, 73, "artillery", perpetrator="UA", lat=47.5)
    ingest(system, [str(write_jsonl(tmp_path / "ua.jsonl", [ua]))])
    return world


def browser(world: World, wall: Clock, who: str = "admin") -> TestClient:
    http = TestClient(create_app(world.system, clock=wall, web=SETTINGS), follow_redirects=False)
    sign_in(http, world.tokens[who])
    return http


# -- the API ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reporter", "analyst", "decision_maker:US", "observer", "admin"])
def test_every_role_reads_the_stored_clock_beside_the_wall_clock(world: World, who: str):
    api = TestClient(create_app(world.system, clock=FixedClock(NOW)))

    answer = api.get("/api/v1/clock", headers=world.headers(who))

    assert answer.status_code == 200
    assert answer.json() == {
        "clock": "2026-03-05T11:00:00Z",
        "wall": "2026-11-25T12:00:00Z",
        "lag_s": (NOW - STORED).total_seconds(),
    }


def test_the_clock_takes_a_token(world: World):
    api = TestClient(create_app(world.system, clock=FixedClock(NOW)))

    assert api.get("/api/v1/clock").status_code == 401


def test_healthz_gives_the_clock_and_its_lag(world: World):
    api = TestClient(create_app(world.system, clock=FixedClock(STORED + 2 * SECOND)))

    assert api.get("/healthz").json() == {
        "status": "ok",
        "clock": "2026-03-05T11:00:00Z",
        "wall": "2026-03-05T11:00:02Z",
        "lag_s": 2.0,
    }


# -- the pages -------------------------------------------------------------------------


def test_the_board_counts_deadlines_against_the_stored_clock(world: World):
    page = browser(world, FixedClock(NOW)).get("/cases").text

    assert "overdue by 2 d 1 h" in page  # the RU case's phase-1 actions, due T0 + 24 h
    assert "due in 1 d" in page  # the UA case's, due 24 h after the stored clock
    assert not re.search(r"overdue by \d{3} d", page)  # not against November's wall clock
    assert 'data-now="2026-03-05T11:00:00Z"' in page
    assert "Clock: <time" in page and "2026-03-05 11:00 UTC" in page


def test_a_case_page_counts_deadlines_against_the_stored_clock(world: World):
    page = browser(world, FixedClock(NOW)).get(f"/cases/{CASE}").text

    assert "overdue by 2 d 1 h" in page


@pytest.mark.parametrize("path", PAGES)
def test_every_page_says_when_no_live_ticker_runs(world: World, path: str):
    page = browser(world, FixedClock(NOW)).get(path)

    assert page.status_code == 200
    assert "No live ticker: deadlines as of 2026-03-05 11:00 UTC" in page.text


@pytest.mark.parametrize(
    ("lag", "shown"), [(0 * SECOND, False), (MINUTE, False), (MINUTE + SECOND, True)]
)
def test_the_banner_shows_when_the_clock_lags_more_than_a_minute(
    world: World, lag: timedelta, shown: bool
):
    page = browser(world, FixedClock(STORED + lag)).get("/cases").text

    assert ("No live ticker" in page) is shown
    assert ('data-clock="still"' in page) is shown  # the page's countdowns stand still too


def test_a_clock_ahead_of_the_wall_clock_is_named_too(world: World):
    tick(world.system, STORED + 48 * HOUR)

    page = browser(world, FixedClock(STORED)).get("/cases").text

    assert "ahead of the wall clock" in page


def test_a_host_clock_that_jumped_ahead_is_named_on_every_page(world: World):
    host, up = FixedClock(STORED), [0.0]
    pages = browser(world, SteadyClock(host, monotonic=lambda: up[0]))
    pages.get("/cases")
    host.at += 3 * DAY

    page = pages.get("/cases").text

    assert "This server's host clock jumped 3 d ahead" in page
    assert "No live ticker" not in page  # the server goes by its uptime: the clock keeps up


# -- the command line ------------------------------------------------------------------

runner = CliRunner()


def cli(world: World, *args: str) -> str:
    url = world.system.db.url.render_as_string(hide_password=False)
    result = runner.invoke(cli_app, [*args, "--db", url], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_cases_counts_deadlines_against_the_stored_clock(world: World):
    output = cli(world, "cases", "--open")

    assert "as of the stored clock 2026-03-05 11:00Z" in output
    assert "overdue by 2 d 1 h" in output
    assert "due in 1 d" in output


def test_case_show_counts_deadlines_against_the_stored_clock(world: World):
    output = cli(world, "case", "show", CASE)

    assert "overdue by 2 d 1 h" in output
    assert "as of the stored clock 2026-03-05 11:00Z" in output


def test_tick_prints_one_line_from_to_and_how_many_events(world: World):
    output = cli(world, "tick", "--until", "2026-03-05T22:00:00Z")

    assert output == "clock 2026-03-05 11:00 → 22:00 UTC: 2 reminders of overdue actions\n"


def test_a_tick_that_fires_nothing_says_so(world: World):
    output = cli(world, "tick", "--until", "2026-03-05T11:30:00Z")

    assert output == "clock 2026-03-05 11:00 → 11:30 UTC: nothing fell due\n"
