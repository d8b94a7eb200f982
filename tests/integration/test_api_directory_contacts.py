"""Who sees a party's contact details: admins and observers every party's, a decision maker
its own party's, reporters and analysts none; the webhook secret no one, anywhere.

The audit log, which every role reads, keeps a digest of the contact details, not the
details. A store on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_world import World, build
from fastapi.testclient import TestClient

from ceasewatch.app import create_app
from ceasewatch.audit import canonical, sha256_hex
from ceasewatch.domain.parties import Party
from ceasewatch.services import setup
from ceasewatch.services.system import System

SECRET = "s3cret-for-the-hooks"
WITH_CONTACTS = ("US", "UA", "RU")
ROLES = ["reporter", "analyst", "decision_maker:US", "decision_maker:UA", "observer", "admin"]


def hook(code: str) -> str:
    return f"https://hooks.example.org/{code.lower()}"


def mail(code: str) -> str:
    return f"desk@{code.lower()}.example.org"


def with_contacts(world: World) -> None:
    setup.import_parties(
        world.system,
        [
            Party(
                code=code,
                name=code,
                webhook_url=hook(code),
                webhook_secret=SECRET,
                emails=[mail(code)],
            )
            for code in WITH_CONTACTS
        ],
    )


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path, before_reports=with_contacts)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.system)) as client:
        yield client


def directory(client: TestClient, world: World, who: str) -> dict[str, dict[str, object]]:
    response = client.get("/api/v1/parties", headers=world.headers(who))
    assert response.status_code == 200, response.text
    return {p["code"]: p for p in response.json()}


def contacts_seen(client: TestClient, world: World, who: str) -> set[str]:
    """Of the parties with contact details, those whose details `who` is shown, in the
    list and one by one."""
    parties = directory(client, world, who)
    listed = {code for code in WITH_CONTACTS if parties[code]["contacts_shown"]}
    one_by_one = {
        code
        for code in WITH_CONTACTS
        if client.get(f"/api/v1/parties/{code}", headers=world.headers(who)).json()[
            "contacts_shown"
        ]
    }
    assert listed == one_by_one
    return listed


@pytest.mark.parametrize("who", ["reporter", "analyst"])
def test_reporters_and_analysts_see_no_contact_details(client: TestClient, world: World, who: str):
    parties = directory(client, world, who)
    one = client.get("/api/v1/parties/UA", headers=world.headers(who))

    assert contacts_seen(client, world, who) == set()
    assert parties["UA"] == {
        "code": "UA",
        "name": "UA",
        "roles": [],
        "contacts_shown": False,
        "webhook_url": None,
        "webhook_secret_set": None,
        "emails": None,
    }
    for code in WITH_CONTACTS:
        assert hook(code) not in one.text + json.dumps(parties)
        assert mail(code) not in one.text + json.dumps(parties)


@pytest.mark.parametrize("who", ["observer", "admin"])
def test_admins_and_observers_see_every_partys_contact_details(
    client: TestClient, world: World, who: str
):
    parties = directory(client, world, who)

    assert contacts_seen(client, world, who) == {"US", "UA", "RU"}
    assert parties["UA"]["webhook_url"] == hook("UA")
    assert parties["UA"]["emails"] == [mail("UA")]
    assert parties["UA"]["webhook_secret_set"] is True


@pytest.mark.parametrize("party", ["US", "UA"])
def test_a_decision_maker_sees_its_own_partys_contact_details_only(
    client: TestClient, world: World, party: str
):
    assert contacts_seen(client, world, f"decision_maker:{party}") == {party}


@pytest.mark.parametrize("who", ROLES)
def test_no_one_is_shown_a_webhook_secret(client: TestClient, world: World, who: str):
    for path in ("/api/v1/parties", "/api/v1/parties/UA", "/api/v1/audit", "/api/v1/audit/export"):
        response = client.get(path, headers=world.headers(who))
        assert response.status_code == 200
        assert SECRET not in response.text, path


def test_the_audit_log_keeps_a_digest_of_contact_details_not_the_details(
    client: TestClient, world: World
):
    export = client.get("/api/v1/audit/export", headers=world.headers("reporter")).text
    saved = [
        entry["body"]
        for entry in map(json.loads, export.splitlines())
        if entry["kind"] == "party_saved" and entry["body"]["code"] == "UA"
    ]

    assert hook("UA") not in export and mail("UA") not in export
    assert saved[-1]["contacts_sha256"] == sha256_hex(
        canonical({"webhook_url": hook("UA"), "emails": [mail("UA")]})
    )
    assert saved[-1]["webhook_secret_set"] is True
