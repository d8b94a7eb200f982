"""Tokens: bound to a party of the directory or to sources of the registry; they expire."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from api_world import NOW, World, build
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_client import FixedClock, client, csrf_of

from ceasewatch.app import create_app
from ceasewatch.cli import app
from ceasewatch.services import tokens
from ceasewatch.services.system import System

runner = CliRunner()


def cli(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--db", db])
    return result.exit_code, result.output


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


@pytest.fixture
def db(world: World) -> str:
    return world.system.db.url.render_as_string(hide_password=False)


def expiring(world: World, lifetime: timedelta) -> str:
    """An observer's token made at NOW that works for `lifetime`."""
    return tokens.create(
        world.system,
        name="brief",
        role=tokens.UserRole.OBSERVER,
        party=None,
        now=NOW,
        expires=lifetime,
    )


@pytest.mark.parametrize(
    ("party", "why"),
    [
        ("us", "party 'us': a party code is upper case, as in the directory (US?)"),
        ("FR", "party FR is not in the directory: add it first (ceasewatch party import)"),
    ],
)
def test_a_decision_makers_party_is_a_code_of_the_directory(db: str, party: str, why: str):
    code, output = cli(
        db, "token", "create", "--role", "decision_maker", "--name", "x", "--party", party
    )

    assert code == 2
    assert why in output


def test_a_reporter_is_bound_only_to_sources_of_the_registry(db: str):
    code, output = cli(
        db,
        "token",
        "create",
        "--role",
        "reporter",
        "--name",
        "x",
        "--source",
        "omm",
        "--source",
        "tass",
    )

    assert code == 2
    assert "source tass is not in the registry" in output


def test_a_bound_token_and_its_expiry_are_listed(db: str):
    code, output = cli(
        db,
        "token",
        "create",
        "--role",
        "reporter",
        "--name",
        "omm-2",
        "--source",
        "omm",
        "--expires",
        "90d",
    )
    assert code == 0, output
    assert "token omm-2 (reporter as omm, expires in 90d)" in output

    _, listed = cli(db, "token", "list")
    [line] = [line for line in listed.splitlines() if line.startswith("omm-2")]
    assert " omm " in line
    assert "live, expires" in line


def test_a_lifetime_is_written_as_the_policys_durations(db: str):
    code, output = cli(
        db, "token", "create", "--role", "observer", "--name", "x", "--expires", "soon"
    )

    assert code == 2
    assert "--expires: invalid duration 'soon'" in output


def test_an_expired_token_is_refused_like_a_revoked_one(world: World):
    token = expiring(world, timedelta(hours=1))
    headers = {"Authorization": f"Bearer {token}"}
    within = TestClient(create_app(world.system, clock=FixedClock(NOW + timedelta(minutes=59))))
    after = TestClient(create_app(world.system, clock=FixedClock(NOW + timedelta(hours=1))))

    assert within.get("/api/v1/cases", headers=headers).status_code == 200
    refused = after.get("/api/v1/cases", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"] == "unknown, revoked or expired token"


def test_an_expired_token_cannot_sign_in_to_the_web_pages(world: World):
    token = expiring(world, timedelta(days=90))
    http = client(world, FixedClock(NOW + timedelta(days=91)))
    page = http.get("/login")

    response = http.post("/login", data={"token": token, "csrf": csrf_of(page.text)})

    assert response.status_code == 401
    assert "Unknown, revoked or expired token." in response.text


def test_a_web_session_ends_when_its_token_expires(world: World):
    token = expiring(world, timedelta(hours=1))
    clock = FixedClock(NOW)
    http = client(world, clock)
    page = http.get("/login")
    http.post("/login", data={"token": token, "csrf": csrf_of(page.text)})
    assert http.get("/cases").status_code == 200

    clock.at = NOW + timedelta(hours=2)

    assert http.get("/cases").status_code == 303
