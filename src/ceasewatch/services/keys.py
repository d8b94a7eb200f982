"""The parties' signing keys: made by the party, the public half registered with the store.

A party's private key never reaches the store: `key create` writes it to a file only its
owner can read (mode 0600), in the format of Go's note package. The store keeps every
public key ever registered, with the party it speaks for; registering a new key for a
party retires its older ones, which then sign no more checkpoints but still verify
those they signed. Each registration is an audit entry (`party_key_added`), so the
chain itself says which keys a party had, and from when.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain.events import iso_z
from ..store import checkpoints as store
from ..store import queries
from ..store.checkpoints import StoredKey
from ..store.database import reading
from ..tlog.keyring import PartyKey
from ..tlog.note import NoteError, Signer, Verifier, check_name, parse_signer_key
from . import unit_of_work
from .handed import in_the_writer
from .system import System

KEY_ADDED = "party_key_added"
"""The audit entry of a registration."""


class KeyRefused(ValueError):
    """A key that cannot be registered or read as asked, and why."""


class NotTheirs(KeyRefused):
    """A party's decision maker acting for another party's key."""


def new_signer(party: str, name: str | None = None) -> Signer:
    """A fresh Ed25519 key for `party`, named after it unless `name` is given."""
    try:
        return Signer(check_name(name or party), os.urandom(32))
    except NoteError as exc:
        raise KeyRefused(str(exc)) from None


def write_private_key(path: Path, signer: Signer) -> None:
    """Write the signer key to a new file that only its owner may read (0600)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyRefused(f"{path} exists: a key file is never overwritten") from None
    except OSError as exc:
        raise KeyRefused(f"{path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(signer.signer_key + "\n")


def read_private_key(path: Path) -> Signer:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyRefused(f"{path}: {exc.strerror or exc}") from None
    try:
        return parse_signer_key(text)
    except NoteError as exc:
        raise KeyRefused(f"{path}: {exc}") from None


@dataclass(frozen=True, slots=True)
class Registered:
    key: PartyKey
    new: bool
    retired: list[str]
    """NAME+KEYID of the party's keys this one retired."""


@in_the_writer
def register(
    system: System, party: str, verifier: Verifier, now: datetime, *, as_party: str | None = None
) -> Registered:
    """Register `party`'s public key (audited), retiring its older keys. The same key
    again changes nothing. `as_party`: the caller may register keys of this party only."""
    if as_party is not None and as_party != party:
        raise NotTheirs(f"{as_party} may register its own keys only, not {party}'s")
    with unit_of_work.protocol(system) as batch:
        conn = batch.conn
        if queries.party_roles(conn, party) is None:
            raise KeyRefused(
                f"party {party} is not in the directory: add it first (ceasewatch party import)"
            )
        found = store.key(conn, verifier.name, verifier.key_id)
        if found is not None:
            if found.key.party != party or found.key.verifier != verifier:
                raise KeyRefused(
                    f"key {verifier.label} is registered already, for {found.key.party}"
                    + ("" if found.key.verifier == verifier else ", with another public key")
                )
            return Registered(found.key, new=False, retired=[])
        key = PartyKey(party, verifier)
        store.add_key(conn, key, now)
        retired = store.retire_keys(conn, party, verifier, now)
        record = key.record()
        batch.note(
            KEY_ADDED,
            {k: record[k] for k in ("party", "name", "key_id", "public_key")}
            | {"retires": retired},
        )
    return Registered(key, new=True, retired=retired)


def listed(system: System) -> list[StoredKey]:
    with reading(system.db) as conn:
        return store.keys(conn)


def key_record(stored: StoredKey) -> dict[str, Any]:
    """A key as `key export` writes it (see `tlog.keyring`)."""
    record = stored.key.record()
    record["added_at"] = iso_z(stored.added_at)
    if stored.retired_at is not None:
        record["retired_at"] = iso_z(stored.retired_at)
    return record


def exported(system: System) -> dict[str, Any]:
    return {"keys": [key_record(k) for k in listed(system)]}
