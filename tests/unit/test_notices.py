"""Who is told what: each party gets the events that concern it."""

from __future__ import annotations

from builders import T0
from ceasewatch.domain.events import ProtocolEvent
from ceasewatch.domain.notices import notices_for, resolve

DIRECTORY = {
    "US": frozenset({"guarantor"}),
    "EU": frozenset({"guarantor"}),
    "GB": frozenset({"coalition_lead", "coalition_member"}),
    "FR": frozenset({"coalition_lead", "coalition_member"}),
    "PL": frozenset({"coalition_member"}),
    "CELL": frozenset({"coordination_cell"}),
    "UA": frozenset({"side"}),
    "RU": frozenset({"side"}),
}
PARTIES = ["RU", "UA"]


def event(name: str, **details: object) -> ProtocolEvent:
    return ProtocolEvent(T0, name, "cf/RU/1", "RU", dict(details))


def told(policy, e: ProtocolEvent) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(n.party, n.kind) for n in notices_for(e, policy, PARTIES, DIRECTORY)}


def test_participants_resolve_through_the_case_and_the_directory():
    found = resolve(["violator", "defender", "role:coalition_lead", "US"], "RU", PARTIES, DIRECTORY)

    assert found == ["RU", "UA", "FR", "GB", "US"]


def test_a_case_opening_warns_the_violator_and_calls_the_defender_and_the_leads(policy):
    notices = told(policy, event("case_opened", phase=1, incident="inc-1", severity="major"))

    assert ("RU", "warning") in notices
    assert ("UA", "action_due") in notices
    assert {("GB", "action_due"), ("FR", "action_due"), ("US", "action_due")} <= notices
    assert ("CELL", "case_opened") in notices
    assert not any(party == "PL" for party, _ in notices)


def test_phase_2_calls_the_coalition_members_to_commit_and_the_leads_to_decide(policy):
    notices = told(policy, event("phase_recommended", phase=2, incident="inc-9", reason="x"))

    assert {("PL", "call_to_commit"), ("GB", "call_to_commit")} <= notices
    assert {("GB", "decision_needed"), ("FR", "decision_needed")} <= notices
    assert ("US", "decision_needed") not in notices


def test_phase_3_asks_the_us_and_the_coalition_leads_to_decide(policy):
    notices = told(policy, event("phase_recommended", phase=3, incident="inc-1", reason="x"))

    assert {
        ("US", "decision_needed"),
        ("GB", "decision_needed"),
        ("FR", "decision_needed"),
    } <= notices


def test_an_overdue_action_alerts_its_owners_and_the_coordination_cell(policy):
    alert = event("action_overdue", action="halt_breach", phase=1, due="x", owners=["defender"])

    assert told(policy, alert) == {("UA", "overdue"), ("CELL", "overdue")}


def test_a_closed_case_is_told_to_both_sides_and_the_cell(policy):
    assert told(policy, event("case_closed", reason="quiet", phase=1)) == {
        ("RU", "case_closed"),
        ("UA", "case_closed"),
        ("CELL", "case_closed"),
    }


def test_a_violation_added_tells_no_one(policy):
    assert told(policy, event("violation_added", incident="inc-2", severity="minor")) == set()
