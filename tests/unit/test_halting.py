"""Rule 7: the defending side's fire to halt a breach is recorded on the violator's case
as a `defensive_response`, not counted as a violation of its own."""

from __future__ import annotations

import pytest

from builders import (
    HOUR,
    SECOND,
    T0,
    Scenario,
    make_report,
    named,
    opened,
    place,
    policy_variant,
    protocol,
)
from ceasewatch.domain.engine import CommandRefused, Engine

BREACH = place()
NEAR = place(km_north=7.0)
"""7 km from the breach: inside rule 7's 15 km."""
FAR = place(km_north=16.0)


def responses(events):
    return [(e.violator, e.details["incident"], e.at) for e in named(events, "defensive_response")]


def test_the_defenders_fire_near_a_breach_and_soon_after_halts_it(scenario: Scenario):
    scenario.violation(T0, by="RU", **BREACH)
    scenario.violation(T0 + HOUR, by="UA", event_type="artillery", **NEAR)

    result = scenario.replay()

    assert [e[:2] for e in protocol(result.events)] == [
        ("case_opened", "RU"),
        ("case_closed", "RU"),
    ]
    [event] = named(result.events, "defensive_response")
    assert (event.violator, event.at) == ("RU", T0 + HOUR)
    assert event.details == {
        "incident": "inc-2",
        "party": "UA",
        "occurred_at": "2026-03-02T11:00:00Z",
        "breach": "inc-1",
        "distance_km": 7.0,
    }
    [case] = result.engine.cases.values()
    assert [i.id for i in case.responses] == ["inc-2"]
    assert result.engine.incidents["inc-2"].response_to == case.id


def test_the_defenders_fire_far_from_the_breach_opens_a_case_against_it(scenario: Scenario):
    scenario.violation(T0, by="RU", **BREACH)
    scenario.violation(T0 + HOUR, by="UA", **FAR)

    events = scenario.events()

    assert responses(events) == []
    assert [e.violator for e in opened(events)] == ["RU", "UA"]


def test_the_distance_is_less_both_precision_radii(scenario: Scenario):
    scenario.violation(T0, by="RU", location_precision_m=1000, **BREACH)
    scenario.violation(T0 + HOUR, by="UA", location_precision_m=1000, **FAR)

    assert len(responses(scenario.events())) == 1


@pytest.mark.parametrize(
    ("after", "halts"),
    [(-SECOND, False), (0 * SECOND, True), (24 * HOUR, True), (24 * HOUR + SECOND, False)],
)
def test_the_fire_must_come_at_or_after_the_breach_and_at_most_24h_later(
    scenario: Scenario, after, halts
):
    scenario.violation(T0, by="RU", **BREACH)
    scenario.violation(T0 + after, by="UA", arrives=T0 + 25 * HOUR, **NEAR)

    assert bool(responses(scenario.events())) is halts


@pytest.mark.parametrize("event_type", ["missile_strike", "air_strike"])
def test_a_missile_or_air_strike_is_a_violation_however_close(scenario: Scenario, event_type):
    scenario.violation(T0, by="RU", **BREACH)
    scenario.violation(T0 + HOUR, by="UA", event_type=event_type, **NEAR)

    events = scenario.events()

    assert responses(events) == []
    assert [e.violator for e in opened(events)] == ["RU", "UA"]


def test_fire_on_a_civilian_target_is_a_violation_however_close(scenario: Scenario):
    scenario.violation(T0, by="RU", **BREACH)
    scenario.violation(T0 + HOUR, by="UA", target="civilian", **NEAR)

    assert [e.violator for e in opened(scenario.events())] == ["RU", "UA"]


def test_any_report_of_the_incident_may_exclude_it(ceasefire, policy):
    engine = Engine(ceasefire, policy)
    engine.feed(
        make_report(
            id="ru",
            source="omm",
            source_kind="monitor",
            reliability="A",
            credibility=1,
            occurred_at=T0,
            **BREACH,
        )
    )
    engine.feed(
        make_report(
            id="ua-1",
            source="osint-1",
            perpetrator="UA",
            occurred_at=T0 + HOUR,
            event_type="artillery",
            **NEAR,
        )
    )
    events = engine.feed(
        make_report(
            id="ua-2",
            source="osint-2",
            perpetrator="UA",
            occurred_at=T0 + HOUR,
            event_type="rocket",
            target="civilian",
            **NEAR,
        )
    )

    assert [e.event for e in events] == ["case_opened"]


def test_any_violation_of_the_case_may_be_the_one_answered(scenario: Scenario):
    scenario.violation(T0, by="RU", **place(km_east=-100))
    scenario.violation(T0 + 10 * HOUR, by="RU", **BREACH)
    scenario.violation(T0 + 20 * HOUR, by="UA", **NEAR)

    events = scenario.events()

    [event] = named(events, "defensive_response")
    assert event.details["breach"] == "inc-2"
    assert [e.violator for e in opened(events)] == ["RU"]


def test_it_is_judged_when_the_fire_is_verified(scenario: Scenario):
    """Corroborated only by a second source three hours on: judged then, still near."""
    scenario.violation(T0, by="RU", **BREACH)
    scenario.report(T0 + HOUR, perpetrator="UA", source="osint-a", **NEAR)
    scenario.report(T0 + HOUR, arrives=T0 + 4 * HOUR, perpetrator="UA", source="osint-b", **NEAR)

    assert responses(scenario.events()) == [("RU", "inc-2", T0 + 4 * HOUR)]


def test_fire_verified_after_the_case_closed_is_a_violation(scenario: Scenario):
    scenario.violation(T0, by="RU", **BREACH)
    scenario.violation(T0 + HOUR, by="UA", arrives=T0 + 80 * HOUR, **NEAR)

    events = scenario.events()

    assert responses(events) == []
    assert [(e.violator, e.at) for e in opened(events)] == [("RU", T0), ("UA", T0 + 80 * HOUR)]


def test_a_breach_learnt_of_after_the_fire_does_not_make_it_a_response(scenario: Scenario):
    scenario.violation(T0, by="RU", arrives=T0 + 5 * HOUR, **BREACH)
    scenario.violation(T0 + HOUR, by="UA", arrives=T0 + 2 * HOUR, **NEAR)

    events = scenario.events()

    assert responses(events) == []
    assert [e.violator for e in opened(events)] == ["UA", "RU"]


def test_a_defensive_response_is_no_violation_of_the_defenders_own(scenario: Scenario):
    """Nor does it keep the violator's case open: only the violator's violations do."""
    scenario.violation(T0, by="RU", **BREACH)
    for hours in (1, 10, 20):
        scenario.violation(T0 + hours * HOUR, by="UA", **NEAR)

    events = scenario.events()

    assert len(responses(events)) == 3
    assert protocol(events) == [
        ("case_opened", "RU", 1, T0),
        ("case_closed", "RU", None, T0 + 72 * HOUR),
    ]


def test_the_rule_answers_the_breach_of_an_open_case_only_of_another_party(scenario: Scenario):
    scenario.violation(T0, by="RU", **BREACH)
    scenario.violation(T0 + HOUR, by="RU", **NEAR)

    events = scenario.events()

    assert responses(events) == []
    assert len(named(events, "violation_added")) == 1


def test_radius_window_and_exclusions_are_policy_parameters(ceasefire):
    policy = policy_variant(("radius_km: 15  ", "radius_km: 5   "), ("within: 24h", "within: 2h"))
    scenario = Scenario(ceasefire, policy)
    scenario.violation(T0, by="RU", **BREACH)
    scenario.violation(T0 + HOUR, by="UA", **NEAR)
    scenario.violation(T0 + HOUR, by="UA", **place(km_north=-3))
    scenario.violation(T0 + 3 * HOUR, by="UA", **place(km_east=-3))

    events = scenario.events()

    assert responses(events) == [("RU", "inc-3", T0 + HOUR)]


def test_the_rule_can_be_switched_off(ceasefire):
    policy = policy_variant(
        (
            "defensive_response:                 # rule 7: halting the breach\n  enabled: true",
            "defensive_response:\n  enabled: false",
        )
    )
    scenario = Scenario(ceasefire, policy)
    scenario.violation(T0, by="RU", **BREACH)
    scenario.violation(T0 + HOUR, by="UA", **NEAR)

    assert [e.violator for e in opened(scenario.events())] == ["RU", "UA"]


# -- an analyst counts a defensive response as a violation after all ------------------


def halted(ceasefire, policy) -> Engine:
    engine = Engine(ceasefire, policy)
    for id, by, occurred, spot in (("ru", "RU", T0, BREACH), ("ua", "UA", T0 + HOUR, NEAR)):
        engine.feed(
            make_report(
                id=id,
                source="omm",
                source_kind="monitor",
                reliability="A",
                credibility=1,
                occurred_at=occurred,
                perpetrator=by,
                **spot,
            )
        )
    assert engine.incidents["inc-2"].response_to == "cf-test/RU/1"
    return engine


def test_an_analyst_may_count_a_defensive_response_as_a_violation(ceasefire, policy):
    engine = halted(ceasefire, policy)

    events = engine.count_as_violation(
        "inc-2", T0 + 30 * HOUR, by="analyst-1", reason="no breach near"
    )

    assert [(e.event, e.violator, e.at) for e in events] == [
        ("action_overdue", "RU", T0 + 24 * HOUR),
        ("action_overdue", "RU", T0 + 24 * HOUR),
        ("response_reclassified", "RU", T0 + 30 * HOUR),
        ("case_opened", "UA", T0 + 30 * HOUR),
        ("action_overdue", "UA", T0 + 30 * HOUR),
        ("action_overdue", "UA", T0 + 30 * HOUR),
    ]
    assert events[2].details == {"incident": "inc-2", "by": "analyst-1", "reason": "no breach near"}
    ua = engine.cases["cf-test/UA/1"]
    assert ua.opened == T0 + HOUR
    assert engine.cases["cf-test/RU/1"].responses == []
    assert engine.incidents["inc-2"].case == ua.id


def test_counting_it_needs_a_reason(ceasefire, policy):
    engine = halted(ceasefire, policy)

    with pytest.raises(CommandRefused, match="needs a reason"):
        engine.count_as_violation("inc-2", T0 + 2 * HOUR, by="analyst-1", reason=" ")


def test_only_a_defensive_response_can_be_counted_as_a_violation(ceasefire, policy):
    engine = halted(ceasefire, policy)
    engine.count_as_violation("inc-2", T0 + 2 * HOUR, by="analyst-1", reason="no breach near")

    for incident in ("inc-1", "inc-2"):
        with pytest.raises(CommandRefused, match="not a defensive response"):
            engine.count_as_violation(incident, T0 + 3 * HOUR, by="analyst-1", reason="again")


def test_the_breach_named_is_the_nearest_wherever_it_is_filed(ceasefire, policy):
    """Rule 7 searches nearest first (the fire's own grid cell, then the cells its nearest
    distance leaves in reach): the breach it names is the nearest of all, ties the older,
    as a search of every breach finds it, on either side of a cell's edge."""
    import random

    from builders import make_report
    from ceasewatch.domain.geo import haversine_km

    rng = random.Random(7)
    for trial in range(40):
        engine = Engine(ceasefire, policy, trust_input=True)
        breaches = []
        for n in range(rng.randint(1, 30)):
            at = T0 + n * SECOND
            spot = place(km_north=rng.uniform(-20, 20), km_east=rng.uniform(-20, 20))
            if rng.random() < 0.2:  # two breaches at one place: the older is named
                spot = dict(breaches[-1][1]) if breaches else spot
            precision = rng.choice([None, None, 300, 2500, 7000])
            report = make_report(id=f"b{n}", occurred_at=at, location_precision_m=precision, **spot)
            engine.feed(report)
            breaches.append((f"inc-{n + 1}", spot, (precision or 0) / 1000))
        fire_at = place(km_north=rng.uniform(-12, 12), km_east=rng.uniform(-12, 12))
        fire = make_report(
            id="fire", perpetrator="UA", occurred_at=T0 + HOUR, event_type="mortar", **fire_at
        )
        events = named(engine.feed(fire), "defensive_response")
        gaps = [
            (max(0.0, haversine_km(s["lat"], s["lon"], fire_at["lat"], fire_at["lon"]) - p), i)
            for i, s, p in breaches
        ]
        within = sorted((g, int(i.split("-")[1]), i) for g, i in gaps if g <= 15.0)
        if not within:
            assert events == [], trial
            continue
        gap, _, nearest = within[0]
        assert [(e.details["breach"], e.details["distance_km"]) for e in events] == [
            (nearest, round(gap, 1))
        ], trial
