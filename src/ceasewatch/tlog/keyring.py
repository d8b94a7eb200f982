"""The parties' public keys, as `key export` writes them and offline checks read them.

    keys:
      - party: US
        public_key: GQ3p...=          # base64 of the 32-byte Ed25519 public key
        name: US                      # the key name in signature lines (default: party)
        key_id: 1a2b3c4d              # optional: checked against the key if given
        verifier: US+1a2b3c4d+AR...   # optional: the same key as Go's note package reads it
        retired_at: 2026-...Z         # optional: replaced then; still checks what it signed

A retired key still verifies the signatures it made: an export does not say when a
signature was made, so the list a verifier trusts is the list it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .note import NoteError, Signature, Verifier, b64, unb64


@dataclass(frozen=True, slots=True)
class PartyKey:
    party: str
    verifier: Verifier
    added_at: str | None = None
    retired_at: str | None = None

    def record(self) -> dict[str, Any]:
        v = self.verifier
        out: dict[str, Any] = {
            "party": self.party,
            "public_key": b64(v.public_key),
            "name": v.name,
            "key_id": v.key_id.hex(),
            "verifier": v.verifier_key,
        }
        if self.added_at:
            out["added_at"] = self.added_at
        if self.retired_at:
            out["retired_at"] = self.retired_at
        return out


def parse_keys(data: Any, origin: str = "keys") -> list[PartyKey]:
    """`{keys: [...]}` as read from YAML; a bad record names its place and field."""
    if not isinstance(data, Mapping) or not isinstance(data.get("keys"), list):
        raise NoteError(f"{origin}: not a mapping with a list `keys`")
    out = []
    for n, item in enumerate(data["keys"], start=1):
        where = f"{origin}: keys[{n}]"
        if not isinstance(item, Mapping):
            raise NoteError(f"{where}: not a mapping")
        party, public = item.get("party"), item.get("public_key")
        if not isinstance(party, str) or not party:
            raise NoteError(f"{where}: party: a party code is needed")
        if not isinstance(public, str):
            raise NoteError(f"{where}: public_key: base64 of a 32-byte Ed25519 key is needed")
        name = item.get("name") or party
        try:
            verifier = Verifier(str(name), unb64(public, "public_key"))
        except NoteError as exc:
            raise NoteError(f"{where}: {exc}") from None
        given = item.get("key_id")
        if given is not None and str(given) != verifier.key_id.hex():
            raise NoteError(f"{where}: key_id {given} is not this key's ({verifier.key_id.hex()})")
        retired = item.get("retired_at")
        added = item.get("added_at")
        out.append(
            PartyKey(
                party,
                verifier,
                None if added is None else str(added),
                None if retired is None else str(retired),
            )
        )
    return out


class Keyring:
    """Keys by (name, key ID), as a signature line names its key."""

    def __init__(self, keys: Iterable[PartyKey]) -> None:
        self.keys: dict[tuple[str, bytes], PartyKey] = {}
        for key in keys:
            self.keys[(key.verifier.name, key.verifier.key_id)] = key

    def find(self, signature: Signature) -> PartyKey | None:
        return self.keys.get((signature.name, signature.key_id))
