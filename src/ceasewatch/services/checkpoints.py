"""Checkpoints of the audit log, and the parties' signatures on them.

`create` records the chain's head as a C2SP checkpoint: the log's origin, how many
entries it holds, and the RFC 6962 root over them (`tlog.merkle`), after checking the
chain. A party signs a checkpoint only after checking, on its own machine, that the
first `size` entries form a sound chain that gives that root (`sign_local`; or through
the API, `remote.sign`); the store keeps a signature only if it verifies under a live
key registered for the party (`add_signature`).

The origin, `ceasewatch/<deployment id>`, is chosen at the first checkpoint (a random
id unless given) and kept by every later one: it names this log for ever.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..store import auditlog
from ..store import checkpoints as store
from ..store.checkpoints import StoredCheckpoint
from ..store.database import reading, snapshot
from ..tlog import merkle
from ..tlog.checkpoint import ORIGIN_PREFIX, Checkpoint, check_origin
from ..tlog.exported import check_prefix
from ..tlog.note import NoteError, Signature, Signer
from . import unit_of_work
from .keys import NotTheirs
from .system import System


class CheckpointError(ValueError):
    """A checkpoint that cannot be made, found or signed as asked, and why."""


class NoCheckpoint(CheckpointError):
    pass


class SignatureRefused(CheckpointError):
    pass


@dataclass(frozen=True, slots=True)
class Created:
    checkpoint: StoredCheckpoint
    new: bool


def create(system: System, now: datetime, origin: str | None = None) -> Created:
    """A checkpoint of the whole log as it stands (the latest one, if the log has not
    grown since). Refused when the chain is broken or empty."""
    with snapshot(system.db) as conn:
        tree = merkle.Frontier()
        heads: list[str] = []

        def tapped() -> Iterator[dict[str, Any]]:
            for entry in auditlog.entries(conn):
                data = entry.to_dict()
                tree.append(merkle.leaf_hash(merkle.leaf_of(data)))
                heads[:] = [entry.hash]
                yield data

        broken = audit.verify(tapped())
        latest = store.checkpoints(conn, latest=1)
    if broken is not None:
        raise CheckpointError(f"the chain is broken at {broken}: no checkpoint of it")
    if tree.size == 0:
        raise CheckpointError("the audit log is empty: nothing to checkpoint")
    kept = latest[0].checkpoint.origin if latest else None
    if origin is not None and kept is not None and origin != kept:
        raise CheckpointError(f"this log's origin is {kept}: it is never changed")
    try:
        chosen = check_origin(origin or kept or ORIGIN_PREFIX + secrets.token_hex(8))
    except NoteError as exc:
        raise CheckpointError(str(exc)) from None
    if latest and latest[0].size == tree.size:
        return Created(latest[0], new=False)
    checkpoint = Checkpoint(chosen, tree.size, tree.root())
    try:
        with unit_of_work.rows(system) as conn:
            store.add_checkpoint(conn, checkpoint, heads[0], now)
    except IntegrityError:  # another process made this one meanwhile
        return Created(get(system, tree.size), new=False)
    return Created(get(system, tree.size), new=True)


def periodic(
    system: System, now: datetime, *, every: int | None, hours: float | None
) -> Created | None:
    """A new checkpoint if one is `due` (for `run`), else None."""
    if not due(system, now, every=every, hours=hours):
        return None
    made = create(system, now)
    return made if made.new else None


def due(system: System, now: datetime, *, every: int | None, hours: float | None) -> bool:
    """Whether `run` should make a checkpoint now: the log grew by `every` entries since
    the last one, or it grew at all and `hours` have passed since the last one."""
    with reading(system.db) as conn:
        size, _ = auditlog.last_link(conn)
        latest = store.checkpoints(conn, latest=1)
    if size == 0:
        return False
    if not latest:
        return True
    last = latest[0]
    grown = size - last.size
    if every is not None and grown >= every:
        return True
    return (
        hours is not None and grown > 0 and (now - last.created_at).total_seconds() >= hours * 3600
    )


def listed(system: System, latest: int | None = None) -> list[StoredCheckpoint]:
    with reading(system.db) as conn:
        return store.checkpoints(conn, latest=latest)


def get(system: System, size: int | None = None) -> StoredCheckpoint:
    """The checkpoint of `size` entries (the latest, if None)."""
    with reading(system.db) as conn:
        found = (
            store.checkpoints(conn, size) if size is not None else store.checkpoints(conn, latest=1)
        )
    if not found:
        raise NoCheckpoint(
            f"no checkpoint of {size} entries" if size is not None else "no checkpoint yet"
        )
    return found[0]


@dataclass(frozen=True, slots=True)
class Signed:
    size: int
    party: str
    new: bool
    """False: this key's signature was stored already."""


def sign_local(system: System, signer: Signer, now: datetime, size: int | None = None) -> Signed:
    """Check the chain up to the checkpoint and its root, then sign it and store the
    signature."""
    checkpoint = get(system, size)
    with snapshot(system.db) as conn:
        problem = check_prefix(
            store.entries_to(conn, checkpoint.size), checkpoint.checkpoint, checkpoint.head
        )
    if problem is not None:
        raise CheckpointError(f"will not sign checkpoint {checkpoint.size}: {problem}")
    return add_signature(system, checkpoint.size, signer.sign(checkpoint.checkpoint.text()), now)


def add_signature(
    system: System,
    size: int,
    signature: Signature,
    now: datetime,
    *,
    as_party: str | None = None,
) -> Signed:
    """Store a party's signature on a checkpoint, if it verifies under a live key of the
    party. `as_party`: the caller may add that party's signatures only."""
    try:
        with unit_of_work.rows(system) as conn:
            party = _signer_party(conn, size, signature, as_party)
            new = store.add_signature(conn, size, party, signature, now)
    except IntegrityError:  # the same signature, stored meanwhile by another request
        with reading(system.db) as conn:
            party = _signer_party(conn, size, signature, as_party)
        new = False
    return Signed(size, party, new)


def _signer_party(conn: Connection, size: int, signature: Signature, as_party: str | None) -> str:
    """The party whose live key made this signature of the checkpoint, or why not."""
    found = store.checkpoints(conn, size)
    if not found:
        raise NoCheckpoint(f"no checkpoint of {size} entries")
    key = store.key(conn, signature.name, signature.key_id)
    if key is None:
        raise SignatureRefused(
            f"no registered key {signature.label}: register it first (ceasewatch key "
            "create, or PUT /api/v1/parties/{party}/keys)"
        )
    party = key.key.party
    if as_party is not None and as_party != party:
        raise NotTheirs(f"{as_party} may add its own signatures only, not {party}'s")
    if key.retired_at is not None:
        raise SignatureRefused(
            f"key {signature.label} of {party} was retired: sign with its current key"
        )
    if not key.key.verifier.verifies(found[0].checkpoint.text(), signature):
        raise SignatureRefused(
            f"the signature of {party} (key {signature.label}) does not match checkpoint {size}"
        )
    return party


def as_record(stored: StoredCheckpoint) -> dict[str, Any]:
    """A checkpoint as the API gives it and `audit checkpoints --json` prints it: `text`
    is what the parties sign, `note` the signed note (null until someone signs)."""
    note = stored.note()
    return {
        "size": stored.size,
        "origin": stored.checkpoint.origin,
        "root": stored.checkpoint.root_b64,
        "head": stored.head,
        "created_at": stored.created_at,
        "text": note.text,
        "note": note.encode() if note.signatures else None,
        "signatures": [
            {
                "party": s.party,
                "name": s.signature.name,
                "key_id": s.signature.key_id.hex(),
                "signature": s.signature.encoded,
                "signed_at": s.signed_at,
            }
            for s in stored.signatures
        ],
    }


def head(system: System) -> tuple[int, str]:
    """The last entry's seq and hash (0 and the genesis hash for an empty log)."""
    with reading(system.db) as conn:
        return auditlog.last_link(conn)


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """How far a case's record is co-signed, for its page."""

    last_entry: int | None
    """The last audit entry about the case (None: none yet)."""
    size: int
    """How many entries the log holds."""
    latest: list[StoredCheckpoint]
    """The newest checkpoints, newest first."""

    def covered_by(self, checkpoint: StoredCheckpoint) -> bool:
        return self.last_entry is not None and checkpoint.size >= self.last_entry


def case_record(system: System, case_id: str, shown: int = 3) -> CaseRecord:
    needle = '"case":' + json.dumps(case_id, ensure_ascii=False)
    with reading(system.db) as conn:
        last = store.last_entry_holding(conn, needle)
        size, _ = auditlog.last_link(conn)
        latest = store.checkpoints(conn, latest=shown)
    return CaseRecord(last, size, list(reversed(latest)))
