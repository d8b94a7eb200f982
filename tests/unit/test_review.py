"""Analysts' verdicts on incidents: verify with a reason, dispute, reject."""

from __future__ import annotations

import pytest

from builders import DAY, HOUR, T0, Scenario, named, phases
from ceasewatch.domain.engine import CommandRefused, Engine
from ceasewatch.domain.incidents import Status


def engine_of(scenario: Scenario, until=None) -> Engine:  # type: ignore[no-untyped-def]
    engine = Engine(scenario.ceasefire, scenario.policy)
    engine.feed_all(sorted(scenario.reports, key=lambda r: r.arrival))
    if until is not None:
        engine.advance(until)
    return engine


def incident_of(engine: Engine, report_id: str) -> str:
    return next(i.id for i in engine.incidents.values() if i.reports[0].id == report_id)


def test_a_rejected_broad_attack_no_longer_escalates_the_case(scenario: Scenario):
    strike = scenario.violation(T0, event_type="missile_strike")
    scenario.violation(T0 + 30 * HOUR)
    scenario.violation(T0 + 60 * HOUR)
    engine = engine_of(scenario, until=T0 + 2 * DAY)

    engine.reject_incident(incident_of(engine, strike.id), T0 + 2 * DAY, "analyst", "staged")
    events = engine.advance(T0 + 72 * HOUR)

    assert [p for p, _ in phases(events)] == []


def test_rejecting_the_last_violation_closes_the_case_quietly_from_the_one_before(
    scenario: Scenario,
):
    scenario.violation(T0)
    late = scenario.violation(T0 + 50 * HOUR)
    engine = engine_of(scenario, until=T0 + 60 * HOUR)

    rejected = engine.reject_incident(incident_of(engine, late.id), T0 + 60 * HOUR, "a", "dup")
    closed = named(engine.advance(T0 + 80 * HOUR), "case_closed")

    assert [e.event for e in rejected] == ["incident_rejected"]
    assert [(e.at, e.details["reason"]) for e in closed] == [(T0 + 72 * HOUR, "quiet")]


def test_rejecting_needs_a_reason(scenario: Scenario):
    report = scenario.violation(T0)
    engine = engine_of(scenario)

    with pytest.raises(CommandRefused, match="needs a reason"):
        engine.reject_incident(incident_of(engine, report.id), T0 + HOUR, "a", " ")


def test_a_disputed_incident_does_not_verify_by_corroboration(scenario: Scenario):
    first = scenario.report(T0)
    engine = engine_of(scenario)
    engine.dispute_incident(incident_of(engine, first.id), T0 + HOUR, "analyst", "contested")

    engine.feed(scenario.report(T0, arrives=T0 + 2 * HOUR))

    [incident] = engine.incidents.values()
    assert incident.status is Status.DISPUTED
    assert engine.cases == {}


def test_an_analyst_verifies_a_disputed_incident_with_a_reason(scenario: Scenario):
    first = scenario.report(T0)
    engine = engine_of(scenario)
    incident = incident_of(engine, first.id)
    engine.dispute_incident(incident, T0 + HOUR, "analyst", "contested")

    events = engine.verify_incident(incident, T0 + 2 * HOUR, "analyst-2", reason="imagery")

    assert [e.event for e in events] == ["case_opened"]
    assert engine.incidents[incident].review_reason == "imagery"


def test_a_verified_incident_can_be_rejected_but_not_disputed(scenario: Scenario):
    report = scenario.violation(T0)
    engine = engine_of(scenario)

    with pytest.raises(CommandRefused, match="reject it instead"):
        engine.dispute_incident(incident_of(engine, report.id), T0 + HOUR, "a", "contested")


def test_a_rejected_incident_cannot_be_verified(scenario: Scenario):
    report = scenario.report(T0)
    engine = engine_of(scenario)
    incident = incident_of(engine, report.id)
    engine.reject_incident(incident, T0 + HOUR, "a", "fabricated")

    with pytest.raises(CommandRefused, match="is rejected"):
        engine.verify_incident(incident, T0 + 2 * HOUR, "b")


def test_the_engine_reports_rejections_as_changes(scenario: Scenario):
    report = scenario.violation(T0)
    engine = engine_of(scenario)
    engine.take_changes()

    engine.reject_incident(incident_of(engine, report.id), T0 + HOUR, "a", "withdrawn")

    assert [i.id for i in engine.take_changes().rejected] == ["inc-1"]
