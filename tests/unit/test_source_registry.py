"""The source registry (DESIGN, Source; rule 6): groups, kinds and grades come from it."""

from __future__ import annotations

import pytest

from builders import (
    HOUR,
    MINUTE,
    T0,
    Scenario,
    make_report,
    make_source,
    opened,
    place,
)
from ceasewatch.domain.engine import Engine
from ceasewatch.domain.sources import (
    History,
    Registry,
    SourcesInvalid,
    judged,
    parse_sources,
    sources_from,
)

DESIGN_EXAMPLE = """\
sources:
  - {id: omm-3, kind: monitor, reliability: A, group: omm}
  - {id: chan-a, kind: media, group: newsroom-1}   # reposts of one newsroom
  - {id: chan-b, kind: media, group: newsroom-1}
"""


def verified(scenario: Scenario) -> bool:
    return bool(opened(scenario.events()))


# -- independence groups ----------------------------------------------------------------


def test_two_sources_of_one_group_do_not_corroborate(scenario: Scenario):
    scenario.source("chan-a", kind="media", group="newsroom-1")
    scenario.source("chan-b", kind="media", group="newsroom-1")
    scenario.report(T0, source="chan-a", source_kind="media")
    scenario.report(T0 + 10 * MINUTE, source="chan-b", source_kind="media")

    result = scenario.replay()

    [incident] = result.engine.incidents.values()
    assert len(incident.reports) == 2
    assert not incident.verified
    assert opened(result.events) == []


def test_a_third_source_of_another_group_verifies_them(scenario: Scenario):
    scenario.source("chan-a", kind="media", group="newsroom-1")
    scenario.source("chan-b", kind="media", group="newsroom-1")
    scenario.report(T0, source="chan-a")
    scenario.report(T0 + 10 * MINUTE, source="chan-b")
    scenario.report(T0 + 20 * MINUTE, source="osint-x")

    [event] = opened(scenario.events())

    assert event.at == T0 + 20 * MINUTE


def test_an_undeclared_source_is_a_group_of_its_own(scenario: Scenario):
    scenario.source("chan-a", kind="media", group="newsroom-1")
    scenario.report(T0, source="chan-a")
    scenario.report(T0 + 10 * MINUTE, source="chan-c", source_kind="media")

    assert verified(scenario)


def test_a_declared_source_without_a_group_is_a_group_of_its_own(scenario: Scenario):
    scenario.source("chan-a", kind="media")
    scenario.source("chan-b", kind="media")
    scenario.report(T0, source="chan-a")
    scenario.report(T0 + 10 * MINUTE, source="chan-b")

    assert verified(scenario)


# -- kinds and grades -------------------------------------------------------------------


def test_a_report_cannot_grade_a_declared_source_into_verifying_alone(scenario: Scenario):
    scenario.source("chan-a", kind="media", reliability="C")
    scenario.report(T0, source="chan-a", source_kind="monitor", reliability="A", credibility=1)

    assert not verified(scenario)


def test_a_declared_monitor_verifies_alone_whatever_its_report_claims(scenario: Scenario):
    scenario.source("omm-3", kind="monitor", reliability="A", group="omm")
    scenario.report(T0, source="omm-3", source_kind="media", reliability="E", credibility=1)

    assert verified(scenario)


def test_the_report_gives_its_credibility_when_the_registry_does_not(scenario: Scenario):
    scenario.source("omm-3", kind="monitor", reliability="A")
    scenario.report(T0, source="omm-3", credibility=3)

    assert not verified(scenario)


def test_the_registrys_credibility_comes_before_the_reports(scenario: Scenario):
    scenario.source("omm-3", kind="monitor", reliability="A", credibility=5)
    scenario.report(T0, source="omm-3", credibility=1)

    assert not verified(scenario)


def test_a_source_declared_a_party_statement_never_counts(scenario: Scenario):
    scenario.source("ru-mod", kind="party_statement")
    scenario.report(T0, source="ru-mod", source_kind="osint")
    scenario.report(T0 + 10 * MINUTE, source="osint-x")

    assert not verified(scenario)


def test_a_declared_source_counts_though_its_report_says_party_statement(scenario: Scenario):
    scenario.source("chan-a", kind="media")
    scenario.report(T0, source="chan-a", source_kind="party_statement")
    scenario.report(T0 + 10 * MINUTE, source="osint-x")

    assert verified(scenario)


# -- the registry as it stood when the report arrived --------------------------------------


def test_a_report_is_judged_by_the_registry_as_it_stood_when_it_arrived(ceasefire, policy):
    engine = Engine(
        ceasefire, policy, sources=[make_source("omm-3", kind="monitor", reliability="A")]
    )
    engine.feed(make_report(id="a", source="omm-3", credibility=1))

    engine.declare_sources([make_source("omm-3", kind="monitor", reliability="C")], T0 + HOUR)
    engine.feed(
        make_report(
            id="b", source="omm-3", credibility=1, occurred_at=T0 + 2 * HOUR, **place(km_east=40)
        )
    )

    first, second = engine.incidents.values()
    assert first.verified
    assert not second.verified


def test_regrouping_a_source_does_not_rejudge_the_reports_it_sent(ceasefire, policy):
    sources = [make_source(s, kind="media", group="newsroom-1") for s in ("chan-a", "chan-b")]
    engine = Engine(ceasefire, policy, sources=sources)
    engine.feed(make_report(id="a", source="chan-a"))
    engine.feed(make_report(id="b", source="chan-b", occurred_at=T0 + 10 * MINUTE))

    engine.declare_sources([make_source("chan-b", kind="media")], T0 + HOUR)
    events = engine.feed(make_report(id="c", source="chan-a", occurred_at=T0 + 20 * MINUTE))

    [incident] = engine.incidents.values()
    assert incident.groups == {"newsroom-1"}
    assert opened(events) == []


def test_a_report_that_arrived_before_its_source_was_declared_keeps_its_own_group(
    ceasefire, policy
):
    engine = Engine(ceasefire, policy, sources=[make_source("chan-a", group="newsroom-1")])
    engine.feed(make_report(id="b", source="chan-b"))
    engine.declare_sources([make_source("chan-b", group="newsroom-1")], T0 + HOUR)

    events = engine.feed(make_report(id="a", source="chan-a", reported_at=T0 + 2 * HOUR))

    assert len(opened(events)) == 1


def test_a_split_weighs_the_reports_as_they_were_judged_on_arrival(ceasefire, policy):
    sources = [make_source(s, kind="media", group="newsroom-1") for s in ("chan-a", "chan-b")]
    engine = Engine(ceasefire, policy, sources=sources)
    for rid, source in (("a", "chan-a"), ("b", "chan-b"), ("x", "osint-x")):
        engine.feed(make_report(id=rid, source=source, perpetrator=None))
    engine.declare_sources([make_source("chan-b", kind="media")], T0 + HOUR)
    [incident] = engine.incidents.values()

    engine.split_incident(incident.id, [("osint-x", "x")], T0 + 2 * HOUR, by="ana", reason="two")

    assert incident.groups == {"newsroom-1"}


def test_declaring_sources_fires_the_timers_due_first(ceasefire, policy):
    engine = Engine(ceasefire, policy)
    engine.feed(make_report(id="a", source_kind="monitor", reliability="A", credibility=1))

    events = engine.declare_sources([make_source("omm-3")], T0 + 25 * HOUR)

    assert [e.event for e in events] == ["action_overdue", "action_overdue"]


# -- the registry -----------------------------------------------------------------------


def test_declaring_the_same_sources_again_changes_nothing():
    registry = Registry(parse_sources(DESIGN_EXAMPLE, "sources.yaml"))

    assert registry.declare(parse_sources(DESIGN_EXAMPLE, "sources.yaml")) == []
    assert registry.declare([make_source("chan-a", kind="osint", group="newsroom-1")]) == [
        make_source("chan-a", kind="osint", group="newsroom-1")
    ]


def test_the_history_answers_what_the_registry_said_before_a_journal_number():
    history = History(
        [(3, [make_source("omm-3", reliability="A")]), (7, [make_source("omm-3", reliability="C")])]
    )

    assert history.at("omm-3", 3) is None
    assert history.at("omm-3", 4) == make_source("omm-3", reliability="A")
    assert history.at("omm-3", 8) == make_source("omm-3", reliability="C")
    assert history.at("chan-a", 8) is None


def test_a_judged_record_carries_the_registrys_grading_and_flags_the_claims():
    record = {"id": "r", "source": "chan-a", "source_kind": "monitor", "reliability": "A"}

    shown = judged(record, make_source("chan-a", kind="media", reliability="C", group="news"))

    assert shown["source_kind"] == "media"
    assert shown["reliability"] == "C"
    assert shown["group"] == "news"
    assert shown["claims"] == {"source_kind": "monitor", "reliability": "A"}


def test_a_judged_record_flags_nothing_the_report_did_not_claim():
    shown = judged({"id": "r", "source": "chan-a"}, make_source("chan-a", kind="media"))

    assert "claims" not in shown
    assert shown["reliability"] == "F"


def test_an_undeclared_sources_record_is_its_own_group():
    record = {"id": "r", "source": "x", "source_kind": "monitor"}

    assert judged(record, None) == {**record, "group": "x"}


# -- sources files ----------------------------------------------------------------------


def test_the_designs_sources_file_reads_with_its_defaults():
    omm, chan_a, _ = parse_sources(DESIGN_EXAMPLE, "sources.yaml")

    assert (omm.kind, omm.reliability, omm.group) == ("monitor", "A", "omm")
    assert (chan_a.reliability, chan_a.credibility, chan_a.group) == ("F", None, "newsroom-1")
    assert make_source("lone").group == "lone"


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        ("{id: chan-b, kind: newspaper}", "sources.yaml:3: sources.1 (chan-b): field kind:"),
        ("{id: chan-b, reliability: G}", "sources.yaml:3: sources.1 (chan-b): field reliability:"),
        ("{id: chan-b, credibility: 9}", "sources.yaml:3: sources.1 (chan-b): field credibility:"),
        (
            "{id: chan-b, credibility: yes}",
            "sources.yaml:3: sources.1 (chan-b): field credibility:",
        ),
        ("{id: chan-b, grade: A}", "sources.yaml:3: sources.1 (chan-b): field grade:"),
        ("{kind: media}", "sources.yaml:3: sources.1: field id:"),
    ],
)
def test_a_bad_entry_is_named_with_its_line_place_id_and_field(entry: str, named: str):
    text = f"sources:\n  - {{id: chan-a}}\n  - {entry}\n"

    with pytest.raises(SourcesInvalid) as caught:
        parse_sources(text, "sources.yaml")

    assert str(caught.value).startswith(named), str(caught.value)


def test_a_source_declared_twice_in_one_file_is_refused():
    with pytest.raises(SourcesInvalid, match=r"sources\.2 \(chan-a\): field id: chan-a is"):
        parse_sources("sources:\n  - {id: chan-a}\n  - {id: x}\n  - {id: chan-a}\n", "s.yaml")


def test_sources_may_be_given_as_a_list_or_under_sources():
    listed = [{"id": "chan-a", "kind": "media"}]

    assert sources_from(listed) == sources_from({"sources": listed})
    with pytest.raises(SourcesInvalid) as caught:
        sources_from([{"id": "chan-a", "kind": "tv"}])
    [problem] = caught.value.problems
    assert (problem.entry, problem.field) == ("sources.0 (chan-a)", "kind")


def test_a_file_may_list_the_sources_alone():
    text = "- {id: chan-a, kind: media}\n- {id: chan-b, kind: tv}\n"

    assert parse_sources(text.split("\n")[0], "s.yaml") == [make_source("chan-a", kind="media")]
    with pytest.raises(SourcesInvalid, match=r"^s\.yaml:2: sources\.1 \(chan-b\): field kind:"):
        parse_sources(text, "s.yaml")


def test_a_file_that_is_not_yaml_names_its_line():
    with pytest.raises(SourcesInvalid, match=r"^s\.yaml:2: \(sources file\): not valid YAML"):
        parse_sources("sources:\n  - {id: chan-a: x}\n", "s.yaml")
