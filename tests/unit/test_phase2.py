"""Rule 2: a further violation more than 24 h after the case opened recommends phase 2."""

from __future__ import annotations

from builders import HOUR, SECOND, T0, Scenario, phases


def test_a_violation_exactly_24h_after_opening_does_not_recommend_phase_2(scenario: Scenario):
    scenario.violation(T0)
    scenario.violation(T0 + 24 * HOUR)

    assert phases(scenario.events()) == []


def test_a_violation_24h_and_1s_after_opening_recommends_phase_2(scenario: Scenario):
    scenario.violation(T0)
    scenario.violation(T0 + 24 * HOUR + SECOND, arrives=T0 + 26 * HOUR)

    assert phases(scenario.events()) == [(2, T0 + 26 * HOUR)]


def test_phase_2_is_recommended_once_per_case(scenario: Scenario):
    scenario.violation(T0)
    for hours in (30, 40, 50, 60):
        scenario.violation(T0 + hours * HOUR)

    assert phases(scenario.events()) == [(2, T0 + 30 * HOUR)]


def test_phase_2_measures_from_occurred_at_not_from_arrival(scenario: Scenario):
    scenario.violation(T0, arrives=T0 + 10 * HOUR)
    scenario.violation(T0 + 20 * HOUR, arrives=T0 + 40 * HOUR)

    assert phases(scenario.events()) == []


def test_phase_2_needs_the_same_violator(scenario: Scenario):
    scenario.violation(T0, by="RU")
    scenario.violation(T0 + 30 * HOUR, by="UA")

    events = scenario.events()

    assert phases(events, "RU") == []
    assert phases(events, "UA") == []


def test_phase_2_is_recommended_with_the_violation_that_triggers_it(scenario: Scenario):
    scenario.violation(T0)
    late = scenario.violation(T0 + 30 * HOUR)

    result = scenario.replay()

    [event] = [e for e in result.events if e.event == "phase_recommended"]
    assert result.engine.incidents[event.details["incident"]].reports == (late,)
    assert result.engine.cases[event.case].phase == 2
