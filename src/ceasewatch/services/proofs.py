"""`audit prove`: a short proof that a report is in the log at a signed checkpoint, and
`audit verify-proof`: checking one offline (see `tlog.proofs` for the format)."""

from __future__ import annotations

from pathlib import Path

from ..audit import canonical
from ..store import auditlog
from ..store import checkpoints as store
from ..store.checkpoints import StoredCheckpoint
from ..store.database import snapshot
from ..tlog import merkle
from ..tlog.keyring import Keyring
from ..tlog.note import NoteError
from ..tlog.proofs import Proof, ProofCheck, check_proof, parse_proof
from .auditfiles import FileError, read_keys
from .system import System


class ProofError(ValueError):
    """A proof that cannot be made as asked, and why."""


def prove(system: System, report: str, size: int | None = None) -> Proof:
    """The proof for a report (`SOURCE/ID`, or an `ID` only one source used) at the
    checkpoint of `size` entries, else the latest signed one covering it."""
    source, _, report_id = report.rpartition("/")
    with snapshot(system.db) as conn:
        found = store.reports_named(conn, source or None, report_id)
        if not found:
            raise ProofError(f"no report {report} in the journal")
        if len(found) > 1:
            names = ", ".join(f"{r.source}/{r.id}" for r in found)
            raise ProofError(f"{report} names {len(found)} reports ({names}): give SOURCE/ID")
        [row] = found
        listing = canonical([row.seq, row.source, row.id, row.sha256]).decode()[:-1] + ","
        older = canonical([row.source, row.id, row.sha256]).decode()
        seq = store.last_entry_holding(conn, listing, first=True) or store.last_entry_holding(
            conn, older, first=True
        )
        if seq is None:
            raise ProofError(f"report {row.source}/{row.id} is in no audit entry")
        checkpoint = _covering(store.checkpoints(conn), seq, size)
        hashes, entry = [], None
        for item in auditlog.entries(conn, upto=checkpoint.size):
            data = item.to_dict()
            hashes.append(merkle.leaf_hash(merkle.leaf_of(data)))
            if item.seq == seq:
                entry = data
    assert entry is not None
    path = merkle.inclusion_proof(hashes, seq - 1)
    return Proof(entry, row.body, tuple(path), checkpoint.note())


def _covering(stored: list[StoredCheckpoint], seq: int, size: int | None) -> StoredCheckpoint:
    if size is not None:
        chosen = [c for c in stored if c.size == size]
        if not chosen:
            raise ProofError(f"no checkpoint of {size} entries")
        if size < seq:
            raise ProofError(f"checkpoint {size} ends before entry {seq}, which lists the report")
        return chosen[0]
    covering = [c for c in stored if c.size >= seq]
    signed = [c for c in covering if c.signatures]
    if not covering:
        raise ProofError(f"no checkpoint covers entry {seq} yet (ceasewatch audit checkpoint)")
    return (signed or covering)[-1]


def verify_proof(path: Path, keys: Path) -> ProofCheck:
    ring = Keyring(read_keys(keys))
    try:
        proof = parse_proof(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FileError(f"{path}: {exc.strerror or exc}") from None
    except NoteError as exc:
        raise FileError(f"{path}: {exc}") from None
    return check_proof(proof, ring)
