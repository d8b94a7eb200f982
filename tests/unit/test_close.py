"""Rule 4: 72 h without a violation closes the case; a closed case stays closed."""

from __future__ import annotations

from builders import DAY, HOUR, SECOND, T0, Scenario, named, opened, policy_variant, protocol
from ceasewatch.domain.engine import Engine

REPEAT_OFFENCE = ("enabled: false", "enabled: true")


def test_a_case_closes_quietly_72h_after_its_last_violation(scenario: Scenario):
    scenario.violation(T0)
    scenario.violation(T0 + 10 * HOUR)

    [closed] = named(scenario.events(), "case_closed")

    assert (closed.at, closed.details["reason"]) == (T0 + 82 * HOUR, "quiet")


def test_the_quiet_period_runs_from_occurred_at_not_from_arrival(scenario: Scenario):
    scenario.violation(T0)
    scenario.violation(T0 + 10 * HOUR, arrives=T0 + 40 * HOUR)

    [closed] = named(scenario.events(), "case_closed")

    assert closed.at == T0 + 82 * HOUR


def test_a_violation_at_the_instant_of_the_quiet_close_opens_a_new_case(scenario: Scenario):
    scenario.violation(T0)
    scenario.violation(T0 + 72 * HOUR)

    events = scenario.events()

    assert protocol(events)[:3] == [
        ("case_opened", "RU", 1, T0),
        ("case_closed", "RU", None, T0 + 72 * HOUR),
        ("case_opened", "RU", 1, T0 + 72 * HOUR),
    ]
    first, second = (e.case for e in opened(events))
    assert first != second


def test_a_violation_a_second_before_the_quiet_close_keeps_the_case_open(scenario: Scenario):
    scenario.violation(T0)
    scenario.violation(T0 + 72 * HOUR - SECOND)

    assert protocol(scenario.events()) == [
        ("case_opened", "RU", 1, T0),
        ("phase_recommended", "RU", 2, T0 + 72 * HOUR - SECOND),
        ("case_closed", "RU", None, T0 + 144 * HOUR - SECOND),
    ]


def test_a_closed_case_stays_closed_when_an_older_violation_becomes_known(scenario: Scenario):
    scenario.violation(T0)
    scenario.violation(T0 + 10 * HOUR, arrives=T0 + 80 * HOUR)

    result = scenario.replay()

    assert protocol(result.events) == [
        ("case_opened", "RU", 1, T0),
        ("case_closed", "RU", None, T0 + 72 * HOUR),
        ("case_opened", "RU", 1, T0 + 80 * HOUR),
        ("case_closed", "RU", None, T0 + 82 * HOUR),
    ]
    first, second = (result.engine.cases[e.case] for e in opened(result.events))
    assert first.closed_at == T0 + 72 * HOUR
    assert len(first.incidents) == 1
    assert second.opened == T0 + 10 * HOUR


def test_a_case_may_be_closed_manually(ceasefire, policy, scenario: Scenario):
    engine = Engine(ceasefire, policy)
    [event] = opened(engine.feed(scenario.violation(T0)))

    events = engine.close_case(event.case, T0 + 5 * HOUR)

    assert [(e.event, e.at, e.details["reason"]) for e in events] == [
        ("case_closed", T0 + 5 * HOUR, "manual")
    ]
    assert named(engine.run_out(), "action_overdue", "case_closed") == []


def test_a_manual_close_after_a_deadline_keeps_the_overdue_alerts(
    ceasefire, policy, scenario: Scenario
):
    engine = Engine(ceasefire, policy)
    [event] = opened(engine.feed(scenario.violation(T0)))

    events = engine.close_case(event.case, T0 + 30 * HOUR)

    assert [e.event for e in events] == ["action_overdue", "action_overdue", "case_closed"]


def test_a_repeat_offence_opens_at_phase_1_by_default(scenario: Scenario):
    scenario.violation(T0)
    scenario.violation(T0 + 5 * DAY)

    assert [e.details["phase"] for e in opened(scenario.events())] == [1, 1]


def test_a_repeat_offence_within_30_days_opens_at_phase_2_when_enabled(ceasefire):
    scenario = Scenario(ceasefire, policy_variant(REPEAT_OFFENCE))
    scenario.violation(T0)
    scenario.violation(T0 + 5 * DAY)

    assert protocol(scenario.events()) == [
        ("case_opened", "RU", 1, T0),
        ("case_closed", "RU", None, T0 + 3 * DAY),
        ("case_opened", "RU", 2, T0 + 5 * DAY),
        ("phase_recommended", "RU", 2, T0 + 5 * DAY),
        ("case_closed", "RU", None, T0 + 8 * DAY),
    ]


def test_a_repeat_offence_after_30_days_opens_at_phase_1(ceasefire):
    scenario = Scenario(ceasefire, policy_variant(REPEAT_OFFENCE))
    scenario.violation(T0)
    scenario.violation(T0 + 3 * DAY + 31 * DAY)

    assert [e.details["phase"] for e in opened(scenario.events())] == [1, 1]


def test_a_repeat_offence_is_judged_per_violator(ceasefire):
    scenario = Scenario(ceasefire, policy_variant(REPEAT_OFFENCE))
    scenario.violation(T0, by="RU")
    scenario.violation(T0 + 5 * DAY, by="UA")

    assert [(e.violator, e.details["phase"]) for e in opened(scenario.events())] == [
        ("RU", 1),
        ("UA", 1),
    ]


def test_a_violation_known_only_after_its_quiet_period_opens_and_closes_a_case_at_arrival(
    scenario: Scenario,
):
    scenario.violation(T0, arrives=T0 + 100 * HOUR)

    events = scenario.events()

    assert protocol(events) == [
        ("case_opened", "RU", 1, T0 + 100 * HOUR),
        ("case_closed", "RU", None, T0 + 100 * HOUR),
    ]
    assert [e.event for e in events] == [
        "case_opened",
        "action_overdue",
        "action_overdue",
        "case_closed",
    ]
