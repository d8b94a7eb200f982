"""Properties of replay over generated report streams: order, determinism, the case life."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from builders import HOUR, MINUTE, T0, make_report
from ceasewatch.domain.events import ProtocolEvent
from ceasewatch.domain.reports import Report
from ceasewatch.domain.severity import Severity
from ceasewatch.services.replay import ReplayResult, replay

bounded = settings(max_examples=60, deadline=None, derandomize=True, database=None)

SOURCES = ["mon-a", "mon-b", "osint-c", "media-d", "party-e"]
KINDS = ["monitor", "sensor", "osint", "media", "party_statement", None]
TYPES = ["artillery", "mortar", "small_arms", "ground_assault", "missile_strike", "drone_strike"]
DELAYS = [timedelta(0), timedelta(0), 30 * MINUTE, HOUR, 3 * HOUR, 12 * HOUR, 30 * HOUR]
SLOTS = 6 * 24 * 2
"""Half-hour slots over six days: few enough that arrival times often coincide."""


@st.composite
def a_report(draw: st.DrawFn, number: int) -> Report:
    occurred = T0 + draw(st.integers(0, SLOTS)) * 30 * MINUTE
    return make_report(
        id=f"p-{number}",
        source=draw(st.sampled_from(SOURCES)),
        source_kind=draw(st.sampled_from(KINDS)),
        reliability=draw(st.sampled_from("ABC")),
        credibility=draw(st.integers(1, 3)),
        occurred_at=occurred,
        reported_at=occurred + draw(st.sampled_from(DELAYS)),
        lat=48.0 + draw(st.integers(0, 6)) * 0.01,
        lon=37.8 + draw(st.integers(0, 6)) * 0.015,
        event_type=draw(st.sampled_from(TYPES)),
        perpetrator=draw(st.sampled_from(["RU", "RU", "UA", None])),
        killed=draw(st.sampled_from([None, 0, 1, 6])),
    )


@st.composite
def streams(draw: st.DrawFn) -> list[Report]:
    size = draw(st.integers(1, 40))
    return [draw(a_report(n)) for n in range(size)]


trust = st.booleans()


def run(ceasefire, policy, reports, trust_input: bool, **kw) -> ReplayResult:
    return replay(ceasefire, policy, reports, trust_input=trust_input, **kw)


def as_dicts(events: list[ProtocolEvent]) -> list[dict[str, object]]:
    return [e.to_dict() for e in events]


@bounded
@given(reports=streams(), trust_input=trust)
def test_the_same_input_gives_the_same_events(ceasefire, policy, reports, trust_input):
    first = run(ceasefire, policy, reports, trust_input)
    second = run(ceasefire, policy, list(reports), trust_input)

    assert as_dicts(second.events) == as_dicts(first.events)


@bounded
@given(reports=streams(), trust_input=trust, data=st.data())
def test_the_order_of_the_input_does_not_matter(ceasefire, policy, reports, trust_input, data):
    shuffled = data.draw(st.permutations(reports))

    expected = run(ceasefire, policy, reports, trust_input).events
    assert as_dicts(run(ceasefire, policy, shuffled, trust_input).events) == as_dicts(expected)


@bounded
@given(reports=streams(), trust_input=trust)
def test_events_come_out_in_time_order(ceasefire, policy, reports, trust_input):
    times = [e.at for e in run(ceasefire, policy, reports, trust_input).events]

    assert times == sorted(times)


@bounded
@given(reports=streams(), trust_input=trust)
def test_every_event_belongs_to_the_violators_open_case(ceasefire, policy, reports, trust_input):
    open_cases: dict[str, str] = {}
    finished: set[str] = set()

    for event in run(ceasefire, policy, reports, trust_input).events:
        if event.event == "case_opened":
            assert event.violator not in open_cases
            assert event.case not in finished
            open_cases[event.violator] = event.case
            continue
        assert open_cases.get(event.violator) == event.case, event
        if event.event == "case_closed":
            finished.add(open_cases.pop(event.violator))


@bounded
@given(reports=streams(), trust_input=trust)
def test_every_case_opened_is_closed_once_the_clock_runs_out(
    ceasefire, policy, reports, trust_input
):
    events = run(ceasefire, policy, reports, trust_input).events

    opened = [e.case for e in events if e.event == "case_opened"]
    closed = [e.case for e in events if e.event == "case_closed"]
    assert sorted(closed) == sorted(opened)


@bounded
@given(reports=streams(), trust_input=trust)
def test_phase_3_needs_a_broad_attack_in_the_case_and_a_recent_violation(
    ceasefire, policy, reports, trust_input
):
    result = run(ceasefire, policy, reports, trust_input)

    for event in result.events:
        if event.event != "phase_recommended" or event.details["phase"] != 3:
            continue
        case = result.engine.cases[event.case]
        broad = result.engine.incidents[event.details["incident"]]
        assert broad.severity is Severity.BROAD_ATTACK
        assert broad in case.incidents
        assert event.at >= case.opened + 72 * HOUR
        recent = [i for i in case.incidents if event.at - 24 * HOUR < i.violation_at <= event.at]
        assert recent, event


@bounded
@given(reports=streams(), trust_input=trust)
def test_phase_2_follows_a_violation_more_than_24h_after_opening(
    ceasefire, policy, reports, trust_input
):
    result = run(ceasefire, policy, reports, trust_input)

    for event in result.events:
        if event.event != "phase_recommended" or event.details["phase"] != 2:
            continue
        case = result.engine.cases[event.case]
        trigger = result.engine.incidents[event.details["incident"]]
        assert trigger in case.incidents
        assert trigger.violation_at > case.opened + 24 * HOUR


@bounded
@given(reports=streams(), trust_input=trust, data=st.data())
def test_until_gives_the_full_runs_events_up_to_that_instant(
    ceasefire, policy, reports, trust_input, data
):
    until = T0 + data.draw(st.integers(0, 9 * 24)) * HOUR
    full = run(ceasefire, policy, reports, trust_input).events

    stopped = run(ceasefire, policy, reports, trust_input, until=until).events

    assert as_dicts(stopped) == as_dicts([e for e in full if e.at <= until])
