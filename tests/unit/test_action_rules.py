"""Who may mark an action done, and when: an owner of the action, while its case is open.

The engine answers before a command is taken (`check_action_done`); marking done itself
takes what a journal holds, as the rules of its day let it through.
"""

from __future__ import annotations

import pytest

from builders import DAY, HOUR, T0, Scenario
from ceasewatch.domain.engine import CommandRefused, Engine, NotAnOwner

GUARANTOR = frozenset({"guarantor"})
LEAD = frozenset({"coalition_lead"})


def opened_case(scenario: Scenario, until: object = T0 + HOUR) -> tuple[Engine, str]:
    """RU's case, opened by one violation at T0."""
    scenario.violation(T0)
    engine = Engine(scenario.ceasefire, scenario.policy)
    engine.feed_all(scenario.reports)
    engine.advance(until)  # type: ignore[arg-type]
    [case] = engine.cases.values()
    return engine, case.id


@pytest.mark.parametrize(
    ("party", "roles", "action"),
    [
        ("US", frozenset(), "diplomatic_warning"),  # named by code
        ("GB", LEAD, "diplomatic_warning"),  # role:coalition_lead, through the directory
        ("UA", frozenset(), "halt_breach"),  # the defender, relative to this case
    ],
)
def test_an_owner_may_mark_an_action_done(scenario: Scenario, party, roles, action):
    engine, case = opened_case(scenario)

    engine.check_action_done(case, action, party, roles)  # no refusal


@pytest.mark.parametrize(
    ("party", "roles", "action"),
    [
        ("FR", GUARANTOR, "diplomatic_warning"),
        ("RU", frozenset(), "halt_breach"),  # the violator is no defender
        ("US", frozenset(), "halt_breach"),  # not a party to the ceasefire
    ],
)
def test_a_party_that_owns_no_such_action_is_refused(scenario: Scenario, party, roles, action):
    engine, case = opened_case(scenario)

    with pytest.raises(NotAnOwner, match=f"{party} is not an owner of {action} of case {case}"):
        engine.check_action_done(case, action, party, roles)


def test_the_refusal_names_the_actions_owners(scenario: Scenario):
    engine, case = opened_case(scenario)

    with pytest.raises(NotAnOwner, match="its owners are role:coalition_lead, US, EU"):
        engine.check_action_done(case, "diplomatic_warning", "FR", GUARANTOR)


def test_a_closed_case_offers_no_action_and_says_why_and_when(scenario: Scenario):
    engine, case = opened_case(scenario, until=T0 + 4 * DAY)

    with pytest.raises(CommandRefused, match=rf"case {case} is closed \(quiet, 2026-03-05 10:00\)"):
        engine.check_action_done(case, "diplomatic_warning", "US", frozenset())


def test_the_coordination_cell_records_for_an_open_case_without_owning_the_action(
    scenario: Scenario,
):
    engine, case = opened_case(scenario)

    engine.check_action_done(case, "halt_breach", None, frozenset())  # no refusal


def test_a_closed_case_offers_no_decision_either(scenario: Scenario):
    for hours in (0, 30, 60):
        scenario.violation(T0 + hours * HOUR, event_type="missile_strike")
    engine = Engine(scenario.ceasefire, scenario.policy)
    engine.feed_all(scenario.reports)
    engine.advance(T0 + 60 * HOUR + 4 * DAY)
    [case] = engine.cases.values()

    with pytest.raises(
        CommandRefused, match=rf"case {case.id} is closed \(quiet, 2026-03-07 22:00\)"
    ):
        engine.decide(case.id, 3, "US", authorise=True, reason="x", at=T0 + 8 * DAY)
