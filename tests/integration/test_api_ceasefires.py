"""`POST /api/v1/ceasefires` names a policy the server holds, never a file of the client's.

A client names a shipped policy, or a file of the policy folder the server's operator
configured; anything else (a path out of the folder, an absolute path, a link leading
out) is a 422 naming `policy` that says nothing of the server's files. A zone comes as
GeoJSON: a path given for it is refused, not read. The CLI still reads a ceasefire file's
policy and zone beside it. A store on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from builders import default_policy_text
from ceasewatch.api.settings import ApiSettings
from ceasewatch.app import create_app
from ceasewatch.services import setup, tokens
from ceasewatch.services.system import System
from ceasewatch.services.tokens import UserRole

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[37.0, 47.5], [38.5, 47.5], [38.5, 48.5], [37.0, 48.5], [37.0, 47.5]]],
}
SHIPPED = Path(setup.__file__).resolve().parents[1] / "policies" / "three-phase.yaml"
STRICT = default_policy_text().replace("name: three-phase", "name: strict", 1)
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def ceasefire(**more: Any) -> dict[str, Any]:
    return {
        "id": "cf-2",
        "name": "Two",
        "parties": ["RU", "UA"],
        "effective_from": "2026-03-01T00:00:00Z",
        **more,
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The policy folder: `strict.yaml`, and `leak.yaml`, a link to the shipped policy
    outside it."""
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "strict.yaml").write_text(STRICT)
    (folder / "leak.yaml").symlink_to(SHIPPED)
    return folder


def client_for(system: System, policy_dir: Path | None) -> Iterator[TestClient]:
    token = tokens.create(system, name="root", role=UserRole.ADMIN, party=None, now=NOW)
    app = create_app(system, settings=ApiSettings(policy_dir=policy_dir))
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def client(system: System, folder: Path) -> Iterator[TestClient]:
    yield from client_for(system, folder)


@pytest.fixture
def client_without_folder(system: System) -> Iterator[TestClient]:
    yield from client_for(system, None)


def refused_policy(response: Any, *server_paths: Path) -> None:
    """A 422 naming the ceasefire's policy, that gives away no path of the server's."""
    assert response.status_code == 422, response.text
    assert [(e["field"]) for e in response.json()["errors"]] == ["ceasefire.policy"]
    for path in server_paths:
        assert str(path) not in response.text
    assert "three-phase (shipped)" not in response.text


def test_a_shipped_policy_is_named_by_its_name(client: TestClient):
    response = client.post("/api/v1/ceasefires", json={"ceasefire": ceasefire()})

    assert response.status_code == 201, response.text
    assert response.json()["policy_name"] == "three-phase"


@pytest.mark.parametrize("name", ["strict", "strict.yaml"])
def test_a_policy_of_the_policy_folder_is_named_by_its_name_there(client: TestClient, name: str):
    response = client.post("/api/v1/ceasefires", json={"ceasefire": ceasefire(policy=name)})

    assert response.status_code == 201, response.text
    assert response.json()["policy_name"] == "strict"
    assert response.json()["policy_text"] == STRICT


def test_an_absolute_path_to_a_policy_file_is_refused(client: TestClient, folder: Path):
    response = client.post("/api/v1/ceasefires", json={"ceasefire": ceasefire(policy=str(SHIPPED))})

    refused_policy(response, folder, SHIPPED)


@pytest.mark.parametrize(
    "name", ["../../../../../../etc/passwd", "/etc/passwd", "../policies/../../x.yaml"]
)
def test_a_path_out_of_the_policy_folder_is_refused(client: TestClient, folder: Path, name: str):
    response = client.post("/api/v1/ceasefires", json={"ceasefire": ceasefire(policy=name)})

    refused_policy(response, folder)
    assert "root:" not in response.text


def test_a_link_in_the_policy_folder_leading_out_of_it_is_refused(client: TestClient, folder: Path):
    response = client.post("/api/v1/ceasefires", json={"ceasefire": ceasefire(policy="leak")})

    refused_policy(response, folder, SHIPPED)


def test_without_a_policy_folder_only_shipped_policies_may_be_named(
    client_without_folder: TestClient, folder: Path
):
    by_path = ceasefire(policy=str(folder / "strict.yaml"))
    response = client_without_folder.post("/api/v1/ceasefires", json={"ceasefire": by_path})

    refused_policy(response, folder)
    assert "policy folder" not in response.text


def test_a_refused_policy_stores_no_ceasefire(client: TestClient):
    client.post("/api/v1/ceasefires", json={"ceasefire": ceasefire(policy="/etc/passwd")})

    assert client.get("/api/v1/ceasefires/cf-2").status_code == 404


def test_a_policy_given_whole_needs_no_file(client_without_folder: TestClient):
    body = {"ceasefire": ceasefire(policy="strict"), "policy_yaml": STRICT}

    response = client_without_folder.post("/api/v1/ceasefires", json=body)

    assert response.status_code == 201, response.text
    assert response.json()["policy_name"] == "strict"


@pytest.mark.parametrize("where", ["absolute", "relative"])
def test_a_zone_given_as_a_path_is_refused_not_read(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
):
    (tmp_path / "zone.geojson").write_text(json.dumps(SQUARE))
    monkeypatch.chdir(tmp_path)
    path = str(tmp_path / "zone.geojson") if where == "absolute" else "zone.geojson"

    response = client.post("/api/v1/ceasefires", json={"ceasefire": ceasefire(zone=path)})

    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["field"] == "ceasefire.zone"
    assert "zone must be GeoJSON" in problem["message"]
    assert "37.0" not in response.text and str(tmp_path) not in response.text


def test_the_cli_reads_a_ceasefire_files_policy_and_zone_beside_it(system: System, tmp_path: Path):
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "strict.yaml").write_text(STRICT)
    (tmp_path / "zone.geojson").write_text(json.dumps(SQUARE))
    (tmp_path / "cf.yaml").write_text(
        "id: cf-3\nname: Three\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"
        "policy: local/strict.yaml\nzone: zone.geojson\n"
    )

    added = setup.add_ceasefire(system, tmp_path / "cf.yaml")

    assert added.new
    with TestClient(create_app(system, settings=ApiSettings())) as api:
        token = tokens.create(system, name="o", role=UserRole.OBSERVER, party=None, now=NOW)
        stored = api.get(
            "/api/v1/ceasefires/cf-3", headers={"Authorization": f"Bearer {token}"}
        ).json()
    assert stored["policy_name"] == "strict"
    assert stored["definition"]["zone"] == SQUARE
