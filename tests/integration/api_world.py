"""A database with a ceasefire, the directory, the source registry, a case at phase 3, and
a token per role (and a reporter bound to the monitors' source, `reporter:omm`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from builders import HOUR, T0, write_jsonl
from ceasewatch.domain.events import iso_z
from ceasewatch.domain.sources import Source
from ceasewatch.services import setup, sources, tokens
from ceasewatch.services.clock import tick
from ceasewatch.services.ingest import ingest
from ceasewatch.services.system import System
from ceasewatch.services.tokens import UserRole
from ceasewatch.store import queries, tables
from ceasewatch.store.database import reading

CASE = "cf-1/RU/1"
CEASEFIRE = "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"
PARTIES = """\
parties:
  - {code: US, name: United States, roles: [guarantor]}
  - {code: GB, name: United Kingdom, roles: [coalition_lead, coalition_member]}
  - {code: UA, name: Ukraine, roles: [side]}
  - {code: RU, name: Russia, roles: [side]}
  - {code: CELL, name: Coordination cell, roles: [coordination_cell]}
"""
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def violation(n: int, hours: float, event_type: str = "artillery", **more: Any) -> dict[str, Any]:
    return {
        "id": f"v{n}",
        "source": "omm",
        "source_kind": "monitor",
        "reliability": "A",
        "credibility": 1,
        "occurred_at": iso_z(T0 + hours * HOUR),
        "lat": 48.0 + n / 10,
        "lon": 37.8,
        "event_type": event_type,
        "perpetrator": "RU",
        **more,
    }


@dataclass
class World:
    system: System
    tokens: dict[str, str]
    """Role name (decision makers as `decision_maker:PARTY`) -> token; also `revoked`."""

    def headers(self, who: str | None) -> dict[str, str]:
        return {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}


def build(
    system: System, tmp_path: Path, before_reports: Callable[[World], None] | None = None
) -> World:
    """The world; `before_reports` may change it (e.g. the directory) before reports come."""
    (tmp_path / "cf.yaml").write_text(CEASEFIRE)
    (tmp_path / "parties.yaml").write_text(PARTIES)
    setup.add_ceasefire(system, tmp_path / "cf.yaml")
    setup.import_parties(system, setup.read_parties(tmp_path / "parties.yaml"))
    sources.declare(system, [Source(id="omm", kind="monitor", reliability="A", group="omm")])
    if before_reports is not None:
        before_reports(World(system, {}))
    reports = [
        violation(1, 0, "missile_strike"),
        violation(2, 30),
        violation(3, 60),
        {**violation(4, 61), "source": "osint-x", "source_kind": "osint", "reliability": "D"},
    ]
    ingest(system, [str(write_jsonl(tmp_path / "reports.jsonl", reports))])
    tick(system, T0 + 73 * HOUR)
    made: dict[str, str] = {}
    for role in UserRole:
        if role is UserRole.DECISION_MAKER:
            for party in ("US", "GB", "UA"):
                made[f"decision_maker:{party}"] = tokens.create(
                    system, name=f"dm-{party}", role=role, party=party, now=NOW
                )
        else:
            made[role.value] = tokens.create(
                system, name=role.value, role=role, party=None, now=NOW
            )
    made["reporter:omm"] = tokens.create(
        system, name="omm-feed", role=UserRole.REPORTER, party=None, now=NOW, sources=["omm"]
    )
    made["revoked"] = tokens.create(system, name="gone", role=UserRole.ADMIN, party=None, now=NOW)
    tokens.revoke(system, "gone", NOW)
    return World(system, made)


def defend(world: World, tmp_path: Path) -> str:
    """UA's artillery 2.7 km from the RU case's third violation, 2.5 h after it: fire to
    halt the breach (rule 7), a defensive response on the RU case. Its key."""
    fire = {
        **violation(5, 62.5),
        "lat": 48.32,
        "lon": 37.82,
        "perpetrator": "UA",
        "target": "military",
        "reported_at": iso_z(T0 + 73.5 * HOUR),
    }
    ingest(world.system, [str(write_jsonl(tmp_path / "defence.jsonl", [fire]))])
    with reading(world.system.db) as conn:
        [response] = queries.incident_page(conn, response_to=CASE)
    return f"{response['ceasefire_id']}:{response['id']}"


def many_violations(world: World, tmp_path: Path, count: int = 20_000) -> None:
    """Ingest `count` more violations, each its own incident (3 h apart): about three
    events, and three derived rows, each (megabytes of them to stream at 20,000)."""
    many = [{**violation(0, 80 + 3 * n), "id": f"m{n}"} for n in range(count)]
    ingest(world.system, [str(write_jsonl(tmp_path / "many.jsonl", many))])


def incident_of(system: System, report: str) -> str:
    """The id of the incident of cf-1 that holds a report (by its id)."""
    i = tables.incidents
    with reading(system.db) as conn:
        found = conn.execute(sa.select(i.c.id, i.c.reports).where(i.c.ceasefire_id == "cf-1"))
        return next(row.id for row in found if any(r[1] == report for r in row.reports))
