"""`make demo` then `ceasewatch serve`: the dashboard shows the demo's cases and incidents."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from starlette.testclient import TestClient

from ceasewatch.app import create_app
from ceasewatch.config import load_policy
from ceasewatch.scenarios.demo import build_demo
from ceasewatch.services import tokens
from ceasewatch.services.demo import store_demo
from ceasewatch.services.replay import replay
from ceasewatch.services.system import open_system
from ceasewatch.store import queries
from ceasewatch.store.database import reading
from ceasewatch.web.settings import WebSettings


def test_the_demo_database_shows_its_cases_on_the_board_and_its_incidents_on_the_map(
    tmp_path: Path,
):
    scenario = build_demo()
    result = replay(scenario.ceasefire, load_policy(scenario.ceasefire.policy), scenario.reports)
    assert result.engine.now is not None
    url = f"sqlite:///{tmp_path / 'ceasewatch.db'}"
    store_demo(scenario, result.engine.now, url)
    system = open_system(url)
    token = tokens.create(
        system, name="me", role=tokens.UserRole.OBSERVER, party=None, now=datetime.now(UTC)
    )
    http = TestClient(create_app(system, web=WebSettings(secret="s" * 40)))
    page = http.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    http.post("/login", data={"token": token, "csrf": csrf.group(1)})

    board = http.get("/cases")
    case = http.get("/cases/cf-demo/RU/1")
    data = http.get("/map/data", params={"bbox": "22,44,41,53", "zoom": 6, "status": "verified"})

    assert board.status_code == 200
    assert "cf-demo/RU/1" in board.text and "cf-demo/UA/1" in board.text
    assert "Phase 3 recommended" in case.text and "PHASE 3 RECOMMENDED" in case.text
    with reading(system.db) as conn:
        verified = [i for i in queries.incident_page(conn, limit=1000) if i["status"] == "verified"]
    assert data.json()["total"] == len(verified) > 0
    system.db.dispose()
