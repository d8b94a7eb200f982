"""The registry over HTTP, and what a reporter's token lets it send (API and web form)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_world import NOW, World, build, violation
from fastapi.testclient import TestClient
from web_client import FixedClock, client, csrf_of, sign_in

from builders import HOUR, T0
from ceasewatch.app import create_app
from ceasewatch.domain.events import iso_z
from ceasewatch.services import tokens
from ceasewatch.services.system import System

CLOCK = FixedClock(T0 + 74 * HOUR)
CHANNEL = {"id": "chan-a", "kind": "media", "reliability": "C", "group": "newsroom-1"}


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


@pytest.fixture
def api(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.system, clock=CLOCK)) as http:
        yield http


def bound_token(world: World, *sources: str) -> str:
    """A new reporter's token bound to `sources`."""
    return tokens.create(
        world.system,
        name=f"rep-{'-'.join(sources)}",
        role=tokens.UserRole.REPORTER,
        party=None,
        now=NOW,
        sources=sources,
    )


# -- the registry -----------------------------------------------------------------------


def test_every_role_reads_the_registry(api: TestClient, world: World):
    response = api.get("/api/v1/sources", headers=world.headers("reporter"))

    assert response.json() == [
        {"id": "omm", "kind": "monitor", "reliability": "A", "credibility": None, "group": "omm"}
    ]


def test_an_analyst_declares_and_regrades_sources(api: TestClient, world: World):
    analyst = world.headers("analyst")

    declared = api.put("/api/v1/sources", json=[CHANNEL], headers=analyst)
    regraded = api.put(
        "/api/v1/sources",
        json={"sources": [{"id": "omm", "kind": "monitor", "reliability": "B"}]},
        headers=analyst,
    )

    assert [s["id"] for s in declared.json()] == ["chan-a", "omm"]
    assert [(s["id"], s["reliability"], s["group"]) for s in regraded.json()] == [
        ("chan-a", "C", "newsroom-1"),
        ("omm", "B", "omm"),
    ]
    audit = api.get("/api/v1/audit?limit=1000", headers=analyst).json()["items"]
    assert [e["body"]["sources"][0]["id"] for e in audit if e["kind"] == "sources_declared"] == [
        "omm",
        "chan-a",
        "omm",
    ]


def test_a_bad_entry_is_a_422_naming_it_and_its_field(api: TestClient, world: World):
    body = [CHANNEL, {"id": "chan-b", "kind": "tv"}]

    response = api.put("/api/v1/sources", json=body, headers=world.headers("admin"))

    assert response.status_code == 422
    assert [(e["record"], e["field"]) for e in response.json()["errors"]] == [
        ("sources.1 (chan-b)", "kind")
    ]
    assert len(api.get("/api/v1/sources", headers=world.headers("admin")).json()) == 1


# -- reporters bound to sources ---------------------------------------------------------------


def test_a_bound_reporter_may_not_report_as_another_source(api: TestClient, world: World):
    headers = world.headers("reporter:omm")

    alone = api.post(
        "/api/v1/reports", json={**violation(40, 70), "source": "osint-q"}, headers=headers
    )
    batch = api.post(
        "/api/v1/reports",
        json=[violation(41, 70), {**violation(42, 70), "source": "osint-q"}],
        headers=headers,
    )

    assert alone.status_code == 422
    assert [e["field"] for e in alone.json()["errors"]] == ["source"]
    assert batch.json()["stored"] == ["v41"]
    assert [(e["record"], e["field"]) for e in batch.json()["rejected"]] == [
        ("record 1 (id v42)", "source")
    ]


def test_a_bound_reporter_cannot_grade_itself_into_a_case(api: TestClient, world: World):
    api.put("/api/v1/sources", json=[CHANNEL], headers=world.headers("analyst"))
    claim = {**violation(43, 70), "source": "chan-a", "perpetrator": "UA"}  # monitor, A1

    stored = api.post(
        "/api/v1/reports",
        json=claim,
        headers={"Authorization": f"Bearer {bound_token(world, 'chan-a')}"},
    )

    assert stored.json()["stored"] == ["v43"]
    reader = world.headers("observer")
    [incident] = api.get("/api/v1/incidents?perpetrator=UA", headers=reader).json()["items"]
    assert incident["status"] == "unverified"
    assert [c["violator"] for c in api.get("/api/v1/cases", headers=reader).json()] == ["RU"]
    [record] = api.get(f"/api/v1/incidents/cf-1:{incident['id']}", headers=reader).json()["records"]
    assert (record["source_kind"], record["reliability"], record["group"]) == (
        "media",
        "C",
        "newsroom-1",
    )
    assert record["claims"] == {"source_kind": "monitor", "reliability": "A"}
    page = client(world, CLOCK)
    sign_in(page, world.tokens["observer"])
    shown = page.get(f"/map/incidents/cf-1:{incident['id']}").text
    assert "(media, graded C1, group newsroom-1)" in shown
    assert "The report claimed reliability A, source kind monitor;" in shown


def test_an_unbound_reporter_may_not_claim_monitor_or_grade_a(api: TestClient, world: World):
    claim = {**violation(44, 70), "source": "field-1"}

    response = api.post("/api/v1/reports", json=claim, headers=world.headers("reporter"))

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"source_kind", "reliability"}


def test_an_unbound_reporter_may_not_report_as_a_declared_source(api: TestClient, world: World):
    claim = {**violation(45, 70), "source_kind": "osint", "reliability": "C"}  # source omm

    response = api.post("/api/v1/reports", json=claim, headers=world.headers("reporter"))

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["source"]


def test_the_form_offers_a_bound_reporter_its_sources_only(world: World):
    api = TestClient(create_app(world.system, clock=CLOCK))
    api.put("/api/v1/sources", json=[CHANNEL], headers=world.headers("analyst"))
    http = client(world, CLOCK)
    csrf = sign_in(http, bound_token(world, "chan-a"))

    form = http.get("/reports/new").text
    response = http.post(
        "/reports/new",
        data={
            "csrf": csrf,
            "id": "web-9",
            "source": "omm",
            "occurred_at": iso_z(T0 + 73 * HOUR)[:16],
            "lat": "47.9",
            "lon": "37.2",
            "event_type": "mortar",
        },
    )

    assert '<option value="chan-a" selected>chan-a</option>' in form
    assert 'name="source_kind"' not in form
    assert response.status_code == 422
    assert 'id="source-error">this token reports only as chan-a' in response.text


def test_the_form_offers_an_unbound_reporter_no_grade_that_verifies_alone(world: World):
    http = client(world, CLOCK)
    sign_in(http, world.tokens["reporter"])

    form = http.get("/reports/new").text

    assert 'value="osint"' in form
    assert 'value="monitor"' not in form
    assert '<option value="B"' not in form
    assert csrf_of(form)
