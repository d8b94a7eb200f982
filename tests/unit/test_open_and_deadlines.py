"""Rule 1: a violation opens a case at phase 1; its actions are due 24 h after it occurred."""

from __future__ import annotations

from builders import HOUR, MINUTE, T0, Scenario, named, opened, protocol
from ceasewatch.domain.engine import Engine

PHASE_1_ACTIONS = {"diplomatic_warning", "halt_breach"}


def test_case_opens_at_the_violations_occurred_at_and_is_announced_at_its_arrival(
    scenario: Scenario,
):
    scenario.violation(T0, arrives=T0 + 3 * HOUR)

    result = scenario.replay()

    [event] = opened(result.events)
    assert (event.at, event.violator, event.details["phase"]) == (T0 + 3 * HOUR, "RU", 1)
    case = result.engine.cases[event.case]
    assert case.opened == T0
    assert event.details["incident"] in result.engine.incidents


def test_phase_1_actions_are_overdue_at_opened_plus_24h(scenario: Scenario):
    scenario.violation(T0, arrives=T0 + 3 * HOUR)

    overdue = named(scenario.events(), "action_overdue")

    assert {e.details["action"] for e in overdue} == PHASE_1_ACTIONS
    assert {e.at for e in overdue} == {T0 + 24 * HOUR}
    assert {e.details["phase"] for e in overdue} == {1}


def test_an_action_marked_done_before_its_deadline_is_not_overdue(ceasefire, policy, scenario):
    violation = scenario.violation(T0)
    engine = Engine(ceasefire, policy)
    [event] = opened(engine.feed(violation))

    engine.mark_action_done(event.case, "diplomatic_warning", T0 + 23 * HOUR, by="EU")
    overdue = named(engine.run_out(), "action_overdue")

    assert [e.details["action"] for e in overdue] == ["halt_breach"]


def test_an_action_marked_done_after_its_deadline_stays_overdue(ceasefire, policy, scenario):
    violation = scenario.violation(T0)
    engine = Engine(ceasefire, policy)
    [event] = opened(engine.feed(violation))

    events = engine.mark_action_done(event.case, "diplomatic_warning", T0 + 25 * HOUR, by="EU")
    events += engine.run_out()

    overdue = named(events, "action_overdue")
    assert {e.details["action"] for e in overdue} == PHASE_1_ACTIONS
    assert {e.at for e in overdue} == {T0 + 24 * HOUR}


def test_a_further_violation_joins_the_open_case_instead_of_opening_another(scenario: Scenario):
    scenario.violation(T0)
    scenario.violation(T0 + 5 * HOUR)

    events = scenario.events()

    assert len(opened(events)) == 1
    [added] = named(events, "violation_added")
    assert added.case == opened(events)[0].case
    assert added.at == T0 + 5 * HOUR


def test_one_violation_gives_the_contracts_whole_life_of_a_case(scenario: Scenario):
    scenario.violation(T0, arrives=T0 + 30 * MINUTE)

    assert protocol(scenario.events()) == [
        ("case_opened", "RU", 1, T0 + 30 * MINUTE),
        ("case_closed", "RU", None, T0 + 72 * HOUR),
    ]
