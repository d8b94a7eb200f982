"""Engine snapshots: the engines' state saved at a journal position.

A process that opens a store feeds its engines the whole journal (`LiveProtocol.catch_up`):
seconds per million reports, paid by every CLI command and API worker. A snapshot saves
the engines (every ceasefire's, with what `LiveProtocol` knows of the journal: the
latest arrival) after journal entry N, at the stored clock then; a process
starts from the newest usable one and feeds only the entries after N. The journal stays
the truth: a snapshot is a cache of it, `audit verify` never reads one, and dropping
every snapshot changes nothing but the time a process takes to start.

A snapshot is used only when it was made by the same engine code (`code_version`: a
digest of the source that decides the engines' state, of the snapshot format, and of
the Python and pydantic versions whose objects it holds) and for the same ceasefires
(each one's id with a digest of its definition and policy text; a ceasefire added
since is built from the journal, as a catch-up builds one). Anything else is passed
over, never trusted: an older code version's state may not be the state this code
would have reached.

**Format.** A snapshot is in two parts. The *body* is what grows with the journal: each
engine's incidents and reports, the indexes of rules 6 and 7, the violation histories
(`Engine.bulk`). The *front* is the rest: the journal position,
the clock, and the engines without their bulk (cases, actions, timers, the policy), a
few kilobytes whatever the store's size. A process starts from the front; the body is
unpickled the first time something reads it (`Body`): a report, a command on an
incident, a timer that closes a case. A tick that fires deadlines and alerts
reads only cases, so opening a store of years of reports to tick it costs about what
it costs on a small store; the body costs what the whole state did, once, if touched.

**Storage.** The front is the snapshot's row (`snapshots.state`); the body, compressed
with zlib, is cut into parts of a few megabytes (`snapshot_parts`, one row each): a
value may hold at most 1 GB, which a body reaches at ten to fifteen million reports.
The row holds the SHA-256 of the front, and the front the SHA-256 of each part. A
process opening the store reads the front and counts the parts; it reads the parts,
one at a time, only when it reads the body, checking each against its digest. So a
process that only ticks never reads them, whatever the store's size.

**Pruned while held.** A process may hold a front for long (a server's worker) while
newer snapshots are taken and `prune` deletes its snapshot. Each unit of work whose
engines still wait for their body first asks whether the snapshot is there, and on
PostgreSQL holds its row (`FOR SHARE`) until it commits, so that no prune deletes the
parts while it may read them (on SQLite writers take turns); a snapshot gone by then
is let go, and the unit of work starts from the newest one, as a new process would.

**Trust.** Front and body are pickles of the domain objects (plain classes): the body a
series of pickles (`snapshot_body`), the front one pickle, where each attribute left out
is a persistent id into the body. Unpickling runs code named in the data, so a snapshot
is only as trustworthy as the database that holds it; to keep a tampered row from
running anything else, it is read by an unpickler that builds only ceasewatch's domain
classes and a short list of standard types (`snapshot_body.SnapshotUnpickler`). A row
whose digest, format or front does not hold is passed over like an incompatible one; a
body that does not hold is found only when it is read: the unit of work then fails
(`Unreadable`), the snapshot is deleted, and the next one rebuilds the engines from the
journal.
"""

from __future__ import annotations

import hashlib
import io
import logging
import pickle
import platform
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import pydantic
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..audit import canonical, sha256_hex
from ..domain.engine import Engine
from ..store import tables
from ..store.journal import StoredCeasefire
from . import snapshot_body
from .compressed import Deflating
from .snapshot_body import SnapshotUnpickler
from .snapshot_pending import Body, Marker, gc_paused

FORMAT = 6
"""Bumped whenever what a snapshot holds changes shape."""

TAKING = "snapshot"
"""The lock (`held_alone`) that one process at a time holds while it takes a snapshot."""

_SOURCES = (
    ("ceasewatch.domain", None),
    ("ceasewatch.services", "live_protocol.py"),
    ("ceasewatch.services", "handlers.py"),
    ("ceasewatch.services", "snapshot_body.py"),
    ("ceasewatch", "config.py"),
)
"""The source files that decide the engines' state: the domain, feeding the journal to
the engines (each command to its handler), and building a stored ceasefire's engine."""

log = logging.getLogger(__name__)


@cache
def code_version() -> str:
    """A digest of the engine code and of what its pickled objects depend on."""
    digest = hashlib.sha256(f"snapshot format {FORMAT}\n".encode())
    digest.update(f"python {platform.python_version()}\n".encode())
    digest.update(f"pydantic {pydantic.VERSION}\n".encode())
    for package, name in _SOURCES:
        folder = resources.files(package)
        files = [folder / name] if name else sorted(folder.iterdir(), key=lambda f: f.name)
        for file in files:
            if file.name.endswith(".py"):
                digest.update(f"{package}/{file.name}\n".encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def ceasefire_digests(stored: list[StoredCeasefire]) -> dict[str, str]:
    """Each stored ceasefire's id, and a digest of its definition and policy text."""
    return {c.id: sha256_hex(canonical([c.definition, c.policy_text])) for c in stored}


@dataclass
class State:
    """What a snapshot holds: the engines and `LiveProtocol`'s record of the journal."""

    engines: dict[str, Engine]
    position: int
    now: datetime | None
    last_arrival: datetime | None


@dataclass
class Loaded:
    """A snapshot as a process starts from it: its front, and its body for later."""

    seq: int
    position: int
    now: datetime | None
    last_arrival: datetime | None
    engines: dict[str, Engine]
    body: Body


@dataclass(frozen=True, slots=True)
class Saved:
    """A snapshot row, less its state."""

    seq: int
    position: int
    clock: datetime | None
    size: int
    taken_at: datetime
    usable: bool
    """Made by this code, for ceasefires the store still holds as they were."""


@dataclass(frozen=True)
class Made:
    """A snapshot pickled and not yet stored: the work done outside any transaction."""

    position: int
    clock: datetime | None
    ceasefires: dict[str, str]
    data: bytes
    """The front."""
    parts: list[bytes]
    """The body, compressed, in parts."""

    @property
    def size(self) -> int:
        return len(self.data) + sum(len(part) for part in self.parts)


def made(state: State, ceasefires: dict[str, str]) -> Made:
    """Pickle `state`; `ceasefires` are the digests of the store's ceasefires. The
    engines must not change meanwhile; no transaction needs to be open."""
    roots: dict[int, tuple[int, dict[str, Any]]] = {}
    values: list[object] = []
    for engine in state.engines.values():
        for owner, name in engine.bulk():
            value = getattr(owner, name)  # loads what a snapshot left out, if need be
            if id(value) not in roots:
                roots[id(value)] = (len(values), Engine.summary(owner))
                values.append(value)
    with gc_paused():
        deflating = Deflating()
        incidents = [i for engine in state.engines.values() for i in engine.incidents.values()]
        snapshot_body.dump(deflating, incidents, values)
        parts = deflating.parts()
        digests = tuple(hashlib.sha256(part).digest() for part in parts)
        front = io.BytesIO()
        _FrontPickler(front, roots).dump(
            (FORMAT, state.position, state.now, state.last_arrival, state.engines, digests)
        )
    data = zlib.compress(front.getvalue(), 1)
    held = {cf: ceasefires[cf] for cf in state.engines}
    return Made(state.position, state.now, held, data, parts)


def store(conn: Connection, snapshot: Made, taken_at: datetime) -> Saved:
    """Write a snapshot made by `made`: its row, and a row for each part of its body."""
    row = {
        "position": snapshot.position,
        "clock": snapshot.clock,
        "code": code_version(),
        "ceasefires": snapshot.ceasefires,
        "taken_at": taken_at,
        "size": snapshot.size,
        "sha256": hashlib.sha256(snapshot.data).hexdigest(),
        "state": snapshot.data,
    }
    inserted = conn.execute(sa.insert(tables.snapshots).values(**row)).inserted_primary_key
    assert inserted is not None
    seq = inserted[0]
    for n, part in enumerate(snapshot.parts):  # one at a time: the driver copies each
        conn.execute(sa.insert(tables.snapshot_parts).values(snapshot=seq, part=n, data=part))
    return Saved(seq, snapshot.position, snapshot.clock, snapshot.size, taken_at, True)


def listed(conn: Connection, ceasefires: dict[str, str]) -> list[Saved]:
    """Every snapshot, newest position first, with whether this process may use it."""
    s = tables.snapshots
    rows = conn.execute(
        sa.select(
            s.c.seq, s.c.position, s.c.clock, s.c.size, s.c.taken_at, s.c.code, s.c.ceasefires
        ).order_by(s.c.position.desc(), s.c.seq.desc())
    ).all()
    return [
        Saved(r.seq, r.position, r.clock, r.size, r.taken_at, _usable(r, ceasefires)) for r in rows
    ]


def newest_position(conn: Connection) -> int:
    """The journal position of the newest snapshot of any code (0: none)."""
    s = tables.snapshots
    return int(conn.execute(sa.select(sa.func.max(s.c.position))).scalar() or 0)


def load(conn: Connection, ceasefires: dict[str, str], up_to: int) -> Loaded | None:
    """The newest usable snapshot at or before journal position `up_to`, or None: its
    front; its body is read later, if at all (`Body.load`). In a writing transaction
    its row is held (`kept`).

    Snapshots of other code or other ceasefires are passed over, and so is one whose
    front does not unpickle to what it should (its digest differs, it names a class
    outside the domain) or that lacks parts of its body: the journal is always there
    to fall back on.
    """
    s = tables.snapshots
    for saved in listed(conn, ceasefires):
        if not saved.usable or saved.position > up_to:
            continue
        query = _holding(conn, sa.select(s.c.state, s.c.sha256).where(s.c.seq == saved.seq))
        row = conn.execute(query).first()
        if row is None:  # deleted since it was listed
            continue
        data = bytes(row.state)
        if hashlib.sha256(data).hexdigest() != row.sha256:
            log.warning("snapshot %s: its state does not match its digest; passed over", saved.seq)
            continue
        try:
            with gc_paused():
                front = _FrontUnpickler(io.BytesIO(zlib.decompress(data))).load()
                state = _front(saved.seq, front, _part_count(conn, saved.seq))
        except Exception as exc:  # a snapshot is a cache: any fault means "rebuild"
            log.warning("snapshot %s cannot be read (%s); passed over", saved.seq, exc)
            continue
        if state.position != saved.position:
            continue
        return state
    return None


def kept(conn: Connection, seq: int) -> bool:
    """Whether snapshot `seq` is still stored. In a writing transaction on PostgreSQL,
    its row is then held until the transaction ends: `prune` and `discard` wait, so its
    body can still be read (SQLite's writers take turns, so none deletes it meanwhile)."""
    s = tables.snapshots
    query = _holding(conn, sa.select(s.c.seq).where(s.c.seq == seq))
    return conn.execute(query).first() is not None


def _holding(conn: Connection, query: sa.Select[Any]) -> sa.Select[Any]:
    """`query` locking the rows it reads against deletion (FOR SHARE), in a writer's
    transaction on PostgreSQL; as it is elsewhere."""
    writer = conn.get_execution_options().get("ceasewatch_writer", False)
    if writer and conn.dialect.name == "postgresql":
        return query.with_for_update(read=True)
    return query


def _part_count(conn: Connection, seq: int) -> int:
    p = tables.snapshot_parts
    count = sa.select(sa.func.count()).select_from(p).where(p.c.snapshot == seq)
    return int(conn.execute(count).scalar_one())


def discard(conn: Connection, seq: int) -> None:
    """Delete a snapshot found unreadable (`Unreadable`): no process should try it again."""
    conn.execute(sa.delete(tables.snapshots).where(tables.snapshots.c.seq == seq))
    conn.execute(sa.delete(tables.snapshot_parts).where(tables.snapshot_parts.c.snapshot == seq))


def prune(conn: Connection, keep: int = 2) -> int:
    """Delete all but the `keep` newest snapshots of this code, and every one of other
    code (no process of this version can use them); returns how many went."""
    s = tables.snapshots
    ours = conn.execute(
        sa.select(s.c.seq)
        .where(s.c.code == code_version())
        .order_by(s.c.position.desc(), s.c.seq.desc())
    ).scalars()
    kept = list(ours)[:keep]
    result = conn.execute(sa.delete(s).where(s.c.seq.not_in(kept)))
    p = tables.snapshot_parts
    conn.execute(sa.delete(p).where(p.c.snapshot.not_in(sa.select(s.c.seq))))
    return int(result.rowcount or 0)


def _usable(row: Any, ceasefires: dict[str, str]) -> bool:
    """Made by this code, and every ceasefire it holds is stored, as it was then."""
    held: dict[str, str] = row.ceasefires
    return row.code == code_version() and all(ceasefires.get(i) == d for i, d in held.items())


def _front(seq: int, data: Any, stored_parts: int) -> Loaded:
    if not isinstance(data, tuple) or len(data) != 6 or data[0] != FORMAT:
        raise ValueError("not a snapshot of this format")
    _, position, now, last_arrival, engines, digests = data
    if not isinstance(engines, dict) or not all(isinstance(e, Engine) for e in engines.values()):
        raise ValueError("not a snapshot of engines")
    if not isinstance(digests, tuple) or not all(_is_digest(d) for d in digests):
        raise ValueError("its front does not list its body's parts")
    if len(digests) != stored_parts:
        raise ValueError(f"its body has {stored_parts} parts of {len(digests)}")
    loaded = Loaded(seq, position, now, last_arrival, engines, Body(seq, digests))
    for engine in engines.values():
        for owner, name in engine.bulk():
            loaded.body.leave_out(owner, name)
    loaded.body.seal()
    return loaded


def _is_digest(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == hashlib.sha256().digest_size


class _FrontPickler(pickle.Pickler):
    """Pickles the front: each value of the body (`roots`, by identity) as its place."""

    def __init__(self, file: io.BytesIO, roots: dict[int, tuple[int, dict[str, Any]]]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._roots = roots

    def persistent_id(self, obj: Any) -> Any:
        return self._roots.get(id(obj))


class _FrontUnpickler(SnapshotUnpickler):
    def persistent_load(self, pid: Any) -> Any:
        n, held = pid
        if not isinstance(n, int) or not isinstance(held, dict):
            raise pickle.UnpicklingError("not a place in a snapshot's body")
        return Marker(n, held)
