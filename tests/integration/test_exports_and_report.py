"""Exports and the daily report, from a store on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from builders import write_jsonl
from ceasewatch.export_formats import COLUMNS, write
from ceasewatch.reports import daily, render
from ceasewatch.reports.style import stylesheet
from ceasewatch.services.clock import tick
from ceasewatch.services.imports import import_file
from ceasewatch.services.ingest import ingest
from ceasewatch.services.setup import add_ceasefire
from ceasewatch.services.system import System
from ceasewatch.store.database import reading
from ceasewatch.store.exports import Filter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CEASEFIRE = "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"


@pytest.fixture
def stocked(system: System, tmp_path: Path) -> System:
    """A ceasefire from 1 March 2026 and the two ACLED fixture exports, clock at 10 March."""
    (tmp_path / "cf.yaml").write_text(CEASEFIRE)
    add_ceasefire(system, tmp_path / "cf.yaml")
    import_file(system, "acled", str(FIXTURES / "acled" / "export-1.csv"))
    import_file(system, "acled", str(FIXTURES / "acled" / "export-2.csv"))
    tick(system, datetime(2026, 3, 10, tzinfo=UTC))
    return system


def exported(system: System, kind: str, fmt: str, where: Filter | None = None) -> str:
    buffer = io.StringIO()
    with reading(system.db) as conn:
        write(conn, kind, fmt, where or Filter(), buffer)
    return buffer.getvalue()


def test_incidents_export_as_csv_with_their_oblasts(stocked: System):
    rows = list(csv.DictReader(io.StringIO(exported(stocked, "incidents", "csv"))))

    assert list(rows[0]) == [c.name for c in COLUMNS["incidents"]]
    by_place = {(r["report_ids"].split("@")[0], r["status"]): r for r in rows}
    odesa = by_place[("acled:UKR1005", "verified")]
    assert (odesa["oblast"], odesa["oblast_iso"], odesa["killed"]) == ("Odesa Oblast", "UA-51", "3")
    assert odesa["occurred_at"] == "2026-03-04T22:00:00Z"
    assert by_place[("acled:UKR1003", "rejected")]["oblast"] == "Zaporizhzhia Oblast"
    assert by_place[("acled:UKR1001", "verified")]["case"] == "cf-1/RU/1"


def test_exports_filter_by_time_and_box(stocked: System):
    where = Filter(
        since=datetime(2026, 3, 3, tzinfo=UTC),
        until=datetime(2026, 3, 5, tzinfo=UTC),
        bbox=(30.0, 46.0, 37.0, 50.5),
    )
    rows = list(csv.DictReader(io.StringIO(exported(stocked, "reports", "csv", where))))
    events = sorted({r["id"].split("@")[0] for r in rows})
    # 3 March 00:00Z up to 5 March UTC, inside the box (Kyiv's protest is skipped)
    assert events == ["UKR1003", "UKR1005", "UKR1006"]


def test_a_csv_cell_a_spreadsheet_would_run_is_written_as_text(system: System, tmp_path: Path):
    """A report's words are anyone's: opened in a spreadsheet, `=HYPERLINK(...)` would run."""
    (tmp_path / "cf.yaml").write_text(CEASEFIRE)
    add_ceasefire(system, tmp_path / "cf.yaml")
    record = {
        "id": '=HYPERLINK("http://evil.example")',
        "source": "@src",
        "occurred_at": "2026-03-02T10:00:00Z",
        "lat": -48.5,
        "lon": -37.25,
        "event_type": "artillery",
        "text": "+1 shelled | -2 hurt",
    }
    ingest(system, [str(write_jsonl(tmp_path / "hostile.jsonl", [record]))])

    [row] = csv.DictReader(io.StringIO(exported(system, "reports", "csv")))

    assert (row["id"], row["source"]) == ('\'=HYPERLINK("http://evil.example")', "'@src")
    assert row["text"] == "'+1 shelled \\| -2 hurt"
    assert (row["lat"], row["lon"]) == ("-48.5", "-37.25")  # numbers stay numbers
    geojson = json.loads(exported(system, "reports", "geojson"))
    assert geojson["features"][0]["properties"]["id"] == record["id"]  # other formats as stored


def test_cases_and_reports_export_as_geojson(stocked: System):
    cases = json.loads(exported(stocked, "cases", "geojson"))
    by_id = {f["properties"]["id"]: f for f in cases["features"]}
    ru = by_id["cf-1/RU/1"]
    assert ru["geometry"]["coordinates"] == [37.7497, 48.1394]  # Avdiivka, its opening
    assert ru["properties"]["oblast"] == "Donetsk Oblast"
    assert by_id["cf-1/UA/1"]["properties"]["opening_incident"]

    reports = json.loads(exported(stocked, "reports", "geojson"))
    assert len(reports["features"]) == 8
    first = reports["features"][0]
    assert first["geometry"]["coordinates"] == [37.8472, 48.3976]  # Toretsk
    assert first["properties"]["oblast_iso"] == "UA-14"


def test_a_parquet_export_has_the_schema_and_every_row(stocked: System, tmp_path: Path):
    path = tmp_path / "incidents.parquet"
    with reading(stocked.db) as conn:
        count = write(conn, "incidents", "parquet", Filter(ceasefire="cf-1"), path)

    table = pq.read_table(path)
    assert table.num_rows == count == 8
    assert table.schema.field("occurred_at").type.tz == "UTC"
    assert sorted(set(table.column("oblast").to_pylist()) - {None}) == [
        "Donetsk Oblast",
        "Kharkiv Oblast",
        "Kherson Oblast",
        "Odesa Oblast",
        "Zaporizhzhia Oblast",
    ]


def test_the_daily_report_at_its_cut_off_counts_only_what_was_verified_by_then(
    stocked: System,
):
    report = daily.build(stocked, date(2026, 3, 5))

    assert report.overall.total == 0  # ACLED published these days later
    assert not report.incomplete


def test_a_revised_daily_report_counts_by_oblast_type_and_party(stocked: System):
    report = daily.build(stocked, date(2026, 3, 5), revised=True)

    assert report.windows.cutoff == datetime(2026, 3, 5, 22, tzinfo=UTC)
    assert report.overall.last_24h == 2  # UKR1005 (RU, Odesa) and UKR1006 (unattributed)
    assert {k: t.last_24h for k, t in report.by_party.items() if t.last_24h} == {
        "RU": 1,
        "unattributed": 1,
    }
    assert report.by_area["Odesa Oblast"].last_24h == 1
    assert report.by_area["Kherson Oblast"].last_24h == 1
    assert report.by_type["missile_strike"].last_24h == 1
    assert report.overall.previous_24h == 0  # UKR1003 (4 March) was withdrawn
    assert report.overall.total == 4  # UKR1001, UKR1002', UKR1005, UKR1006; 1000 is before
    assert report.open_cases == []  # ACLED's lag: the cases opened after the cut-off
    [(first, sources), _] = report.notable
    assert first.id and sources[0].source == "acled" and "Iskander" in sources[0].text


def test_the_daily_report_renders_as_html_and_markdown(stocked: System, tmp_path: Path):
    report = daily.build(stocked, date(2026, 3, 5), revised=True)

    page = render.html(report)
    assert "Daily situation report" in page and "Odesa Oblast" in page
    assert page.count("data:image/png;base64,") == 2
    assert stylesheet().strip() in page  # the reports' one stylesheet, which report.html shares
    text = render.markdown(report, tmp_path, "day")
    assert "| Odesa Oblast | 1 | 0 | +1 |" in text
    assert (tmp_path / "day-map.png").stat().st_size > 10_000


def test_the_daily_report_lists_open_cases_with_their_phase_and_due_actions(
    system: System, tmp_path: Path
):
    (tmp_path / "cf.yaml").write_text(CEASEFIRE)
    add_ceasefire(system, tmp_path / "cf.yaml")
    lines = [
        {"id": "a", "at": "2026-03-02T10:00:00Z", "lat": 48.14, "lon": 37.75},
        {"id": "b", "at": "2026-03-03T12:00:00Z", "lat": 47.98, "lon": 37.28},
    ]
    path = tmp_path / "reports.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "id": x["id"],
                    "source": "omm",
                    "occurred_at": x["at"],
                    "lat": x["lat"],
                    "lon": x["lon"],
                    "event_type": "artillery",
                    "perpetrator": "RU",
                }
            )
            + "\n"
            for x in lines
        )
    )
    ingest(system, [str(path)], trusted=True)
    report = daily.build(system, date(2026, 3, 3))

    [case] = report.open_cases
    assert (case.id, case.phase, case.severity) == ("cf-1/RU/1", 2, "major")
    overdue = {a.id for a in case.actions if a.overdue}
    assert overdue == {"diplomatic_warning", "halt_breach"}
    assert report.by_area["Donetsk Oblast"].last_24h == 1
    assert report.by_area["Donetsk Oblast"].total == 2
    # one violation over the 46 h of the 7-day window after the ceasefire began
    assert report.mean(report.overall, 7) == pytest.approx(24 / 46)
