"""The store's commands end to end: a case through its phases, its actions and its decisions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from api_world import violation
from typer.testing import CliRunner

from builders import HOUR, T0, write_jsonl
from ceasewatch.cli import app
from ceasewatch.domain.events import iso_z

runner = CliRunner()
CASE = "cf-1/RU/1"
PARTIES = """\
parties:
  - {code: US, name: United States, roles: [guarantor]}
  - {code: GB, name: United Kingdom, roles: [coalition_lead, coalition_member]}
  - {code: UA, name: Ukraine, roles: [side]}
  - {code: RU, name: Russia, roles: [side]}
"""


class Cli:
    def __init__(self, db: str):
        self.db = db

    def __call__(self, *args: str, code: int = 0) -> str:
        result = runner.invoke(app, [*args, "--db", self.db])
        assert result.exit_code == code, result.output
        return result.output

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json"))


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Cli:
    """A database whose RU case has reached phase 3, 73 h after it opened."""
    cli = Cli(db_url)
    cli("init")
    (tmp_path / "cf.yaml").write_text(
        "id: cf-1\nname: One\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"
    )
    (tmp_path / "parties.yaml").write_text(PARTIES)
    cli("ceasefire", "add", str(tmp_path / "cf.yaml"))
    cli("party", "import", str(tmp_path / "parties.yaml"))
    reports = [violation(1, 0, "missile_strike"), violation(2, 30), violation(3, 60)]
    cli("ingest", str(write_jsonl(tmp_path / "reports.jsonl", reports)))
    cli("tick", "--until", iso_z(T0 + 73 * HOUR))
    return cli


def test_cases_lists_the_open_case_at_phase_3(cli: Cli):
    output = cli("cases", "--open")

    assert CASE in output and "OPEN" in output


def test_case_show_gives_timeline_actions_and_incidents_with_their_reports(cli: Cli):
    case = cli.json("case", "show", CASE)

    assert [e["event"] for e in case["events"]][:1] == ["case_opened"]
    assert {a["action_id"] for a in case["actions"]} >= {"diplomatic_warning", "halt_breach"}
    assert [i["id"] for i in case["incidents"]] == ["inc-1", "inc-2", "inc-3"]
    assert case["incidents"][0]["records"][0]["id"] == "v1"
    assert json.loads(json.dumps(case["recommended"])).keys() == {"2", "3"}


def test_an_action_marked_done_is_recorded_with_who_and_when(cli: Cli):
    output = cli("action", "done", CASE, "coordinated_response", "--by", "US", "--note", "sent")

    assert "coordinated_response done by US" in output
    [action] = [
        a
        for a in cli.json("case", "show", CASE)["actions"]
        if a["action_id"] == "coordinated_response"
    ]
    assert (action["done_by"], action["note"]) == ("US", "sent")


def test_phase_3_is_authorised_by_the_us_and_a_coalition_lead(cli: Cli):
    cli("decide", CASE, "--phase", "3", "--authorise", "--by", "US", "--reason", "evidence holds")
    output = cli("decide", CASE, "--phase", "3", "--authorise", "--by", "GB", "--reason", "agreed")

    assert "PHASE 3 AUTHORISED" in output
    case = cli.json("case", "show", CASE)
    assert case["settled"]["3"][0] == "authorised"
    assert [(d["party"], d["roles"]) for d in case["decisions"]] == [
        ("US", ["guarantor"]),
        ("GB", ["coalition_lead", "coalition_member"]),
    ]


def test_a_party_the_policy_does_not_name_is_refused(cli: Cli):
    output = cli(
        "decide", CASE, "--phase", "3", "--authorise", "--by", "UA", "--reason", "x", code=1
    )

    assert "UA may not decide phase 3" in output


def test_stats_counts_reports_incidents_cases_and_pending_timers(cli: Cli):
    stats = cli.json("stats")

    assert {k: stats[k] for k in ("reports", "incidents", "cases")} == {
        "reports": 3,
        "incidents": 3,
        "cases": 1,
    }
    assert stats["timers_pending"] == 3  # the quiet close, re-alerts of two undone actions
    assert stats["clock"] == iso_z(T0 + 73 * HOUR)


def test_events_of_one_case_print_as_the_replay_contract(cli: Cli):
    lines = [json.loads(line) for line in cli("events", "--json", "--case", CASE).splitlines()]

    shown = [e for e in lines if e["event"] not in ("violation_added", "action_still_overdue")]
    assert [(e["event"], e.get("phase")) for e in shown] == [
        ("case_opened", 1),
        ("action_overdue", 1),
        ("action_overdue", 1),
        ("phase_recommended", 2),
        ("phase_recommended", 3),
    ]
    assert all({"at", "event", "case", "violator"} <= e.keys() for e in lines)


def test_an_unknown_case_is_a_clear_error(cli: Cli):
    output = cli("case", "show", "cf-1/RU/9", code=2)

    assert "no case cf-1/RU/9" in output


def test_ingest_reads_stdin_names_each_bad_record_and_writes_the_rejects_file(
    db_url: str, tmp_path: Path
):
    cli = Cli(db_url)
    cli("init")
    good, bad = violation(1, 0), {**violation(2, 1), "event_type": "catapult"}
    stdin = "".join(json.dumps(r) + "\n" for r in (good, bad))
    rejects = tmp_path / "rejects.jsonl"

    result = runner.invoke(
        app, ["ingest", "-", "--rejects", str(rejects), "--db", db_url], input=stdin
    )

    assert result.exit_code == 1
    assert "rejected -:2 (id v2): field event_type" in result.output
    assert "1 reports stored" in result.output
    [rejection] = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert rejection["where"] == "-:2"
    assert [e["field"] for e in rejection["errors"]] == ["event_type"]


def test_an_analyst_rejects_the_broad_attack_and_the_audit_log_says_so(cli: Cli, tmp_path: Path):
    output = cli("incident", "reject", "cf-1", "inc-1", "--by", "analyst-1", "--reason", "staged")

    assert "inc-1 of cf-1: reject recorded" in output
    [incident] = [i for i in cli.json("case", "show", CASE)["incidents"] if i["id"] == "inc-1"]
    assert (incident["status"], incident["review_reason"]) == ("rejected", "staged")
    cli("audit", "export", str(tmp_path / "audit.jsonl"))
    entries = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert entries[-1]["kind"] == "incident_rejected"
    assert entries[-1]["body"] == {
        "ceasefire": "cf-1",
        "incident": "inc-1",
        "by": "analyst-1",
        "reason": "staged",
    }
