"""The clock guard: no input pushes the stored clock past the wall clock, overflows its
arithmetic or stops the server; what cannot be taken is a 4xx naming the field."""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from api_world import NOW, World, build, violation
from servers import serving
from starlette.testclient import TestClient
from typer.testing import CliRunner
from web_client import SETTINGS, FixedClock, sign_in

from builders import DAY, HOUR, MINUTE, SECOND, T0, write_jsonl
from ceasewatch.app import create_app
from ceasewatch.cli import app as cli_app
from ceasewatch.domain.events import iso_z
from ceasewatch.services.clock import SteadyClock
from ceasewatch.services.system import System
from ceasewatch.store import queries
from ceasewatch.store.database import reading

CLOCK = FixedClock(NOW)
"""The wall clock at receipt."""
ENDS_OF_THE_CALENDAR = ("9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00")


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    return build(system, tmp_path)


@pytest.fixture
def api(world: World) -> Iterator[TestClient]:
    app = create_app(world.system, clock=CLOCK, body_limit=200_000, web=SETTINGS)
    with TestClient(app, headers=world.headers("reporter:omm")) as client:
        yield client


def stored_clock(world: World) -> datetime | None:
    with reading(world.system.db) as conn:
        return queries.clock(conn)


def fields(response: httpx.Response) -> list[str]:
    body = response.json()
    return [e["field"] for e in body.get("rejected") or body["errors"]]


# -- reports said to arrive after they were received ----------------------------------


def test_a_report_reported_more_than_5_minutes_after_it_was_received_is_a_422(
    api: TestClient, world: World
):
    before = stored_clock(world)
    late = iso_z(NOW + 5 * MINUTE + SECOND)

    response = api.post("/api/v1/reports", json=violation(40, 70, reported_at=late))

    assert response.status_code == 422
    assert fields(response) == ["reported_at"]
    assert "more than 5 minutes after" in response.json()["errors"][0]["message"]
    assert stored_clock(world) == before


def test_a_report_reported_5_minutes_after_it_was_received_is_taken(api: TestClient, world: World):
    response = api.post(
        "/api/v1/reports", json=violation(41, 70, reported_at=iso_z(NOW + 5 * MINUTE))
    )

    assert response.json()["stored"] == ["v41"]
    assert stored_clock(world) == NOW + 5 * MINUTE


def test_a_host_clock_that_jumps_days_ahead_stamps_no_report_days_ahead(world: World):
    """A report without `reported_at` was reported when received: a server whose host
    clock jumped would stamp it days ahead, and its arrival would move the stored clock
    there, firing every deadline in between."""
    host, up = FixedClock(NOW), [0.0]
    steady = SteadyClock(host, monotonic=lambda: up[0])
    app = create_app(world.system, clock=steady, web=SETTINGS)
    with TestClient(app, headers=world.headers("reporter:omm")) as api:
        api.get("/api/v1/clock")
        host.at, up[0] = NOW + 3 * DAY + MINUTE, MINUTE.total_seconds()
        taken = api.post("/api/v1/reports", json=violation(41, 73))
        seen = api.get("/metrics", headers=world.headers("observer")).text

    assert taken.status_code == 200
    [stored] = api.get("/api/v1/reports?source=omm&limit=1000").json()["items"][-1:]
    assert stored["reported_at"] == iso_z(NOW + MINUTE)
    assert stored_clock(world) == NOW + MINUTE
    assert "ceasewatch_wall_clock_ahead_seconds 259200.0" in seen.splitlines()


def test_a_batch_keeps_its_good_records_and_names_each_field_that_would_move_the_clock(
    api: TestClient, world: World
):
    batch = [
        violation(42, 70),
        violation(43, 70, reported_at="2099-01-01T00:00:00Z"),
        violation(44, 70, reported_at="9999-12-31T23:59:59-01:00"),
        {**violation(45, 70), "occurred_at": "0001-01-01T00:00:00+01:00"},
    ]

    response = api.post("/api/v1/reports", json=batch)

    assert response.status_code == 200
    assert response.json()["stored"] == ["v42"]
    assert [(e["record"], e["field"]) for e in response.json()["rejected"]] == [
        ("record 1 (id v43)", "reported_at"),
        ("record 2 (id v44)", "reported_at"),
        ("record 3 (id v45)", "occurred_at"),
    ]
    assert stored_clock(world) == NOW


@pytest.mark.parametrize("text", ENDS_OF_THE_CALENDAR)
@pytest.mark.parametrize("field", ["occurred_at", "reported_at"])
def test_a_time_at_the_ends_of_the_calendar_is_a_422_naming_its_field(
    api: TestClient, field: str, text: str
):
    response = api.post("/api/v1/reports", json={**violation(46, 70), field: text})

    assert response.status_code == 422
    assert field in fields(response)


# -- bodies ----------------------------------------------------------------------------


def test_a_body_nested_100000_deep_is_a_400(api: TestClient):
    response = api.post(
        "/api/v1/reports", content=b"[" * 100_000, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert "nested" in response.json()["errors"][0]["message"]


def test_a_deeply_nested_body_of_a_command_is_a_4xx(api: TestClient, world: World):
    response = api.post(
        "/api/v1/incidents/cf-1:inc-4/reject",
        content=b'{"reason": ' + b"[" * 100_000,
        headers={**world.headers("analyst"), "content-type": "application/json"},
    )

    assert 400 <= response.status_code < 500


def test_a_deeply_nested_field_is_a_422_naming_it(api: TestClient):
    response = api.post("/api/v1/reports", json={**violation(47, 70), "text": [[[[[["x"]]]]]]})

    assert response.status_code == 422
    assert fields(response) == ["text"]


def send_chunked(base: str, token: str, total: int, size: int = 65_536) -> tuple[int, bytes]:
    """POST `total` bytes of a report batch with chunked transfer encoding (no length), as
    fast as the server takes them, stopping when it answers; returns the bytes sent and
    the answer's first bytes."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as conn:
        conn.sendall(
            b"POST /api/v1/reports HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            % (host.encode(), token.encode())
        )
        chunk = b"[" + b" " * (size - 1)
        sent = 0
        try:
            while sent < total and not select.select([conn], [], [], 0)[0]:
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            if sent >= total:
                conn.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server hung up on the rest: it has answered
        return sent, conn.recv(200)


def test_a_chunked_body_over_the_limit_is_cut_off_with_a_413_while_it_streams(world: World):
    app = create_app(world.system, clock=CLOCK, body_limit=200_000)
    with serving(app) as base:
        sent, answer = send_chunked(base, world.tokens["reporter"], total=34_000_000)

        assert answer.startswith(b"HTTP/1.1 413")
        assert sent < 34_000_000  # it answered before the client had sent it all
        assert httpx.get(f"{base}/healthz").status_code == 200


def test_a_34_mb_chunked_body_is_a_413_at_the_default_limit(world: World):
    with serving(create_app(world.system, clock=CLOCK)) as base:
        _, answer = send_chunked(base, world.tokens["reporter"], total=34_000_000)

        assert answer.startswith(b"HTTP/1.1 413")
        assert httpx.get(f"{base}/healthz").status_code == 200


def test_a_declared_body_over_the_limit_is_a_413(api: TestClient):
    response = api.post(
        "/api/v1/reports",
        content=b"[" + b" " * 250_000 + b"]",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413


def test_no_request_stops_the_server_or_draws_a_5xx(world: World):
    bad_requests: list[dict[str, object]] = [
        {"json": violation(48, 70, reported_at="9999-12-31T23:59:59Z")},
        {"json": violation(49, 70, reported_at="9999-12-31T23:59:59-01:00")},
        {"json": {**violation(50, 70), "occurred_at": "0001-01-01T00:00:00+01:00"}},
        {"content": b"[" * 100_000},
        {"content": b"{" * 100_000},
        {"content": b'{"id": "\\ud800"}'},
    ]
    with (
        serving(create_app(world.system, clock=CLOCK)) as base,
        httpx.Client(base_url=base, headers=world.headers("reporter:omm"), timeout=30) as http,
    ):
        answers = [http.post("/api/v1/reports", **r).status_code for r in bad_requests]
        good = http.post("/api/v1/reports", json=violation(51, 70))

    assert all(400 <= status < 500 for status in answers), answers
    assert good.json()["stored"] == ["v51"]
    assert stored_clock(world) == NOW


# -- times in queries ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/incidents"])
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("since", "9999-12-31T23:59:59-01:00"),
        ("until", "0001-01-01T00:00:00+01:00"),
        ("since", "2026-03-01T00:00:00"),
    ],
)
def test_a_time_in_a_query_that_cannot_be_taken_is_a_422_naming_it(
    api: TestClient, world: World, path: str, name: str, text: str
):
    response = api.get(path, params={name: text}, headers=world.headers("observer"))

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [name]


def test_the_map_refuses_a_time_at_the_ends_of_the_calendar(world: World):
    http = TestClient(create_app(world.system, clock=CLOCK, web=SETTINGS), follow_redirects=False)
    sign_in(http, world.tokens["observer"])

    response = http.get(
        "/map/data", params={"bbox": "22,44,41,53", "zoom": 5, "since": ENDS_OF_THE_CALENDAR[0]}
    )

    assert response.status_code == 422


# -- the web form ----------------------------------------------------------------------


@pytest.mark.parametrize("text", [*ENDS_OF_THE_CALENDAR, "2099-01-01T00:00"])
def test_the_report_form_refuses_a_time_that_would_move_the_clock_naming_it(
    world: World, text: str
):
    http = TestClient(create_app(world.system, clock=CLOCK, web=SETTINGS), follow_redirects=False)
    csrf = sign_in(http, world.tokens["reporter"])
    form = {
        "csrf": csrf,
        "id": "web-9",
        "source": "field-team-7",
        "occurred_at": text,
        "lat": "47.9",
        "lon": "37.2",
        "event_type": "mortar",
    }

    response = http.post("/reports/new", data=form)

    assert response.status_code == 422
    assert 'id="occurred_at-error"' in response.text
    assert stored_clock(world) == T0 + 73 * HOUR


# -- the command line ------------------------------------------------------------------

runner = CliRunner()


def cli(db: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli_app, [*args, "--db", db])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def wall_url(system: System) -> str:
    return system.db.url.render_as_string(hide_password=False)


def test_ingest_refuses_a_report_from_the_future_and_keeps_the_others(world: World, tmp_path: Path):
    future = iso_z(datetime.now(UTC) + HOUR)
    reports = [violation(60, 70), violation(61, 70, reported_at=future), violation(62, 71)]
    path = write_jsonl(tmp_path / "more.jsonl", reports)

    code, out, err = cli(wall_url(world.system), "ingest", str(path))

    assert code == 1
    assert "field reported_at" in err and "v61" in err
    assert "2 reports stored" in out
    assert stored_clock(world) == T0 + 73 * HOUR


def test_ingest_names_occurred_at_of_a_future_report_without_reported_at(
    world: World, tmp_path: Path
):
    future = {**violation(63, 70), "occurred_at": iso_z(datetime.now(UTC) + HOUR)}
    path = write_jsonl(tmp_path / "more.jsonl", [future])

    code, _, err = cli(wall_url(world.system), "ingest", str(path))

    assert code == 1 and "field occurred_at" in err


def test_import_into_the_store_refuses_a_report_from_the_future(world: World, tmp_path: Path):
    future = (datetime.now(UTC) + 2 * HOUR).strftime("%Y-%m-%d %H:%M")
    rows = [
        "id,when,lat,lon,type,who",
        "a-1,2026-03-04 10:00,48.1,37.8,artillery,RU",
        f"a-2,{future},48.2,37.8,artillery,RU",
    ]
    (tmp_path / "rows.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "mapping.yaml").write_text(
        "source: desk\ntimezone: UTC\nid: '{id}'\nfields:\n"
        "  occurred_at: {column: when}\n  lat: {column: lat}\n  lon: {column: lon}\n"
        "  event_type: {column: type}\n  perpetrator: {column: who}\n"
    )

    code, out, err = cli(
        wall_url(world.system),
        "import",
        "csv",
        str(tmp_path / "rows.csv"),
        "--mapping",
        str(tmp_path / "mapping.yaml"),
    )

    assert code == 1, out + err
    assert "field occurred_at" in err and "a-2" in err
    assert "1 reports stored" in out


def test_tick_past_the_wall_clock_is_allowed_and_says_so(world: World):
    until = datetime.now(UTC) + 24 * HOUR

    code, _, err = cli(wall_url(world.system), "tick", "--until", iso_z(until))

    assert code == 0
    assert "past the wall clock" in err
    assert stored_clock(world) == until


def test_tick_to_the_past_says_nothing_of_the_wall_clock(world: World):
    code, _, err = cli(wall_url(world.system), "tick", "--until", iso_z(T0 + 74 * HOUR))

    assert code == 0 and "wall clock" not in err


@pytest.mark.parametrize("text", ENDS_OF_THE_CALENDAR)
def test_tick_and_at_refuse_a_time_at_the_ends_of_the_calendar(world: World, text: str):
    url = wall_url(world.system)

    ticked = cli(url, "tick", "--until", text)
    done = cli(url, "action", "done", "cf-1/RU/1", "halt_breach", "--by", "US", "--at", text)

    assert ticked[0] == 2 and "--until" in ticked[2]
    assert done[0] == 2 and "--at" in done[2]
    assert stored_clock(world) == T0 + 73 * HOUR


def test_the_json_of_a_refusal_names_the_field(api: TestClient):
    response = api.post(
        "/api/v1/reports", json=violation(64, 70, reported_at="2099-01-01T00:00:00Z")
    )

    assert json.loads(response.text)["errors"][0]["record"] == "record 0 (id v64)"


def test_ingest_rejects_a_line_nested_too_deep_and_keeps_the_others(world: World, tmp_path: Path):
    path = write_jsonl(tmp_path / "more.jsonl", [violation(65, 70)])
    with path.open("a") as lines:
        lines.write("[" * 100_000 + "\n")

    code, out, err = cli(wall_url(world.system), "ingest", str(path))

    assert code == 1
    assert "more.jsonl:2" in err
    assert "1 reports stored" in out


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_daily_report_refuses_a_day_at_the_ends_of_the_calendar(world: World, day: str):
    code, _, err = cli(wall_url(world.system), "report", "daily", "--date", day)

    assert code == 2 and "--date" in err and "out of range" in err
