"""Rule 7 where people meet it: the defender's fire to halt a breach shown on the violator's
case (CLI, API, pages), and an analyst counting it as a violation after all, with a reason,
from the command line, the API or the queue page, journaled and audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_world import CASE, World, build, defend
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_client import FixedClock, client, sign_in, words_of

from builders import HOUR, T0
from ceasewatch.app import create_app
from ceasewatch.cli import app
from ceasewatch.domain.events import iso_z
from ceasewatch.services import commands
from ceasewatch.services.system import System
from ceasewatch.store import queries
from ceasewatch.store.database import reading

RESPONSE = "cf-1:inc-5"
HALTING = "UA fire at 00:30 (inc-5), 2.7 km from inc-3: halting the breach"
"""How the RU case's timeline words the world's defensive response."""
UA_CASE = "cf-1/UA/1"


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    world = build(system, tmp_path)
    assert defend(world, tmp_path) == RESPONSE
    return world


def incident(world: World, key: str = RESPONSE) -> dict[str, object]:
    with reading(world.system.db) as conn:
        found = queries.incident(conn, *key.split(":"))
    assert found is not None
    return found


def audited(world: World, kind: str) -> list[dict[str, object]]:
    with reading(world.system.db) as conn:
        return list(queries.audit_bodies(conn, kind))


# -- the command line -----------------------------------------------------------------------


class Cli:
    def __init__(self, db: str) -> None:
        self.db = db

    def __call__(self, *args: str, code: int = 0) -> str:
        result = CliRunner().invoke(app, [*args, "--db", self.db], env={"COLUMNS": "120"})
        assert result.exit_code == code, result.output
        return result.output


@pytest.fixture
def cli(world: World, db_url: str) -> Cli:
    return Cli(db_url)


def test_an_analyst_counts_a_defensive_response_as_a_violation_from_the_command_line(
    cli: Cli, world: World, tmp_path: Path
):
    output = cli(
        "incident", "count-as-violation", "cf-1", "inc-5", "--by", "ana", "--reason", "hit a school"
    )

    assert "inc-5 counted as a violation by ana (hit a school)" in output
    assert f"{UA_CASE}  case opened at phase 1 on inc-5" in output
    assert output.endswith("inc-5 of cf-1: counted as a violation\n")
    found = incident(world)
    assert (found["response_to"], found["case_id"]) == (None, UA_CASE)
    cli("audit", "export", str(tmp_path / "audit.jsonl"))
    entries = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    reclassified = [e for e in entries if e["kind"] == "response_reclassified"]
    assert [e["body"] for e in reclassified] == [
        {
            "ceasefire": "cf-1",
            "event": "response_reclassified",
            "case": CASE,
            "violator": "RU",
            "at": iso_z(T0 + 73.5 * HOUR),  # the stored clock: the fire's report arrived then
            "incident": "inc-5",
            "by": "ana",
            "reason": "hit a school",
        }
    ]
    assert cli("audit", "verify").endswith("verified: the chain, the journal and every row hold\n")


def test_fire_that_is_no_defensive_response_cannot_be_counted_as_one(cli: Cli, world: World):
    output = cli(
        "incident", "count-as-violation", "cf-1", "inc-1", "--by", "ana", "--reason", "x", code=1
    )

    assert output == "error: incident inc-1 is not a defensive response\n"
    assert audited(world, "response_reclassified") == []


def test_counting_a_defensive_response_as_a_violation_needs_a_reason(cli: Cli, world: World):
    for reason in ([], ["--reason", "  "]):
        output = cli(
            "incident", "count-as-violation", "cf-1", "inc-5", "--by", "ana", *reason, code=1
        )

        assert output == ("error: counting a defensive response as a violation needs a reason\n")
    assert incident(world)["response_to"] == CASE


def test_case_show_and_events_word_the_defensive_response(cli: Cli):
    shown = cli("case", "show", CASE)
    events = cli("events", "--case", CASE)
    as_json = json.loads(cli("case", "show", CASE, "--json"))

    assert "UA fire at 00:30 (inc-5), 2.7 km from inc-3: halting the breach" in events
    assert "halting the breach" in shown
    assert "Defensive responses (halting the breach; not violations)" in shown
    assert [r["id"] for r in as_json["responses"]] == ["inc-5"]
    assert "inc-5" not in [i["id"] for i in as_json["incidents"]]


# -- the API -------------------------------------------------------------------------------


@pytest.fixture
def api(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.system), headers=world.headers("analyst")) as api:
        yield api


def test_the_api_shows_which_case_a_defensive_response_answered(api: TestClient):
    shown = api.get(f"/api/v1/incidents/{RESPONSE}").json()
    case = api.get(f"/api/v1/cases/{CASE}").json()
    listed = api.get("/api/v1/incidents", params={"response_to": CASE}).json()

    assert (shown["response_to"], shown["case_id"]) == (CASE, None)
    assert [r["key"] for r in case["responses"]] == [RESPONSE]
    assert RESPONSE not in [i["key"] for i in case["incidents"]]
    assert [i["key"] for i in listed["items"]] == [RESPONSE]


def test_an_analyst_counts_a_defensive_response_as_a_violation_through_the_api(
    api: TestClient, world: World
):
    response = api.post(
        f"/api/v1/incidents/{RESPONSE}/count-as-violation", json={"reason": "hit a school"}
    )

    assert response.status_code == 200, response.json()
    events = response.json()["events"]
    assert [(e["event"], e["case"]) for e in events[:2]] == [
        ("response_reclassified", CASE),
        ("case_opened", UA_CASE),
    ]
    assert events[0]["by"] == "analyst"
    shown = api.get(f"/api/v1/incidents/{RESPONSE}").json()
    assert (shown["response_to"], shown["case_id"]) == (None, UA_CASE)
    assert api.get(f"/api/v1/cases/{CASE}").json()["responses"] == []
    assert [a["reason"] for a in audited(world, "response_reclassified")] == ["hit a school"]


def test_the_api_refuses_to_count_what_is_no_defensive_response_or_has_no_reason(
    api: TestClient,
):
    not_one = api.post("/api/v1/incidents/cf-1:inc-1/count-as-violation", json={"reason": "x"})
    missing = api.post("/api/v1/incidents/cf-1:inc-99/count-as-violation", json={"reason": "x"})
    blank = api.post(f"/api/v1/incidents/{RESPONSE}/count-as-violation", json={"reason": " "})

    assert not_one.status_code == 409
    assert not_one.json()["error"] == "incident inc-1 is not a defensive response"
    assert missing.status_code == 404
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "reason"


# -- the pages -------------------------------------------------------------------------------

CLOCK = FixedClock(T0 + 74 * HOUR)


def as_(world: World, who: str) -> tuple[TestClient, str]:
    http = client(world, CLOCK)
    return http, sign_in(http, world.tokens[who])


def test_the_violators_case_page_shows_the_defensive_response_in_words(world: World):
    http, _ = as_(world, "observer")
    page = http.get(f"/cases/{CASE}").text

    assert HALTING in words_of(page)
    assert f'<a href="/map/incidents/{RESPONSE}" data-panel>inc-5</a>' in page
    assert "<h2>Defensive responses</h2>" in page
    assert "Review" not in page.split("<h2>Defensive responses</h2>")[1]  # analysts only


def test_an_incidents_panel_says_which_case_it_halted_the_breach_of(world: World):
    http, _ = as_(world, "observer")
    panel = http.get(f"/map/incidents/{RESPONSE}", headers={"X-Fragment": "1"}).text
    unattributed = http.get("/map/incidents/cf-1:inc-4", headers={"X-Fragment": "1"}).text

    assert f'defensive response to case <a href="/cases/{CASE}">{CASE}</a>' in panel
    assert "no case" not in panel
    assert "<dd>no case</dd>" in unattributed  # unverified: no case yet


def test_the_queue_lists_defensive_responses_and_counts_one_as_a_violation(world: World):
    http, csrf = as_(world, "analyst")
    listed = http.get("/queue").text
    assert "Defensive responses (1)" in listed
    assert f"defensive response to {CASE}" in listed
    page = http.get("/queue", params={"incident": RESPONSE}).text
    assert 'action="/queue/count-as-violation"' in page

    response = http.post(
        "/queue/count-as-violation", data={"csrf": csrf, "key": RESPONSE, "reason": "a school"}
    )

    assert response.status_code == 303
    assert f"{RESPONSE} counted as a violation." in http.get(response.headers["location"]).text
    assert incident(world)["case_id"] == UA_CASE
    assert [a["by"] for a in audited(world, "response_reclassified")] == ["analyst"]
    case_page = http.get(f"/cases/{CASE}").text
    assert "inc-5 counted as a violation by analyst (a school)" in words_of(case_page)
    assert "<h2>Defensive responses</h2>" not in case_page


def test_a_defensive_response_rejected_since_leaves_the_queue_and_stays_on_its_case(
    world: World,
):
    commands.review_incident(
        world.system, "cf-1", "inc-5", "reject", by="analyst", reason="no such fire"
    )
    http, _ = as_(world, "analyst")

    listed = http.get("/queue").text
    case_page = http.get(f"/cases/{CASE}").text

    assert "Defensive responses (0)" in listed
    assert "No defensive responses." in listed
    responses = case_page.split("<h2>Defensive responses</h2>")[1]
    assert "<td>rejected</td>" in responses
    assert "/queue?incident=" not in responses  # nothing left to review


def test_counting_from_the_queue_needs_a_reason_the_forms_csrf_token_and_an_analyst(
    world: World,
):
    http, csrf = as_(world, "analyst")
    observer, observer_csrf = as_(world, "observer")

    blank = http.post(
        "/queue/count-as-violation", data={"csrf": csrf, "key": RESPONSE, "reason": " "}
    )
    forged = http.post(
        "/queue/count-as-violation", data={"csrf": "nope", "key": RESPONSE, "reason": "why"}
    )
    not_one = http.post(
        "/queue/count-as-violation", data={"csrf": csrf, "key": "cf-1:inc-1", "reason": "why"}
    )
    stranger = observer.post(
        "/queue/count-as-violation", data={"csrf": observer_csrf, "key": RESPONSE, "reason": "x"}
    )

    assert blank.status_code == 422
    assert "Give a reason" in blank.text
    assert forged.status_code == 403
    assert not_one.status_code == 409
    assert "incident inc-1 is not a defensive response" in not_one.text
    assert stranger.status_code == 403
    assert incident(world)["response_to"] == CASE
