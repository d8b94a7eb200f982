"""Analysts' verdicts on incidents: verify with a reason, dispute, reject."""

from __future__ import annotations

import pytest

from builders import DAY, HOUR, T0, Scenario, named, phases, place
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


def test_merged_reports_from_two_sources_verify_the_target(scenario: Scenario):
    first = scenario.report(T0)
    second = scenario.report(T0, **place_far())
    engine = engine_of(scenario)
    target, other = incident_of(engine, first.id), incident_of(engine, second.id)

    events = engine.merge_incidents(target, [other], T0 + HOUR, "analyst", "same strike")

    assert [e.event for e in events] == ["case_opened"]
    assert engine.incidents[target].verified
    assert (engine.incidents[other].status, engine.incidents[other].merged_into) == (
        Status.MERGED,
        target,
    )


def test_a_report_matching_a_merged_incident_joins_its_target(scenario: Scenario):
    first = scenario.report(T0)
    second = scenario.report(T0, **place_far())
    engine = engine_of(scenario)
    target, other = incident_of(engine, first.id), incident_of(engine, second.id)
    engine.merge_incidents(target, [other], T0 + HOUR, "analyst", "same strike")

    engine.feed(scenario.report(T0, arrives=T0 + 2 * HOUR, **place_far()))

    assert len(engine.incidents[target].reports) == 3


def test_a_merged_violation_stops_counting_in_its_case(scenario: Scenario):
    strike = scenario.violation(T0, event_type="missile_strike")
    other = scenario.violation(T0 + HOUR)
    engine = engine_of(scenario)

    events = engine.merge_incidents(
        incident_of(engine, other.id), [incident_of(engine, strike.id)], T0 + 2 * HOUR, "a", "one"
    )

    assert [e.details["into"] for e in named(events, "incident_merged")] == ["inc-2"]
    assert [e.details["severity"] for e in named(events, "severity_raised")] == ["broad_attack"]


def test_incidents_of_different_alleged_perpetrators_are_not_merged(scenario: Scenario):
    first = scenario.report(T0)
    second = scenario.report(T0, perpetrator="UA")
    engine = engine_of(scenario)

    with pytest.raises(CommandRefused, match="another perpetrator"):
        engine.merge_incidents(
            incident_of(engine, first.id), [incident_of(engine, second.id)], T0, "a", "x"
        )


def test_split_reports_leave_as_a_new_incident_weighed_afresh(scenario: Scenario):
    monitor = scenario.violation(T0, event_type="artillery")
    osint = scenario.report(T0)
    engine = engine_of(scenario)
    [incident] = engine.incidents.values()
    assert [r.id for r in incident.reports] == [monitor.id, osint.id]

    engine.split_incident(incident.id, [osint.key], T0 + HOUR, "analyst", "different village")

    split = engine.incidents["inc-2"]
    assert [r.id for r in split.reports] == [osint.id]
    assert split.status is Status.UNVERIFIED
    assert incident.verified and [r.id for r in incident.reports] == [monitor.id]


def test_a_split_that_would_empty_the_incident_is_refused(scenario: Scenario):
    report = scenario.report(T0)
    engine = engine_of(scenario)

    with pytest.raises(CommandRefused, match="not none or all"):
        engine.split_incident(incident_of(engine, report.id), [report.key], T0, "a", "x")


def test_a_report_near_a_split_off_one_joins_the_new_incident(scenario: Scenario):
    scenario.violation(T0, event_type="artillery")
    osint = scenario.report(T0)
    engine = engine_of(scenario)
    engine.split_incident("inc-1", [osint.key], T0 + HOUR, "analyst", "different village")

    engine.feed(scenario.report(T0, arrives=T0 + 2 * HOUR, source="media-9", source_kind="media"))

    assert len(engine.incidents["inc-2"].reports) >= 1
    assert sum(len(i.reports) for i in engine.incidents.values()) == 3


def place_far() -> dict[str, float]:
    """Where a report is too far from HOME to be joined to one there by corroboration."""
    return place(km_north=30)
