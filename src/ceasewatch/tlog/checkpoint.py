"""C2SP checkpoints (c2sp.org/tlog-checkpoint): the note text that the parties sign.

    ceasewatch/<deployment id>      the origin: this log's name
    1234                            how many audit entries it covers (decimal)
    q9Jd0...=                       base64 of the RFC 6962 root over those entries

No extension lines: everything a verifier checks is recomputed from the export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .note import NoteError, b64, check_name, unb64

ORIGIN_PREFIX = "ceasewatch/"
_SIZE = re.compile(r"^(0|[1-9][0-9]*)$")


def check_origin(origin: str) -> str:
    """An origin: non-empty, no Unicode space and no `+` (the spec's recommendation,
    which lets it double as a key name)."""
    return check_name(origin, "origin")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        check_origin(self.origin)
        if self.size < 0 or len(self.root) != 32:
            raise NoteError("a checkpoint has a size >= 0 and a 32-byte root")

    @property
    def root_b64(self) -> str:
        return b64(self.root)

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{self.root_b64}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """A checkpoint's note text (extension lines, which this log never writes, refused)."""
    lines = text.split("\n")
    if len(lines) != 4 or lines[3] != "":
        raise NoteError("checkpoint: not three lines (origin, size, root)")
    origin, size, root = lines[:3]
    if not _SIZE.match(size):
        raise NoteError(f"checkpoint: size {size!r} is not a decimal number")
    return Checkpoint(check_origin(origin), int(size), unb64(root, "checkpoint root"))
