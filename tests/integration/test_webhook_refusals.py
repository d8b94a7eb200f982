"""A webhook URL that leads into the server's own networks is refused when the directory is
written (`party import`, `PUT /api/v1/parties/{code}`) and again before each send.

The receiver is a real server on loopback, which webhooks may reach only where the
operator allows it (`CEASEWATCH_WEBHOOK_ALLOW`). A store on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from api_world import World, build
from fastapi.testclient import TestClient
from servers import Receiver
from typer.testing import CliRunner

from ceasewatch.api.settings import ApiSettings
from ceasewatch.app import create_app
from ceasewatch.cli import app as cli
from ceasewatch.domain.parties import Party
from ceasewatch.notify.net import NetTransport
from ceasewatch.services import sender, setup, tokens
from ceasewatch.services.system import System
from ceasewatch.services.tokens import UserRole
from ceasewatch.services.webhook_targets import ENV_VAR, WebhookTargets
from ceasewatch.store import outbox, queries
from ceasewatch.store.database import reading

SECRET = "s3cret-for-the-hooks"
METADATA = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
LOOPBACK = WebhookTargets.parse("127.0.0.0/8")
NOW = datetime(2026, 3, 2, tzinfo=UTC)


def party(code: str, url: str) -> Party:
    return Party(code=code, name=code, webhook_url=url, webhook_secret=SECRET)


def directory(system: System) -> dict[str, str | None]:
    with reading(system.db) as conn:
        return {r["code"]: r["webhook_url"] for r in queries.parties(conn)}


def test_a_metadata_address_is_refused_naming_the_party_and_field(system: System):
    parties = [party("UA", "https://hooks.example.org/ua"), party("XX", METADATA)]

    with pytest.raises(setup.WebhooksRefused) as refused:
        setup.import_parties(system, parties)

    assert str(refused.value) == (
        "party XX: webhook_url: 169.254.169.254 is a link-local address; webhooks go to "
        f"public addresses unless {ENV_VAR} allows others"
    )
    assert directory(system) == {}


def test_loopback_is_refused_unless_allowed(system: System):
    receiver = party("UA", Receiver().url)

    with pytest.raises(setup.WebhooksRefused, match=r"party UA: webhook_url: 127\.0\.0\.1 is a"):
        setup.import_parties(system, [receiver])
    setup.import_parties(system, [receiver], LOOPBACK)

    assert directory(system) == {"UA": receiver.webhook_url}


def test_party_import_reads_the_allowance_from_the_environment(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    runner = CliRunner()
    runner.invoke(cli, ["init", "--db", db_url])
    url = Receiver().url
    (tmp_path / "parties.yaml").write_text(
        f"parties:\n  - {{code: UA, name: Ukraine, webhook_url: '{url}', "
        f"webhook_secret: {SECRET}}}\n"
    )
    command = ["party", "import", str(tmp_path / "parties.yaml"), "--db", db_url]

    monkeypatch.delenv(ENV_VAR, raising=False)
    refused = runner.invoke(cli, command)
    monkeypatch.setenv(ENV_VAR, "127.0.0.1")
    taken = runner.invoke(cli, command)

    assert refused.exit_code == 2
    assert "party UA: webhook_url: 127.0.0.1 is a loopback address" in refused.output
    assert taken.exit_code == 0, taken.output


@pytest.fixture
def admin(system: System) -> str:
    return tokens.create(system, name="root", role=UserRole.ADMIN, party=None, now=NOW)


@contextmanager
def api(system: System, admin: str, webhooks: WebhookTargets) -> Iterator[TestClient]:
    app = create_app(system, settings=ApiSettings(webhooks=webhooks))
    with TestClient(app, headers={"Authorization": f"Bearer {admin}"}) as client:
        yield client


@pytest.mark.parametrize(
    "url", [METADATA, "http://metadata.google.internal/", "http://[fd00:ec2::254]/", "ftp://x.org/"]
)
def test_the_directory_api_refuses_a_webhook_into_the_servers_networks(
    system: System, admin: str, url: str
):
    body = {"name": "Nowhere", "webhook_url": url, "webhook_secret": SECRET}

    with api(system, admin, WebhookTargets()) as client:
        response = client.put("/api/v1/parties/XX", json=body)

    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["webhook_url"]
    assert directory(system) == {}


def test_the_directory_api_takes_loopback_where_the_server_allows_it(system: System, admin: str):
    url = Receiver().url
    body = {"name": "Ukraine", "webhook_url": url, "webhook_secret": SECRET}

    with api(system, admin, LOOPBACK) as client:
        response = client.put("/api/v1/parties/UA", json=body)

    assert response.status_code == 200, response.text
    assert directory(system) == {"UA": url}


def world_calling(system: System, tmp_path: Path, url: str, allowed: WebhookTargets) -> None:
    """The API's world (a case at phase 3, its notifications in the outbox), with every
    party's webhook at `url`, written into the directory where `allowed` allows it."""

    def contacts(world: World) -> None:
        codes = ("US", "GB", "UA", "RU", "CELL")
        setup.import_parties(world.system, [party(code, url) for code in codes], allowed)

    build(system, tmp_path, before_reports=contacts)


def webhooks_in_outbox(system: System) -> list[dict[str, object]]:
    with reading(system.db) as conn:
        return [dict(m) for m in outbox.listed(conn) if m["channel"] == "webhook"]


def test_a_webhook_allowed_when_registered_is_checked_again_before_sending(
    system: System, tmp_path: Path
):
    receiver = Receiver()
    world_calling(system, tmp_path, receiver.url, LOOPBACK)
    receiver.start()
    try:
        done = sender.deliver_due(system, NetTransport(), NOW)
    finally:
        receiver.stop()

    assert receiver.received == []
    assert done.sent == 0 and done.retrying > 0
    errors = {m["last_error"] for m in webhooks_in_outbox(system)}
    assert errors == {
        "refused: 127.0.0.1 is a loopback address; webhooks go to public addresses unless "
        f"{ENV_VAR} allows others"
    }


def test_a_webhook_goes_to_the_address_checked_and_names_its_host(system: System, tmp_path: Path):
    receiver = Receiver()
    allowed = WebhookTargets.parse("localhost")
    world_calling(system, tmp_path, receiver.url.replace("127.0.0.1", "localhost"), allowed)
    receiver.start()
    try:
        sender.deliver_due(system, NetTransport(webhooks=allowed), NOW)
    finally:
        receiver.stop()

    assert receiver.received
    assert {headers["Host"] for headers, _ in receiver.received} == {f"localhost:{receiver.port}"}
    assert {m["status"] for m in webhooks_in_outbox(system)} == {"sent"}
