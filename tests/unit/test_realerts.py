"""An action still undone after its deadline is alerted again on the policy's interval."""

from __future__ import annotations

from builders import HOUR, T0, Scenario, named, policy_variant
from ceasewatch.domain.engine import Engine


def still_overdue(events):  # type: ignore[no-untyped-def]
    return [(e.at, e.details["action"]) for e in named(events, "action_still_overdue")]


def test_an_undone_action_is_alerted_every_12h_until_the_case_closes(scenario: Scenario):
    scenario.violation(T0)

    alerts = still_overdue(scenario.events())

    times = sorted({at for at, _ in alerts})
    assert times == [T0 + 36 * HOUR, T0 + 48 * HOUR, T0 + 60 * HOUR]
    assert {action for _, action in alerts} == {"diplomatic_warning", "halt_breach"}


def test_an_action_done_is_alerted_no_more(ceasefire, policy, scenario: Scenario):
    violation = scenario.violation(T0)
    engine = Engine(ceasefire, policy)
    [opened] = engine.feed(violation)

    engine.advance(T0 + 40 * HOUR)
    engine.mark_action_done(opened.case, "diplomatic_warning", T0 + 40 * HOUR, by="EU")
    later = engine.run_out()

    assert {action for _, action in still_overdue(later)} == {"halt_breach"}


def test_a_policy_without_repeat_overdue_alerts_once(ceasefire):
    quiet = policy_variant(("  repeat_overdue: 12h", "  repeat_overdue: null"))
    scenario = Scenario(ceasefire, quiet)
    scenario.violation(T0)

    events = scenario.events()

    assert still_overdue(events) == []
    assert len(named(events, "action_overdue")) == 2


def test_a_deadline_learnt_of_late_is_alerted_once_then_on_the_interval(scenario: Scenario):
    scenario.violation(T0, arrives=T0 + 50 * HOUR)

    events = scenario.events()

    assert {e.at for e in named(events, "action_overdue")} == {T0 + 50 * HOUR}
    assert sorted({at for at, _ in still_overdue(events)}) == [T0 + 62 * HOUR]
