"""The files of deploy/ as an administrator installs them: systemd's units, the settings
file they read, and the TLS proxy in front of `serve`, run for real where the machine has
the programs (nginx from Debian's nginx-light: .ci/run installs it)."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_world import World, build, violation
from certificates import Authority, authority
from programs import program
from servers import free_port, serving
from test_api_stream import read_events
from typer.testing import CliRunner

from builders import HOUR, T0
from ceasewatch.app import BODY_LIMIT, create_app
from ceasewatch.cli import app
from ceasewatch.domain.events import iso_z
from ceasewatch.services.system import System

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
TIMERS = sorted((DEPLOY / "systemd").glob("*.timer"))
INSTALLED = "/opt/ceasewatch/.venv/bin/ceasewatch"
"""Where the units expect ceasewatch (a venv of its own under /opt)."""
CEASEWATCH = Path(sys.executable).parent / "ceasewatch"
NOT_SETTINGS = {
    "CEASEWATCH_TOKEN": "a client's token (mirror, audit sign), not the server's",
    "CEASEWATCH_WRITER_SOCKET": "set by serve for its workers",
    "CEASEWATCH_WRITER_KEY": "set by serve for its workers",
    "CEASEWATCH_SECRET_FILE": "set by the serve unit",
}


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser


def test_there_are_units_for_the_server_the_clock_and_nightly_backups():
    assert [u.name for u in UNITS] == [
        "ceasewatch-backup.service",
        "ceasewatch-run.service",
        "ceasewatch-serve.service",
    ]
    assert [t.name for t in TIMERS] == ["ceasewatch-backup.timer"]


def test_the_units_are_ones_systemd_takes_without_a_word(tmp_path: Path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("no systemd-analyze here")
    for path in [*UNITS, *TIMERS]:  # a timer is checked beside the service it starts
        (tmp_path / path.name).write_text(path.read_text().replace(INSTALLED, str(CEASEWATCH)))

    checked = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
    )

    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")


@pytest.mark.parametrize("path", UNITS, ids=[u.stem for u in UNITS])
def test_each_command_a_unit_runs_is_one_ceasewatch_takes(path: Path):
    service = unit(path)["Service"]
    commands = [service[key] for key in ("ExecStartPre", "ExecStart") if key in service]
    for command in commands:
        program, *args = shlex.split(command)
        assert program == INSTALLED
        taken = CliRunner().invoke(app, [*args, "--help"])
        assert taken.exit_code == 0, f"{command}: {taken.output}"


def settings_read_by_the_code() -> set[str]:
    found: set[str] = set()
    for source in (REPO / "src" / "ceasewatch").rglob("*.py"):
        found |= set(re.findall(r"CEASEWATCH_[A-Z_]+\b", source.read_text()))
    return found


def test_the_settings_file_names_every_setting_the_server_reads_and_nothing_else():
    named = re.findall(r"^#?(CEASEWATCH_[A-Z_]+)=", (DEPLOY / "ceasewatch.env").read_text(), re.M)

    assert len(named) == len(set(named)), "a setting named twice"
    assert set(named) == settings_read_by_the_code() - set(NOT_SETTINGS)


def test_what_a_unit_sets_itself_is_a_setting_the_code_reads():
    for path in UNITS:
        for line in unit(path)["Service"].get("Environment", "").splitlines():
            name = line.partition("=")[0]
            assert name in settings_read_by_the_code(), f"{path.name}: {name}"


# -- the proxy -------------------------------------------------------------------------


def nginx() -> str:
    return program("nginx", "nginx-light", "CEASEWATCH_REQUIRE_NGINX")


def proxy_config(upstream: str, tls: int, plain: int, ca: Authority) -> str:
    """deploy/nginx/ceasewatch.conf as installed on this machine: on loopback ports,
    with the test authority's certificate, in front of the test's server."""
    text = (DEPLOY / "nginx" / "ceasewatch.conf").read_text()
    text = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", text)
    text = text.replace("listen 443 ", f"listen 127.0.0.1:{tls} ")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{plain};")
    text = text.replace("server 127.0.0.1:8000;", f"server {upstream};")
    text = text.replace("/etc/ssl/ceasewatch/fullchain.pem", str(ca.server_chain))
    return text.replace("/etc/ssl/ceasewatch/privkey.pem", str(ca.server_key))


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, "nginx stopped"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nginx is not listening on {port}")


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


@pytest.fixture
def proxied(world: World, tmp_path: Path) -> Iterator[tuple[str, str, Authority]]:
    """`serve`'s app behind nginx with the shipped configuration: its https:// and
    http:// addresses, and the authority its certificate is from."""
    program = nginx()
    ca = authority(tmp_path)
    tls, plain = free_port(), free_port()
    with serving(create_app(world.system)) as upstream:
        site = tmp_path / "ceasewatch.conf"
        site.write_text(proxy_config(upstream.removeprefix("http://"), tls, plain, ca))
        main = tmp_path / "nginx.conf"
        main.write_text(
            f"daemon off;\nmaster_process off;\npid {tmp_path}/nginx.pid;\n"
            f"error_log {tmp_path}/error.log;\nevents {{}}\nhttp {{\n  access_log off;\n"
            + "".join(f"  {kind}_temp_path {tmp_path}/{kind};\n" for kind in TEMP_PATHS)
            + f"  include {site};\n}}\n"
        )
        checked = subprocess.run([program, "-t", "-c", str(main)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        process = subprocess.Popen([program, "-c", str(main)], stderr=subprocess.DEVNULL)
        try:
            wait_for_port(tls, process)
            yield f"https://localhost:{tls}", f"http://127.0.0.1:{plain}", ca
        finally:
            process.terminate()
            process.wait(10)


TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def test_the_proxy_serves_the_api_over_tls(proxied: tuple[str, str, Authority]):
    base, _, ca = proxied
    with httpx.Client(verify=ca.client_context()) as client:
        answer = client.get(f"{base}/healthz")

    assert answer.status_code == 200


def test_the_proxy_sends_plain_http_to_https(proxied: tuple[str, str, Authority]):
    _, plain, _ = proxied
    answer = httpx.get(f"{plain}/cases?x=1", headers={"Host": "ceasewatch.example.org"})

    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://ceasewatch.example.org/cases?x=1"


def test_events_stream_through_the_proxy_as_they_are_stored(
    proxied: tuple[str, str, Authority], world: World
):
    """nginx buffers an answer unless it is told not to: an event held in its buffer
    would reach a party only when the buffer filled."""
    base, _, ca = proxied
    with (
        httpx.Client(verify=ca.client_context(), timeout=30) as client,
        client.stream(
            "GET", f"{base}/api/v1/events/stream", headers=world.headers("observer")
        ) as stream,
    ):
        assert stream.status_code == 200
        client.post(
            f"{base}/api/v1/reports",
            json=violation(20, 74, reported_at=iso_z(T0 + 74 * HOUR)),
            headers=world.headers("reporter:omm"),
        ).raise_for_status()
        began = time.monotonic()
        [event] = read_events(stream, 1)

    assert event["event"] == "violation_added"
    assert time.monotonic() - began < 10, "held back by the proxy"


def test_the_proxy_refuses_a_body_over_the_apis_own_limit(
    proxied: tuple[str, str, Authority], world: World
):
    base, _, ca = proxied
    with httpx.Client(verify=ca.client_context(), timeout=60) as client:
        answer = client.post(
            f"{base}/api/v1/reports",
            content=b"[" + b" " * BODY_LIMIT + b"]",
            headers={**world.headers("reporter:omm"), "Content-Type": "application/json"},
        )

    assert answer.status_code == 413
