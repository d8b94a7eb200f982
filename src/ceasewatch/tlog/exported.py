"""Checking an audit export offline: its chain, its checkpoints' roots, the parties'
signatures on them. Nothing but the export and the parties' public keys is needed.

A checkpoint of size N holds when the first N entries of the export, as leaves in order
(`merkle.leaf_of`), give its root; so changing, removing or reordering any of them, even
with every later hash recomputed so that the chain itself holds, breaks every checkpoint
at or after it. A signature holds when the key it names (name and key ID) is one of the
parties' and it verifies over the checkpoint's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import audit
from ..audit import Break
from . import merkle
from .checkpoint import Checkpoint, parse_checkpoint
from .keyring import Keyring
from .note import Note, NoteError, b64, parse


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint as an export carries it: its note, and what the operator says of it."""

    note: Note
    checkpoint: Checkpoint
    head: str | None = None
    """The hash of its last entry, as the operator says (unsigned: a hint for messages)."""
    at: str | None = None


def read_record(record: Mapping[str, Any], where: str) -> SignedCheckpoint:
    """A line of a checkpoints file: `note` is the checkpoint's text, followed (once
    signed) by a blank line and its signature lines, i.e. a C2SP signed note."""
    text = record.get("note")
    if not isinstance(text, str):
        raise NoteError(f"{where}: no note")
    try:
        note = parse(text) if "\n\n" in text else Note(text, ())
        checkpoint = parse_checkpoint(note.text)
    except NoteError as exc:
        raise NoteError(f"{where}: {exc}") from None
    head, at = record.get("head"), record.get("at")
    return SignedCheckpoint(
        note,
        checkpoint,
        head if isinstance(head, str) else None,
        at if isinstance(at, str) else None,
    )


@dataclass
class Checked:
    """One checkpoint, checked."""

    size: int
    at: str | None
    parties: list[str] = field(default_factory=list)
    """Whose signatures verified (and the root holds)."""
    unknown: list[str] = field(default_factory=list)
    """Signatures by keys not given (NAME+KEYID): not checked."""
    problems: list[str] = field(default_factory=list)


@dataclass
class ExportCheck:
    entries: int = 0
    chain: Break | None = None
    checkpoints: list[Checked] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [p for c in self.checkpoints for p in c.problems]

    @property
    def ok(self) -> bool:
        return self.chain is None and not self.problems

    def signed_up_to(self) -> dict[str, int]:
        """Each party's largest checkpoint that holds and that it signed."""
        out: dict[str, int] = {}
        for checked in self.checkpoints:
            if not checked.problems:
                for party in checked.parties:
                    out[party] = max(out.get(party, 0), checked.size)
        return out


def check_export(
    entries: Iterable[Mapping[str, Any]],
    checkpoints: Sequence[SignedCheckpoint],
    keys: Keyring,
    head: str | None = None,
) -> ExportCheck:
    """Check the chain (`audit.verify`), then every checkpoint against the entries and
    every signature against the keys; one pass over the entries."""
    result = ExportCheck()
    sizes = {c.checkpoint.size for c in checkpoints}
    roots: dict[int, bytes] = {}
    tree = merkle.Frontier()

    def tapped() -> Iterator[Mapping[str, Any]]:
        for entry in entries:
            tree.append(merkle.leaf_hash(merkle.leaf_of(entry)))
            if tree.size in sizes:
                roots[tree.size] = tree.root()
            yield entry

    stream = tapped()
    result.chain = audit.verify(stream, head=head)
    for _ in stream:  # the roots of checkpoints after a break
        pass
    result.entries = tree.size
    origin = checkpoints[0].checkpoint.origin if checkpoints else None
    holds = 0
    """The largest checkpoint whose root the entries give: any change is after it."""
    for signed in sorted(checkpoints, key=lambda c: c.checkpoint.size):
        checked = _check(signed, roots, tree.size, keys, origin, result.chain, holds)
        if roots.get(signed.checkpoint.size) == signed.checkpoint.root:
            holds = signed.checkpoint.size
        result.checkpoints.append(checked)
    return result


def _check(
    signed: SignedCheckpoint,
    roots: dict[int, bytes],
    total: int,
    keys: Keyring,
    origin: str | None,
    chain: Break | None,
    holds: int,
) -> Checked:
    checkpoint = signed.checkpoint
    size = checkpoint.size
    checked = Checked(size, signed.at)
    for signature in signed.note.signatures:
        key = keys.find(signature)
        if key is None:
            checked.unknown.append(signature.label)
        elif key.verifier.verifies(signed.note.text, signature):
            checked.parties.append(key.party)
        else:
            checked.problems.append(
                f"checkpoint {size}: the signature of {key.party} (key {signature.label}) "
                "does not match it"
            )
    checked.parties.sort()
    name = f"checkpoint {size}" + (
        f" (signed by {', '.join(checked.parties)})" if checked.parties else ""
    )
    if checkpoint.origin != origin:
        checked.problems.append(f"{name}: its origin is {checkpoint.origin}, not {origin}")
    if size > total:
        checked.problems.append(
            f"{name}: the export ends at entry {total}: entries {total + 1}..{size} were removed"
        )
    elif roots.get(size, merkle.EMPTY_ROOT) != checkpoint.root:
        where = ""
        if chain is not None and isinstance(chain.seq, int) and chain.seq <= size:
            where = f"; the chain breaks at entry {chain.seq}: {chain.message}"
        elif holds:
            where = f"; entries 1..{holds} still give checkpoint {holds}'s root, so after {holds}"
        checked.problems.append(
            f"{name}: entries 1..{size} do not give its root: an entry at or before "
            f"{size} was changed, removed or reordered{where}"
        )
    return checked


def check_prefix(
    entries: Iterable[Mapping[str, Any]], checkpoint: Checkpoint, head: str | None = None
) -> str | None:
    """What a party checks before it signs: the first `size` entries form a sound chain
    (ending at `head`, if given) and give the checkpoint's root. None when they do."""
    tree = merkle.Frontier()

    def tapped() -> Iterator[Mapping[str, Any]]:
        for entry in entries:
            if tree.size == checkpoint.size:
                return
            tree.append(merkle.leaf_hash(merkle.leaf_of(entry)))
            yield entry

    problem = audit.verify(tapped(), head=head)
    if problem is not None:
        return f"the chain is broken at {problem}"
    if tree.size < checkpoint.size:
        return f"the log holds {tree.size} entries, not the {checkpoint.size} it covers"
    if tree.root() != checkpoint.root:
        return (
            f"entries 1..{checkpoint.size} give the root {b64(tree.root())}, "
            f"not its {checkpoint.root_b64}"
        )
    return None
