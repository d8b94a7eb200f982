"""Authorising a recommended phase: the parties the policy names, their quorum, and vetoes."""

from __future__ import annotations

import pytest

from builders import HOUR, T0, Scenario, named, policy_variant
from ceasewatch.domain.decisions import Standing
from ceasewatch.domain.engine import CommandRefused, Engine

LEAD = frozenset({"coalition_lead"})
MEMBER = frozenset({"coalition_member"})
DECIDE_AT = T0 + 73 * HOUR


def escalated(scenario: Scenario) -> tuple[Engine, str]:
    """An engine holding RU's case with phases 2 and 3 recommended, and the case's id."""
    scenario.violation(T0, event_type="missile_strike")
    scenario.violation(T0 + 30 * HOUR)
    scenario.violation(T0 + 60 * HOUR)
    engine = Engine(scenario.ceasefire, scenario.policy)
    engine.feed_all(sorted(scenario.reports, key=lambda r: r.arrival))
    engine.advance(T0 + 72 * HOUR)
    [case] = engine.cases.values()
    assert set(case.recommended) == {2, 3}
    return engine, case.id


def decide(engine: Engine, case: str, phase: int, party: str, **kw: object) -> list[str]:
    options: dict[str, object] = {"authorise": True, "reason": "as agreed", "at": DECIDE_AT}
    options.update(kw)
    events = engine.decide(case, phase, party, **options)  # type: ignore[arg-type]
    return [e.event for e in events]


def test_phase_3_is_authorised_by_the_us_and_one_coalition_lead(scenario: Scenario):
    engine, case = escalated(scenario)

    assert decide(engine, case, 3, "US") == ["decision_recorded"]
    assert decide(engine, case, 3, "GB", roles=LEAD) == ["decision_recorded", "phase_authorised"]
    assert engine.cases[case].standing(3) is Standing.AUTHORISED


def test_two_coalition_leads_without_the_us_do_not_authorise_phase_3(scenario: Scenario):
    engine, case = escalated(scenario)

    decide(engine, case, 3, "GB", roles=LEAD)
    decide(engine, case, 3, "FR", roles=LEAD)

    assert engine.cases[case].standing(3) is Standing.PENDING


def test_one_decline_by_a_needed_party_declines_the_phase(scenario: Scenario):
    engine, case = escalated(scenario)

    decide(engine, case, 3, "GB", roles=LEAD)
    events = decide(engine, case, 3, "US", authorise=False, reason="not yet")

    assert events == ["decision_recorded", "phase_declined"]
    assert engine.cases[case].standing(3) is Standing.DECLINED


def test_without_a_veto_a_decline_is_recorded_and_the_phase_waits(ceasefire):
    scenario = Scenario(
        ceasefire,
        policy_variant(
            (
                "    authorisation:\n      rules:\n        - {of: [US]",
                "    authorisation:\n      veto: false\n      rules:\n        - {of: [US]",
            )
        ),
    )
    engine, case = escalated(scenario)

    decide(engine, case, 3, "GB", roles=LEAD, authorise=False, reason="not yet")
    decide(engine, case, 3, "FR", roles=LEAD)
    decide(engine, case, 3, "US")

    assert engine.cases[case].standing(3) is Standing.AUTHORISED


def test_phase_2_needs_the_coalition_lead_and_20_commitments(scenario: Scenario):
    engine, case = escalated(scenario)
    decide(engine, case, 2, "GB", roles=LEAD)
    members = [f"M{n:02d}" for n in range(20)]

    for member in members[:19]:
        decide(engine, case, 2, member, roles=MEMBER)
    assert engine.cases[case].standing(2) is Standing.PENDING

    assert decide(engine, case, 2, members[19], roles=MEMBER)[-1] == "phase_authorised"


def test_a_party_the_phase_does_not_name_may_not_decide_it(scenario: Scenario):
    engine, case = escalated(scenario)

    with pytest.raises(CommandRefused, match="UA may not decide phase 3"):
        decide(engine, case, 3, "UA")


def test_the_violator_may_not_decide_its_own_case(scenario: Scenario):
    engine, case = escalated(scenario)

    with pytest.raises(CommandRefused, match="RU may not decide"):
        decide(engine, case, 3, "RU")


def test_a_party_decides_a_phase_once(scenario: Scenario):
    engine, case = escalated(scenario)
    decide(engine, case, 3, "US")

    with pytest.raises(CommandRefused, match="already decided"):
        decide(engine, case, 3, "US", authorise=False, reason="changed our mind")


def test_a_settled_phase_takes_no_more_decisions(scenario: Scenario):
    engine, case = escalated(scenario)
    decide(engine, case, 3, "US", authorise=False, reason="no")

    with pytest.raises(CommandRefused, match="already declined"):
        decide(engine, case, 3, "GB", roles=LEAD)


def test_a_phase_not_recommended_cannot_be_decided(scenario: Scenario):
    scenario.violation(T0)
    engine = Engine(scenario.ceasefire, scenario.policy)
    engine.feed_all(scenario.reports)
    [case] = engine.cases

    with pytest.raises(CommandRefused, match="has not been recommended"):
        decide(engine, case, 3, "US", at=T0 + HOUR)


def test_a_decision_needs_a_reason(scenario: Scenario):
    engine, case = escalated(scenario)

    with pytest.raises(CommandRefused, match="needs a reason"):
        decide(engine, case, 3, "US", reason="  ")


def test_a_decision_carries_its_party_and_verdict(scenario: Scenario):
    engine, case = escalated(scenario)

    events = engine.decide(case, 3, "US", authorise=False, reason="await evidence", at=DECIDE_AT)

    [recorded] = named(events, "decision_recorded")
    assert recorded.details == {
        "phase": 3,
        "party": "US",
        "decision": "decline",
        "reason": "await evidence",
    }
    assert engine.cases[case].decisions[0].reason == "await evidence"


def test_marking_an_action_done_is_an_event_once(scenario: Scenario):
    scenario.violation(T0)
    engine = Engine(scenario.ceasefire, scenario.policy)
    engine.feed_all(scenario.reports)
    [case] = engine.cases

    first = engine.mark_action_done(case, "diplomatic_warning", T0 + HOUR, by="EU")
    again = engine.mark_action_done(case, "diplomatic_warning", T0 + 2 * HOUR, by="US")

    assert [(e.event, e.details["by"]) for e in first] == [("action_done", "EU")]
    assert again == []


def test_the_engine_says_which_incidents_and_cases_changed(scenario: Scenario):
    first = scenario.report(T0)
    engine = Engine(scenario.ceasefire, scenario.policy)
    engine.feed(first)
    [incident] = engine.incidents.values()
    assert engine.take_changes().incidents == {incident.id: incident}

    engine.feed(scenario.report(T0))
    changes = engine.take_changes()

    assert changes.verified == [incident]
    assert list(changes.cases) == ["cf-test/RU/1"]
    assert engine.take_changes().incidents == {}
