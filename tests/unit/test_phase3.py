"""Rule 3: after 72 h, a broad attack in the case and a violation in the trailing 24 h."""

from __future__ import annotations

from builders import HOUR, MINUTE, SECOND, T0, Scenario, named, phases, place


def test_phase_3_is_recommended_by_the_72h_timer_while_a_broad_attack_goes_on(
    scenario: Scenario,
):
    scenario.violation(T0, event_type="missile_strike")
    scenario.violation(T0 + 30 * HOUR)
    scenario.violation(T0 + 60 * HOUR)

    assert phases(scenario.events()) == [(2, T0 + 30 * HOUR), (3, T0 + 72 * HOUR)]


def test_phase_3_needs_a_broad_attack_in_the_case(scenario: Scenario):
    scenario.violation(T0, event_type="artillery")
    scenario.violation(T0 + 30 * HOUR)
    scenario.violation(T0 + 60 * HOUR)

    assert [phase for phase, _ in phases(scenario.events())] == [2]


def test_another_violators_broad_attack_does_not_escalate_this_case(scenario: Scenario):
    scenario.violation(T0, by="UA", event_type="missile_strike")
    scenario.violation(T0, by="RU")
    scenario.violation(T0 + 30 * HOUR, by="RU")
    scenario.violation(T0 + 60 * HOUR, by="RU")

    assert [phase for phase, _ in phases(scenario.events(), "RU")] == [2]


def test_a_broad_attack_no_longer_ongoing_waits_for_a_new_violation(scenario: Scenario):
    scenario.violation(T0, event_type="missile_strike")
    scenario.violation(T0 + 30 * HOUR)
    scenario.violation(T0 + 90 * HOUR, arrives=T0 + 91 * HOUR)

    assert phases(scenario.events()) == [(2, T0 + 30 * HOUR), (3, T0 + 91 * HOUR)]


def test_a_violation_exactly_24h_before_the_check_is_not_recent(scenario: Scenario):
    scenario.violation(T0, event_type="missile_strike")
    scenario.violation(T0 + 48 * HOUR)

    assert phases(scenario.events()) == [(2, T0 + 48 * HOUR)]


def test_a_violation_just_inside_the_trailing_24h_is_recent(scenario: Scenario):
    scenario.violation(T0, event_type="missile_strike")
    scenario.violation(T0 + 48 * HOUR + SECOND)

    assert phases(scenario.events()) == [(2, T0 + 48 * HOUR + SECOND), (3, T0 + 72 * HOUR)]


def test_phases_2_and_3_at_one_instant_come_in_that_order(scenario: Scenario):
    scenario.violation(T0, event_type="air_strike")
    scenario.violation(T0 + 20 * HOUR)
    scenario.violation(T0 + 80 * HOUR)

    events = scenario.events()

    assert phases(events) == [(2, T0 + 80 * HOUR), (3, T0 + 80 * HOUR)]
    kinds = [e.details.get("phase") for e in events if e.event == "phase_recommended"]
    assert kinds == [2, 3]


def test_a_late_report_bringing_phases_2_and_3_at_once_gives_2_first(scenario: Scenario):
    scenario.violation(T0, event_type="missile_strike")
    scenario.violation(T0 + 20 * HOUR)
    scenario.violation(T0 + 55 * HOUR, arrives=T0 + 75 * HOUR)

    assert phases(scenario.events()) == [(2, T0 + 75 * HOUR), (3, T0 + 75 * HOUR)]


def test_a_severity_rise_after_72h_triggers_phase_3(scenario: Scenario):
    scenario.violation(T0, event_type="drone_strike")
    scenario.violation(T0 + 30 * HOUR)
    scenario.violation(T0 + 60 * HOUR, event_type="drone_strike", **place(km_north=50))
    scenario.report(
        T0 + 60 * HOUR + 10 * MINUTE,
        arrives=T0 + 75 * HOUR,
        event_type="missile_strike",
        **place(km_north=51),
    )

    events = scenario.events()

    assert phases(events) == [(2, T0 + 30 * HOUR), (3, T0 + 75 * HOUR)]
    [raised] = named(events, "severity_raised")
    assert (raised.at, raised.details["severity"]) == (T0 + 75 * HOUR, "broad_attack")


def test_a_severity_rise_from_casualties_triggers_phase_3(scenario: Scenario):
    scenario.violation(T0, event_type="artillery")
    scenario.violation(T0 + 30 * HOUR)
    scenario.violation(T0 + 60 * HOUR, event_type="artillery", **place(km_north=50))
    scenario.report(
        T0 + 60 * HOUR,
        arrives=T0 + 80 * HOUR,
        event_type="artillery",
        killed=3,
        injured=9,
        **place(km_north=50),
    )

    assert phases(scenario.events()) == [(2, T0 + 30 * HOUR), (3, T0 + 80 * HOUR)]


def test_a_severity_rise_before_72h_waits_for_the_timer(scenario: Scenario):
    scenario.violation(T0, event_type="drone_strike", **place(km_north=50))
    scenario.report(
        T0 + 30 * MINUTE,
        arrives=T0 + 50 * HOUR,
        event_type="missile_strike",
        **place(km_north=50),
    )
    scenario.violation(T0 + 30 * HOUR)
    scenario.violation(T0 + 60 * HOUR)

    assert phases(scenario.events()) == [(2, T0 + 30 * HOUR), (3, T0 + 72 * HOUR)]


def test_a_severity_rise_without_a_recent_violation_does_not_escalate(scenario: Scenario):
    scenario.violation(T0, event_type="drone_strike", **place(km_north=50))
    scenario.violation(T0 + 30 * HOUR)
    scenario.report(
        T0 + 30 * MINUTE,
        arrives=T0 + 80 * HOUR,
        event_type="missile_strike",
        **place(km_north=50),
    )

    assert phases(scenario.events()) == [(2, T0 + 30 * HOUR)]


def test_phase_3_is_recommended_once_per_case(scenario: Scenario):
    scenario.violation(T0, event_type="missile_strike")
    for hours in (30, 60, 80, 90, 100):
        scenario.violation(T0 + hours * HOUR, event_type="air_strike")

    assert [phase for phase, _ in phases(scenario.events())] == [2, 3]


def test_a_late_known_recent_violation_after_72h_brings_phase_3_at_its_arrival(
    scenario: Scenario,
):
    scenario.violation(T0, event_type="missile_strike")
    scenario.violation(T0 + 30 * HOUR)
    scenario.violation(T0 + 70 * HOUR, arrives=T0 + 80 * HOUR)

    assert phases(scenario.events()) == [(2, T0 + 30 * HOUR), (3, T0 + 80 * HOUR)]


def test_a_10th_violation_within_24h_after_72h_brings_phase_3(scenario: Scenario):
    scenario.violation(T0)
    for hours in range(50, 59):
        scenario.violation(T0 + hours * HOUR)
    scenario.violation(T0 + 73 * HOUR)

    assert phases(scenario.events()) == [(2, T0 + 50 * HOUR), (3, T0 + 73 * HOUR)]
