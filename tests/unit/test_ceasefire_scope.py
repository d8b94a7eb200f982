"""What counts as a violation: a party's verified incident inside the period, zone and scope."""

from __future__ import annotations

import pytest

from builders import (
    EFFECTIVE_FROM,
    HOUR,
    SECOND,
    T0,
    Scenario,
    at,
    make_ceasefire,
    named,
    opened,
    protocol,
)
from ceasewatch.config import ConfigError

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[37.0, 47.5], [38.5, 47.5], [38.5, 48.5], [37.0, 48.5], [37.0, 47.5]]],
}
UNTIL = at("2026-03-10T00:00Z")


def scenario_for(policy, **ceasefire) -> Scenario:
    return Scenario(make_ceasefire(**ceasefire), policy)


def test_a_violation_before_effective_from_does_not_count(scenario: Scenario):
    scenario.violation(EFFECTIVE_FROM - SECOND, arrives=EFFECTIVE_FROM + HOUR)

    assert scenario.events() == []


def test_a_violation_at_effective_from_counts(scenario: Scenario):
    scenario.violation(EFFECTIVE_FROM)

    assert len(opened(scenario.events())) == 1


def test_a_violation_at_effective_until_does_not_count(policy):
    scenario = scenario_for(policy, effective_until=UNTIL.isoformat())
    scenario.violation(UNTIL)

    assert scenario.events() == []


def test_a_violation_just_before_effective_until_counts(policy):
    scenario = scenario_for(policy, effective_until=UNTIL.isoformat())
    scenario.violation(UNTIL - SECOND)

    assert len(opened(scenario.events())) == 1


def test_the_period_is_judged_on_occurred_at_not_arrival(policy):
    scenario = scenario_for(policy, effective_until=UNTIL.isoformat())
    scenario.violation(UNTIL - HOUR, arrives=UNTIL + HOUR)

    assert len(opened(scenario.events())) == 1


def test_a_violation_inside_the_zone_counts(policy):
    scenario = scenario_for(policy, zone=SQUARE)
    scenario.violation(T0, lat=48.0, lon=37.8)

    assert len(opened(scenario.events())) == 1


def test_a_violation_outside_the_zone_does_not_count(policy):
    scenario = scenario_for(policy, zone=SQUARE)
    scenario.violation(T0, lat=48.0, lon=36.9)

    assert scenario.events() == []


def test_a_zone_may_be_a_feature_collection_of_polygons(policy):
    east = {
        "type": "Polygon",
        "coordinates": [[[39.0, 47.5], [40.0, 47.5], [40.0, 48.5], [39.0, 48.5], [39.0, 47.5]]],
    }
    zone = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": SQUARE},
            {"type": "Feature", "properties": {}, "geometry": east},
        ],
    }
    scenario = scenario_for(policy, zone=zone)
    scenario.violation(T0, lat=48.0, lon=39.5)
    scenario.violation(T0, by="UA", lat=48.0, lon=38.7)

    assert [e.violator for e in opened(scenario.events())] == ["RU"]


def test_a_zone_must_be_an_area():
    with pytest.raises(ConfigError, match="zone"):
        make_ceasefire(zone={"type": "Point", "coordinates": [37.8, 48.0]})


ENERGY_MORATORIUM = {"targets": ["energy"], "event_types": ["missile_strike", "drone_strike"]}


@pytest.mark.parametrize(
    ("event_type", "target", "counts"),
    [
        ("drone_strike", "energy", True),
        ("missile_strike", "energy", True),
        ("drone_strike", "military", False),
        ("drone_strike", None, False),
        ("artillery", "energy", False),
    ],
)
def test_a_partial_ceasefire_counts_only_incidents_matching_every_list(
    policy, event_type, target, counts
):
    scenario = scenario_for(policy, scope=ENERGY_MORATORIUM)
    scenario.violation(T0, event_type=event_type, target=target)

    assert bool(opened(scenario.events())) is counts


def test_a_perpetrator_outside_the_ceasefire_opens_no_case(scenario: Scenario):
    scenario.violation(T0, by="BY")

    assert scenario.events() == []


def test_two_violators_at_once_get_independent_cases(scenario: Scenario):
    scenario.violation(T0, by="RU")
    scenario.violation(T0, by="UA")
    scenario.violation(T0 + 30 * HOUR, by="UA")

    events = scenario.events()

    assert protocol(events) == [
        ("case_opened", "RU", 1, T0),
        ("case_opened", "UA", 1, T0),
        ("phase_recommended", "UA", 2, T0 + 30 * HOUR),
        ("case_closed", "RU", None, T0 + 72 * HOUR),
        ("case_closed", "UA", None, T0 + 102 * HOUR),
    ]
    ru, ua = (e.case for e in opened(events))
    assert ru != ua
    assert {e.case for e in named(events, "action_overdue")} == {ru, ua}
