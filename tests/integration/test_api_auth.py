"""The authorisation matrix: every endpoint, every role, no token, a revoked token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_world import CASE, NOW, World, build, defend, violation
from fastapi.testclient import TestClient

from ceasewatch.app import create_app
from ceasewatch.services import checkpoints
from ceasewatch.services.keys import new_signer
from ceasewatch.services.system import System
from ceasewatch.tlog.note import b64

READ = {"reporter", "analyst", "decision_maker:US", "observer", "admin"}
ANALYSTS = {"analyst", "admin"}
ADMIN = {"admin"}
REPORTERS = {"reporter", "analyst", "admin"}
ROLES = ["reporter", "analyst", "decision_maker:US", "observer", "admin"]

RESPONSE = "cf-1:inc-5"
"""The world's defensive response (rule 7): UA's fire to halt the RU case's breach."""

ENDPOINTS: list[tuple[str, str, Any, set[str]]] = [
    ("GET", "/api/v1/reports", None, READ),
    ("POST", "/api/v1/reports", [violation(9, 70)], REPORTERS),
    ("GET", "/api/v1/incidents", None, READ),
    ("GET", "/api/v1/incidents/cf-1:inc-1", None, READ),
    ("POST", "/api/v1/incidents/cf-1:inc-4/verify", {"reason": "imagery"}, ANALYSTS),
    ("POST", "/api/v1/incidents/cf-1:inc-4/dispute", {"reason": "contested"}, ANALYSTS),
    ("POST", "/api/v1/incidents/cf-1:inc-4/reject", {"reason": "staged"}, ANALYSTS),
    (
        "POST",
        f"/api/v1/incidents/{RESPONSE}/count-as-violation",
        {"reason": "shelled a village"},
        ANALYSTS,
    ),
    (
        "POST",
        "/api/v1/incidents/cf-1:inc-2/merge",
        {"reason": "one strike", "others": ["cf-1:inc-3"]},
        ANALYSTS,
    ),
    (
        "POST",
        "/api/v1/incidents/cf-1:inc-1/split",
        {"reason": "two strikes", "reports": [{"source": "omm", "id": "v1"}]},
        ANALYSTS,
    ),
    ("GET", "/api/v1/cases", None, READ),
    ("GET", f"/api/v1/cases/{CASE}", None, READ),
    (
        "POST",
        f"/api/v1/cases/{CASE}/decisions",
        {"phase": 3, "decision": "authorise", "reason": "evidence holds"},
        {"decision_maker:US"},
    ),
    (
        "POST",
        f"/api/v1/cases/{CASE}/actions/coordinated_response",
        {"note": "ordered"},
        {"decision_maker:US", "admin"},
    ),
    ("GET", "/api/v1/ceasefires", None, READ),
    ("GET", "/api/v1/ceasefires/cf-1", None, READ),
    (
        "POST",
        "/api/v1/ceasefires",
        {
            "ceasefire": {
                "id": "cf-2",
                "name": "Two",
                "parties": ["RU", "UA"],
                "effective_from": "2026-03-01T00:00:00Z",
            }
        },
        ADMIN,
    ),
    ("GET", "/api/v1/sources", None, READ),
    ("PUT", "/api/v1/sources", [{"id": "chan-z", "kind": "media"}], ANALYSTS),
    ("GET", "/api/v1/parties", None, READ),
    ("GET", "/api/v1/parties/GB", None, READ),
    ("PUT", "/api/v1/parties/FR", {"name": "France", "roles": ["coalition_lead"]}, ADMIN),
    ("GET", "/api/v1/audit", None, READ),
    ("GET", "/api/v1/audit/export", None, READ),
    ("GET", "/api/v1/audit/verify", None, READ),
    ("GET", "/api/v1/audit/checkpoints", None, READ),
    ("GET", "/api/v1/audit/checkpoints/latest", None, READ),
    ("POST", "/api/v1/audit/checkpoints", None, ADMIN),
    (
        "POST",
        "/api/v1/audit/checkpoints/1/signatures",
        {"name": "US", "signature": b64(bytes(68))},
        {"decision_maker:US", "admin"},
    ),
    ("GET", "/api/v1/keys", None, READ),
    (
        "PUT",
        "/api/v1/parties/US/keys",
        {"public_key": b64(new_signer("US").verifier.public_key)},
        {"decision_maker:US", "admin"},
    ),
    ("GET", "/api/v1/journal/entries", None, READ),
    ("GET", "/api/v1/journal/audit", None, READ),
    ("GET", "/api/v1/journal/state", None, READ),
    ("GET", "/api/v1/events", None, READ),
    ("GET", "/api/v1/clock", None, READ),
    ("GET", "/api/v1/outbox", None, {"observer", "admin"}),
    ("POST", "/api/v1/outbox/1/retry", None, ADMIN),
    ("POST", "/api/v1/outbox/1/ack", None, {"decision_maker:US", "admin"}),
    ("GET", "/metrics", None, {"observer", "admin"}),
    ("POST", "/api/v1/parties/US/webhook-test", None, {"decision_maker:US", "admin"}),
]


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    world = build(system, tmp_path)
    assert defend(world, tmp_path) == RESPONSE
    checkpoints.create(system, NOW)
    return world


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.system)) as client:
        yield client


def call(
    client: TestClient, world: World, who: str | None, method: str, path: str, body: Any
) -> int:
    response = client.request(method, path, json=body, headers=world.headers(who))
    assert response.headers["content-type"].startswith(
        ("application/json", "application/x-ndjson", "text/plain")
    )
    return response.status_code


def endpoint_id(value: Any) -> str:
    """A test id that is the same in every process (a set's order is not): xdist needs it."""
    if isinstance(value, set | frozenset):
        value = sorted(value)
    elif isinstance(value, dict):
        value = sorted(value)  # its fields: some values are made afresh (a new key)
    elif isinstance(value, list):
        value = f"{len(value)} records"
    return str(value)[:40]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS, ids=endpoint_id)
def test_every_role_gets_the_answer_its_rights_give(
    client: TestClient, world: World, method: str, path: str, body: Any, allowed: set[str]
):
    answers = {who: call(client, world, who, method, path, body) for who in ROLES}

    denied = {who for who, status in answers.items() if status == 403}
    assert denied == set(ROLES) - allowed, answers
    assert all(status < 500 for status in answers.values()), answers
    assert all(answers[who] < 400 for who in allowed if method == "GET"), answers


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS, ids=endpoint_id)
def test_no_token_or_a_revoked_one_is_401(
    client: TestClient, world: World, method: str, path: str, body: Any, allowed: set[str]
):
    assert call(client, world, None, method, path, body) == 401
    assert call(client, world, "revoked", method, path, body) == 401


def test_the_event_stream_takes_a_token(client: TestClient, world: World):
    assert client.get("/api/v1/events/stream").status_code == 401
    assert client.get("/api/v1/events/stream", headers=world.headers("revoked")).status_code == 401


def test_a_decision_maker_may_not_decide_for_another_party(client: TestClient, world: World):
    body = {"phase": 3, "decision": "authorise", "reason": "x", "party": "GB"}

    response = client.post(
        f"/api/v1/cases/{CASE}/decisions", json=body, headers=world.headers("decision_maker:US")
    )

    assert response.status_code == 403
    assert "decides for US, not for GB" in response.json()["error"]


def test_a_decision_on_phase_true_is_a_422_not_phase_1(client: TestClient, world: World):
    body = {"phase": True, "decision": "authorise", "reason": "x"}

    response = client.post(
        f"/api/v1/cases/{CASE}/decisions", json=body, headers=world.headers("decision_maker:US")
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "phase"


def test_a_decision_maker_of_a_party_the_phase_does_not_name_is_refused(
    client: TestClient, world: World
):
    body = {"phase": 3, "decision": "authorise", "reason": "x"}

    response = client.post(
        f"/api/v1/cases/{CASE}/decisions", json=body, headers=world.headers("decision_maker:UA")
    )

    assert response.status_code == 403
    assert "UA may not decide phase 3" in response.json()["error"]


def test_the_quorum_is_reached_by_the_us_and_a_coalition_lead(client: TestClient, world: World):
    body = {"phase": 3, "decision": "authorise", "reason": "evidence holds"}
    for who in ("decision_maker:US", "decision_maker:GB"):
        response = client.post(
            f"/api/v1/cases/{CASE}/decisions", json=body, headers=world.headers(who)
        )
        assert response.status_code == 200, response.json()

    case = client.get(f"/api/v1/cases/{CASE}", headers=world.headers("observer")).json()
    [phase3] = [q for q in case["quorum"] if q["phase"] == 3]
    assert phase3["standing"] == "authorised"
    assert [r["authorised"] for r in phase3["rules"]] == [["US"], ["GB"]]


def test_healthz_answers_without_a_token(client: TestClient):
    assert client.get("/healthz").json()["status"] == "ok"


def test_a_refused_role_is_named_with_its_article(client: TestClient, world: World):
    response = client.post(
        "/api/v1/incidents/cf-1:inc-4/verify",
        json={"reason": "imagery"},
        headers=world.headers("observer"),
    )

    assert response.status_code == 403
    assert response.json()["error"].startswith("an observer may not do this (it takes: ")
