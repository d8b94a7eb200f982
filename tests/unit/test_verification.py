"""How an incident came to be verified is recorded with it, so that pages can say so:
by corroboration, by one well-graded report (and whose), by an analyst, or trusted input."""

from __future__ import annotations

from builders import HOUR, T0, Scenario, place
from ceasewatch.domain.engine import TRUSTED_INPUT, Engine
from ceasewatch.domain.incidents import Incident, Verification


def only_incident(scenario: Scenario) -> Incident:
    [incident] = scenario.replay().engine.incidents.values()
    return incident


def test_reports_from_two_independent_sources_verify_by_corroboration(scenario: Scenario):
    scenario.report(T0, source="osint-a")
    scenario.report(T0, source="media-b", **place(km_east=1))

    incident = only_incident(scenario)

    assert (incident.verified_how, incident.verified_by) == (Verification.CORROBORATION, None)


def test_one_well_graded_monitor_report_verifies_by_its_grade_and_names_its_source(
    scenario: Scenario,
):
    scenario.report(T0, source="omm-3", source_kind="monitor", reliability="A", credibility=2)

    incident = only_incident(scenario)

    assert (incident.verified_how, incident.verified_by) == (Verification.GRADED_REPORT, "omm-3")


def test_an_analysts_verdict_names_the_analyst(scenario: Scenario):
    scenario.report(T0)
    engine = scenario.replay().engine
    [incident] = engine.incidents.values()

    engine.verify_incident(incident.id, T0 + HOUR, by="ann", reason="seen on video")

    assert (incident.verified_how, incident.verified_by) == (Verification.ANALYST, "ann")


def test_trusted_input_is_verified_as_trusted_input(trusted: Scenario):
    trusted.report(T0)

    incident = only_incident(trusted)

    assert (incident.verified_how, incident.verified_by) == (
        Verification.TRUSTED_INPUT,
        TRUSTED_INPUT,
    )


def test_a_merge_keeps_how_its_verified_part_was_verified(scenario: Scenario):
    lone = scenario.report(T0)
    graded = scenario.violation(T0, source="omm-3", **place(km_north=30))
    engine = Engine(scenario.ceasefire, scenario.policy)
    engine.feed_all(sorted(scenario.reports, key=lambda r: r.arrival))
    target, part = (
        next(i for i in engine.incidents.values() if i.reports[0] is r) for r in (lone, graded)
    )

    engine.merge_incidents(target.id, [part.id], T0 + HOUR, "ann", "one strike")

    assert (target.verified_how, target.verified_by) == (Verification.GRADED_REPORT, "omm-3")
