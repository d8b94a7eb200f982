"""Errors that help: each mistake a newcomer makes gets one line that says what is wrong
and what to do, not a driver's message, a link or a traceback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.services.setup import init

runner = CliRunner()
MISSING = "No such file or directory"


def test_a_bare_file_name_for_db_suggests_the_sqlite_url(tmp_path: Path):
    result = runner.invoke(app, ["stats", "--db", "ceasewatch.db"])

    assert result.exit_code == 2
    assert result.stderr == (
        "error: 'ceasewatch.db' is not a database URL: did you mean sqlite:///ceasewatch.db?\n"
    )


def test_a_sqlite_path_in_a_missing_folder_names_the_folder_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    for command in (["init"], ["stats"]):
        result = runner.invoke(app, [*command, "--db", "sqlite:///no/such/dir/x.db"])

        assert result.exit_code == 2
        assert result.stderr == (
            "error: cannot open no/such/dir/x.db: there is no folder no/such/dir\n"
        )
    assert list(tmp_path.iterdir()) == []


def test_a_database_that_does_not_exist_is_not_made_empty_by_reading_it(tmp_path: Path):
    path = tmp_path / "fresh.db"

    result = runner.invoke(app, ["cases", "--db", f"sqlite:///{path}"])

    assert result.exit_code == 2
    assert result.stderr == f"error: there is no database at {path}: run `ceasewatch init`\n"
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_driver_s_error_comes_without_sqlalchemy_s_background_link(tmp_path: Path):
    refused = _free_port()  # nothing listens there

    result = runner.invoke(app, ["stats", "--db", f"postgresql://x@127.0.0.1:{refused}/x"])

    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot open the database: connection failed:")
    assert "sqlalche.me" not in result.stderr and "Background on this error" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["replay", "reports.jsonl", "--ceasefire", "nope.yaml"], id="ceasefire"),
        pytest.param(
            ["replay", "reports.jsonl", "-c", "ceasefire.yaml", "--policy", "nope.yaml"],
            id="policy",
        ),
        pytest.param(["policy", "check", "nope.yaml"], id="policy check"),
        pytest.param(["policy", "show", "nope.yaml"], id="policy show"),
        pytest.param(
            ["replay", "reports.jsonl", "-c", "ceasefire.yaml", "--sources", "nope.yaml"],
            id="sources",
        ),
        pytest.param(["source", "import", "nope.yaml"], id="source import"),
        pytest.param(["party", "import", "nope.yaml"], id="parties"),
        pytest.param(["ceasefire", "add", "nope.yaml"], id="ceasefire add"),
        pytest.param(
            [
                "replay",
                "r.csv",
                "-c",
                "ceasefire.yaml",
                "--format",
                "acled",
                "--mapping",
                "nope.yaml",
            ],
            id="mapping",
        ),
        pytest.param(["simulate", "nope.yaml", "--out", "out"], id="scenario"),
    ],
)
def test_a_missing_yaml_file_is_named_as_a_missing_report_file_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CEASEWATCH_DB", f"sqlite:///{tmp_path / 'ceasewatch.db'}")
    init(f"sqlite:///{tmp_path / 'ceasewatch.db'}")
    (tmp_path / "ceasefire.yaml").write_text(
        "id: cf-test\nname: Test\nparties: [RU, UA]\neffective_from: 2026-03-01T00:00:00Z\n"
    )
    (tmp_path / "reports.jsonl").write_text("")
    (tmp_path / "r.csv").write_text("")
    report_missing = runner.invoke(app, ["replay", "nope.jsonl", "-c", "ceasefire.yaml"])

    result = runner.invoke(app, command)

    assert report_missing.stderr == f"error: nope.jsonl: {MISSING}\n"
    assert result.exit_code != 0
    assert result.stderr == f"error: nope.yaml: {MISSING}\n"


def test_an_unknown_role_is_refused_with_the_list_of_roles(tmp_path: Path):
    result = runner.invoke(
        app,
        ["token", "create", "--role", "superuser", "--name", "x"],
        env={"CEASEWATCH_DB": f"sqlite:///{tmp_path / 'none.db'}"},
    )

    assert result.exit_code == 2
    assert result.stderr == (
        "error: --role 'superuser': the roles are "
        "reporter, analyst, decision_maker, observer or admin\n"
    )


def test_serve_on_a_busy_port_says_so_in_one_line_before_starting(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'ceasewatch.db'}"
    init(url)
    exe = shutil.which("ceasewatch", path=str(Path(sys.executable).parent))
    assert exe is not None
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        done = subprocess.run(
            [exe, "serve", "--port", str(port), "--db", url],
            capture_output=True,
            text=True,
            timeout=60,
            env={k: v for k, v in os.environ.items() if not k.startswith("CEASEWATCH_")},
        )

    assert done.returncode == 1
    assert done.stderr == (
        f"error: port {port} is in use: something already listens on 127.0.0.1:{port} "
        "(stop it, or serve on another --port)\n"
    )
    assert "startup complete" not in done.stdout + done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
