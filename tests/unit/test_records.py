"""Reading report files: JSONL and CSV, plain or gzipped; a bad record is named, never fatal."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ceasewatch.domain.reports import Rejection, Report
from ceasewatch.importers import files
from ceasewatch.importers.files import BOM, UnreadableFile
from ceasewatch.importers.records import read_reports

RECORD = {
    "id": "r1",
    "source": "mon",
    "occurred_at": "2026-03-02T10:00:00Z",
    "lat": 48.0,
    "lon": 37.8,
    "event_type": "artillery",
    "perpetrator": "RU",
    "text": "Shelling near Avdiivka",
}
CSV = "id,source,occurred_at,lat,lon,event_type,perpetrator,text\n"


def csv_row(rid: str, text: str) -> str:
    return f"{rid},mon,2026-03-02T10:00:00Z,48.0,37.8,artillery,RU,{text}\n"


def test_a_gzipped_jsonl_file_reads_like_a_plain_one(tmp_path: Path):
    path = tmp_path / "reports.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps(RECORD).encode() + b"\n"))

    [report] = read_reports(path)

    assert isinstance(report, Report) and report.id == "r1"


def test_a_gzipped_csv_file_reads_as_csv(tmp_path: Path):
    path = tmp_path / "reports.csv.gz"
    path.write_bytes(gzip.compress((CSV + csv_row("r1", "Shelling")).encode()))

    [report] = read_reports(path)

    assert isinstance(report, Report) and report.text == "Shelling"


def test_a_jsonl_line_that_is_not_utf8_is_rejected_and_the_others_kept(tmp_path: Path):
    path = tmp_path / "reports.jsonl"
    bad = json.dumps({**RECORD, "id": "r2", "text": "XX"}).encode().replace(b"XX", b"\xff\xfe")
    path.write_bytes(json.dumps(RECORD).encode() + b"\n" + bad + b"\n")

    good, rejected = read_reports(path)

    assert isinstance(good, Report)
    assert isinstance(rejected, Rejection)
    assert rejected.where == f"{path}:2"


def test_a_csv_row_that_is_not_utf8_is_rejected_naming_its_field(tmp_path: Path):
    path = tmp_path / "reports.csv"
    text = CSV + csv_row("r1", "Shelling") + csv_row("r2", "XX") + csv_row("r3", "Mortar")
    path.write_bytes(text.encode().replace(b"XX", b"\xff\xfe"))

    first, rejected, last = read_reports(path)

    assert isinstance(first, Report) and isinstance(last, Report)
    assert isinstance(rejected, Rejection)
    assert [(e.record, e.field) for e in rejected.errors] == [(f"{path}:3", "text")]


def test_a_byte_order_mark_before_the_first_line_is_dropped(tmp_path: Path):
    jsonl, table = tmp_path / "reports.jsonl", tmp_path / "reports.csv"
    jsonl.write_bytes(BOM + json.dumps(RECORD).encode() + b"\n")
    table.write_bytes(BOM + (CSV + csv_row("r1", "Shelling")).encode())

    for path in (jsonl, table):
        [report] = read_reports(path)
        assert isinstance(report, Report) and report.id == "r1", path


@pytest.mark.parametrize("name", ["reports.jsonl", "reports.jsonl.gz"])
def test_a_line_past_the_limit_is_rejected_unread_and_the_next_taken(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
):
    """A file of one endless line (not JSONL, or a gzip bomb) must not fill the memory."""
    monkeypatch.setattr(files, "LINE_LIMIT", 1_000)
    long = json.dumps({**RECORD, "id": "r2", "text": "x" * 5_000}).encode()
    lines = [json.dumps(RECORD).encode(), long, json.dumps({**RECORD, "id": "r3"}).encode()]
    path = tmp_path / name
    content = b"\n".join(lines) + b"\n"
    path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)

    first, rejected, last = read_reports(path)

    assert isinstance(first, Report) and isinstance(last, Report) and last.id == "r3"
    assert isinstance(rejected, Rejection)
    too_long = "a line longer than 1,000 bytes: not read"
    assert str(rejected) == f"record {path}:2: field (record): {too_long}"


@pytest.mark.parametrize("extra", [0, 1, 2])
def test_a_line_just_past_the_limit_takes_no_line_after_it_along(
    tmp_path: Path, extra: int, monkeypatch: pytest.MonkeyPatch
):
    """A line of 1,000 characters and its newline is one past a limit of 1,000."""
    monkeypatch.setattr(files, "LINE_LIMIT", 1_000)
    padding = 1_000 + extra - len(json.dumps({**RECORD, "id": "r2", "text": ""}))
    long = json.dumps({**RECORD, "id": "r2", "text": "x" * padding})
    row = csv_row("r2", "")
    long_row = csv_row("r2", "y" * (1_000 + extra - len(row) + 1))
    assert len(long) == len(long_row) - 1 == 1_000 + extra
    jsonl, table = tmp_path / "reports.jsonl", tmp_path / "reports.csv"
    jsonl.write_text(f"{json.dumps(RECORD)}\n{long}\n{json.dumps({**RECORD, 'id': 'r3'})}\n")
    table.write_text(CSV + csv_row("r1", "S") + long_row + csv_row("r3", "M"))

    for path in (jsonl, table):
        first, rejected, last = read_reports(path)
        assert isinstance(first, Report) and isinstance(last, Report), path
        assert isinstance(rejected, Rejection) and last.id == "r3"


@pytest.mark.parametrize("endless", ["x" * 5_000, '"' + "x" * 5_000])
def test_a_table_row_past_the_limit_is_rejected_and_the_next_taken(
    tmp_path: Path, endless: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(files, "LINE_LIMIT", 1_000)
    path = tmp_path / "reports.csv"
    path.write_text(CSV + csv_row("r1", "Shelling") + csv_row("r2", endless) + csv_row("r3", "M"))

    first, rejected, last = read_reports(path)

    assert isinstance(first, Report) and isinstance(last, Report) and last.id == "r3"
    assert isinstance(rejected, Rejection) and rejected.where == f"{path}:3"


def test_a_cell_past_csvs_field_limit_is_rejected_and_the_next_taken(tmp_path: Path):
    path = tmp_path / "reports.csv"
    path.write_text(CSV + csv_row("r1", "S") + csv_row("r2", "x" * 200_000) + csv_row("r3", "M"))

    first, rejected, last = read_reports(path)

    assert isinstance(first, Report) and isinstance(last, Report) and last.id == "r3"
    assert isinstance(rejected, Rejection)
    assert str(rejected) == f"record {path}:3: field (row): field larger than field limit (131072)"


def test_a_report_holds_at_most_1000_pieces_of_evidence(tmp_path: Path):
    path = tmp_path / "reports.jsonl"
    evidence = [{"uri": f"https://e.example/{n}", "sha256": "a" * 64} for n in range(1001)]
    path.write_text(json.dumps({**RECORD, "evidence": evidence}) + "\n")

    [rejected] = read_reports(path)

    assert isinstance(rejected, Rejection) and rejected.errors[0].field == "evidence"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"not gzip at all\n", "Not a gzipped file"),
        (gzip.compress(json.dumps(RECORD).encode() + b"\n")[:-12], "cut short"),
    ],
)
def test_a_broken_gzip_file_is_an_error_that_names_it(tmp_path: Path, content: bytes, why: str):
    path = tmp_path / "reports.jsonl.gz"
    path.write_bytes(content)

    with pytest.raises(UnreadableFile, match=why) as raised:
        list(read_reports(path))

    assert raised.value.filename == str(path) and str(raised.value).startswith(f"{path}: ")


def test_a_missing_file_is_an_os_error_that_names_it(tmp_path: Path):
    path = tmp_path / "none.csv"

    with pytest.raises(OSError, match="No such file") as raised:
        list(read_reports(path))

    assert raised.value.filename == str(path)
