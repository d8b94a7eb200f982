"""`audit verify` on the database: the chain, the journal against it, and every row derived
from the journal. An untouched store passes; each edit is caught and named."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_world import CEASEFIRE, PARTIES, violation
from typer.testing import CliRunner

from builders import HOUR, T0, write_jsonl
from ceasewatch.audit import GENESIS, canonical, extend, sha256_hex
from ceasewatch.cli import app
from ceasewatch.domain.events import iso_z
from ceasewatch.services import commands, setup
from ceasewatch.services.clock import tick
from ceasewatch.services.ingest import ingest
from ceasewatch.services.system import System, open_system
from ceasewatch.store import auditlog, tables
from ceasewatch.store.database import reading

runner = CliRunner()
CASE = "cf-1/RU/1"
LATER = "id: cf-2\nname: Two\nparties: [RU, UA]\neffective_from: 2026-03-03T00:00:00Z\n"


def hearsay(n: int, hours: float, lat: float, source: str = "tg") -> dict[str, Any]:
    """A report too weakly graded to verify on its own: an incident for analysts."""
    return violation(
        n,
        hours,
        id=f"h{n}",
        source=source,
        source_kind="media",
        reliability="D",
        credibility=4,
        lat=lat,
        lon=36.0,
    )


def incident_of(system: System, ceasefire: str, report: str) -> str:
    ir = tables.incident_reports
    with reading(system.db) as conn:
        return str(
            conn.execute(
                sa.select(ir.c.incident_id).where(
                    ir.c.ceasefire_id == ceasefire, ir.c.report_id == report
                )
            ).scalar_one()
        )


@pytest.fixture
def store(db_url: str, system: System, tmp_path: Path) -> System:
    """A store as a working day leaves it: reports ingested in batches, by two processes,
    ticks, a ceasefire added later, and every kind of command analysts and parties give."""
    (tmp_path / "cf-1.yaml").write_text(CEASEFIRE)
    (tmp_path / "cf-2.yaml").write_text(LATER)
    (tmp_path / "parties.yaml").write_text(PARTIES)
    setup.import_parties(system, setup.read_parties(tmp_path / "parties.yaml"))
    setup.add_ceasefire(system, tmp_path / "cf-1.yaml")
    first = [
        violation(1, 0, "missile_strike"),
        hearsay(1, 5, lat=47.0),
        hearsay(2, 6, lat=46.5),
        hearsay(3, 7, lat=46.0),
        hearsay(4, 8, lat=45.5),
        hearsay(5, 8, lat=45.0, source="vk"),
        hearsay(6, 9, lat=44.5),
        hearsay(7, 9.5, lat=44.5),
    ]
    taken = ingest(system, [str(write_jsonl(tmp_path / "first.jsonl", first))], batch_size=3)
    assert not taken.rejected, taken.rejected
    second = [violation(2, 30), violation(3, 60)]
    ingest(system, [str(write_jsonl(tmp_path / "second.jsonl", second))], batch_size=1)
    tick(system, T0 + 73 * HOUR)
    setup.add_ceasefire(system, tmp_path / "cf-2.yaml")

    commands.action_done(system, CASE, "coordinated_response", by="US", note="sent")
    commands.decide(system, CASE, 3, party="US", authorise=True, reason="evidence holds")
    commands.decide(system, CASE, 3, party="GB", authorise=True, reason="agreed")
    review = {"by": "analyst-1", "reason": "checked"}
    for verdict, report in (("verify", "h1"), ("dispute", "h2"), ("reject", "h3")):
        incident = incident_of(system, "cf-1", report)
        commands.review_incident(system, "cf-1", incident, verdict, **review)
    merged = [incident_of(system, "cf-1", r) for r in ("h4", "h5")]
    commands.merge_incidents(system, "cf-1", merged[0], merged[1:], **review)
    both = incident_of(system, "cf-1", "h6")
    commands.split_incident(system, "cf-1", both, [("tg", "h7")], **review)

    other = open_system(db_url)  # a second process: it catches up, then writes
    try:
        fire = violation(9, 74, perpetrator="UA", lat=48.3)
        ingest(other, [str(write_jsonl(tmp_path / "fire.jsonl", [fire]))], trusted=True)
        response = incident_of(other, "cf-1", "v9")
        commands.count_as_violation(other, "cf-1", response, by="analyst-2", reason="no breach")
        tick(other, T0 + 80 * HOUR)
    finally:
        other.db.dispose()
    commands.close_case(system, "cf-1/UA/1")
    tick(system, T0 + 40 * 24 * HOUR)
    return system


def verify(db_url: str, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["audit", "verify", "--db", db_url, *extra])
    return result.exit_code, result.output


def problems(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("journal: ", "derived: "))]


def edit(system: System, statement: Any) -> None:
    with system.db.begin() as conn:
        conn.execute(statement)


# -- an untouched store ------------------------------------------------------------------


def test_every_kind_of_command_is_in_the_chain_with_its_number_and_hash(store: System):
    with reading(store.db) as conn:
        rows = conn.execute(sa.select(tables.commands).order_by(tables.commands.c.seq)).all()
        audit = [
            json.loads(body)
            for body in conn.execute(
                sa.select(tables.audit.c.body)
                .where(tables.audit.c.kind == "command")
                .order_by(tables.audit.c.seq)
            ).scalars()
        ]

    assert Counter(r.kind for r in rows) == {
        "action_done": 1,
        "decide": 2,
        "verify": 1,
        "dispute": 1,
        "reject": 1,
        "merge": 1,
        "split": 1,
        "count_as_violation": 1,
        "close": 1,
    }
    assert [(a["seq"], a["command"], a["sha256"]) for a in audit] == [
        (r.seq, r.kind, sha256_hex(canonical(r.body))) for r in rows
    ]


def test_each_report_is_listed_with_its_number_and_the_hash_of_its_body(store: System):
    with reading(store.db) as conn:
        listed = [
            item
            for body in conn.execute(
                sa.select(tables.audit.c.body)
                .where(tables.audit.c.kind == "reports_accepted")
                .order_by(tables.audit.c.seq)
            ).scalars()
            for item in json.loads(body)["reports"]
        ]
        rows = conn.execute(sa.select(tables.reports).order_by(tables.reports.c.seq)).all()

    assert [(seq, source, rid, digest) for seq, source, rid, digest, _clock in listed] == [
        (r.seq, r.source, r.id, sha256_hex(r.body.encode())) for r in rows
    ]


def test_a_ceasefire_is_recorded_with_the_hash_of_its_terms_and_policy(store: System):
    with reading(store.db) as conn:
        [entry] = [
            json.loads(body)
            for body in conn.execute(
                sa.select(tables.audit.c.body).where(tables.audit.c.kind == "ceasefire_added")
            ).scalars()
            if json.loads(body)["ceasefire"] == "cf-2"
        ]
        stored = conn.execute(
            sa.select(tables.ceasefires).where(tables.ceasefires.c.id == "cf-2")
        ).one()

    assert entry["definition_sha256"] == sha256_hex(canonical(stored.definition))
    assert entry["policy_sha256"] == sha256_hex(stored.policy_text.encode())


def test_an_untouched_store_verifies(db_url: str, store: System):
    code, output = verify(db_url)

    assert code == 0, output
    assert problems(output) == []
    assert output.splitlines()[-1] == "verified: the chain, the journal and every row hold"


@pytest.mark.parametrize("name", ["trusted-107", "corroborated-105"])
def test_a_store_of_the_conformance_examples_verifies(
    db_url: str, system: System, conformance_dir: Path, name: str
):
    setup.add_ceasefire(system, conformance_dir / "ceasefire.yaml")
    reports = str(conformance_dir / f"{name}.jsonl")
    ingest(system, [reports], trusted=name.startswith("trusted"), batch_size=7)
    tick(system, T0 + 90 * 24 * HOUR)

    code, output = verify(db_url)

    assert code == 0, output


def test_the_summary_says_what_was_checked(db_url: str, store: System):
    _, output = verify(db_url)

    lines = output.splitlines()
    assert (
        lines[1] == "checked the journal against the chain: 2 ceasefires, 11 reports, 10 commands"
    )
    assert lines[2].startswith("checked the rows derived from the journal: ")
    assert " incidents, " in lines[2] and " decisions, " in lines[2] and " events" in lines[2]


# -- edits to derived rows ---------------------------------------------------------------


def test_a_forged_decision_is_named(db_url: str, store: System):
    d = tables.decisions
    edit(store, sa.update(d).where(d.c.case_id == CASE, d.c.party == "US").values(party="FR"))

    code, output = verify(db_url)

    assert code == 1
    assert problems(output) == [
        f"derived: decisions {CASE} phase 3 party US: stored party FR, derived US"
    ]
    assert output.splitlines()[-1] == "broken: 1 problem (1 in derived rows)"


def test_an_edited_case_is_named(db_url: str, store: System):
    c = tables.cases
    closed = T0 + 200 * HOUR
    edit(store, sa.update(c).where(c.c.id == CASE).values(phase=1, closed_at=closed))

    _, output = verify(db_url)

    [problem] = problems(output)
    assert problem.startswith(f"derived: cases {CASE}: stored phase 1, derived 3; ")
    assert f"stored closed_at {iso_z(closed)}, derived 2026-03-07T22:00:00Z" in problem


def test_an_edited_incident_is_named(db_url: str, store: System):
    i = tables.incidents
    incident = incident_of(store, "cf-1", "v2")
    edit(
        store,
        sa.update(i)
        .where(i.c.ceasefire_id == "cf-1", i.c.id == incident)
        .values(status="rejected", severity="broad_attack", case_id=None),
    )

    _, output = verify(db_url)

    assert problems(output) == [
        f"derived: incidents cf-1 {incident}: stored status rejected, derived verified; "
        "stored severity broad_attack, derived major; "
        f"stored case_id null, derived {CASE}"
    ]


def test_a_deleted_event_is_named(db_url: str, store: System):
    e = tables.events
    with reading(store.db) as conn:
        seq = conn.execute(
            sa.select(sa.func.min(e.c.seq)).where(e.c.event == "phase_recommended")
        ).scalar_one()
    edit(store, sa.delete(e).where(e.c.seq == seq))

    [problem] = problems(verify(db_url)[1])

    assert problem.startswith("derived: events cf-1 #")
    assert problem.endswith(
        f"phase_recommended {CASE}): missing: derived from the journal, not stored"
    )


def test_an_inserted_event_is_named(db_url: str, store: System):
    e = tables.events
    forged = {
        "ceasefire_id": "cf-1",
        "at": T0 + 75 * HOUR,
        "event": "phase_authorised",
        "case_id": CASE,
        "violator": "RU",
        "details": {"phase": 3},
    }
    edit(store, sa.insert(e).values(forged))

    [problem] = problems(verify(db_url)[1])

    assert problem.startswith("derived: events cf-1 seq ")
    assert problem.endswith(
        f"(2026-03-05T13:00:00Z phase_authorised {CASE}): "
        "extra: stored, not derived from the journal"
    )


def test_only_read_models_edited_pass_the_quick_check(db_url: str, store: System):
    edit(store, sa.update(tables.cases).values(phase=1))

    quick, full = verify(db_url, "--quick"), verify(db_url)

    assert quick[0] == 0
    assert quick[1].splitlines()[-1] == "verified: the chain holds (--quick: the chain alone)"
    assert full[0] == 1


# -- edits to the journal ----------------------------------------------------------------


def reports_row(system: System, report: str) -> Any:
    with reading(system.db) as conn:
        return conn.execute(sa.select(tables.reports).where(tables.reports.c.id == report)).one()


def test_an_edited_report_body_is_named(db_url: str, store: System):
    row = reports_row(store, "v2")
    body = json.loads(row.body)
    edited = json.dumps({**body, "perpetrator": "UA"}, separators=(",", ":"))
    r = tables.reports
    edit(store, sa.update(r).where(r.c.seq == row.seq).values(body=edited))

    code, output = verify(db_url)

    assert code == 1
    journal = [p for p in problems(output) if p.startswith("journal: ")]
    assert journal[0].startswith(f"journal: reports seq {row.seq} (omm/v2): not as audit entry ")
    assert f"recorded it: body sha256 {sha256_hex(edited.encode())[:10]}" in journal[0]
    assert journal[1].startswith(
        f"journal: reports seq {row.seq} (omm/v2): stored perpetrator RU, derived UA; "
    )
    assert any(p.startswith("derived: ") for p in problems(output))


def test_an_edited_command_body_is_named(db_url: str, store: System):
    c = tables.commands
    with reading(store.db) as conn:
        row = conn.execute(sa.select(c).where(c.c.kind == "action_done")).one()
    forged = {**row.body, "by": "GB"}
    edit(store, sa.update(c).where(c.c.seq == row.seq).values(body=forged))

    code, output = verify(db_url)

    assert code == 1
    assert problems(output)[0].startswith(
        f"journal: commands seq {row.seq} (action_done on cf-1): not as audit entry "
    )
    assert "derived: actions cf-1/RU/1 coordinated_response: stored done_by US, derived GB" in (
        problems(output)
    )


def test_a_deleted_report_is_named(db_url: str, store: System):
    row = reports_row(store, "h1")
    edit(store, sa.delete(tables.reports).where(tables.reports.c.seq == row.seq))

    code, output = verify(db_url)

    assert code == 1
    [deleted] = [p for p in problems(output) if "not in the journal" in p]
    assert deleted.startswith(f"journal: reports seq {row.seq}: in the audit chain (entry ")


def test_an_edited_ceasefire_is_named(db_url: str, store: System):
    cf = tables.ceasefires
    edit(store, sa.update(cf).where(cf.c.id == "cf-2").values(policy_text="version: 2\n"))

    _, output = verify(db_url)

    assert problems(output)[0].startswith("journal: ceasefires cf-2: not as audit entry ")
    assert "policy_sha256" in problems(output)[0]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: edit(s, sa.update(tables.reports).values(body=tables.reports.c.body + " ")),
        lambda s: edit(s, sa.delete(tables.commands)),
    ],
    ids=["every-report", "every-command"],
)
def test_journal_edits_pass_the_quick_check_but_not_the_full_one(
    db_url: str, store: System, tamper: Callable[[System], None]
):
    tamper(store)

    assert verify(db_url, "--quick")[0] == 0
    assert verify(db_url)[0] == 1


def test_a_store_from_before_commands_were_chained_names_only_its_commands(
    db_url: str, store: System
):
    """Older versions listed reports as [source, id, sha256], recorded a ceasefire by its
    name and policy, and chained no commands."""
    with reading(store.db) as conn:
        old = [(e.at, e.kind, e.body) for e in auditlog.entries(conn) if e.kind != "command"]
    for _, kind, body in old:
        if kind == "ceasefire_added":
            for newer in ("added_at", "definition_sha256", "policy_sha256"):
                del body[newer]
        if kind == "reports_accepted":
            body["reports"] = [
                [source, rid, digest] for _, source, rid, digest, _ in body["reports"]
            ]
    rechain(store, old)

    code, output = verify(db_url)

    assert code == 1
    assert len(problems(output)) == 10
    assert all(p.endswith(": not in the audit chain") for p in problems(output))
    assert all(p.startswith("journal: commands seq ") for p in problems(output))


def test_a_report_listed_twice_in_the_chain_is_named(db_url: str, store: System):
    """A chain that lists one journal number in two batches is named, though it holds."""
    with reading(store.db) as conn:
        entries = [(e.seq, e.at, e.kind, e.body) for e in auditlog.entries(conn)]
    batches = [(seq, body) for seq, _, kind, body in entries if kind == "reports_accepted"]
    (first, earlier), (second, later) = batches[0], batches[-1]
    later["reports"].append(earlier["reports"][0])
    rechain(store, [(at, kind, body) for _, at, kind, body in entries])

    code, output = verify(db_url)

    assert code == 1
    listed = earlier["reports"][0][0]
    assert problems(output) == [
        f"journal: journal seq {listed} is recorded twice in the chain: "
        f"audit entries {first} and {second}"
    ]


def rechain(store: System, entries: list[tuple[str | None, str, Any]]) -> None:
    """Replace the store's audit log with a chain of these entries that holds."""
    rechained = extend(0, GENESIS, entries)
    with store.db.begin() as conn:
        conn.execute(sa.delete(tables.audit))
        conn.execute(
            sa.insert(tables.audit),
            [
                {
                    "seq": e.seq,
                    "at": None if e.at is None else datetime.fromisoformat(e.at),
                    "kind": e.kind,
                    "body": canonical(e.body).decode(),
                    "prev": e.prev,
                    "hash": e.hash,
                }
                for e in rechained
            ],
        )
