"""The parties' keys, the audit log's checkpoints and the signatures on them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..tlog.checkpoint import Checkpoint
from ..tlog.keyring import PartyKey
from ..tlog.note import Note, Signature, Verifier, b64, unb64
from . import tables
from .auditlog import entries
from .database import streamed


@dataclass(frozen=True, slots=True)
class StoredKey:
    key: PartyKey
    added_at: datetime
    retired_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredSignature:
    party: str
    signature: Signature
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    checkpoint: Checkpoint
    head: str
    created_at: datetime
    signatures: tuple[StoredSignature, ...]

    @property
    def size(self) -> int:
        return self.checkpoint.size

    @property
    def parties(self) -> list[str]:
        return sorted({s.party for s in self.signatures})

    def note(self) -> Note:
        return Note(self.checkpoint.text(), tuple(s.signature for s in self.signatures))


# -- keys -------------------------------------------------------------------------------


def _key(row: sa.Row[object]) -> StoredKey:
    m = row._mapping
    verifier = Verifier(m["name"], unb64(m["public_key"], "stored key"))
    return StoredKey(PartyKey(m["party"], verifier), m["added_at"], m["retired_at"])


def keys(conn: Connection, party: str | None = None) -> list[StoredKey]:
    """Every key ever registered (of one party), oldest first."""
    k = tables.party_keys
    query = sa.select(k).order_by(k.c.party, k.c.added_at, k.c.name, k.c.key_id)
    if party is not None:
        query = query.where(k.c.party == party)
    return [_key(row) for row in conn.execute(query)]


def key(conn: Connection, name: str, key_id: bytes) -> StoredKey | None:
    k = tables.party_keys
    row = conn.execute(sa.select(k).where(k.c.name == name, k.c.key_id == key_id.hex())).first()
    return None if row is None else _key(row)


def add_key(conn: Connection, key: PartyKey, at: datetime) -> None:
    v = key.verifier
    conn.execute(
        sa.insert(tables.party_keys).values(
            name=v.name,
            key_id=v.key_id.hex(),
            party=key.party,
            public_key=b64(v.public_key),
            added_at=at,
            retired_at=None,
        )
    )


def retire_keys(conn: Connection, party: str, keep: Verifier, at: datetime) -> list[str]:
    """Retire the party's live keys but `keep`; their NAME+KEYID labels."""
    live = [
        s.key.verifier for s in keys(conn, party) if s.retired_at is None and s.key.verifier != keep
    ]
    for v in live:
        retire(conn, v, at)
    return [v.label for v in live]


def retire(conn: Connection, verifier: Verifier, at: datetime) -> None:
    k = tables.party_keys
    conn.execute(
        sa.update(k)
        .where(k.c.name == verifier.name, k.c.key_id == verifier.key_id.hex())
        .values(retired_at=at)
    )


# -- checkpoints ------------------------------------------------------------------------


def _signatures(conn: Connection, sizes: list[int]) -> dict[int, list[StoredSignature]]:
    s = tables.checkpoint_signatures
    out: dict[int, list[StoredSignature]] = {size: [] for size in sizes}
    if not sizes:
        return out
    rows = conn.execute(
        sa.select(s).where(s.c.size.in_(sizes)).order_by(s.c.size, s.c.party, s.c.name)
    )
    for row in rows:
        signature = Signature.decode(row.name, row.signature)
        out[row.size].append(StoredSignature(row.party, signature, row.signed_at))
    return out


def checkpoints(
    conn: Connection, size: int | None = None, *, latest: int | None = None
) -> list[StoredCheckpoint]:
    """Checkpoints, smallest first, with their signatures: all, the one of `size`, or
    the `latest` n."""
    c = tables.checkpoints
    query = sa.select(c)
    if size is not None:
        query = query.where(c.c.size == size)
    if latest is not None:
        query = query.order_by(c.c.size.desc()).limit(latest)
    rows = sorted(conn.execute(query), key=lambda row: row.size)
    signed = _signatures(conn, [row.size for row in rows])
    return [
        StoredCheckpoint(
            Checkpoint(row.origin, row.size, unb64(row.root, "stored root")),
            row.head,
            row.created_at,
            tuple(signed[row.size]),
        )
        for row in rows
    ]


def add_checkpoint(conn: Connection, checkpoint: Checkpoint, head: str, at: datetime) -> None:
    conn.execute(
        sa.insert(tables.checkpoints).values(
            size=checkpoint.size,
            origin=checkpoint.origin,
            root=checkpoint.root_b64,
            head=head,
            created_at=at,
        )
    )


def add_signature(
    conn: Connection, size: int, party: str, signature: Signature, at: datetime
) -> bool:
    """Store a signature line; False if that key's is stored already."""
    s = tables.checkpoint_signatures
    found = conn.execute(
        sa.select(s.c.size).where(
            s.c.size == size, s.c.name == signature.name, s.c.key_id == signature.key_id.hex()
        )
    ).first()
    if found is not None:
        return False
    conn.execute(
        sa.insert(s).values(
            size=size,
            name=signature.name,
            key_id=signature.key_id.hex(),
            party=party,
            signature=signature.encoded,
            signed_at=at,
        )
    )
    return True


def entries_to(conn: Connection, size: int) -> Iterator[dict[str, Any]]:
    """The first `size` audit entries, in order, as an export holds them."""
    for entry in entries(conn, upto=size):
        yield entry.to_dict()


def last_entry_holding(conn: Connection, needle: str, *, first: bool = False) -> int | None:
    """The last (or `first`) audit entry whose canonical body holds `needle`, e.g.
    `"case":"ID"` (canonical JSON has no spaces, so a key and its value are adjacent)."""
    a = tables.audit
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    order = a.c.seq if first else a.c.seq.desc()
    row = conn.execute(
        streamed(
            sa.select(a.c.seq).where(a.c.body.like(pattern, escape="\\")).order_by(order).limit(1)
        )
    ).first()
    return None if row is None else int(row.seq)


def reports_named(conn: Connection, source: str | None, report_id: str) -> list[Any]:
    """Journal rows of reports with this id (and source): (seq, source, id, body, sha256)."""
    r = tables.reports
    query = sa.select(r.c.seq, r.c.source, r.c.id, r.c.body, r.c.sha256).where(r.c.id == report_id)
    if source is not None:
        query = query.where(r.c.source == source)
    return list(conn.execute(query.order_by(r.c.seq)))
