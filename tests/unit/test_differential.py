"""The engine against a second, plain reading of DESIGN's rules 1-5 and 7 (reference.py),
on generated streams of trusted reports: late, tied, near and far, of every kind."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from reference import Reference

from builders import EFFECTIVE_FROM, HOUR, MINUTE, T0, make_report, place
from ceasewatch.domain.reports import Report
from ceasewatch.services.replay import replay

bounded = settings(max_examples=400, deadline=None, derandomize=True, database=None)

SPOTS = [place(), place(km_north=6), place(km_north=14), place(km_east=16), place(km_east=60)]
TYPES = ["artillery", "mortar", "small_arms", "drone_strike", "missile_strike", "air_strike"]
DELAYS = [0, 0, 0, 1, 3, 12, 25, 30, 80]
COMPARED = ("case_opened", "phase_recommended", "case_closed", "defensive_response")


@st.composite
def a_report(draw: st.DrawFn, number: int) -> Report:
    occurred = T0 - 30 * HOUR + draw(st.integers(0, 10 * 24)) * 30 * MINUTE
    return make_report(
        id=f"d-{number}",
        source=draw(st.sampled_from(["a", "b", "c"])),
        occurred_at=occurred,
        reported_at=occurred + draw(st.sampled_from(DELAYS)) * HOUR,
        event_type=draw(st.sampled_from(TYPES)),
        perpetrator=draw(st.sampled_from(["RU", "RU", "UA", "UA", "BY", None])),
        target=draw(st.sampled_from([None, None, "military", "civilian"])),
        killed=draw(st.sampled_from([None, 0, 2, 11])),
        location_precision_m=draw(st.sampled_from([None, 500, 3000])),
        **draw(st.sampled_from(SPOTS)),
    )


@st.composite
def streams(draw: st.DrawFn) -> list[Report]:
    return [draw(a_report(n)) for n in range(draw(st.integers(1, 45)))]


def engine_events(ceasefire, policy, reports):
    events = replay(ceasefire, policy, reports, trust_input=True).events
    return [
        (
            e.at,
            e.event,
            e.violator,
            e.details["breach"]
            if e.event == "defensive_response"
            else detail(e.event, e.details.get("phase")),
        )
        for e in events
        if e.event in COMPARED
    ]


def detail(event: str, value: object) -> object:
    return None if event == "case_closed" else value


def reference_events(reports, incident_ids):
    out = Reference(["RU", "UA"], EFFECTIVE_FROM).run(reports)
    return [
        (at, event, violator, incident_ids[detail] if event == "defensive_response" else detail)
        for at, event, violator, detail in out
    ]


@bounded
@given(reports=streams())
def test_the_engine_gives_what_the_rules_say(ceasefire, policy, reports):
    result = replay(ceasefire, policy, reports, trust_input=True)
    incident_ids = {i.first.id: i.id for i in result.engine.incidents.values()}

    assert engine_events(ceasefire, policy, reports) == reference_events(reports, incident_ids)
