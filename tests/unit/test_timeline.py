"""Timelines in words: what each protocol event says, reminders folded, what a tick did."""

from __future__ import annotations

from datetime import datetime

from builders import HOUR, MINUTE, T0
from ceasewatch.domain import events as ev
from ceasewatch.domain.events import ProtocolEvent
from ceasewatch.timeline import describe, fold_reminders, tick_line

CASE = "cf-1/RU/1"
OWNERS = ["role:coalition_lead", "US", "EU"]


def event(at: datetime, kind: str, **details: object) -> ProtocolEvent:
    return ProtocolEvent(at, kind, CASE, "RU", dict(details))


def reminder(at: datetime, action: str = "diplomatic_warning") -> ProtocolEvent:
    return event(at, ev.ACTION_STILL_OVERDUE, action=action, phase=1, due="x", owners=OWNERS)


def test_events_are_told_in_words():
    told = [
        describe(event(T0, ev.CASE_OPENED, phase=1, incident="inc-1", severity="broad_attack")),
        describe(
            event(T0, ev.PHASE_RECOMMENDED, phase=2, reason="fighting_continues", incident="inc-4")
        ),
        describe(
            event(
                T0, ev.ACTION_OVERDUE, action="halt_breach", phase=1, due="x", owners=["defender"]
            )
        ),
        describe(
            event(
                T0, ev.DECISION_RECORDED, phase=3, party="US", decision="decline", reason="not yet"
            )
        ),
        describe(event(T0, ev.INCIDENT_REJECTED, incident="inc-2", reason="a hoax")),
        describe(event(T0, ev.CASE_CLOSED, phase=3, reason="quiet")),
    ]

    assert told == [
        "case opened at phase 1 on inc-1 (broad attack)",
        "PHASE 2 RECOMMENDED: fighting continues (inc-4)",
        "halt_breach overdue: not done by its deadline (defender)",
        "US declined phase 3: “not yet”",
        "inc-2 rejected, no longer counted: “a hoax”",
        "case closed at phase 3: no further violation (quiet)",
    ]


def test_a_run_of_reminders_for_one_action_is_one_line_where_the_first_stood():
    overdue = event(
        T0, ev.ACTION_OVERDUE, action="diplomatic_warning", phase=1, due="x", owners=OWNERS
    )
    violation = event(T0 + 13 * HOUR, ev.VIOLATION_ADDED, incident="inc-2", severity="major")
    reminders = [reminder(T0 + 12 * HOUR * n) for n in range(1, 27)]
    timeline = [overdue, reminders[0], violation, *reminders[1:]]

    folded = fold_reminders(timeline)

    assert [e.event for e in folded] == [
        "action_overdue",
        "action_still_overdue",
        "violation_added",
    ]
    assert folded[1].at == T0 + 12 * HOUR
    assert describe(folded[1]) == (
        "diplomatic_warning still overdue: reminded 26 times, last 03-15 10:00"
    )


def test_each_actions_reminders_fold_apart():
    timeline = [reminder(T0, "diplomatic_warning"), reminder(T0, "halt_breach")]
    timeline += [reminder(T0 + 12 * HOUR, "diplomatic_warning")]

    folded = [describe(e) for e in fold_reminders(timeline)]

    assert folded == [
        "diplomatic_warning still overdue: reminded 2 times, last 03-02 22:00",
        "halt_breach still overdue: reminded once",
    ]


def test_folding_leaves_the_events_themselves_alone():
    timeline = [reminder(T0), reminder(T0 + HOUR)]

    fold_reminders(timeline)

    assert [e.details.get("reminded") for e in timeline] == [None, None]


def test_a_tick_says_from_where_to_where_the_clock_went_and_what_fell_due():
    fired = [
        event(T0, ev.ACTION_OVERDUE, action="a", phase=1, due="x", owners=[]),
        event(T0, ev.ACTION_OVERDUE, action="b", phase=1, due="x", owners=[]),
        event(T0, ev.CASE_CLOSED, phase=1, reason="quiet"),
    ]

    assert tick_line(T0, T0 + HOUR, fired) == (
        "clock 2026-03-02 10:00 → 11:00 UTC: 2 actions overdue, 1 case closed"
    )
    assert tick_line(T0, T0 + 30 * HOUR, []) == (
        "clock 2026-03-02 10:00 → 2026-03-03 16:00 UTC: nothing fell due"
    )


def test_a_tick_to_an_earlier_time_says_the_clock_never_goes_back():
    assert tick_line(T0 + MINUTE, T0 + MINUTE, []) == (
        "the clock stays at 2026-03-02 10:01 UTC (it never goes back): nothing fell due"
    )
