"""The API of co-signing: who registers a party's key, who checkpoints the log, who adds a
party's signature (only one that verifies under a live key of that party), and what a
mirror reads. A store on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_world import World, build
from fastapi.testclient import TestClient

from ceasewatch.app import create_app
from ceasewatch.services.keys import new_signer
from ceasewatch.services.system import System
from ceasewatch.tlog.note import Signer, b64


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.system)) as client:
        yield client


def register(client: TestClient, world: World, party: str, signer: Signer, who: str) -> Any:
    return client.put(
        f"/api/v1/parties/{party}/keys",
        json={"public_key": b64(signer.verifier.public_key)},
        headers=world.headers(who),
    )


def checkpoint(client: TestClient, world: World) -> dict[str, Any]:
    response = client.post("/api/v1/audit/checkpoints", headers=world.headers("admin"))
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def post_signature(
    client: TestClient, world: World, size: int, signer: Signer, text: str, who: str
) -> Any:
    signature = signer.sign(text)
    return client.post(
        f"/api/v1/audit/checkpoints/{size}/signatures",
        json={"name": signature.name, "signature": signature.encoded},
        headers=world.headers(who),
    )


@pytest.mark.parametrize(
    ("who", "party", "status"),
    [
        ("admin", "GB", 200),
        ("decision_maker:US", "US", 200),
        ("decision_maker:US", "GB", 403),
        ("observer", "US", 403),
        ("analyst", "US", 403),
        ("admin", "XX", 404),
    ],
)
def test_an_admin_registers_any_partys_key_a_decision_maker_its_own_only(
    client: TestClient, world: World, who: str, party: str, status: int
):
    response = register(client, world, party, new_signer(party), who)

    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["party"] == party and response.json()["new"] is True


def test_the_same_key_again_changes_nothing_and_a_new_one_retires_the_old(
    client: TestClient, world: World
):
    old, new = new_signer("US"), new_signer("US")
    assert register(client, world, "US", old, "admin").json()["new"] is True
    assert register(client, world, "US", old, "admin").json()["new"] is False

    rotated = register(client, world, "US", new, "admin").json()

    assert rotated["retired"] == [old.verifier.label]
    keys = client.get("/api/v1/keys", headers=world.headers("observer")).json()["keys"]
    assert [(k["key_id"], k["retired_at"] is not None) for k in keys] == [
        (old.verifier.key_id.hex(), True),
        (new.verifier.key_id.hex(), False),
    ]


def test_a_key_that_is_not_a_32_byte_ed25519_key_is_refused(client: TestClient, world: World):
    response = client.put(
        "/api/v1/parties/US/keys",
        json={"public_key": b64(b"short")},
        headers=world.headers("admin"),
    )

    assert response.status_code == 422 and "32 bytes" in response.json()["error"]


def test_only_an_admin_checkpoints_the_log_and_every_role_reads_it(
    client: TestClient, world: World
):
    refused = client.post("/api/v1/audit/checkpoints", headers=world.headers("observer"))
    made = client.post("/api/v1/audit/checkpoints", headers=world.headers("admin"))
    again = client.post("/api/v1/audit/checkpoints", headers=world.headers("admin"))
    latest = client.get("/api/v1/audit/checkpoints/latest", headers=world.headers("reporter"))

    assert refused.status_code == 403
    assert made.status_code == 201 and again.status_code == 200
    assert latest.json() == made.json()
    text = made.json()["text"]
    assert text.splitlines()[1] == str(made.json()["size"]) and made.json()["note"] is None
    missing = client.get("/api/v1/audit/checkpoints/99999", headers=world.headers("observer"))
    assert missing.status_code == 404


def test_a_decision_maker_adds_its_partys_signature_once(client: TestClient, world: World):
    us = new_signer("US")
    register(client, world, "US", us, "decision_maker:US")
    made = checkpoint(client, world)

    first = post_signature(client, world, made["size"], us, made["text"], "decision_maker:US")
    again = post_signature(client, world, made["size"], us, made["text"], "decision_maker:US")

    assert first.status_code == 201 and first.json() == {
        "size": made["size"],
        "party": "US",
        "new": True,
    }
    assert again.status_code == 200 and again.json()["new"] is False
    shown = client.get("/api/v1/audit/checkpoints", headers=world.headers("observer")).json()
    assert [s["party"] for s in shown[-1]["signatures"]] == ["US"]
    assert shown[-1]["note"].startswith(made["text"] + "\n— US ")


def test_a_decision_maker_may_not_add_another_partys_signature(client: TestClient, world: World):
    gb = new_signer("GB")
    register(client, world, "GB", gb, "admin")
    made = checkpoint(client, world)

    response = post_signature(client, world, made["size"], gb, made["text"], "decision_maker:US")

    assert response.status_code == 403 and "US may add its own signatures only" in response.text


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("other text", "does not match checkpoint"),
        ("unregistered key", "no registered key"),
        ("retired key", "was retired"),
    ],
)
def test_a_signature_that_does_not_verify_under_a_live_key_is_refused(
    client: TestClient, world: World, case: str, error: str
):
    us, later = new_signer("US"), new_signer("US")
    register(client, world, "US", us, "admin")
    made = checkpoint(client, world)
    text, signer = made["text"], us
    if case == "other text":
        text = text.replace(made["root"], b64(bytes(32)))
    elif case == "unregistered key":
        signer = new_signer("US")
    else:
        register(client, world, "US", later, "admin")

    response = post_signature(client, world, made["size"], signer, text, "admin")

    assert response.status_code == 422 and error in response.json()["error"]


def test_a_mirror_reads_the_journal_and_the_chain_page_by_page(client: TestClient, world: World):
    headers = world.headers("observer")
    first = client.get("/api/v1/journal/entries?limit=3", headers=headers).json()
    rest = client.get(
        f"/api/v1/journal/entries?after={first['next_after']}", headers=headers
    ).json()
    chain = client.get("/api/v1/journal/audit?after=2&limit=2", headers=headers).json()

    seqs = [i["row"]["seq"] for i in first["items"] + rest["items"]]
    assert seqs == list(range(1, len(seqs) + 1)) and rest["next_after"] is None
    assert {i["table"] for i in first["items"] + rest["items"]} == {"reports", "commands"}
    assert [e["seq"] for e in chain["items"]] == [3, 4] and chain["next_after"] == 4
    assert chain["items"][1]["prev"] == chain["items"][0]["hash"]


def test_the_state_is_one_snapshot_marked_and_ended(client: TestClient, world: World):
    response = client.get("/api/v1/journal/state", headers=world.headers("observer"))
    lines = [json.loads(line) for line in response.text.splitlines() if line]  # blank: waiting

    assert response.text.startswith("\n")  # sent at once, while the snapshot is gathered

    mark = lines[0]["mark"]
    assert mark["journal_end"] == mark["next_seq"] - 1 and mark["audit_size"] > 0
    assert lines[-1] == {"end": True}
    tables = {line["table"] for line in lines[1:-1]}
    assert tables == {"ceasefires", "incidents", "incident_reports", "cases", "actions", "events"}


def test_the_journal_takes_a_token(client: TestClient):
    assert client.get("/api/v1/journal/entries").status_code == 401
    assert client.get("/api/v1/journal/state").status_code == 401
