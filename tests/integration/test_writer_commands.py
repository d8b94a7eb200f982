"""A worker of `serve --workers N` hands the writes that need the engines (analysts'
verdicts, decisions, sources, keys, ceasefires, the directory) to the writer process,
which holds the engines already: the worker builds none, and the answer or refusal is
the one the writer gave."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_world import CASE, World, build, incident_of, violation
from fastapi.testclient import TestClient
from servers import a_writer_that_stops_midway

from ceasewatch.app import create_app
from ceasewatch.cli.serve import writer_process
from ceasewatch.domain.sources import Source
from ceasewatch.services import commands, handed, sources, unit_of_work, writer
from ceasewatch.services.keys import new_signer
from ceasewatch.services.setup import WebhooksRefused
from ceasewatch.services.submit import GroupCommit
from ceasewatch.services.system import System, open_system
from ceasewatch.store import queries, tables
from ceasewatch.store.database import reading
from ceasewatch.tlog.note import b64


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


@pytest.fixture
def worker(world: World, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[System]:
    """A worker's system beside a running writer process, as `serve --workers 2` has
    (`writer_process` tells the workers its address in the environment: unset after)."""
    for name in (writer.ADDRESS_ENV, writer.KEY_ENV):
        monkeypatch.delenv(name, raising=False)
    with writer_process(db_url):
        assert writer.Address.from_env() is not None
        system = open_system(db_url)
        yield system
        system.db.dispose()


def events(system: System) -> list[str]:
    with reading(system.db) as conn:
        return [e.event for e in queries.events(conn)]


def test_a_workers_verdict_runs_in_the_writer_and_the_worker_builds_no_engines(
    world: World, worker: System
):
    with TestClient(create_app(worker), headers=world.headers("analyst")) as client:
        verdict = client.post("/api/v1/incidents/cf-1:inc-4/reject", json={"reason": "staged"})
        decision = client.post(
            f"/api/v1/cases/{CASE}/decisions",
            json={"phase": 3, "decision": "authorise", "reason": "holds"},
            headers=world.headers("decision_maker:US"),
        )

    assert verdict.status_code == 200, verdict.text
    assert decision.status_code == 200, decision.text
    assert status_of(worker, "inc-4") == "rejected"
    assert "decision_recorded" in events(worker)
    assert worker.protocol.engines == {} and worker.protocol.position == 0


def test_every_other_handed_write_of_the_api_runs_in_the_writer(world: World, worker: System):
    cf2 = {
        "id": "cf-2",
        "name": "Two",
        "parties": ["RU", "UA"],
        "effective_from": "2026-03-01T00:00:00Z",
    }
    key = {"public_key": b64(new_signer("US").verifier.public_key)}
    with TestClient(create_app(worker), headers=world.headers("admin")) as client:
        answers = [
            client.put("/api/v1/sources", json=[{"id": "chan-z", "kind": "media"}]),
            client.put("/api/v1/parties/FR", json={"name": "France", "roles": ["coalition_lead"]}),
            client.put("/api/v1/parties/US/keys", json=key),
            client.post("/api/v1/ceasefires", json={"ceasefire": cf2}),
            client.post(f"/api/v1/cases/{CASE}/actions/diplomatic_warning", json={"note": "sent"}),
        ]
        refused = client.put(
            "/api/v1/parties/DE",
            json={"name": "G", "webhook_url": "http://10.0.0.1/", "webhook_secret": "s" * 16},
        )

    assert [a.status_code for a in answers] == [200, 200, 200, 201, 200], [a.text for a in answers]
    assert refused.status_code == 422 and "party DE: webhook_url" in refused.text
    assert worker.protocol.engines == {}


def test_a_refusal_in_the_writer_is_the_workers_refusal(world: World, worker: System):
    with TestClient(create_app(worker), headers=world.headers("analyst")) as client:
        missing = client.post("/api/v1/incidents/cf-1:inc-99/reject", json={"reason": "x"})
        refused = client.post("/api/v1/incidents/cf-1:inc-1/dispute", json={"reason": "x"})

    assert missing.status_code == 404 and missing.json()["error"] == "no incident inc-99"
    assert refused.status_code == 409 and "reject it instead" in refused.json()["error"]
    assert worker.protocol.engines == {}


def test_a_workers_reports_and_handed_writes_meet_in_the_writers_engines(
    world: World, worker: System
):
    with TestClient(create_app(worker), headers=world.headers("reporter:omm")) as client:
        stored = client.post("/api/v1/reports", json=[violation(11, 70)])
    assert stored.json()["stored"] == ["v11"]

    incident = incident_of(worker, "v11")

    commands.review_incident(worker, "cf-1", incident, "reject", by="analyst", reason="staged")

    assert status_of(worker, incident) == "rejected"
    assert worker.protocol.engines == {}


def test_a_handed_write_runs_here_when_the_writer_cannot_be_reached(world: World, tmp_path: Path):
    system = world.system
    handoff = writer.Handoff(writer.Address(str(tmp_path / "gone.sock"), b"k"), GroupCommit(system))
    system.hand_off = handoff.call

    changed = sources.declare(system, [Source(id="sat", kind="satellite", reliability="B")])

    assert [s.id for s in changed] == ["sat"]
    assert system.protocol.engines  # it ran in this process


def test_a_writer_that_stops_mid_command_leaves_it_unknown(world: World, tmp_path: Path):
    address = writer.Address(str(tmp_path / "writer.sock"), b"key")
    world.system.hand_off = writer.Handoff(address, GroupCommit(world.system)).call

    stopping = a_writer_that_stops_midway(address.path, address.key)
    with stopping, pytest.raises(writer.Unavailable, match="may or may not have been done"):
        commands.close_case(world.system, CASE)


def test_a_writer_warming_up_reads_its_engines_whole_and_writes_nothing(world: World, db_url: str):
    unit_of_work.snapshot(world.system, datetime.now(UTC))
    started = open_system(db_url)
    before = stats(started)

    unit_of_work.warm(started)

    live = started.protocol
    assert live.started_from is not None and live.engines and live.loaded_all
    assert stats(started) == before
    started.db.dispose()


def stats(system: System) -> dict[str, object]:
    with reading(system.db) as conn:
        return dict(queries.stats(conn))


def test_only_the_handed_functions_may_be_asked_for(world: World):
    with pytest.raises(LookupError, match=r"os\.system is not a function the writer runs"):
        handed.run_here(world.system, "os.system", ("true",), {})
    assert "ceasewatch.services.commands.review_incident" in handed.HANDED


def test_a_refused_directory_comes_back_whole_from_the_writer():
    refused = WebhooksRefused([("US", "a private address")])

    back = pickle.loads(pickle.dumps(refused))

    assert (type(back), back.refused, str(back)) == (WebhooksRefused, refused.refused, str(refused))


def status_of(system: System, incident: str) -> str:
    i = tables.incidents
    with reading(system.db) as conn:
        query = sa.select(i.c.status).where(i.c.ceasefire_id == "cf-1", i.c.id == incident)
        return str(conn.execute(query).scalar_one())
