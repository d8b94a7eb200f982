"""Pickles compressed as they are written and decompressed as they are read, in parts.

A snapshot's body pickles every incident and report (about 75 MB at 300,000 reports,
before zlib makes it 23 MB). Compressed or decompressed whole, it would be held twice
over while a buffer grows; streamed through zlib, a chunk at a time. The compressed
bytes are cut into parts of a few megabytes, each stored as a row of its own: a single
value may hold at most 1 GB in PostgreSQL and in SQLite, which a body reaches at ten to
fifteen million reports, and no step need copy the whole body into one buffer.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

PART_BYTES = 4 << 20
"""How many compressed bytes a part holds (the last one fewer)."""


class Deflating:
    """A file that compresses (zlib, level 1) what is written to it as it comes, and
    cuts what it compressed into parts of `part_bytes` (`PART_BYTES`)."""

    def __init__(self, part_bytes: int | None = None) -> None:
        self._compressor = zlib.compressobj(1)
        self._part_bytes = part_bytes or PART_BYTES
        self._parts: list[bytes] = []
        self._pieces: list[bytes] = []
        self._held = 0

    def write(self, chunk: bytes) -> int:
        piece = self._compressor.compress(chunk)
        if piece:
            self._pieces.append(piece)
            self._held += len(piece)
            if self._held >= self._part_bytes:
                self._cut(last=False)
        return len(chunk)

    def parts(self) -> list[bytes]:
        """All that was written, compressed, in parts (the file is done with then)."""
        self._pieces.append(self._compressor.flush())
        self._cut(last=True)
        parts, self._parts = self._parts, []
        return parts

    def _cut(self, *, last: bool) -> None:
        """Make parts of `part_bytes` of what is held; the rest too if `last`."""
        held, size = b"".join(self._pieces), self._part_bytes
        whole = len(held) if last else len(held) - len(held) % size
        self._parts.extend(held[at : at + size] for at in range(0, whole, size))
        rest = held[whole:]
        self._pieces, self._held = ([rest] if rest else []), len(rest)


class Inflating:
    """A file of what the zlib-compressed `parts` hold, in order, decompressed as it is
    read (by an unpickler), so that the pickle whole is never held. Each part is taken
    from `parts` only when the reader gets to it, and let go once it is read (a caller
    that reads them from storage as they are asked for holds one at a time)."""

    _CHUNK = 1 << 16

    def __init__(self, parts: Iterable[bytes]) -> None:
        self._parts = iter(parts)
        self._data, self._at = memoryview(b""), 0
        self._inflater = zlib.decompressobj()
        self._ready = bytearray()

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._ready) < size) and self._more():
            pass
        size = len(self._ready) if size < 0 else size
        out = bytes(self._ready[:size])
        del self._ready[:size]
        return out

    def readline(self) -> bytes:
        while (end := self._ready.find(b"\n")) < 0 and self._more():
            pass
        return self.read(len(self._ready) if end < 0 else end + 1)

    def _more(self) -> bool:
        """Decompress one more chunk; False at the end (or where the data was cut)."""
        if self._inflater.eof:
            return False
        while self._at >= len(self._data):
            self._data = memoryview(b"")  # the part read goes before the next is taken
            part = next(self._parts, None)
            if part is None:
                return False
            self._data, self._at = memoryview(part), 0
        chunk = self._data[self._at : self._at + self._CHUNK]
        self._at += len(chunk)
        self._ready += self._inflater.decompress(chunk)
        return True
