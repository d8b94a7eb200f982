"""The replay contract: event time, idempotency, --until and --trust-input."""

from __future__ import annotations

from builders import DAY, HOUR, MINUTE, T0, Scenario, make_report, opened, protocol
from ceasewatch.domain.engine import Engine
from ceasewatch.domain.events import ProtocolEvent
from ceasewatch.domain.reports import FieldError, Rejection, report_record
from ceasewatch.services.replay import replay


def busy(scenario: Scenario) -> Scenario:
    scenario.violation(T0, event_type="missile_strike")
    scenario.violation(T0 + 2 * HOUR, by="UA")
    scenario.violation(T0 + 30 * HOUR, arrives=T0 + 31 * HOUR)
    scenario.violation(T0 + 60 * HOUR)
    scenario.violation(T0 + 7 * DAY, by="UA")
    return scenario


def test_events_handed_on_as_they_come_are_the_events_kept(scenario: Scenario):
    busy(scenario)
    kept = scenario.replay()
    handed: list[list[ProtocolEvent]] = []

    result = replay(scenario.ceasefire, scenario.policy, scenario.reports, on_events=handed.append)

    assert [e for chunk in handed for e in chunk] == kept.events
    assert result.events == []
    assert result.reports == kept.reports


def test_a_replay_that_prints_no_evidence_holds_no_account_or_evidence(scenario: Scenario):
    busy(scenario)
    account = {
        "text": "Seen from the checkpoint.",
        "evidence": [{"uri": "https://e.org/1", "sha256": "d" * 64}],
    }
    scenario.reports[:] = [make_report(**{**report_record(r), **account}) for r in scenario.reports]
    whole = scenario.replay()

    held = replay(scenario.ceasefire, scenario.policy, scenario.reports, accounts=False)

    assert held.events == whole.events
    reports = [r for i in held.engine.incidents.values() for r in i.reports]
    assert reports and {(r.text, r.evidence) for r in reports} == {(None, ())}
    kept = [r for i in whole.engine.incidents.values() for r in i.reports]
    assert {r.text for r in kept} == {account["text"]}


def test_the_same_report_twice_changes_nothing(scenario: Scenario):
    busy(scenario)
    once = scenario.replay()
    scenario.reports.append(scenario.reports[0])

    twice = scenario.replay()

    assert twice.events == once.events
    assert (twice.reports, twice.duplicates) == (once.reports, 1)


def test_a_resent_id_from_the_same_source_is_ignored_even_if_it_differs(ceasefire, policy):
    first = make_report(id="x", source="osint-a")
    resent = make_report(id="x", source="osint-a", source_kind="monitor", reliability="A")
    engine = Engine(ceasefire, policy)

    assert engine.feed(first) == []
    assert engine.feed(resent) == []
    assert engine.run_out() == []


def test_an_engine_fed_by_a_replay_still_ignores_a_resent_id(scenario: Scenario):
    """A replay feeds reports it has made unique, keeping no index of their ids: the
    engine makes one from its incidents when a report is fed to it after."""
    busy(scenario)
    result = scenario.replay()
    engine = result.engine
    before = {i.id: len(i.reports) for i in engine.incidents.values()}

    for report in scenario.reports:
        assert engine.feed(report) == []
    assert {i.id: len(i.reports) for i in engine.incidents.values()} == before

    new = make_report(id="after-the-replay", occurred_at=T0 + 8 * 24 * HOUR)
    engine.feed(new)
    assert len(engine.incidents) == len(before) + 1
    assert engine.feed(new) == []
    assert len(engine.incidents) == len(before) + 1


def test_the_same_report_from_one_source_does_not_corroborate_itself(scenario: Scenario):
    report = scenario.report(T0)
    scenario.reports.append(report)

    assert scenario.events() == []


def test_ids_are_per_source_so_another_sources_report_with_that_id_counts(scenario: Scenario):
    scenario.report(T0, id="x", source="osint-a")
    scenario.report(T0, id="x", source="media-b")

    assert len(opened(scenario.events())) == 1


def test_a_resent_id_is_ignored_whichever_copy_comes_first_in_the_file(ceasefire, policy):
    monitor = {"id": "x", "source": "osce", "source_kind": "monitor", "reliability": "A"}
    sent = make_report(**monitor, credibility=1, occurred_at=T0, reported_at=T0 + HOUR)
    resent = make_report(
        **monitor, credibility=2, occurred_at=T0 + 5 * MINUTE, reported_at=T0 + 3 * HOUR
    )

    forward = replay(ceasefire, policy, [sent, resent]).events
    backward = replay(ceasefire, policy, [resent, sent]).events

    assert backward == forward


def test_until_stops_the_clock(scenario: Scenario):
    busy(scenario)
    full = scenario.events()
    until = T0 + 50 * HOUR

    stopped = scenario.replay(until)

    assert stopped.events == [e for e in full if e.at <= until]
    assert stopped.engine.now == until
    assert stopped.engine.timers_pending > 0
    assert stopped.after_until == 2


def test_until_includes_what_happens_at_that_instant(scenario: Scenario):
    scenario.violation(T0)

    events = scenario.events(until=T0 + 72 * HOUR)

    assert protocol(events) == [
        ("case_opened", "RU", 1, T0),
        ("case_closed", "RU", None, T0 + 72 * HOUR),
    ]


def test_without_until_the_clock_runs_out_every_timer(scenario: Scenario):
    busy(scenario)

    result = scenario.replay()

    assert result.engine.timers_pending == 0
    assert all(not case.is_open for case in result.engine.cases.values())


def test_events_carry_the_contracts_fields(scenario: Scenario):
    busy(scenario)

    for event in scenario.events():
        record = event.to_dict()
        assert {"at", "event", "case", "violator"} <= record.keys()
        assert record["at"].endswith("Z")
        if event.event == "action_overdue":
            assert record["action"]
        if event.event == "case_closed":
            assert record["reason"] in ("quiet", "manual")


def test_trust_input_makes_every_record_a_verified_incident(trusted: Scenario):
    trusted.report(T0, source_kind="osint", reliability="F", credibility=6)

    assert len(opened(trusted.events())) == 1


def test_trust_input_keeps_records_apart_even_when_they_would_corroborate(trusted: Scenario):
    trusted.report(T0)
    trusted.report(T0 + MINUTE)

    result = trusted.replay()

    assert len(result.engine.incidents) == 2
    assert len(opened(result.events)) == 1


def test_trust_input_still_judges_the_ceasefire_and_the_perpetrator(trusted: Scenario):
    trusted.report(T0 - 2 * DAY)
    trusted.report(T0, perpetrator=None)
    trusted.report(T0, perpetrator="BY")

    assert trusted.events() == []


def test_rejected_records_are_passed_through_beside_the_events(ceasefire, policy):
    bad = Rejection("r.jsonl:2", [FieldError("r.jsonl:2", "lat", "too big")])
    good = make_report(source_kind="monitor", reliability="A", credibility=1)

    result = replay(ceasefire, policy, [good, bad])

    assert result.rejected == [bad]
    assert len(opened(result.events)) == 1
