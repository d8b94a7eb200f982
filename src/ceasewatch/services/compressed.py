"""Pickles compressed as they are written and decompressed as they are read.

A snapshot's body pickles every incident and report (about 75 MB at 300,000 reports,
before zlib makes it 23 MB). Compressed or decompressed whole, it would be held twice
over while a buffer grows; streamed through zlib, a chunk at a time.
"""

from __future__ import annotations

import zlib


class Deflating:
    """A file that compresses (zlib, level 1) what is written to it as it comes."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(1)
        self._parts: list[bytes] = []

    def write(self, chunk: bytes) -> int:
        self._parts.append(self._compressor.compress(chunk))
        return len(chunk)

    def getvalue(self) -> bytes:
        """All that was written, compressed (the file is done with then)."""
        self._parts.append(self._compressor.flush())
        return b"".join(self._parts)


class Inflating:
    """A file of what zlib-compressed `data` holds, decompressed as it is read (by an
    unpickler), so that the pickle whole is never held."""

    _CHUNK = 1 << 16

    def __init__(self, data: bytes) -> None:
        self._data, self._at = memoryview(data), 0
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
        chunk = self._data[self._at : self._at + self._CHUNK]
        if not chunk or self._inflater.eof:
            return False
        self._at += len(chunk)
        self._ready += self._inflater.decompress(chunk)
        return True
