"""`ceasewatch mirror`: a copy of a primary, pulled through its API by a real server on
loopback, re-derived here and compared. An untouched primary agrees; one whose derived
rows or journal were edited behind its back is named where it parts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_world import CASE, World, many_violations, violation
from cosigning import cli, decided, execute, ok, party_keys
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from servers import endless_answer, raw_server, reading_nothing, serving

from builders import HOUR, T0, write_jsonl
from ceasewatch.app import create_app
from ceasewatch.services import mirror, remote
from ceasewatch.services.clock import tick
from ceasewatch.services.ingest import ingest
from ceasewatch.services.remote import Remote
from ceasewatch.services.system import System, open_system


@pytest.fixture
def world(db_url: str, system: System, tmp_path: Path) -> World:
    """A primary whose parties decided, with a checkpoint US and GB signed."""
    world = decided(system, tmp_path)
    keys = party_keys(db_url, tmp_path, "US", "GB")
    ok("audit", "checkpoint", "--db", db_url)
    for key in keys.values():
        ok("audit", "sign", "--key", str(key), "--db", db_url)
    return world


@pytest.fixture
def primary(world: World) -> Iterator[str]:
    with serving(create_app(world.system)) as url:
        yield url


@pytest.fixture
def copy(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'copy.db'}"


def mirror_of(url: str, world: World, copy: str, who: str = "observer") -> tuple[int, str]:
    return cli("mirror", url, "--token", world.tokens[who], "--db", copy)


def test_a_mirror_of_an_untouched_primary_agrees(primary: str, world: World, copy: str):
    code, output = mirror_of(primary, world, copy)

    assert code == 0, output
    assert "agree: the primary's chain holds" in output
    assert "checkpoint " in output and ": signed by GB, US" in output
    assert "1 decisions" in output


def diverged(url: str, world: World, copy: str, edit: str) -> str:
    """Edit the primary's database behind its back, mirror it: what the mirror says."""
    execute(world.system, edit)
    code, output = mirror_of(url, world, copy)
    assert code == 1, output
    return output


def test_a_primary_whose_decisions_were_edited_behind_its_back_is_named(
    primary: str, world: World, copy: str
):
    output = diverged(primary, world, copy, "UPDATE decisions SET party = 'GB'")

    assert f"parts at: derived: decisions {CASE} phase 3 party US: stored party GB, derived US" in (
        output
    )


def test_a_primary_whose_event_was_edited_is_named(primary: str, world: World, copy: str):
    first = "(SELECT MIN(seq) FROM events WHERE event = 'phase_recommended')"
    edit = f"UPDATE events SET event = 'case_closed' WHERE seq = {first}"

    output = diverged(primary, world, copy, edit)

    assert "parts at: derived: events cf-1" in output
    assert "stored event case_closed, derived phase_recommended" in output


def test_a_primary_whose_journal_was_edited_is_named(primary: str, world: World, copy: str):
    edit = "UPDATE reports SET body = REPLACE(body, 'artillery', 'missile_strike') WHERE id = 'v2'"

    output = diverged(primary, world, copy, edit)

    assert "parts at: journal: reports seq " in output
    assert "(omm/v2): not as audit entry" in output


def test_a_mirror_resumes_after_what_it_holds_and_follows_new_entries(
    primary: str, world: World, copy: str, tmp_path: Path
):
    ok("mirror", primary, "--token", world.tokens["observer"], "--db", copy)
    later = [violation(6, 90), violation(7, 91)]
    ingest(world.system, [str(write_jsonl(tmp_path / "later.jsonl", later))])
    tick(world.system, T0 + 100 * HOUR)

    output = ok("mirror", primary, "--token", world.tokens["observer"], "--db", copy)

    assert "pulled from " in output and ": 2 journal entries" in output
    assert "agree" in output


def test_a_primary_that_rewrote_entries_the_mirror_holds_is_named(
    primary: str, world: World, copy: str
):
    ok("mirror", primary, "--token", world.tokens["observer"], "--db", copy)
    execute(
        world.system,
        "UPDATE audit SET hash = :h WHERE seq = (SELECT MAX(seq) FROM audit)",
        h="0" * 64,
    )

    code, output = mirror_of(primary, world, copy)

    assert code == 1
    assert "parts at: chain: audit entry " in output and "the primary rewrote its log" in output


def test_follow_keeps_the_mirror_in_step(primary: str, world: World, copy: str, tmp_path: Path):
    ok("init", "--db", copy)
    mirrored = open_system(copy)
    seen: list[mirror.Outcome] = []

    def step(outcome: mirror.Outcome) -> None:
        seen.append(outcome)
        if len(seen) == 1:
            fire = [violation(8, 95)]
            ingest(world.system, [str(write_jsonl(tmp_path / "next.jsonl", fire))])
        if len(seen) == 3:
            execute(world.system, "UPDATE decisions SET reason = 'none'")

    try:
        with Remote(primary, world.tokens["observer"]) as remote:
            mirror.follow(
                remote,
                mirrored,
                interval=0,
                keep_going=lambda: len(seen) < 4,
                on_outcome=step,
                sleep=lambda _: None,
            )
    finally:
        mirrored.db.dispose()

    assert [o.agree for o in seen] == [True, True, True, False]
    assert seen[1].pulled.journal == 1 and seen[2].pulled.journal == 0
    assert "reason" in seen[3].problems[0]


def test_a_revoked_token_reaches_nothing(primary: str, world: World, copy: str):
    code, output = mirror_of(primary, world, copy, who="revoked")

    assert code == 1 and "401" in output


def test_a_party_signs_through_the_api_after_checking_the_chain(
    primary: str, world: World, db_url: str, tmp_path: Path
):
    key = tmp_path / "ua.key"
    printed = ok("key", "create", "--party", "UA", "--out", str(key), "--print-public")
    verifier = next(x for x in printed.splitlines() if x.startswith("verifier key: "))
    ok("key", "register", "--party", "UA", verifier.split(": ")[1], "--db", db_url)
    ok("audit", "checkpoint", "--db", db_url)
    token = world.tokens["decision_maker:UA"]

    signed = ok("audit", "sign", "--key", str(key), "--url", primary, "--token", token)
    again = ok("audit", "sign", "--key", str(key), "--url", primary, "--token", token)

    assert signed.startswith("UA signed checkpoint ")
    assert again.startswith("UA had already signed checkpoint ")
    assert "signed by UA" in ok("audit", "checkpoints", "--db", db_url)


def test_a_party_will_not_sign_through_the_api_what_the_chain_does_not_give(
    primary: str, world: World, db_url: str, tmp_path: Path
):
    key = tmp_path / "us.key"  # the world's US key
    ok("audit", "checkpoint", "--db", db_url)
    execute(world.system, "UPDATE audit SET kind = 'case_closed' WHERE seq = 4")
    token = world.tokens["decision_maker:US"]

    code, output = cli("audit", "sign", "--key", str(key), "--url", primary, "--token", token)

    assert code == 1 and "will not sign checkpoint" in output and "(seq 4): edited" in output


def test_a_mirror_kept_in_postgresql_agrees(primary: str, world: World, pg_url: str):
    code, output = mirror_of(primary, world, pg_url)

    assert code == 0, output
    assert "verified: the chain, the journal and every row hold" in ok(
        "audit", "verify", "--db", pg_url
    )


def test_follow_runs_until_stopped_and_says_when_the_primary_changes(
    primary: str, world: World, copy: str, tmp_path: Path
):
    command = ["mirror", primary, "--db", copy, "--follow", "--interval", "0.2"]
    follower = subprocess.Popen(
        [sys.executable, "-m", "ceasewatch", *command],
        env={**os.environ, "CEASEWATCH_TOKEN": world.tokens["observer"]},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert follower.stdout is not None
        lines = iter(follower.stdout.readline, "")
        assert any(line.startswith("agree") for line in lines)
        ingest(world.system, [str(write_jsonl(tmp_path / "next.jsonl", [violation(8, 95)]))])
        pulled = next(line for line in lines if line.startswith("pulled from"))
        assert ": 1 journal entries" in pulled
        assert any(line.startswith("agree") for line in lines)
    finally:
        follower.send_signal(signal.SIGTERM)
        code = follower.wait(timeout=30)
    assert code == 0


def test_a_primary_that_sends_a_line_with_no_end_is_refused_not_held(
    monkeypatch: pytest.MonkeyPatch,
):
    """The mirror trusts nothing the primary sends: an endless line would fill its memory."""
    endless = FastAPI()

    @endless.get("/api/v1/journal/state")
    def state() -> StreamingResponse:
        return StreamingResponse(iter([b'{"row": 1}\n', *[b"x" * 65_536] * 64]))

    monkeypatch.setattr(remote, "LINE_LIMIT", 1_000_000)
    with serving(endless) as base, Remote(base, "token") as primary:
        lines = primary.lines("/api/v1/journal/state")
        assert next(lines) == {"row": 1}
        with pytest.raises(remote.RemoteError, match="a line longer than 1,000,000 bytes"):
            next(lines)


def with_evidence(n: int, hours: float, pieces: int) -> dict[str, object]:
    """A violation with `pieces` of evidence, each a long link: kilobytes per piece."""
    links = [
        {"uri": f"https://example.org/{i}/{'x' * 1900}", "sha256": "a" * 64} for i in range(pieces)
    ]
    return {**violation(n, hours), "evidence": links}


def test_a_page_longer_than_the_mirror_reads_is_asked_for_again_in_fewer_entries(
    primary: str, world: World, copy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Reports may carry 1,000 pieces of evidence, so a legitimate page of the journal can
    be longer than the mirror will read in one answer: it asks for fewer, and agrees."""
    heavy = [with_evidence(6, 90, 200), with_evidence(7, 91, 200)]
    ingest(world.system, [str(write_jsonl(tmp_path / "heavy.jsonl", heavy))])
    with Remote(primary, world.tokens["observer"]) as unbounded:
        whole = len(json.dumps(unbounded.get("/api/v1/journal/entries", after=0, limit=1000)))
    monkeypatch.setattr(remote, "BODY_LIMIT", 600_000)
    assert whole > remote.BODY_LIMIT  # one page of everything would not be read

    output = ok("mirror", primary, "--token", world.tokens["observer"], "--db", copy)

    assert "agree" in output


def test_an_entry_longer_than_the_mirror_reads_is_named_not_held(
    primary: str, world: World, copy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    ingest(world.system, [str(write_jsonl(tmp_path / "heavy.jsonl", [with_evidence(6, 90, 300)]))])
    monkeypatch.setattr(remote, "BODY_LIMIT", 200_000)

    code, output = mirror_of(primary, world, copy)

    assert code != 0
    assert "/api/v1/journal/entries: the entry after " in output
    assert "alone is longer than 200,000 bytes" in output


def says_too_long(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n[")
    time.sleep(30)  # the rest never comes: a client that waited for it would wait


@pytest.mark.parametrize("answer", [endless_answer("200 OK"), says_too_long])
def test_an_answer_longer_than_the_limit_is_refused_not_held(
    answer: Callable[[socket.socket], None], monkeypatch: pytest.MonkeyPatch
):
    """An answer is read no further than the limit; one that says it is longer is
    refused before its body."""
    monkeypatch.setattr(remote, "BODY_LIMIT", 1_000_000)
    too_long = pytest.raises(remote.TooLarge, match="an answer longer than 1,000,000 bytes")
    with raw_server(answer) as base, Remote(base, "token") as primary, too_long:
        primary.get("/api/v1/keys")


def test_a_page_is_asked_for_in_fewer_entries_only_while_it_does_not_fit(
    monkeypatch: pytest.MonkeyPatch,
):
    """Entries of 1,000 bytes, at most 10,000 read at once: pages of 8 at most, and the
    number that fitted is where the next page starts, doubling while answers fit."""
    paged = FastAPI()
    asked: list[int] = []

    @paged.get("/entries")
    def entries(after: int, limit: int) -> dict[str, object]:
        asked.append(limit)
        items = [{"seq": seq, "text": "x" * 1000} for seq in range(after + 1, after + 1 + limit)]
        return {"items": items}

    monkeypatch.setattr(remote, "BODY_LIMIT", 10_000)
    with serving(paged) as base, Remote(base, "token") as primary:
        first = primary.page("/entries", 0, 1000)["items"]
        second = primary.page("/entries", first[-1]["seq"], 1000)["items"]

    assert len(first) == 7 and first[0]["seq"] == 1
    assert asked[: asked.index(7) + 1] == [1000, 500, 250, 125, 62, 31, 15, 7]
    assert asked[asked.index(7) + 1 :] == [14, 7] and second[0]["seq"] == 8


def trickled(conn: socket.socket) -> None:
    """A status line and headers that never end, a byte a tenth of a second."""
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    while True:
        conn.sendall(b"X")
        time.sleep(0.1)


def one_line_then_trickled(conn: socket.socket) -> None:
    conn.sendall(b'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{"mark": {}}\n')
    while True:
        conn.sendall(b" ")
        time.sleep(0.1)


def test_a_primary_that_trickles_its_answer_is_cut_off_not_waited_for(
    monkeypatch: pytest.MonkeyPatch,
):
    """Each byte comes well within the read timeout, so only a deadline on the whole
    answer (on each line, for a stream) tells a mirror that the primary holds it."""
    monkeypatch.setattr(remote, "ANSWER_SECONDS", 1.0)
    monkeypatch.setattr(remote, "LINE_SECONDS", 1.0)
    held = pytest.raises(remote.RemoteError, match="/api/v1/keys: nothing whole within 1 s")
    with raw_server(trickled) as base, Remote(base, "token") as primary, held:
        primary.get("/api/v1/keys")
    with raw_server(one_line_then_trickled) as base, Remote(base, "token") as primary:
        lines = primary.lines("/api/v1/journal/state")
        assert next(lines) == {"mark": {}}
        with pytest.raises(remote.RemoteError, match="state: nothing whole within 1 s"):
            next(lines)


def a_reader_holds_a_snapshot(system: System) -> bool:
    """Whether some connection holds a read snapshot open: on PostgreSQL, a session of
    this database with a transaction's xmin; on SQLite, a reader that keeps a checkpoint
    from emptying the write-ahead log (after a write it has not seen)."""
    with system.db.connect() as conn:
        if conn.dialect.name == "postgresql":
            held = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL"
            ).scalar()
            return bool(held)
        conn.exec_driver_sql("PRAGMA busy_timeout = 0")
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO probe VALUES (1)")
        conn.commit()
        busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0]
        return bool(busy)


def test_a_mirror_that_reads_the_state_slowly_holds_no_snapshot_of_the_store(
    world: World, tmp_path: Path
):
    """A snapshot held open keeps PostgreSQL from vacuuming and SQLite's log from being
    emptied for as long as it lasts: the state is gathered at the store's pace, then sent
    at the reader's, however slow."""
    many_violations(world, tmp_path)
    token = world.tokens["observer"]
    with (
        serving(create_app(world.system)) as url,
        reading_nothing(url, "/api/v1/journal/state", token),
    ):
        held, give_up = True, time.monotonic() + 30
        while held and time.monotonic() < give_up:  # reading nothing all the while
            time.sleep(0.5)
            held = a_reader_holds_a_snapshot(world.system)

    assert not held
