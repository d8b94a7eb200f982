"""Rule 6: which reports make one incident, and when an incident is verified."""

from __future__ import annotations

import pytest

from builders import (
    HOUR,
    KM_PER_DEGREE_LAT,
    MINUTE,
    SECOND,
    T0,
    Scenario,
    make_report,
    make_source,
    named,
    opened,
    place,
)
from ceasewatch.domain.engine import Engine

FAMILIES = {
    "indirect_fire": ["artillery", "mortar", "rocket"],
    "air": ["missile_strike", "air_strike", "drone_strike"],
    "ground_combat": ["ground_assault", "small_arms", "armour_movement"],
}
ALL_TYPES = [t for types in FAMILIES.values() for t in types] + [
    "heavy_weapons_in_zone",
    "mine",
    "other",
]


def incidents(scenario: Scenario) -> list[list[str]]:
    """The ids of each incident's reports, in the order the incidents were made."""
    engine = scenario.replay().engine
    return [[r.id for r in i.reports] for i in engine.incidents.values()]


def verified(scenario: Scenario) -> bool:
    return bool(opened(scenario.events()))


def test_two_independent_sources_within_5km_and_2h_verify(scenario: Scenario):
    scenario.report(T0, arrives=T0 + HOUR, source="osint-a")
    scenario.report(T0 + 30 * MINUTE, arrives=T0 + 3 * HOUR, source="media-b", **place(km_east=3))

    result = scenario.replay()

    [event] = opened(result.events)
    assert event.at == T0 + 3 * HOUR
    assert result.engine.cases[event.case].opened == T0
    [incident] = result.engine.incidents.values()
    assert len(incident.reports) == 2


def test_one_ordinary_report_does_not_verify(scenario: Scenario):
    scenario.report(T0)

    assert not verified(scenario)


def test_the_same_source_twice_does_not_verify(scenario: Scenario):
    scenario.report(T0, source="osint-a")
    scenario.report(T0 + 10 * MINUTE, source="osint-a")

    assert incidents(scenario) == [["r-1", "r-2"]]
    assert not verified(scenario)


def test_sources_of_one_independence_group_do_not_corroborate(ceasefire, policy):
    sources = [make_source(s, kind="osint", group="agency") for s in ("osint-a", "osint-b")]
    engine = Engine(ceasefire, policy, sources=sources)
    a = make_report(id="a", source="osint-a")
    b = make_report(id="b", source="osint-b", occurred_at=T0 + 10 * MINUTE)

    assert engine.feed_all([a, b]) + engine.run_out() == []


def test_sources_of_different_groups_corroborate(ceasefire, policy):
    sources = [
        make_source("osint-a", kind="osint", group="agency"),
        make_source("osint-b", kind="osint", group="press"),
    ]
    engine = Engine(ceasefire, policy, sources=sources)
    a = make_report(id="a", source="osint-a")
    b = make_report(id="b", source="osint-b", occurred_at=T0 + 10 * MINUTE)

    assert len(opened(engine.feed_all([a, b]))) == 1


def test_reports_1h59m_apart_join(scenario: Scenario):
    scenario.report(T0)
    scenario.report(T0 + 119 * MINUTE)

    assert verified(scenario)


def test_reports_more_than_2h_apart_do_not_join(scenario: Scenario):
    scenario.report(T0)
    scenario.report(T0 + 2 * HOUR + SECOND)

    assert incidents(scenario) == [["r-1"], ["r-2"]]
    assert not verified(scenario)


def test_the_window_compares_occurred_at_not_arrival(scenario: Scenario):
    scenario.report(T0, arrives=T0)
    scenario.report(T0 + HOUR, arrives=T0 + 20 * HOUR)

    assert verified(scenario)


def test_reports_4_9km_apart_join(scenario: Scenario):
    scenario.report(T0)
    scenario.report(T0, **place(km_north=4.9))

    assert verified(scenario)


def test_reports_5_1km_apart_do_not_join(scenario: Scenario):
    scenario.report(T0)
    scenario.report(T0, **place(km_north=5.1))

    assert not verified(scenario)


def test_precision_radii_are_taken_off_the_distance(scenario: Scenario):
    scenario.report(T0, location_precision_m=1100)
    scenario.report(T0, location_precision_m=1100, **place(km_north=7))

    assert verified(scenario)


def test_precision_radii_too_small_to_close_the_gap_do_not_join(scenario: Scenario):
    scenario.report(T0, location_precision_m=900)
    scenario.report(T0, location_precision_m=900, **place(km_north=7))

    assert not verified(scenario)


def test_a_very_imprecise_report_joins_one_far_away(scenario: Scenario):
    scenario.report(T0, location_precision_m=30_000)
    scenario.report(T0, **place(km_north=30))

    assert verified(scenario)


def test_a_precise_report_joins_a_very_imprecise_one_that_arrives_later(scenario: Scenario):
    scenario.report(T0, **place(km_north=30, km_east=-40))
    scenario.report(T0, location_precision_m=60_000)

    assert verified(scenario)


def test_reports_near_the_pole_on_opposite_meridians_join(scenario: Scenario):
    scenario.report(T0, lat=89.99, lon=0.0)
    scenario.report(T0, lat=89.99, lon=180.0)

    assert verified(scenario)


def test_reports_4_99km_apart_less_radii_join_at_the_equator(scenario: Scenario):
    east = 0.13478
    scenario.report(T0, lat=0.0, lon=east - 14.99 / KM_PER_DEGREE_LAT, location_precision_m=5000)
    scenario.report(T0 + MINUTE, lat=0.0, lon=east, location_precision_m=5000)

    assert verified(scenario)


def test_reports_across_the_antimeridian_join(scenario: Scenario):
    scenario.report(T0, lat=65.0, lon=179.99)
    scenario.report(T0, lat=65.0, lon=-179.99)

    assert verified(scenario)


@pytest.mark.parametrize(
    ("first", "second"),
    [(a, b) for types in FAMILIES.values() for a in types for b in types if a != b],
)
def test_types_of_one_family_join(scenario: Scenario, first, second):
    scenario.report(T0, event_type=first)
    scenario.report(T0, event_type=second)

    assert verified(scenario)


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_other_joins_any_type(scenario: Scenario, event_type):
    scenario.report(T0, event_type=event_type)
    scenario.report(T0, event_type="other")

    assert verified(scenario)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("artillery", "small_arms"),
        ("rocket", "air_strike"),
        ("drone_strike", "ground_assault"),
        ("mine", "artillery"),
        ("heavy_weapons_in_zone", "armour_movement"),
        ("mine", "heavy_weapons_in_zone"),
    ],
)
def test_incompatible_types_do_not_join(scenario: Scenario, first, second):
    scenario.report(T0, event_type=first)
    scenario.report(T0, event_type=second)

    assert len(incidents(scenario)) == 2
    assert not verified(scenario)


@pytest.mark.parametrize(("first", "second"), [("RU", "UA"), ("RU", None)])
def test_different_alleged_perpetrators_do_not_join(scenario: Scenario, first, second):
    scenario.report(T0, perpetrator=first)
    scenario.report(T0, perpetrator=second)

    assert len(incidents(scenario)) == 2
    assert not verified(scenario)


def test_the_incident_with_the_nearest_compatible_report_wins(scenario: Scenario):
    scenario.report(T0, **place(km_east=-4.5))
    scenario.report(T0, **place(km_east=1.0))
    scenario.report(T0)

    result = scenario.replay()

    [event] = opened(result.events)
    assert [r.id for r in result.engine.incidents[event.details["incident"]].reports] == [
        "r-2",
        "r-3",
    ]


@pytest.mark.parametrize("older_side", [-1, 1], ids=["older-west", "older-east"])
def test_a_tie_goes_to_the_older_incident(scenario: Scenario, older_side):
    lat, lon = 48.0, 36.0
    half = 0.046875
    scenario.report(T0, lat=lat, lon=lon + older_side * half)
    scenario.report(T0 + MINUTE, lat=lat, lon=lon - older_side * half)
    scenario.report(T0 + 2 * MINUTE, lat=lat, lon=lon)

    assert incidents(scenario) == [["r-1", "r-3"], ["r-2"]]


def test_incidents_are_never_merged_by_a_report_near_both(scenario: Scenario):
    scenario.report(T0, **place(km_east=-4.0))
    scenario.report(T0, **place(km_east=4.0))
    scenario.report(T0, **place(km_east=-0.5))

    assert incidents(scenario) == [["r-1", "r-3"], ["r-2"]]


@pytest.mark.parametrize("kind", ["monitor", "sensor", "satellite"])
@pytest.mark.parametrize(("reliability", "credibility"), [("A", 1), ("A", 2), ("B", 1), ("B", 2)])
def test_one_well_graded_report_from_a_trusted_kind_verifies_alone(
    scenario: Scenario, kind, reliability, credibility
):
    scenario.report(T0, source_kind=kind, reliability=reliability, credibility=credibility)

    assert verified(scenario)


@pytest.mark.parametrize(
    ("kind", "reliability", "credibility"),
    [
        ("osint", "A", 1),
        ("media", "A", 1),
        ("defending_forces", "A", 1),
        ("party_statement", "A", 1),
        (None, "A", 1),
        ("monitor", "C", 1),
        ("monitor", "A", 3),
        ("satellite", "F", 6),
    ],
)
def test_other_single_reports_do_not_verify_alone(scenario, kind, reliability, credibility):
    scenario.report(T0, source_kind=kind, reliability=reliability, credibility=credibility)

    assert not verified(scenario)


def test_two_party_statements_from_different_sources_do_not_verify(scenario: Scenario):
    scenario.report(T0, source="ua-mod", source_kind="party_statement", reliability="A")
    scenario.report(T0, source="ua-gs", source_kind="party_statement", reliability="A")

    assert len(incidents(scenario)) == 1
    assert not verified(scenario)


def test_a_party_statement_is_not_a_second_independent_source(scenario: Scenario):
    scenario.report(T0, source="osint-a")
    scenario.report(T0, source="ua-mod", source_kind="party_statement")

    assert not verified(scenario)


def test_a_party_statement_does_not_stop_two_independent_sources(scenario: Scenario):
    scenario.report(T0, source="ua-mod", source_kind="party_statement")
    scenario.report(T0, source="osint-a")
    scenario.report(T0, source="media-b", source_kind="media")

    assert verified(scenario)


def test_occurred_at_as_verified_does_not_move_when_an_earlier_report_joins(
    scenario: Scenario,
):
    scenario.violation(T0, event_type="artillery", **place())
    scenario.report(T0 - 90 * MINUTE, arrives=T0 + 2 * HOUR)

    result = scenario.replay()

    [incident] = result.engine.incidents.values()
    assert incident.occurred_at == T0 - 90 * MINUTE
    assert incident.violation_at == T0
    [case] = result.engine.cases.values()
    assert case.opened == T0
    overdue = named(result.events, "action_overdue")
    assert {e.at for e in overdue} == {T0 + 24 * HOUR}
    assert named(result.events, "case_closed")[0].at == T0 + 72 * HOUR


def test_an_incidents_occurred_at_is_its_earliest_reports(scenario: Scenario):
    scenario.report(T0 + HOUR, arrives=T0 + HOUR)
    scenario.report(T0, arrives=T0 + 2 * HOUR)

    result = scenario.replay()

    [event] = opened(result.events)
    assert result.engine.cases[event.case].opened == T0


def test_an_incidents_casualties_are_the_maxima_over_its_reports(scenario: Scenario):
    scenario.report(T0, event_type="small_arms", killed=6, injured=0)
    scenario.report(T0, event_type="small_arms", killed=2, injured=4)

    [event] = opened(scenario.events())

    assert event.details["severity"] == "broad_attack"


def test_an_unattributed_incident_opens_no_case(scenario: Scenario):
    scenario.report(T0, perpetrator=None)
    scenario.report(T0, perpetrator=None)
    scenario.violation(T0 + 5 * HOUR, by=None)

    result = scenario.replay()

    assert [i.verified for i in result.engine.incidents.values()] == [True, True]
    assert result.events == []


def test_an_analyst_may_verify_an_incident(ceasefire, policy):
    engine = Engine(ceasefire, policy)
    engine.feed(make_report(id="a"))
    [incident] = engine.incidents.values()

    [event] = opened(engine.verify_incident(incident.id, T0 + 3 * HOUR, by="analyst-1"))

    assert event.at == T0 + 3 * HOUR
    assert engine.cases[event.case].opened == T0
    assert incident.verified_by == "analyst-1"


def test_an_analysts_late_verification_raises_the_alerts_already_due_at_once(ceasefire, policy):
    engine = Engine(ceasefire, policy)
    engine.feed(make_report(id="a", source_kind="monitor", reliability="A", credibility=1))
    engine.feed(make_report(id="b", perpetrator="UA", occurred_at=T0 + HOUR, **place(km_east=40)))
    [unverified] = [i for i in engine.incidents.values() if not i.verified]

    events = engine.verify_incident(unverified.id, T0 + 30 * HOUR, by="analyst-1")

    assert [(e.event, e.violator, e.at) for e in events] == [
        ("action_overdue", "RU", T0 + 24 * HOUR),
        ("action_overdue", "RU", T0 + 24 * HOUR),
        ("case_opened", "UA", T0 + 30 * HOUR),
        ("action_overdue", "UA", T0 + 30 * HOUR),
        ("action_overdue", "UA", T0 + 30 * HOUR),
    ]
