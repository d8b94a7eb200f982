"""Report records: a bad record is named with its field; the good ones of a batch are kept."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from builders import T0, at
from ceasewatch.api.schemas import StoredReport
from ceasewatch.domain.reports import (
    NUMBERS,
    Rejection,
    Report,
    ReportRejected,
    bare,
    parse_report,
    report_record,
)
from ceasewatch.importers.records import read_reports

GOOD = {
    "id": "r-7",
    "source": "osce",
    "occurred_at": "2026-03-02T10:00:00Z",
    "lat": 48.0,
    "lon": 37.8,
    "event_type": "artillery",
}


def rejected_fields(raw: dict[str, object] | str) -> list[str]:
    with pytest.raises(ReportRejected) as caught:
        parse_report(raw, "batch.jsonl:3")
    assert all("batch.jsonl:3" in e.record for e in caught.value.errors)
    return [e.field for e in caught.value.errors]


def test_a_good_record_is_accepted_with_defaults():
    report = parse_report(GOOD)

    assert (report.reliability, report.credibility) == ("F", 6)
    assert report.arrival == report.occurred_at == T0


def test_times_are_normalised_to_utc():
    report = parse_report({**GOOD, "occurred_at": "2026-03-02T12:00:00+02:00"})

    assert report.occurred_at == T0
    assert report.occurred_at.utcoffset().total_seconds() == 0


def test_arrival_is_reported_at_when_given():
    report = parse_report({**GOOD, "reported_at": "2026-03-02T11:30:00Z"})

    assert report.arrival == at("2026-03-02T11:30Z")


@pytest.mark.parametrize(("field", "value"), [("lat", 90.5), ("lat", -91), ("lon", 180.5)])
def test_a_coordinate_out_of_range_is_rejected_by_name(field, value):
    assert rejected_fields({**GOOD, field: value}) == [field]


def test_a_missing_occurred_at_is_rejected_by_name():
    raw = {k: v for k, v in GOOD.items() if k != "occurred_at"}

    assert rejected_fields(raw) == ["occurred_at"]


def test_a_time_without_a_zone_is_rejected_by_name():
    assert rejected_fields({**GOOD, "occurred_at": "2026-03-02T10:00:00"}) == ["occurred_at"]


def test_occurred_at_after_reported_at_is_rejected_by_name():
    raw = {**GOOD, "reported_at": "2026-03-02T09:59:59Z"}

    assert rejected_fields(raw) == ["occurred_at"]


def test_an_unknown_event_type_is_rejected_by_name():
    assert rejected_fields({**GOOD, "event_type": "shelling"}) == ["event_type"]


@pytest.mark.parametrize("field", NUMBERS)
@pytest.mark.parametrize("value", [True, False])
def test_true_or_false_for_a_number_is_rejected_by_name(field, value):
    """pydantic would take `true` as 1: one killed, or latitude 1, from a flag."""
    assert rejected_fields({**GOOD, field: value}) == [field]
    with pytest.raises(ReportRejected, match=f"field {field}: Input should be a number, not"):
        parse_report(json.dumps({**GOOD, field: value}))


def test_a_boolean_is_named_beside_the_other_bad_fields():
    raw = {**GOOD, "killed": True, "credibility": False, "event_type": "shelling"}

    assert rejected_fields(raw) == ["credibility", "event_type", "killed"]
    assert rejected_fields(json.dumps(raw)) == ["credibility", "event_type", "killed"]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_coordinate_that_is_not_finite_is_rejected_as_such(value):
    line = json.dumps(GOOD).replace('"lat": 48.0', f'"lat": {value}')

    with pytest.raises(ReportRejected, match="field lat: Input should be a finite number"):
        parse_report(line)


def test_a_number_written_as_text_is_still_taken():
    line = json.dumps({**GOOD, "lat": "48.5", "killed": 3.0, "credibility": "2"})

    report = parse_report(line)

    assert (report.lat, report.killed, report.credibility) == (48.5, 3, 2)


def test_an_extra_field_is_rejected_by_name():
    assert rejected_fields({**GOOD, "colour": "red"}) == ["colour"]


def test_an_extra_field_is_said_to_be_one():
    with pytest.raises(ReportRejected, match="field colour: Extra inputs are not permitted"):
        parse_report({**GOOD, "colour": "red"})


def test_a_report_comes_back_whole_from_a_pickle_as_snapshots_keep_it():
    report = parse_report({**GOOD, "killed": 2, "target": "civilian", "text": "shelling"})
    stored = StoredReport(**report_record(report), group="g-1", seq=7)

    assert pickle.loads(pickle.dumps(report)) == report
    assert pickle.loads(pickle.dumps(stored)) == stored  # with the fields it adds


def test_a_report_keeps_no_dictionary_of_its_own():
    """An engine holds every report it took: a million of them must fit in memory."""
    report = parse_report(GOOD)

    assert not hasattr(report, "__dict__")
    assert report == parse_report(json.dumps(GOOD))


@pytest.mark.parametrize(
    ("field", "value"),
    [("reliability", "G"), ("credibility", 7), ("killed", -1), ("source_kind", "rumour")],
)
def test_an_out_of_range_grade_or_count_is_rejected_by_name(field, value):
    assert rejected_fields({**GOOD, field: value}) == [field]


def test_every_bad_field_of_a_record_is_named():
    raw = {**GOOD, "lat": 123.0, "event_type": "shelling"}

    assert sorted(rejected_fields(raw)) == ["event_type", "lat"]


def test_the_error_message_names_the_record_and_its_id():
    with pytest.raises(ReportRejected) as caught:
        parse_report({**GOOD, "lat": 123.0}, "batch.jsonl:3")

    assert "batch.jsonl:3 (id r-7)" in str(caught.value)
    assert "lat" in str(caught.value)


def test_a_batch_keeps_its_good_records_and_names_its_bad_ones(tmp_path: Path):
    lines = [
        json.dumps(GOOD),
        json.dumps({**GOOD, "id": "r-8", "lat": 123.0}),
        "{not json",
        "",
        json.dumps({**GOOD, "id": "r-9"}),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n")

    records = list(read_reports(path))

    assert [r.id for r in records if isinstance(r, Report)] == ["r-7", "r-9"]
    bad = [r for r in records if isinstance(r, Rejection)]
    assert [r.where for r in bad] == [f"{path}:2", f"{path}:3"]
    assert bad[0].errors[0].field == "lat"
    assert "r-8" in bad[0].errors[0].record


def test_a_report_the_journal_holds_is_read_as_it_was_admitted():
    """A rule added since (at most 1,000 pieces of evidence) holds new reports only: a
    store's journal must replay as it did, and never stop its engines being built."""
    evidence = [{"uri": f"https://e.example/{n}", "sha256": "a" * 64} for n in range(1001)]
    body = json.dumps({**GOOD, "evidence": evidence})

    with pytest.raises(ReportRejected, match="at most 1,000 pieces of evidence, not 1,001"):
        parse_report(body)
    assert len(parse_report(body, "report seq 7", stored=True).evidence) == 1001


UNPRINTABLE = {
    "escape": "\x1b[2J",  # clears the screen
    "carriage return": "ok\r",  # back to the line's start, to write over it
    "line break": "a\nb",
    "C1 control": "\x9b31m",
    "delete": "a\x7f",
    "bidirectional override": "\u202eabc",
}


@pytest.mark.parametrize("field", ["id", "source", "perpetrator"])
@pytest.mark.parametrize("bad", UNPRINTABLE.values(), ids=UNPRINTABLE.keys())
def test_a_name_holding_a_character_that_steers_a_terminal_is_rejected_by_name(field, bad):
    """A report's names are shown on one line of tables, logs and terminals."""
    raw = {**GOOD, field: f"x{bad}"}

    assert rejected_fields(raw) == [field]
    assert rejected_fields(json.dumps(raw)) == [field]


def test_the_rejection_shows_the_characters_it_refuses_as_escapes():
    with pytest.raises(ReportRejected) as caught:
        parse_report(json.dumps({**GOOD, "id": "r\x1b[2J\x1b[1A", "source": "s\u202e"}), "f:1")

    assert str(caught.value) == (
        "record f:1 (id r\\x1b[2J\\x1b[1A): field id: must hold no control or formatting "
        "characters (it holds \\x1b); record f:1 (id r\\x1b[2J\\x1b[1A): field source: "
        "must hold no control or formatting characters (it holds \\u202e)"
    )


def test_a_file_keeps_its_good_records_beside_one_with_an_unprintable_name(tmp_path: Path):
    path = tmp_path / "batch.jsonl"
    lines = [json.dumps({**GOOD, "id": "r-1\x1b[2J"}), json.dumps(GOOD)]
    path.write_text("\n".join(lines) + "\n")

    records = list(read_reports(path))

    assert isinstance(records[0], Rejection)
    assert records[0].errors[0].field == "id"
    assert isinstance(records[1], Report)


def test_a_stored_report_with_an_unprintable_name_is_read_as_it_was_admitted():
    body = json.dumps({**GOOD, "id": "r\x1b[2J", "perpetrator": "RU\u202e"})

    report = parse_report(body, "report seq 7", stored=True)

    assert (report.id, report.perpetrator) == ("r\x1b[2J", "RU\u202e")


def test_a_name_in_any_script_is_printable():
    names = {"id": "звіт-7", "source": "موقع-٣", "perpetrator": "RU"}

    assert parse_report({**GOOD, **names}).source == "موقع-٣"


ACCOUNT = {
    "text": "Shelling seen from the checkpoint.",
    "evidence": [{"uri": "https://evidence.example.org/r-7.jpg", "sha256": "b" * 64}],
}


def test_a_report_held_bare_keeps_every_fact_but_its_account_and_evidence():
    report = parse_report({**GOOD, **ACCOUNT, "killed": 2, "perpetrator": "RU"})

    held = bare(report)

    assert (held.text, held.evidence) == (None, ())
    assert report_record(held, exclude={"evidence"}) == report_record(
        report, exclude={"text", "evidence"}
    )
    assert (report.text, len(report.evidence)) == (ACCOUNT["text"], 1)  # the given one as it was


def test_a_report_with_no_account_or_evidence_is_held_as_it_is():
    report = parse_report(GOOD)

    assert bare(report) is report


def test_a_stored_report_held_bare_stays_what_it_is():
    stored = StoredReport(
        **{**report_record(parse_report({**GOOD, **ACCOUNT})), "seq": 4, "group": "osce"}
    )

    held = bare(stored)

    assert type(held) is StoredReport
    assert (held.seq, held.group, held.text, held.evidence) == (4, "osce", None, ())
