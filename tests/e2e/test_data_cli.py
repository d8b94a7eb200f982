"""Data in and out on the command line: import, export, the daily report, replay --format."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
CEASEFIRE = "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cw.db'}"
    (tmp_path / "cf.yaml").write_text(CEASEFIRE)
    assert run("init", "--db", url)[0] == 0
    assert run("ceasefire", "add", str(tmp_path / "cf.yaml"), "--db", url)[0] == 0
    return url


def test_import_acled_names_bad_rows_keeps_the_rest_and_again_stores_nothing(db: str):
    export_1 = str(FIXTURES / "acled" / "export-1.csv")

    code, out, err = run("import", "acled", export_1, "--db", db)
    assert code == 1  # two rows were rejected
    assert "6 reports stored" in out and "2 rejected, 1 skipped" in out
    assert f"rejected {export_1}:9 (id UKR1007@1772874000): field event_date" in err
    assert "skipped 1 row(s): sub_event_type 'Peaceful protest'" in err

    code, out, _ = run("import", "acled", str(FIXTURES / "acled" / "export-2.csv"), "--db", db)
    assert code == 0 and "2 withdrawn (2 incidents rejected)" in out


def test_export_incidents_csv_to_stdout_and_parquet_to_a_file(db: str, tmp_path: Path):
    run("import", "acled", str(FIXTURES / "acled" / "export-2.csv"), "--db", db)

    code, out, _ = run("export", "incidents", "--bbox", "36,49,37,51", "--db", db)
    assert code == 0
    [kharkiv] = list(csv.DictReader(out.splitlines()))
    assert kharkiv["oblast"] == "Kharkiv Oblast" and kharkiv["killed"] == "2"

    target = tmp_path / "reports.parquet"
    code, out, _ = run("export", "reports", "--format", "parquet", "-o", str(target), "--db", db)
    assert code == 0 and f"wrote 6 reports to {target}" in out

    assert run("export", "everything", "--db", db)[0] == 2
    assert run("export", "cases", "--bbox", "1,2,3", "--db", db)[0] == 2


def test_report_daily_as_pdf_renders_a_page_that_is_not_blank(db: str, tmp_path: Path):
    run("import", "acled", str(FIXTURES / "acled" / "export-2.csv"), "--db", db)
    target = tmp_path / "daily.pdf"

    code, _, err = run(
        "report", "daily", "--date", "2026-03-05", "--revised", "--format", "pdf",
        "-o", str(target), "--db", db,
    )  # fmt: skip

    assert code == 0, err
    document = pdfium.PdfDocument(str(target))
    assert len(document) >= 1
    page = document[0].render(scale=1).to_pil().convert("L")
    assert page.size[0] > 500 and page.size[1] > 700  # A4 at 72 dpi: 595 x 842
    histogram = page.histogram()
    dark = sum(histogram[:128]) / (page.size[0] * page.size[1])
    assert 0.005 < dark < 0.5  # text and figures on a white page
    assert "Daily situation report" in document[0].get_textpage().get_text_range()


def test_report_daily_markdown_and_its_errors(db: str):
    code, out, _ = run("report", "daily", "--date", "2026-03-05", "--format", "md", "--db", db)
    assert code == 0 and out.startswith("# Daily situation report · One · 2026-03-05")
    assert run("report", "daily", "--date", "5 March", "--db", db)[0] == 2
    assert run("report", "daily", "--date", "2026-03-05", "--format", "pdf", "--db", db)[0] == 2


def test_a_daily_report_before_the_ceasefire_took_effect_says_there_is_nothing_to_count(db: str):
    code, out, err = run("report", "daily", "--date", "2026-02-20", "--format", "md", "--db", db)

    assert code == 0
    warning = (
        "2026-02-20 is before cf-1 took effect (2026-03-01T00:00:00Z): there is nothing to count"
    )
    assert f"warning: {warning}" in err
    assert f"> {warning[0].upper()}{warning[1:]}." in out


def test_import_mapping_prints_the_shipped_mapping():
    code, out, _ = run("import", "mapping", "air-attacks")
    assert code == 0 and "Shahed-136/131" in out
    assert run("import", "mapping", "csv")[0] == 2


def test_replay_reads_the_air_attack_series_directly(shared_dir: Path):
    series = shared_dir / "data" / "air-attacks" / "missile_attacks_daily.csv"
    if not series.is_file():
        pytest.skip(f"no air-attack series at {series}")

    code, out, err = run(
        "replay", "-c", str(REPO / "examples" / "air-truce.yaml"),
        "--format", "air-attacks", str(series), "--json",
    )  # fmt: skip

    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    key = [(e["event"], e.get("phase")) for e in events if e["event"] != "violation_added"]
    assert key[0] == ("case_opened", 1)
    assert ("phase_recommended", 2) in key and ("phase_recommended", 3) in key
    assert events[0]["case"] == "air-truce-2025/RU/1"
    assert events[-1]["event"] == "case_closed"


def test_replay_reads_acled_and_sets_skips_aside(tmp_path: Path):
    (tmp_path / "cf.yaml").write_text(CEASEFIRE)
    code, out, err = run(
        "replay", "-c", str(tmp_path / "cf.yaml"), "--format", "acled",
        str(FIXTURES / "acled" / "export-2.csv"), "--json",
    )  # fmt: skip
    assert code == 0, err
    assert "1 row(s) skipped by the mapping" in err
    assert any(json.loads(line)["event"] == "case_opened" for line in out.splitlines())
