"""The audit log as files: the export anyone can check offline, and checking one.

`audit export OUT` writes the entries to OUT, one JSON object a line, as before (so any
version's `audit verify --file` reads it), and the checkpoints beside it, in
`<OUT's stem>.checkpoints.jsonl`: one JSON object a line, `{size, origin, root, head,
at, note}`, where `note` is the checkpoint's text followed, once signed, by a blank line
and one signature line per key: a C2SP signed note, which Go's note package and the
transparency-log tools read as it is. `head` and `at` are the operator's word (unsigned):
only `note` is checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .. import audit
from ..domain.events import iso_z
from ..store import auditlog
from ..store import checkpoints as store
from ..store.checkpoints import StoredCheckpoint
from ..store.database import snapshot
from ..tlog.exported import ExportCheck, SignedCheckpoint, check_export, read_record
from ..tlog.keyring import Keyring, PartyKey, parse_keys
from ..tlog.note import NoteError
from .checkpoints import as_record
from .system import System


class FileError(ValueError):
    """A file that cannot be read as asked, and why (naming it)."""


def checkpoints_path(out: Path) -> Path:
    """Where the checkpoints of the export `out` go: audit.jsonl -> audit.checkpoints.jsonl."""
    return out.with_name(out.stem + ".checkpoints.jsonl")


def checkpoint_record(stored: StoredCheckpoint) -> dict[str, Any]:
    """A line of the checkpoints file: the API's record, less what the note holds."""
    record = as_record(stored)
    kept = {key: record[key] for key in ("size", "origin", "root", "head")}
    return kept | {"at": iso_z(stored.created_at), "note": record["note"] or record["text"]}


@dataclass(frozen=True, slots=True)
class Exported:
    entries: int
    checkpoints: int
    checkpoints_path: Path


def export(system: System, out: Path) -> Exported:
    """Write the log and its checkpoints, as one snapshot of the store."""
    beside = checkpoints_path(out)
    count = 0
    with snapshot(system.db) as conn, out.open("w", encoding="utf-8") as stream:
        for entry in auditlog.entries(conn):
            stream.write(json.dumps(entry.to_dict(), ensure_ascii=False) + "\n")
            count += 1
        stored = store.checkpoints(conn)
    with beside.open("w", encoding="utf-8") as stream:
        for checkpoint in stored:
            stream.write(json.dumps(checkpoint_record(checkpoint), ensure_ascii=False) + "\n")
    return Exported(count, len(stored), beside)


def read_keys(path: Path) -> list[PartyKey]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return parse_keys(data, str(path))
    except (OSError, yaml.YAMLError) as exc:
        raise FileError(f"{path}: {exc}") from None
    except NoteError as exc:
        raise FileError(str(exc)) from None


def read_checkpoints(path: Path) -> list[SignedCheckpoint]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise FileError(f"{path}: {exc.strerror or exc}") from None
    out = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}: line {n}"
        try:
            record = json.loads(line)
        except ValueError:
            raise FileError(f"{where}: not JSON") from None
        if not isinstance(record, dict):
            raise FileError(f"{where}: not a JSON object")
        try:
            out.append(read_record(record, where))
        except NoteError as exc:
            raise FileError(str(exc)) from None
    return out


@dataclass(frozen=True, slots=True)
class FileCheck:
    check: ExportCheck
    checkpoints: Path | None
    """The checkpoints file read (None: there was none)."""
    keyed: bool
    """Whether keys were given (else signatures are listed, not checked)."""


def verify_file(
    path: Path, keys: Path | None = None, head: str | None = None, beside: Path | None = None
) -> FileCheck:
    """Check an export: its chain; its checkpoints (from `beside`, else next to it, if
    there) against its entries; with `keys`, every signature on them."""
    found = beside or checkpoints_path(path)
    if beside is None and not found.exists():
        if keys is not None:
            raise FileError(f"{found}: no checkpoints beside {path}, so no signatures to check")
        found_path: Path | None = None
        signed: list[SignedCheckpoint] = []
    else:
        found_path, signed = found, read_checkpoints(found)
    ring = Keyring(read_keys(keys) if keys is not None else [])
    try:
        with path.open(encoding="utf-8") as stream:
            check = check_export(audit.read_jsonl(stream), signed, ring, head)
    except OSError as exc:
        raise FileError(f"{path}: {exc.strerror or exc}") from None
    return FileCheck(check, found_path, keys is not None)


def summary(name: str, result: FileCheck) -> tuple[list[str], list[str]]:
    """What to print: (lines for the record, lines naming problems)."""
    check = result.check
    told: list[str] = []
    problems: list[str] = []
    if check.chain is not None:
        problems.append(f"{name}: {check.chain}")
    else:
        told.append(f"{name}: the chain holds")
    for checked in check.checkpoints:
        problems.extend(checked.problems)
        if checked.problems:
            continue
        if not result.keyed:
            signers = ", ".join(checked.unknown) or "no one"
            told.append(
                f"checkpoint {checked.size}: its root holds; signature lines by {signers} "
                "(not checked: give --keys)"
            )
            continue
        who = ", ".join(checked.parties) or "no party whose key was given"
        line = f"checkpoint {checked.size}: its root holds; signed by {who}"
        if checked.unknown:
            line += f" (and by keys not given: {', '.join(checked.unknown)})"
        told.append(line)
    for party, size in sorted(check.signed_up_to().items()):
        told.append(f"{party} signed up to entry {size}")
    return told, problems
