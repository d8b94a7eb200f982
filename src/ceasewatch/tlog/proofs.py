"""Inclusion proofs: that a report is in the log at a checkpoint the parties signed, in
the C2SP tlog-proof format (c2sp.org/tlog-proof), checkable offline.

    c2sp.org/tlog-proof@v1
    extra <base64 of {"entry": the audit entry, "report": the report's canonical JSON}>
    index <the entry's leaf index: its seq - 1>
    <the RFC 6962 audit path, one base64 hash a line, from the leaf's sibling up>

    <the checkpoint, as a signed note>

The extra data is what the checker hashes: the entry gives the leaf (`merkle.leaf_of`),
and the report's SHA-256 must be the one the entry lists for it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..audit import canonical
from . import merkle
from .checkpoint import Checkpoint, parse_checkpoint
from .keyring import Keyring
from .note import Note, NoteError, b64, parse, unb64

HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"^index (0|[1-9][0-9]*)$")


@dataclass(frozen=True, slots=True)
class Proof:
    entry: Mapping[str, Any]
    report: str
    """The report's canonical JSON, as the journal holds it."""
    path: tuple[bytes, ...]
    note: Note

    @property
    def index(self) -> int:
        return int(self.entry["seq"]) - 1

    def encode(self) -> str:
        extra = b64(canonical({"entry": dict(self.entry), "report": self.report}))
        lines = [HEADER, f"extra {extra}", f"index {self.index}", *(b64(h) for h in self.path)]
        return "\n".join(lines) + "\n\n" + self.note.encode()


def parse_proof(text: str) -> Proof:
    head, sep, rest = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or len(lines) < 3 or lines[0] != HEADER or not lines[1].startswith("extra "):
        raise NoteError(f"not a {HEADER} proof with its extra data")
    match = _INDEX.match(lines[2])
    if match is None:
        raise NoteError("proof: no `index N` line")
    try:
        extra = json.loads(base64.b64decode(lines[1].removeprefix("extra "), validate=True))
        entry, report = extra["entry"], extra["report"]
    except (ValueError, binascii.Error, KeyError, TypeError):
        raise NoteError("proof: its extra data is not {entry, report}") from None
    if not isinstance(entry, dict) or not isinstance(report, str):
        raise NoteError("proof: its extra data is not {entry, report}")
    if entry.get("seq") != int(match.group(1)) + 1:
        raise NoteError("proof: its index is not its entry's place")
    path = tuple(unb64(line, "proof hash") for line in lines[3:])
    return Proof(entry, report, path, parse(rest))


@dataclass
class ProofCheck:
    checkpoint: Checkpoint | None = None
    report: tuple[str, str] | None = None
    """(source, id) of the report the entry lists with this body's hash."""
    parties: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_proof(proof: Proof, keys: Keyring) -> ProofCheck:
    """Check that the entry lists the report, that the path leads from the entry to the
    checkpoint's root, and that parties whose keys are given signed that checkpoint."""
    result = ProofCheck()
    try:
        result.checkpoint = checkpoint = parse_checkpoint(proof.note.text)
    except NoteError as exc:
        result.problems.append(str(exc))
        return result
    digest = hashlib.sha256(proof.report.encode("utf-8")).hexdigest()
    result.report = listed(proof.entry, digest)
    if result.report is None:
        result.problems.append(
            f"audit entry {proof.entry.get('seq')} does not list a report with this body"
        )
    leaf = merkle.leaf_hash(merkle.leaf_of(proof.entry))
    if not merkle.verify_inclusion(leaf, proof.index, checkpoint.size, proof.path, checkpoint.root):
        result.problems.append(
            f"the path does not lead from entry {proof.entry.get('seq')} to the root of "
            f"checkpoint {checkpoint.size}"
        )
    for signature in proof.note.signatures:
        key = keys.find(signature)
        if key is None:
            continue
        if key.verifier.verifies(proof.note.text, signature):
            result.parties.append(key.party)
        else:
            result.problems.append(f"the signature of {key.party} does not match the checkpoint")
    result.parties.sort()
    if not result.parties:
        result.problems.append(f"checkpoint {checkpoint.size} is signed by no key given")
    return result


def listed(entry: Mapping[str, Any], digest: str) -> tuple[str, str] | None:
    """(source, id) of the report an entry lists with this body hash: as
    [seq, source, id, sha256, clock], or as [source, id, sha256] (older entries)."""
    body = entry.get("body")
    reports = body.get("reports") if isinstance(body, dict) else None
    for item in reports if isinstance(reports, list) else []:
        if isinstance(item, list) and len(item) == 5 and item[3] == digest:
            return str(item[1]), str(item[2])
        if isinstance(item, list) and len(item) == 3 and item[2] == digest:
            return str(item[0]), str(item[1])
    return None
