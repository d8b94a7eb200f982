"""Comparing stored rows with derived ones: each row that differs, is missing or is extra is
named once, and an edit does not make every later row look different."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

from ceasewatch.rowdiff import Derived, Keyed, compare_keyed, compare_sequence, plain, show

DECISIONS = Keyed(
    "decisions",
    key=lambda r: (r["case_id"], r["phase"], r["party"]),
    label=lambda r: f"{r['case_id']} phase {r['phase']} party {r['party']}",
    alt=lambda r: (r["case_id"], r["position"]),
)


def decision(party: str, position: int, reason: str = "agreed") -> dict[str, object]:
    return {
        "case_id": "cf/RU/1",
        "phase": 2,
        "party": party,
        "position": position,
        "reason": reason,
    }


def keyed(stored: list[dict[str, object]], derived: list[dict[str, object]]) -> list[str]:
    rows: Derived[dict[str, object]] = Derived(3, lambda _key, row: row)
    for row in derived:
        rows.add(DECISIONS.key(row), row)
    return [str(d) for d in compare_keyed(DECISIONS, stored, rows)]


def test_equal_tables_have_no_differences():
    rows = [decision("US", 0), decision("GB", 1)]

    assert keyed(rows, rows) == []


def test_an_edited_column_is_named_with_both_values():
    stored = [decision("US", 0, reason="forged")]

    assert keyed(stored, [decision("US", 0)]) == [
        "decisions cf/RU/1 phase 2 party US: stored reason forged, derived agreed"
    ]


def test_an_edited_key_is_one_row_that_differs_not_one_extra_and_one_missing():
    assert keyed([decision("GB", 0)], [decision("US", 0)]) == [
        "decisions cf/RU/1 phase 2 party US: stored party GB, derived US"
    ]


def test_rows_with_no_counterpart_are_missing_or_extra():
    assert keyed([decision("FR", 5)], [decision("US", 0)]) == [
        "decisions cf/RU/1 phase 2 party US: missing: derived from the journal, not stored",
        "decisions cf/RU/1 phase 2 party FR: extra: stored, not derived from the journal",
    ]


def test_a_derived_row_is_compared_once_and_those_never_stored_are_missing():
    rows: Derived[str] = Derived(
        2, lambda key, reason: {"case_id": key[0], "party": key[1], "reason": reason}
    )
    rows.add(("cf/RU/1", "US"), "agreed")
    rows.add(("cf/RU/1", "GB"), "agreed")

    assert rows.take(("cf/RU/1", "US")) == {"case_id": "cf/RU/1", "party": "US", "reason": "agreed"}
    assert rows.take(("cf/RU/1", "US")) is None
    assert rows.take(("cf/RU/2", "US")) is None
    assert rows.take(("cf/RU/1",)) is None
    assert list(rows.rest()) == [{"case_id": "cf/RU/1", "party": "GB", "reason": "agreed"}]
    assert list(rows.rest()) == []
    assert rows.count == 2


def test_times_compare_as_instants_and_show_in_utc():
    at = datetime(2026, 3, 2, 10, tzinfo=UTC)
    kyiv = at.astimezone(timezone(timedelta(hours=2)))

    assert plain({"at": kyiv, "owners": ("US", "GB")}) == {"at": at, "owners": ["US", "GB"]}
    assert show(kyiv) == "2026-03-02T10:00:00Z"


def event(n: int, kind: str = "action_overdue") -> dict[str, object]:
    return {"ceasefire_id": "cf", "at": f"2026-03-{n:02d}T00:00:00Z", "event": kind, "case_id": "c"}


def sequence(stored: list[dict[str, object]], derived: list[dict[str, object]]) -> list[str]:
    def label(row: object, place: int | None) -> str:
        assert isinstance(row, dict)
        return f"{row['at'][8:10]}" + ("" if place is None else f" #{place + 1}")

    return [str(d) for d in compare_sequence("events", iter(stored), derived, label)]


def test_a_deleted_row_is_missing_and_the_rows_after_it_still_match():
    derived = [event(n) for n in range(1, 10)]

    assert sequence(derived[:3] + derived[4:], derived) == [
        "events 04 #4: missing: derived from the journal, not stored"
    ]


def test_an_inserted_row_is_extra_and_the_rows_after_it_still_match():
    derived = [event(n) for n in range(1, 10)]
    forged = {**event(4), "event": "phase_authorised"}

    assert sequence([*derived[:4], forged, *derived[4:]], derived) == [
        "events 04: extra: stored, not derived from the journal"
    ]


def test_an_edited_row_differs_in_place():
    derived = [event(n) for n in range(1, 10)]
    stored = [*derived[:2], {**derived[2], "event": "case_closed"}, *derived[3:]]

    assert sequence(stored, derived) == [
        "events 03 #3: stored event case_closed, derived action_overdue"
    ]


def test_both_sides_may_be_streams_read_as_they_are_compared():
    derived = [event(n) for n in range(1, 30)]
    stored = [*derived[:9], *derived[10:20], {**derived[20], "event": "case_closed"}, *derived[21:]]
    read = []

    def streamed(rows: list[dict[str, object]]) -> Iterator[dict[str, object]]:
        for row in rows:
            read.append(row)
            yield row

    def label(row: object, place: int | None) -> str:
        assert isinstance(row, dict)
        return f"{row['at'][8:10]}" + ("" if place is None else f" #{place + 1}")

    differences = compare_sequence("events", streamed(stored), streamed(derived), label, window=4)

    assert str(next(differences)) == "events 10 #10: missing: derived from the journal, not stored"
    assert len(read) < 30
    assert [str(d) for d in differences] == [
        "events 21 #21: stored event case_closed, derived action_overdue"
    ]


def test_rows_left_over_at_either_end_are_named():
    derived = [event(n) for n in range(1, 4)]

    assert sequence(derived[:1], derived) == [
        "events 02 #2: missing: derived from the journal, not stored",
        "events 03 #3: missing: derived from the journal, not stored",
    ]
    assert sequence([*derived, event(9)], derived) == [
        "events 09: extra: stored, not derived from the journal"
    ]
