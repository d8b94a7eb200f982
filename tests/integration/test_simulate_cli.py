"""`ceasewatch simulate` end to end: a scenario and policies in, results and a report out."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.reports.style import stylesheet
from ceasewatch.sim.catalogue import load_scenario, shipped_scenarios
from ceasewatch.sim.montecarlo import simulate_run
from ceasewatch.sim.results import read_results
from sim_builders import EXAMPLES, experiment

runner = CliRunner()
CAUTIOUS = str(EXAMPLES / "policy-cautious.yaml")


def simulate(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["simulate", *args], env={"COLUMNS": "160"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default policy and the cautious variant, compared on the escalation scenario."""
    out = tmp_path_factory.mktemp("compared")
    code, stdout, stderr = simulate(
        "escalation", "--policy", "three-phase", "--policy", CAUTIOUS,
        "--runs", "6", "--seed", "3", "--workers", "2", "--out", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    assert "three-phase" in stdout and "cautious" in stdout
    return out


def test_results_hold_one_row_per_run_and_policy_in_run_order(compared: Path):
    rows, experiment_info = read_results(compared / "results.parquet")
    assert [(r["run"], r["policy"]) for r in rows] == [
        (run, policy) for run in range(6) for policy in ("three-phase", "cautious")
    ]
    assert experiment_info["seed"] == 3 and experiment_info["runs"] == 6
    assert [p["name"] for p in experiment_info["policies"]] == ["three-phase", "cautious"]
    columns = set(pq.read_schema(compared / "results.parquet").names)
    assert {"hours_to_phase1", "false_escalations", "missed_breaches", "overdue_actions"} <= columns


def test_the_results_are_those_of_the_runs_themselves(compared: Path):
    rows, _ = read_results(compared / "results.parquet")
    direct = simulate_run(
        experiment(load_scenario("escalation"), 6, seed=3, policies=("three-phase", CAUTIOUS)), 4
    )
    assert [r for r in rows if r["run"] == 4] == direct


def test_the_report_is_one_self_contained_page_with_tables_and_plots(compared: Path):
    page = (compared / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('src="data:image/png;base64,') >= 2
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script" not in page and "<link" not in page
    for words in ("Outcomes per policy", "Run by run against three-phase", "cautious"):
        assert words in page


def test_the_report_has_the_daily_reports_styling(compared: Path):
    page = (compared / "report.html").read_text(encoding="utf-8")
    assert stylesheet() in page
    assert "<dl class=facts>" in page and "<td class=num>" in page


def test_the_same_seed_gives_the_same_results_on_one_worker(compared: Path, tmp_path: Path):
    code, _, stderr = simulate(
        "escalation", "--policy", "three-phase", "--policy", CAUTIOUS,
        "--runs", "6", "--seed", "3", "--workers", "1", "--no-progress", "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0, stderr
    again, _ = read_results(tmp_path / "results.parquet")
    assert again == read_results(compared / "results.parquet")[0]


def test_a_sweep_runs_every_value_and_plots_the_trade_off(tmp_path: Path):
    code, _, stderr = simulate(
        "quiet-front", "--sweep", "corroboration.radius_km=1,5,20",
        "--runs", "3", "--workers", "1", "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0, stderr
    rows, _ = read_results(tmp_path / "results.parquet")
    assert sorted({(r["sweep_param"], r["sweep_value"]) for r in rows}) == [
        ("corroboration.radius_km", "1"),
        ("corroboration.radius_km", "20"),
        ("corroboration.radius_km", "5"),
    ]
    assert {r["base_policy"] for r in rows} == {"three-phase"}
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Sweep of corroboration.radius_km=1,5,20" in page
    assert page.count("data:image/png;base64,") == 3


def test_list_names_the_shipped_scenarios():
    code, stdout, _ = simulate("--list")
    assert code == 0
    for name in shipped_scenarios():
        assert name in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-scenario"], "no such file, nor a shipped scenario"),
        (["escalation", "--policy", "no-such-policy"], "policy 'no-such-policy'"),
        (["escalation", "--sweep", "corroboration.radius=1,2"], "has no 'radius'"),
        (["escalation", "--cluster", "ray://127.0.0.1:1"], "Ray is not installed"),
    ],
)
def test_a_bad_argument_is_a_clear_error(args: list[str], message: str, tmp_path: Path):
    code, _, stderr = simulate(*args, "--runs", "1", "--workers", "1", "--out", str(tmp_path))
    assert code == 2
    assert message in " ".join(stderr.split())


def test_a_saved_run_replays_to_the_protocol_events_the_simulation_scored(tmp_path: Path):
    code, _, stderr = simulate("spoiler", "--seed", "4", "--save-run", "2", "--out", str(tmp_path))
    assert code == 0, stderr
    ceasefire, reports = tmp_path / "ceasefire.yaml", tmp_path / "reports.jsonl"
    replayed = runner.invoke(app, ["replay", "-c", str(ceasefire), str(reports), "--json"])
    assert replayed.exit_code == 0, replayed.stderr
    events = [json.loads(line) for line in replayed.stdout.splitlines()]
    [row] = simulate_run(experiment(load_scenario("spoiler"), 3, seed=4), 2)
    assert len(events) == row["protocol_events"]
    assert sum(e["event"] == "case_opened" for e in events) == row["cases"]
    truth = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert sum(t["fabricated"] for t in truth) == row["fabricated_reports"]


def test_the_console_script_simulates(tmp_path: Path):
    exe = shutil.which("ceasewatch", path=str(Path(sys.executable).parent))
    assert exe is not None
    done = subprocess.run(
        [exe, "simulate", "quiet-front", "--runs", "2", "--workers", "2", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "results.parquet").is_file() and (tmp_path / "report.html").is_file()
