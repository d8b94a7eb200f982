"""The audit log's hash chain: canonical encoding, linking entries, verifying a chain.

Each entry is `{seq, at, kind, body, prev, hash}`: `seq` counts from 1 with no gaps,
`prev` is the previous entry's `hash` (64 zeros for the first), and `hash` is the
SHA-256 of the canonical JSON of the other five fields. Canonical JSON: keys sorted, no
whitespace, UTF-8. Anyone can re-verify an export with nothing but this rule; the
chain's last hash (`ceasewatch audit head`), published elsewhere, also proves that no
one rewrote the whole log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

GENESIS = "0" * 64
FIELDS = ("seq", "at", "kind", "body", "prev", "hash")


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


def canonical(value: Any) -> bytes:
    return _CANONICAL(value).encode("utf-8")


def plain_canonical(value: Any) -> bytes:
    """`canonical(value)` by orjson, many times faster, for a value made of no floats:
    strings, booleans, None, integers of 64 bits, lists and dicts keyed by strings (a
    report listing, a list of ids). On those its bytes are `canonical`'s (keys sorted by
    code point, no whitespace, UTF-8 unescaped, control characters escaped alike; the
    unit tests hold it to that); a float it would write in its own way (`1e-7`, not
    `1e-07`), so a value that may hold one goes to `canonical`."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


@dataclass(frozen=True, slots=True)
class Encoded:
    """An entry's body given as its canonical JSON already (`canonical`, `plain_canonical`)."""

    json: bytes


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def link(seq: int, at: str | None, kind: str, body: Any, prev: str) -> str:
    """The hash of an entry: what makes it part of the chain."""
    return sha256_hex(canonical({"seq": seq, "at": at, "kind": kind, "body": body, "prev": prev}))


def entry_json(seq: int, at: str | None, kind: str, body: bytes, prev: str) -> bytes:
    """The canonical JSON `link` hashes, put together around the body's canonical JSON
    (`body`), so that a body is encoded once to be both hashed and stored: the same
    bytes, since the canonical JSON of an object is its sorted keys' canonical values."""
    return b"".join(
        (
            b'{"at":',
            canonical(at),
            b',"body":',
            body,
            b',"kind":',
            canonical(kind),
            b',"prev":',
            canonical(prev),
            b',"seq":',
            canonical(seq),
            b"}",
        )
    )


@dataclass(frozen=True, slots=True)
class Linked:
    """An entry as `chain` makes it: its body's canonical JSON, and its place in the chain."""

    seq: int
    body: bytes
    prev: str
    hash: str


def chain(
    last_seq: int, last_hash: str, items: Iterable[tuple[str | None, str, Any]]
) -> list[Linked]:
    """`extend`, each body encoded once (a body may come as `Encoded` already)."""
    out = []
    seq, prev = last_seq, last_hash
    for at, kind, body in items:
        seq += 1
        data = body.json if isinstance(body, Encoded) else canonical(body)
        digest = sha256_hex(entry_json(seq, at, kind, data, prev))
        out.append(Linked(seq, data, prev, digest))
        prev = digest
    return out


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    at: str | None
    kind: str
    body: Any
    prev: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in FIELDS}


def extend(
    last_seq: int, last_hash: str, items: Iterable[tuple[str | None, str, Any]]
) -> list[Entry]:
    """Chain `(at, kind, body)` items after the entry `(last_seq, last_hash)`."""
    out = []
    seq, prev = last_seq, last_hash
    for at, kind, body in items:
        seq += 1
        digest = link(seq, at, kind, body, prev)
        out.append(Entry(seq, at, kind, body, prev, digest))
        prev = digest
    return out


@dataclass(frozen=True, slots=True)
class Break:
    """Where a chain stops being valid, and what is wrong there."""

    line: int
    seq: object
    message: str

    def __str__(self) -> str:
        return f"line {self.line} (seq {self.seq}): {self.message}"


def verify(entries: Iterable[Mapping[str, Any]], head: str | None = None) -> Break | None:
    """The first bad entry of a chain, or None when every link holds.

    Checks, entry by entry: its hash matches its content (else it was edited); its seq
    is the next one (else an entry is missing, duplicated or moved); its prev is the
    hash before it (else one was inserted, edited or moved). Where two entries claim the
    same place, the one the rest of the chain does not follow was inserted. With `head`,
    the last hash must be it (else the log was cut short or rewritten).
    """
    expected_seq, prev = 1, GENESIS
    before: tuple[int, Mapping[str, Any], str] | None = None
    """The last good entry: its line, itself, and the prev it linked to."""
    for (line, entry), upcoming in _with_next(enumerate(entries, start=1)):
        problem = _check(entry, expected_seq, prev)
        if problem is None:
            before = (line, entry, prev)
            expected_seq, prev = expected_seq + 1, entry["hash"]
            continue
        if upcoming is not None and _links(upcoming[1], expected_seq, prev):
            return Break(line, entry.get("seq", "?"), f"inserted: {problem}")
        if before is not None and _links(entry, expected_seq - 1, before[2]):
            rival_line, rival, _ = before
            if upcoming is None or _links(upcoming[1], expected_seq, entry["hash"]):
                return Break(
                    rival_line,
                    rival["seq"],
                    f"inserted: line {line} holds the same place and the chain goes on from it",
                )
        if before is not None and problem.startswith("its prev"):
            problem += f" (line {before[0]} was rewritten, or this one)"
        return Break(line, entry.get("seq", "?"), problem)
    if head is not None and prev != head:
        return Break(
            expected_seq, "-", f"the chain ends at {prev}, not at the expected head {head}"
        )
    return None


def _check(entry: Mapping[str, Any], expected_seq: int, prev: str) -> str | None:
    missing = [f for f in FIELDS if f not in entry]
    if missing:
        return f"malformed: no {', '.join(missing)}"
    try:
        digest = link(entry["seq"], entry["at"], entry["kind"], entry["body"], entry["prev"])
    except (TypeError, ValueError) as exc:
        return f"malformed: {exc}"
    if digest != entry["hash"]:
        return "edited: its hash does not match its content"
    if entry["seq"] != expected_seq:
        if isinstance(entry["seq"], int) and entry["seq"] > expected_seq:
            return f"seq {expected_seq} is missing before it: an entry was deleted or moved"
        return f"expected seq {expected_seq}: an entry is duplicated or out of order"
    if entry["prev"] != prev:
        return "its prev is not the hash of the entry before: one was inserted, edited or moved"
    return None


def _links(entry: Mapping[str, Any], seq: int, prev: str) -> bool:
    """Whether `entry` is a sound entry at `seq` following the hash `prev`."""
    return _check(entry, seq, prev) is None


def _with_next(
    items: Iterable[tuple[int, Mapping[str, Any]]],
) -> Iterator[tuple[tuple[int, Mapping[str, Any]], tuple[int, Mapping[str, Any]] | None]]:
    iterator = iter(items)
    current = next(iterator, None)
    while current is not None:
        upcoming = next(iterator, None)
        yield current, upcoming
        current = upcoming


def read_jsonl(lines: Iterable[str]) -> Iterator[Mapping[str, Any]]:
    """Entries from an export; a line that is not a JSON object becomes an empty entry."""
    for text in lines:
        if text.strip():
            try:
                value = json.loads(text)
            except ValueError:
                value = {}
            yield value if isinstance(value, dict) else {}
