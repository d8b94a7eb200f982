"""Rules the pages, the API and the command line keep alike, through one service rule:

- a closed case offers no action and no decision, and says why ("case cf-1/RU/1 is closed
  (quiet, 2026-03-07 22:00)");
- an action is marked done for a party that owns it (a party code, a role of the
  directory, or the violator/defender of the case), or recorded by the coordination
  cell's admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_world import CASE, World, build
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_client import client as web_client
from web_client import sign_in, words_of

from builders import DAY, HOUR, T0
from ceasewatch.app import create_app
from ceasewatch.cli import app
from ceasewatch.services.clock import tick
from ceasewatch.services.system import System
from ceasewatch.store import queries
from ceasewatch.store.database import reading

CLOSED = f"case {CASE} is closed (quiet, 2026-03-07 22:00)"
"""The world's last violation is at T0 + 60 h; 72 h of quiet close the case."""
DECIDE = ["decide", CASE, "--phase", "3", "--authorise", "--by", "US", "--reason", "confirmed"]


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


@pytest.fixture
def closed(world: World) -> World:
    tick(world.system, T0 + 60 * HOUR + 3 * DAY + HOUR)
    return world


def cli(world: World, *args: str, code: int = 0) -> str:
    url = world.system.db.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, [*args, "--db", url], env={"COLUMNS": "120"})
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def api(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.system)) as http:
        yield http


def mark(api: TestClient, world: World, who: str, action: str) -> tuple[int, str | None]:
    """The API's answer to marking an action done: its status, and its error if any."""
    response = api.post(
        f"/api/v1/cases/{CASE}/actions/{action}", json={"note": "n"}, headers=world.headers(who)
    )
    return response.status_code, response.json().get("error")


def done_by(world: World, action: str) -> str | None:
    with reading(world.system.db) as conn:
        case = queries.case(conn, CASE)
    assert case is not None
    return next(a["done_by"] for a in case["actions"] if a["action_id"] == action)


def evidence(pieces: int) -> list[dict[str, str]]:
    return [
        {"uri": f"https://example.org/cable-{n}.pdf", "sha256": "c" * 64} for n in range(pieces)
    ]


# -- evidence ----------------------------------------------------------------------------


def test_an_action_is_marked_done_with_its_evidence(api: TestClient, world: World):
    answer = api.post(
        f"/api/v1/cases/{CASE}/actions/diplomatic_warning",
        json={"note": "delivered", "evidence": evidence(2)},
        headers=world.headers("decision_maker:US"),
    )

    assert answer.status_code == 200
    shown = api.get(f"/api/v1/cases/{CASE}", headers=world.headers("observer")).json()
    [done] = [a for a in shown["actions"] if a["action_id"] == "diplomatic_warning"]
    assert done["evidence"] == evidence(2)


def test_an_action_done_with_more_evidence_than_a_report_may_carry_is_refused(
    api: TestClient, world: World
):
    answer = api.post(
        f"/api/v1/cases/{CASE}/actions/diplomatic_warning",
        json={"note": "delivered", "evidence": evidence(1001)},
        headers=world.headers("decision_maker:US"),
    )

    assert answer.status_code == 422
    [problem] = answer.json()["errors"]
    assert (problem["field"], problem["message"]) == (
        "evidence",
        "at most 1,000 pieces of evidence, not 1,001",
    )
    assert done_by(world, "diplomatic_warning") is None


# -- a closed case -----------------------------------------------------------------------


def test_the_command_line_marks_no_action_of_a_closed_case_done(closed: World):
    output = cli(closed, "action", "done", CASE, "diplomatic_warning", "--by", "US", code=1)

    assert output == f"error: {CLOSED}\n"
    assert done_by(closed, "diplomatic_warning") is None


def test_the_command_line_takes_no_decision_on_a_closed_case(closed: World):
    assert cli(closed, *DECIDE, code=1) == f"error: {CLOSED}\n"


@pytest.mark.parametrize("who", ["decision_maker:US", "admin"])
def test_the_api_refuses_an_action_on_a_closed_case_with_the_reason(
    closed: World, api: TestClient, who: str
):
    assert mark(api, closed, who, "diplomatic_warning") == (409, CLOSED)


def test_the_api_refuses_a_decision_on_a_closed_case_with_the_reason(
    closed: World, api: TestClient
):
    response = api.post(
        f"/api/v1/cases/{CASE}/decisions",
        json={"phase": 3, "decision": "authorise", "reason": "confirmed"},
        headers=closed.headers("decision_maker:US"),
    )

    assert (response.status_code, response.json()["error"]) == (409, CLOSED)


@pytest.mark.parametrize("who", ["decision_maker:US", "admin"])
def test_the_page_of_a_closed_case_offers_no_form(closed: World, who: str):
    http = web_client(closed)
    sign_in(http, closed.tokens[who])

    page = http.get(f"/cases/{CASE}").text

    assert "<form" not in page.split('id="case-body"')[1]
    assert "was overdue from" in words_of(page)


def test_a_form_posted_for_a_closed_case_is_refused_with_the_reason(closed: World):
    http = web_client(closed)
    csrf = sign_in(http, closed.tokens["admin"])

    response = http.post(
        f"/cases/{CASE}/actions/diplomatic_warning", data={"csrf": csrf, "note": "late"}
    )

    assert response.status_code == 409
    assert f"C{CLOSED[1:]}." in words_of(response.text)
    assert done_by(closed, "diplomatic_warning") is None


# -- owners ------------------------------------------------------------------------------


def test_the_command_line_refuses_a_party_that_does_not_own_the_action(world: World):
    output = cli(world, "action", "done", CASE, "halt_breach", "--by", "US", code=1)

    assert output == (
        f"error: US is not an owner of halt_breach of case {CASE}: its owners are defender\n"
    )
    assert done_by(world, "halt_breach") is None


@pytest.mark.parametrize(
    ("party", "action"),
    [
        ("EU", "diplomatic_warning"),  # not in the directory: owner by its code alone
        ("GB", "diplomatic_warning"),  # role:coalition_lead, through the directory
        ("UA", "halt_breach"),  # the defender of this case
    ],
)
def test_the_command_line_marks_done_for_an_owner(world: World, party: str, action: str):
    output = cli(world, "action", "done", CASE, action, "--by", party)

    assert f"{action} done by {party}" in output
    assert done_by(world, action) == party


def test_the_api_refuses_a_decision_maker_whose_party_does_not_own_the_action(
    world: World, api: TestClient
):
    assert mark(api, world, "decision_maker:US", "halt_breach") == (
        403,
        f"US is not an owner of halt_breach of case {CASE}: its owners are defender",
    )


@pytest.mark.parametrize(
    ("who", "action"),
    [("decision_maker:GB", "diplomatic_warning"), ("decision_maker:UA", "halt_breach")],
)
def test_the_api_marks_done_for_an_owners_decision_maker(
    world: World, api: TestClient, who: str, action: str
):
    assert mark(api, world, who, action) == (200, None)
    assert done_by(world, action) == who.split(":")[1]


def test_the_coordination_cells_admin_records_any_action_under_their_own_name(
    world: World, api: TestClient
):
    assert mark(api, world, "admin", "halt_breach") == (200, None)
    assert done_by(world, "halt_breach") == "admin"


def test_an_unknown_action_is_not_found(world: World, api: TestClient):
    assert mark(api, world, "admin", "no_such") == (404, f"case {CASE} has no action no_such")
