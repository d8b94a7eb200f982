"""Pickles compressed as they are written and decompressed as they are read.

A snapshot's body is a pickle of every incident and report (about 75 MB at 300,000
reports, before zlib makes it 23 MB). Compressed or decompressed whole, it would be held
twice over while a buffer grows; streamed through zlib, a chunk at a time.
"""

from __future__ import annotations

import pickle
import zlib


def deflated_pickle(data: object) -> bytes:
    """`data` pickled and compressed (zlib, level 1) as it is written, so that the pickle
    whole is never held: a hundred megabytes of it, and as much again while its buffer
    grows, for 300,000 reports."""
    compressor = zlib.compressobj(1)
    parts: list[bytes] = []

    class Sink:
        def write(self, chunk: bytes) -> int:
            parts.append(compressor.compress(chunk))
            return len(chunk)

    pickle.Pickler(Sink(), protocol=pickle.HIGHEST_PROTOCOL).dump(data)
    parts.append(compressor.flush())
    return b"".join(parts)


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
