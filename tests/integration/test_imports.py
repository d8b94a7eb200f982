"""Imports into the store: idempotent, and ACLED's newer exports update and withdraw."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from ceasewatch.services.clock import tick
from ceasewatch.services.imports import import_file
from ceasewatch.services.setup import add_ceasefire
from ceasewatch.services.system import System
from ceasewatch.store import queries, tables
from ceasewatch.store.database import reading

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACLED_1 = str(FIXTURES / "acled" / "export-1.csv")
ACLED_2 = str(FIXTURES / "acled" / "export-2.csv")
END = datetime(2027, 6, 1, tzinfo=UTC)
CEASEFIRE = "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"


def ceasefire(system: System, tmp_path: Path) -> None:
    path = tmp_path / "cf.yaml"
    path.write_text(CEASEFIRE)
    add_ceasefire(system, path)


def incidents(system: System) -> dict[str, tuple[str, str]]:
    """ACLED event id -> (status, the stored version's report id), per incident."""
    t = tables.incidents
    with reading(system.db) as conn:
        rows = conn.execute(sa.select(t.c.status, t.c.reports)).all()
    found = {}
    for status, reports in rows:
        [(_, rid)] = reports
        found[rid] = status
    return found


def status_of(found: dict[str, str], event: str) -> dict[str, str]:
    return {rid: s for rid, s in found.items() if rid.startswith(event + "@")}


def test_a_newer_acled_export_updates_changed_events_and_withdraws_deleted_ones(
    system: System, tmp_path: Path
):
    ceasefire(system, tmp_path)
    first = import_file(system, "acled", ACLED_1)
    assert (first.stored.accepted, len(first.rejected), len(first.skipped)) == (6, 2, 1)

    second = import_file(system, "acled", ACLED_2)

    assert (second.stored.accepted, second.stored.already_stored) == (2, 4)  # UKR1002', 1009
    assert (second.withdrawn, second.incidents_rejected) == (2, 2)  # old UKR1002, UKR1003
    found = incidents(system)
    assert sorted(status_of(found, "UKR1002").values()) == ["rejected", "verified"]
    assert list(status_of(found, "UKR1003").values()) == ["rejected"]
    assert list(status_of(found, "UKR1009").values()) == ["verified"]
    assert list(status_of(found, "UKR1001").values()) == ["verified"]
    with reading(system.db) as conn:
        kinds = [b["reason"] for b in queries.audit_bodies(conn, "report_withdrawn")]
    assert any("superseded by ACLED version UKR1002@" in k for k in kinds)
    assert any("deleted by ACLED: not in the export export-2.csv" in k for k in kinds)

    again = import_file(system, "acled", ACLED_2)
    older = import_file(system, "acled", ACLED_1)

    assert (again.stored.accepted, again.withdrawn) == (0, 0)
    assert (older.stored.accepted, older.withdrawn) == (0, 0)  # UKR1009 is newer: kept
    assert older.stale == 1  # UKR1002's first version
    assert incidents(system) == found


def test_a_ceasefire_added_after_a_withdrawal_rejects_the_withdrawn_version(
    system: System, tmp_path: Path
):
    import_file(system, "acled", ACLED_1)
    import_file(system, "acled", ACLED_2)

    ceasefire(system, tmp_path)
    tick(system, END)

    found = incidents(system)
    assert list(status_of(found, "UKR1003").values()) == ["rejected"]
    assert sorted(status_of(found, "UKR1002").values()) == ["rejected", "verified"]


def test_importing_the_air_attack_series_again_stores_nothing_new(
    system: System, shared_dir: Path, tmp_path: Path
):
    path = shared_dir / "data" / "air-attacks" / "missile_attacks_daily.csv"
    if not path.is_file():
        pytest.skip(f"no air-attack series at {path}")
    (tmp_path / "cf.yaml").write_text(
        "id: truce\nname: Air truce\nparties: [RU, UA]\n"
        "effective_from: 2025-09-01T00:00:00+03:00\neffective_until: 2025-10-01T00:00:00+03:00\n"
    )
    add_ceasefire(system, tmp_path / "cf.yaml")

    first = import_file(system, "air-attacks", str(path))
    with reading(system.db) as conn:
        before = queries.stats(conn)
    again = import_file(system, "air-attacks", str(path))

    assert (first.stored.accepted, first.rejected) == (3268, [])
    assert (again.stored.accepted, again.stored.already_stored) == (0, 3268)
    with reading(system.db) as conn:
        assert queries.stats(conn) == before
    assert first.stored.events["case_opened"] == 1
