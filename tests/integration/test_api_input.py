"""Bad input gets a 4xx JSON body naming the record and field; good records are kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_world import NOW, World, build, violation
from fastapi.testclient import TestClient

from ceasewatch.app import create_app
from ceasewatch.domain.events import iso_z
from ceasewatch.services.system import System


class FixedClock:
    def now(self):  # type: ignore[no-untyped-def]
        return NOW


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    app = create_app(world.system, clock=FixedClock(), body_limit=200_000)
    with TestClient(app, headers=world.headers("reporter:omm")) as client:
        yield client


def test_a_batch_with_bad_records_stores_the_good_ones_and_names_each_bad_field(
    client: TestClient,
):
    batch = [
        violation(11, 70),
        {**violation(12, 70), "lat": 91},
        {**violation(13, 70), "event_type": "x"},
    ]

    response = client.post("/api/v1/reports", json=batch)

    assert response.status_code == 200
    body = response.json()
    assert body["stored"] == ["v11"]
    assert [(e["record"], e["field"]) for e in body["rejected"]] == [
        ("record 1 (id v12)", "lat"),
        ("record 2 (id v13)", "event_type"),
    ]


def test_a_single_bad_report_is_a_422_naming_its_field(client: TestClient):
    response = client.post("/api/v1/reports", json={**violation(14, 70), "killed": -1})

    assert response.status_code == 422
    assert [(e["record"], e["field"]) for e in response.json()["errors"]] == [
        ("record 0 (id v14)", "killed")
    ]


def test_true_for_a_count_is_a_bad_field_not_one_killed(client: TestClient):
    batch = [violation(15, 70), {**violation(16, 70), "killed": True}]

    body = client.post("/api/v1/reports", json=batch).json()

    assert body["stored"] == ["v15"]
    assert [(e["record"], e["field"]) for e in body["rejected"]] == [
        ("record 1 (id v16)", "killed")
    ]


def test_an_id_that_would_steer_a_terminal_is_a_bad_field_shown_in_escapes(client: TestClient):
    batch = [violation(17, 70), violation(18, 70, id="v18\x1b[1A\x1b[2K")]

    body = client.post("/api/v1/reports", json=batch).json()

    assert body["stored"] == ["v17"]
    assert body["rejected"] == [
        {
            "record": "record 1 (id v18\\x1b[1A\\x1b[2K)",
            "field": "id",
            "message": "must hold no control or formatting characters (it holds \\x1b)",
        }
    ]


def test_a_report_sent_again_changes_nothing(client: TestClient):
    first = client.post("/api/v1/reports", json=violation(15, 70)).json()
    again = client.post("/api/v1/reports", json=violation(15, 70)).json()

    assert (first["stored"], again["stored"], again["duplicates"]) == (["v15"], [], ["v15"])


def test_a_report_without_reported_at_was_reported_when_received(client: TestClient, world: World):
    client.post("/api/v1/reports", json=violation(16, 70))

    [stored] = client.get("/api/v1/reports?source=omm&limit=1000").json()["items"][-1:]
    assert stored["reported_at"] == iso_z(NOW)


def test_a_body_that_is_not_json_is_a_400(client: TestClient):
    response = client.post(
        "/api/v1/reports", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "(body)"


def test_a_number_too_long_to_read_is_a_400_in_plain_words(client: TestClient):
    body = '{"id": "v1", "killed": ' + "9" * 5_000 + "}"

    response = client.post(
        "/api/v1/reports", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "a number of more than 4,300 digits"


def test_more_than_10000_reports_is_a_413(world: World):
    app = create_app(world.system, clock=FixedClock())
    with TestClient(app, headers=world.headers("reporter:omm")) as client:
        response = client.post("/api/v1/reports", json=[{}] * 10_001)

    assert response.status_code == 413


def test_a_body_over_the_limit_is_a_413(client: TestClient):
    response = client.post("/api/v1/reports", json=[violation(17, 70, text="x" * 300_000)])

    assert response.status_code == 413
    assert "over 200000 bytes" in response.json()["error"]


def test_a_bad_query_parameter_is_a_422_naming_it(client: TestClient):
    response = client.get("/api/v1/reports?bbox=1,2,3")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "bbox"


def test_a_verdict_without_a_reason_is_a_422(world: World):
    with TestClient(create_app(world.system), headers=world.headers("analyst")) as client:
        response = client.post("/api/v1/incidents/cf-1:inc-4/reject", json={"reason": ""})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"


def test_an_unknown_incident_is_a_404_and_a_refused_command_a_409(world: World):
    with TestClient(create_app(world.system), headers=world.headers("analyst")) as client:
        missing = client.post("/api/v1/incidents/cf-1:inc-99/reject", json={"reason": "x"})
        refused = client.post("/api/v1/incidents/cf-1:inc-1/dispute", json={"reason": "x"})

    assert missing.status_code == 404
    assert refused.status_code == 409
    assert "reject it instead" in refused.json()["error"]


def test_a_bad_party_is_a_422_saying_why_in_words(world: World):
    body = {"name": "Germany", "webhook_url": "https://hooks.example/de"}
    with TestClient(create_app(world.system), headers=world.headers("admin")) as client:
        response = client.put("/api/v1/parties/DE", json=body)

    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["record"] == "party DE"
    assert problem["message"].startswith("a webhook_url needs a webhook_secret")
    assert "pydantic.dev" not in response.text
