"""Live time: no record's times overflow the clock's arithmetic, and none received live may
say it arrives more than 5 minutes after it was received (DESIGN, "Live time")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from builders import MINUTE, SECOND, T0
from ceasewatch.domain.durations import countdown
from ceasewatch.domain.events import iso_z
from ceasewatch.domain.instants import EARLIEST, LATEST
from ceasewatch.domain.reports import ReportRejected, ahead_of_receipt, parse_report

GOOD = {
    "id": "r-1",
    "source": "omm",
    "occurred_at": iso_z(T0),
    "lat": 48.0,
    "lon": 37.8,
    "event_type": "artillery",
}


def rejected(raw: dict[str, object]) -> list[tuple[str, str]]:
    with pytest.raises(ReportRejected) as caught:
        parse_report(raw, "record 0")
    return [(e.field, e.message) for e in caught.value.errors]


# -- times the clock can do arithmetic with -----------------------------------------------


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("occurred_at", "0001-01-01T00:00:00+01:00"),
        ("occurred_at", "9999-12-31T23:59:59-01:00"),
        ("reported_at", "9999-12-31T23:59:59-01:00"),
        ("reported_at", "9999-12-31T23:59:59Z"),
        ("occurred_at", "0001-01-01T00:00:00Z"),
    ],
)
def test_a_time_at_the_ends_of_the_calendar_is_refused_naming_its_field(field: str, text: str):
    problems = rejected({**GOOD, "occurred_at": "0002-01-01T00:00:00Z", field: text})

    assert field in [f for f, _ in problems]
    assert any(iso_z(LATEST) in message for _, message in problems)


def test_the_first_and_last_instants_of_the_range_are_accepted():
    first = parse_report({**GOOD, "occurred_at": iso_z(EARLIEST)})
    last = parse_report({**GOOD, "occurred_at": iso_z(LATEST - SECOND)})

    assert (first.occurred_at, last.occurred_at) == (EARLIEST, LATEST - SECOND)


def test_just_outside_the_range_is_refused():
    assert [f for f, _ in rejected({**GOOD, "occurred_at": iso_z(LATEST)})] == ["occurred_at"]
    before = iso_z(EARLIEST - SECOND)
    assert [f for f, _ in rejected({**GOOD, "occurred_at": before})] == ["occurred_at"]


def test_the_range_leaves_room_for_a_century_of_deadlines_either_side():
    century = timedelta(days=36525)

    assert (EARLIEST - century).year >= 1 and (LATEST + century).year <= 9999


# -- the clock guard -------------------------------------------------------------------


def test_a_report_reported_5_minutes_after_its_receipt_is_live():
    report = parse_report({**GOOD, "reported_at": iso_z(T0 + 5 * MINUTE)})

    assert ahead_of_receipt(report, T0, "record 0") is None


def test_a_report_reported_more_than_5_minutes_after_its_receipt_is_refused_naming_reported_at():
    report = parse_report({**GOOD, "reported_at": iso_z(T0 + 5 * MINUTE + SECOND)})

    problem = ahead_of_receipt(report, T0, "record 0")

    assert problem is not None
    assert (problem.record, problem.field) == ("record 0", "reported_at")
    assert "more than 5 minutes after" in problem.message and iso_z(T0) in problem.message


def test_without_reported_at_its_occurred_at_is_its_arrival_and_is_named():
    report = parse_report({**GOOD, "occurred_at": iso_z(T0 + 6 * MINUTE)})

    problem = ahead_of_receipt(report, T0, "reports.jsonl:4")

    assert problem is not None and problem.field == "occurred_at"


def test_a_report_from_the_past_is_never_ahead():
    report = parse_report({**GOOD, "reported_at": iso_z(T0 + 2 * MINUTE)})

    assert ahead_of_receipt(report, T0 + 300 * timedelta(days=1), "record 0") is None


# -- deadlines as people read them -----------------------------------------------------


@pytest.mark.parametrize(
    ("due_in", "text"),
    [
        (timedelta(hours=3), "due in 3 h"),
        (timedelta(hours=2, minutes=30), "due in 2 h 30 min"),
        (timedelta(minutes=4, seconds=10), "due in 4 min 10 s"),
        (timedelta(seconds=0), "overdue by 0 s"),
        (-timedelta(days=2), "overdue by 2 d"),
        (-timedelta(days=236, hours=5, minutes=7), "overdue by 236 d 5 h"),
    ],
)
def test_a_deadline_counts_down_to_its_due_time(due_in: timedelta, text: str):
    assert countdown(T0 + due_in, T0) == text
