"""Rule 5: broad_attack, major and minor, from type, casualties and repetition."""

from __future__ import annotations

import pytest

from builders import HOUR, MINUTE, T0, Scenario, named, opened

BROAD_TYPES = ["missile_strike", "air_strike"]
MAJOR_TYPES = ["artillery", "rocket", "ground_assault", "drone_strike"]
MINOR_TYPES = [
    "small_arms",
    "mortar",
    "armour_movement",
    "heavy_weapons_in_zone",
    "mine",
    "other",
]


def opening_severity(scenario: Scenario) -> str:
    [event] = opened(scenario.events())
    return event.details["severity"]


def severities(scenario: Scenario) -> list[str]:
    result = scenario.replay()
    return [i.severity.label for i in result.engine.incidents.values()]


@pytest.mark.parametrize("event_type", BROAD_TYPES)
def test_strikes_from_missiles_and_aircraft_are_broad_attacks(scenario, event_type):
    scenario.violation(T0, event_type=event_type)

    assert opening_severity(scenario) == "broad_attack"


@pytest.mark.parametrize("event_type", MAJOR_TYPES)
def test_heavy_fire_and_assaults_are_major(scenario, event_type):
    scenario.violation(T0, event_type=event_type)

    assert opening_severity(scenario) == "major"


@pytest.mark.parametrize("event_type", MINOR_TYPES)
def test_the_other_types_without_casualties_are_minor(scenario, event_type):
    scenario.violation(T0, event_type=event_type)

    assert opening_severity(scenario) == "minor"


@pytest.mark.parametrize(
    ("killed", "injured", "severity"),
    [
        (0, 0, "minor"),
        (0, 1, "major"),
        (1, 0, "major"),
        (4, 5, "major"),
        (4, 6, "broad_attack"),
        (10, 0, "broad_attack"),
        (0, 10, "broad_attack"),
    ],
)
def test_casualties_set_the_severity(scenario, killed, injured, severity):
    scenario.violation(T0, event_type="small_arms", killed=killed, injured=injured)

    assert opening_severity(scenario) == severity


def test_the_10th_violation_within_a_trailing_24h_is_a_broad_attack(scenario: Scenario):
    for n in range(10):
        scenario.violation(T0 + n * 150 * MINUTE)

    assert severities(scenario) == ["minor"] * 9 + ["broad_attack"]


def test_9_violations_within_24h_are_no_broad_attack(scenario: Scenario):
    for n in range(9):
        scenario.violation(T0 + n * 150 * MINUTE)

    assert set(severities(scenario)) == {"minor"}


def test_every_violation_from_the_10th_on_within_24h_is_a_broad_attack(scenario: Scenario):
    for n in range(12):
        scenario.violation(T0 + n * HOUR)

    assert severities(scenario) == ["minor"] * 9 + ["broad_attack"] * 3


def test_ten_violations_spread_over_more_than_24h_are_no_broad_attack(scenario: Scenario):
    for n in range(10):
        scenario.violation(T0 + n * 161 * MINUTE)

    assert set(severities(scenario)) == {"minor"}


def test_a_late_known_violation_can_make_a_later_one_the_10th(scenario: Scenario):
    for n in range(1, 10):
        scenario.violation(T0 + n * HOUR)
    scenario.violation(T0, arrives=T0 + 12 * HOUR)

    result = scenario.replay()

    [raised] = named(result.events, "severity_raised")
    assert raised.at == T0 + 12 * HOUR
    assert result.engine.incidents[raised.details["incident"]].occurred_at == T0 + 9 * HOUR
    assert raised.details["severity"] == "broad_attack"


def test_unverified_reports_do_not_count_toward_the_repeat_clause(scenario: Scenario):
    for n in range(9):
        scenario.violation(T0 + n * HOUR)
    scenario.report(T0 + 10 * HOUR, event_type="small_arms")

    assert set(severities(scenario)) == {"minor"}


def test_another_violators_violations_do_not_count_toward_the_repeat_clause(
    scenario: Scenario,
):
    for n in range(5):
        scenario.violation(T0 + n * HOUR, by="RU")
        scenario.violation(T0 + n * HOUR, by="UA")

    assert set(severities(scenario)) == {"minor"}
