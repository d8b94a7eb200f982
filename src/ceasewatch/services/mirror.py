"""`ceasewatch mirror`: another store, copied through its API and re-derived here.

A mirror pulls what the primary's engines are a function of (its journal: reports and
commands, its ceasefires, its clock), its audit chain, its checkpoints, the parties' keys
and signatures, and the rows it derived (incidents, report membership, cases, actions,
decisions, events), into a database of its own. Then it runs `audit verify` on that copy
with its own code: fresh engines fed the journal give every derived row, which must be
the primary's; the journal must be what the chain recorded; the chain must hold; every
checkpoint's root must be the chain's and every signature the party's.

The journal and the chain are append-only, so they are pulled page by page after what
the copy holds (a pull that stops resumes there); an entry the copy holds that the
primary now serves otherwise is a rewrite, named. The derived rows and the ceasefires
come as one snapshot with a mark (`journal_feed.state`), re-pulled every time; the
journal and chain pages are cut at that mark. The copy is what the primary served: the
evidence of any divergence stays in it, and `audit verify --db` re-checks it offline.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from sqlalchemy.engine import Connection

from ..domain.events import iso_z
from ..store import auditlog, mirroring, tables
from ..store import checkpoints as store
from ..store.database import reading, snapshot
from ..tlog.exported import SignedCheckpoint, check_export
from ..tlog.keyring import Keyring
from . import unit_of_work, verify
from .remote import Remote, RemoteError
from .system import System

PAGE = 1000
BATCH = 5000


@dataclass
class Pulled:
    mark: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    """SHA-256 of the snapshot's rows: the same again means nothing derived changed."""
    journal: int = 0
    audit: int = 0
    derived: Counter[str] = field(default_factory=Counter)
    checkpoints: int = 0
    signatures: int = 0

    @property
    def moved(self) -> bool:
        return bool(self.journal or self.audit or self.checkpoints or self.signatures)


@dataclass
class Outcome:
    pulled: Pulled
    problems: list[str] = field(default_factory=list)
    """In the order found: the first is where the mirror and the primary part."""
    checks: list[str] = field(default_factory=list)
    """What was checked, a line each."""
    signed: list[str] = field(default_factory=list)
    """Who signed which checkpoint, a line each."""

    @property
    def agree(self) -> bool:
        return not self.problems


def mirror_once(
    remote: Remote, system: System, keys: Keyring | None = None, before: Outcome | None = None
) -> Outcome:
    """Pull once, then check the copy (unless nothing changed since `before`)."""
    problems: list[str] = []
    outcome = Outcome(pull(remote, system, problems), problems)
    if problems:
        return outcome
    if before is not None and _same(before.pulled, outcome.pulled):
        outcome.problems, outcome.checks = list(before.problems), list(before.checks)
        outcome.signed = list(before.signed)
        return outcome
    result = verify.verify_store(
        system.db, on_problem=lambda check, text: problems.append(f"{check}: {text}")
    )
    outcome.checks = verify.summary(result)[:-1]
    outcome.signed = _checkpoints(system, keys, problems)
    return outcome


def _same(before: Pulled, now: Pulled) -> bool:
    return not now.moved and before.mark == now.mark and before.digest == now.digest


def follow(
    remote: Remote,
    system: System,
    *,
    interval: float,
    keep_going: Callable[[], bool],
    on_outcome: Callable[[Outcome], None],
    keys: Keyring | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome | None:
    """Mirror again every `interval` seconds until told to stop; the last outcome. A
    primary that cannot be reached for a while is retried, not given up on."""
    last: Outcome | None = None
    while keep_going():
        try:
            last = mirror_once(remote, system, keys, last)
            on_outcome(last)
        except RemoteError as exc:
            on_outcome(Outcome(Pulled(), problems=[f"unreachable: {exc}"]))
        if keep_going():
            sleep(interval)
    return last


# -- pulling -----------------------------------------------------------------------------


def pull(remote: Remote, system: System, problems: list[str]) -> Pulled:
    pulled = Pulled()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        pulled.mark, pulled.digest = _spool_state(remote, spool)
        _pull_journal(remote, system, pulled)
        if not _pull_chain(remote, system, pulled, problems):
            return pulled
        spool.seek(0)
        _write_state(system, pulled, _lines(spool), problems)
    _pull_checkpoints(remote, system, pulled, problems)
    return pulled


def _spool_state(remote: Remote, spool: IO[str]) -> tuple[dict[str, Any], str]:
    mark: dict[str, Any] | None = None
    digest = hashlib.sha256()
    for line in remote.lines("/api/v1/journal/state"):
        if "mark" in line:
            mark = line["mark"]
        elif line.get("end"):
            if mark is None:
                break
            return mark, digest.hexdigest()
        else:
            text = json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"
            digest.update(text.encode())
            spool.write(text)
    raise RemoteError(f"{remote.url}: the store's state came cut short: pull again")


def _lines(spool: IO[str]) -> Iterator[dict[str, Any]]:
    for text in spool:
        yield json.loads(text)


def _pull_journal(remote: Remote, system: System, pulled: Pulled) -> None:
    end = int(pulled.mark["journal_end"])
    with reading(system.db) as conn:
        after = mirroring.journal_end(conn)
    while after < end:
        page = remote.page("/api/v1/journal/entries", after, PAGE)
        items = [i for i in page["items"] if int(i["row"]["seq"]) <= end]
        if not items:
            return
        with unit_of_work.locked(system) as conn:
            for table in mirroring.JOURNAL:
                mirroring.append(conn, table, [i["row"] for i in items if i["table"] == table.name])
        after = int(items[-1]["row"]["seq"])
        pulled.journal += len(items)


def _pull_chain(remote: Remote, system: System, pulled: Pulled, problems: list[str]) -> bool:
    """Append the primary's entries after the copy's; False if it rewrote the copy's."""
    size = int(pulled.mark["audit_size"])
    with reading(system.db) as conn:
        held, last = auditlog.last_link(conn)
    if held:
        theirs = remote.get("/api/v1/journal/audit", after=held - 1, limit=1)["items"]
        if not theirs or theirs[0]["hash"] != last:
            now = theirs[0]["hash"] if theirs else "no such entry"
            problems.append(
                f"chain: audit entry {held}: this mirror pulled {last}, the primary now "
                f"serves {now}: the primary rewrote its log at or before entry {held}"
            )
            return False
    after = held
    for page in _audit_pages(remote, after, size):
        with unit_of_work.locked(system) as conn:
            mirroring.append_audit(conn, page)
        pulled.audit += len(page)
    return True


def _audit_pages(remote: Remote, after: int, upto: int) -> Iterator[list[dict[str, Any]]]:
    page: list[dict[str, Any]] = []
    for entry in remote.audit(after=after, upto=upto):
        page.append(entry)
        if len(page) == PAGE:
            yield page
            page = []
    if page:
        yield page


def _write_state(
    system: System, pulled: Pulled, lines: Iterator[dict[str, Any]], problems: list[str]
) -> None:
    """The snapshot's ceasefires (new ones added; a changed one named), derived rows
    (replacing the copy's) and clock, in one transaction."""
    with unit_of_work.locked(system) as conn:
        held = {row["id"]: row for row in mirroring.rows(conn, tables.ceasefires)}
        for table in mirroring.DERIVED:
            mirroring.clear(conn, table)
        batch: list[dict[str, Any]] = []
        name = ""
        for line in lines:
            if line["table"] != name or len(batch) >= BATCH:
                _flush(conn, name, batch, held, problems, pulled)
                name, batch = line["table"], []
            batch.append(line["row"])
        _flush(conn, name, batch, held, problems, pulled)
        clock = pulled.mark["clock"]
        mirroring.set_clock(
            conn,
            None if clock is None else datetime.fromisoformat(clock),
            int(pulled.mark["next_seq"]),
        )


def _flush(
    conn: Connection,
    name: str,
    batch: list[dict[str, Any]],
    held: Mapping[str, dict[str, Any]],
    problems: list[str],
    pulled: Pulled,
) -> None:
    if not batch:
        return
    table = mirroring.COPIED[name]
    pulled.derived[name] += len(batch)
    if table is tables.ceasefires:
        fresh = []
        for row in batch:
            mine = held.get(row["id"])
            if mine is None:
                fresh.append(row)
            elif mine != row:
                problems.append(
                    f"journal: ceasefires {row['id']}: the primary now serves other terms "
                    "than this mirror pulled"
                )
        batch = fresh
    mirroring.append(conn, table, batch)


# -- checkpoints, keys and signatures ------------------------------------------------------


def _pull_checkpoints(remote: Remote, system: System, pulled: Pulled, problems: list[str]) -> None:
    """Add the keys, checkpoints and signatures the copy lacks; name a changed one."""
    keys = remote.get("/api/v1/keys")["keys"]
    served = remote.get("/api/v1/audit/checkpoints")
    with unit_of_work.locked(system) as conn:
        held_keys = {
            (k.key.verifier.name, k.key.verifier.key_id.hex()): k for k in store.keys(conn)
        }
        for key in keys:
            mine = held_keys.get((key["name"], key["key_id"]))
            if mine is None:
                mirroring.append(conn, tables.party_keys, [_key_row(key)])
                continue
            if mine.retired_at is None and key.get("retired_at"):
                store.retire(conn, mine.key.verifier, datetime.fromisoformat(key["retired_at"]))
            if (mine.key.party, mine.key.record()["public_key"]) != (
                key["party"],
                key["public_key"],
            ):
                problems.append(
                    f"keys: {key['name']}+{key['key_id']}: the primary now serves another key"
                )
        held = {c.size: c for c in store.checkpoints(conn)}
        for checkpoint in served:
            mine_cp = held.get(checkpoint["size"])
            if mine_cp is None:
                mirroring.append(conn, tables.checkpoints, [_checkpoint_row(checkpoint)])
                pulled.checkpoints += 1
            elif mine_cp.checkpoint.root_b64 != checkpoint["root"]:
                problems.append(
                    f"checkpoint {checkpoint['size']}: this mirror pulled root "
                    f"{mine_cp.checkpoint.root_b64}, the primary now serves {checkpoint['root']}"
                )
                continue
            signed = {
                (s.signature.name, s.signature.key_id.hex())
                for s in (mine_cp.signatures if mine_cp else ())
            }
            fresh = [s for s in checkpoint["signatures"] if (s["name"], s["key_id"]) not in signed]
            mirroring.append(
                conn,
                tables.checkpoint_signatures,
                [_signature_row(checkpoint["size"], s) for s in fresh],
            )
            pulled.signatures += len(fresh)


def _key_row(key: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": key["name"],
        "key_id": key["key_id"],
        "party": key["party"],
        "public_key": key["public_key"],
        "added_at": key["added_at"],
        "retired_at": key.get("retired_at"),
    }


def _checkpoint_row(checkpoint: Mapping[str, Any]) -> dict[str, Any]:
    return {k: checkpoint[k] for k in ("size", "origin", "root", "head", "created_at")}


def _signature_row(size: int, signature: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("name", "key_id", "party", "signature", "signed_at")
    return {"size": size, **{k: signature[k] for k in keys}}


def _checkpoints(system: System, keys: Keyring | None, problems: list[str]) -> list[str]:
    """Check every checkpoint of the copy against its chain, and every signature against
    `keys` (else the keys the primary serves); who signed which, a line each."""
    with snapshot(system.db) as conn:
        stored = store.checkpoints(conn)
        ring = keys or Keyring(k.key for k in store.keys(conn))
        signed = [
            SignedCheckpoint(c.note(), c.checkpoint, c.head, iso_z(c.created_at)) for c in stored
        ]
        result = check_export((e.to_dict() for e in auditlog.entries(conn)), signed, ring)
    problems.extend(f"checkpoints: {p}" for p in result.problems)
    return [
        f"checkpoint {c.size}: signed by {', '.join(c.parties) or 'no party'}"
        for c in result.checkpoints
        if not c.problems
    ]
