"""The bundled demo scenario: generated from a seed, it always tells the same story."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest

from ceasewatch.config import load_ceasefire, load_policy
from ceasewatch.domain.engine import Engine
from ceasewatch.domain.events import ProtocolEvent
from ceasewatch.domain.incidents import Incident
from ceasewatch.domain.reports import EventType, Rejection, Report, SourceKind
from ceasewatch.importers.records import read_reports
from ceasewatch.scenarios.demo import DemoScenario, build_demo, write_demo
from ceasewatch.services.replay import ReplayResult, replay

SEEDS = [1, 2, 3, 4, 5, 2026]
MILESTONES = frozenset({"case_opened", "phase_recommended", "action_overdue", "case_closed"})
RECORD_FIELDS = frozenset(
    [
        "id",
        "source",
        "source_kind",
        "reliability",
        "credibility",
        "occurred_at",
        "reported_at",
        "lat",
        "lon",
        "location_precision_m",
        "event_type",
        "perpetrator",
        "target",
        "killed",
        "injured",
        "text",
        "evidence",
    ]
)
Milestone = tuple[str, object, object]


@cache
def scenario(seed: int) -> DemoScenario:
    return build_demo(seed)


@cache
def replayed(seed: int) -> ReplayResult:
    demo = scenario(seed)
    return replay(demo.ceasefire, load_policy(), demo.reports)


def milestones(events: list[ProtocolEvent], case: str) -> list[Milestone]:
    """What happened to a case, without the times and incident numbers a seed varies."""
    return [
        (e.event, e.details.get("phase"), e.details.get("reason") or e.details.get("action"))
        for e in events
        if e.case == case and e.event in MILESTONES
    ]


def story(seed: int) -> dict[str, list[Milestone]]:
    events = replayed(seed).events
    return {case: milestones(events, case) for case in sorted({e.case for e in events})}


def cases_of(engine: Engine, violator: str) -> list[str]:
    return [case.id for case in engine.cases.values() if case.violator == violator]


def only_statements(incident: Incident) -> bool:
    return all(r.source_kind is SourceKind.PARTY_STATEMENT for r in incident.reports)


# -- determinism ------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_reports() -> None:
    assert build_demo(7).reports == build_demo(7).reports
    assert build_demo().reports == scenario(2026).reports


def test_another_seed_gives_other_reports_but_the_same_story() -> None:
    assert scenario(1).reports != scenario(2).reports
    assert all(story(seed) == story(2026) for seed in SEEDS)


# -- the story --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_each_party_has_exactly_one_case(seed: int) -> None:
    engine = replayed(seed).engine
    assert cases_of(engine, "RU") == ["cf-demo/RU/1"]
    assert cases_of(engine, "UA") == ["cf-demo/UA/1"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_russian_case_goes_through_all_three_phases_then_closes_quiet(seed: int) -> None:
    assert story(seed)["cf-demo/RU/1"] == [
        ("case_opened", 1, None),
        ("action_overdue", 1, "diplomatic_warning"),
        ("action_overdue", 1, "halt_breach"),
        ("phase_recommended", 2, "fighting_continues"),
        ("phase_recommended", 3, "broad_attack"),
        ("case_closed", 3, "quiet"),
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_phase_three_comes_from_the_missile_strike_after_three_days(seed: int) -> None:
    result = replayed(seed)
    case = result.engine.cases["cf-demo/RU/1"]
    phase3 = next(
        e for e in result.events if e.event == "phase_recommended" and e.details["phase"] == 3
    )
    assert phase3.at >= case.opened + timedelta(hours=72)
    broad = result.engine.incidents[phase3.details["incident"]]
    assert broad.event_types & {EventType.MISSILE_STRIKE, EventType.AIR_STRIKE}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_ukrainian_case_stays_at_phase_one_and_closes_quiet(seed: int) -> None:
    assert story(seed)["cf-demo/UA/1"] == [
        ("case_opened", 1, None),
        ("action_overdue", 1, "diplomatic_warning"),
        ("action_overdue", 1, "halt_breach"),
        ("case_closed", 1, "quiet"),
    ]
    assert len(replayed(seed).engine.cases["cf-demo/UA/1"].incidents) == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_party_statements_never_open_a_case(seed: int) -> None:
    engine = replayed(seed).engine
    statement_only = [i for i in engine.incidents.values() if only_statements(i)]
    assert len(statement_only) >= 10
    assert not any(i.verified or i.case for i in statement_only)


@pytest.mark.parametrize("seed", SEEDS)
def test_without_party_statements_the_protocol_does_the_same(seed: int) -> None:
    demo = scenario(seed)
    heard = [r for r in demo.reports if r.source_kind is not SourceKind.PARTY_STATEMENT]
    without = replay(demo.ceasefire, load_policy(), heard).events

    def timeline(events: list[ProtocolEvent]) -> list[tuple[object, ...]]:
        return [(e.at, e.case, *m) for e in events for m in milestones([e], e.case)]

    assert timeline(without) == timeline(replayed(seed).events)


@pytest.mark.parametrize("seed", SEEDS)
def test_several_incidents_stay_unverified(seed: int) -> None:
    incidents = replayed(seed).engine.incidents.values()
    unverified = [i for i in incidents if not i.verified]
    single_source = [i for i in unverified if len({r.source for r in i.reports}) == 1]
    assert len(unverified) >= 20
    assert len([i for i in single_source if not only_statements(i)]) >= 10


# -- the records ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_a_few_hundred_reports_from_every_kind_of_source(seed: int) -> None:
    reports = scenario(seed).reports
    assert 200 <= len(reports) <= 500
    assert {r.source_kind for r in reports} == set(SourceKind)
    assert len({(r.source, r.id) for r in reports}) == len(reports)
    assert any(r.evidence for r in reports)
    assert any(r.killed or r.injured for r in reports)
    assert all(r.text and r.location_precision_m for r in reports)


@pytest.mark.parametrize("seed", SEEDS)
def test_reports_arrive_minutes_to_hours_after_the_event(seed: int) -> None:
    delays = [delay(r) for r in scenario(seed).reports]
    assert min(delays) >= timedelta(minutes=1)
    assert max(delays) <= timedelta(hours=12)
    assert max(delays) >= timedelta(hours=3)


def delay(report: Report) -> timedelta:
    assert report.reported_at is not None
    return report.reported_at - report.occurred_at


def test_written_files_read_back_and_replay_the_same(tmp_path: Path) -> None:
    demo = scenario(2026)
    ceasefire_path, reports_path = write_demo(demo, tmp_path / "demo")
    assert ceasefire_path == tmp_path / "demo" / "ceasefire.yaml"
    assert reports_path == tmp_path / "demo" / "reports.jsonl"
    ceasefire = load_ceasefire(ceasefire_path)
    records = list(read_reports(reports_path))
    assert not [r for r in records if isinstance(r, Rejection)]
    assert ceasefire == demo.ceasefire
    assert records == demo.reports
    again = replay(ceasefire, load_policy(ceasefire.policy), records)
    assert [e.to_dict() for e in again.events] == [e.to_dict() for e in replayed(2026).events]


def test_written_records_hold_only_the_design_fields(tmp_path: Path) -> None:
    _, reports_path = write_demo(scenario(2026), tmp_path)
    for line in reports_path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert set(record) <= RECORD_FIELDS
        assert None not in record.values()
        assert record.get("evidence", [None]) != []
        assert record["occurred_at"].endswith("Z") and record["reported_at"].endswith("Z")
