"""Opening the files importers read: one opener for every format.

A file is read as bytes, from disk or from stdin (`-`), gunzipped when its name ends in
`.gz`; a CSV table is decoded as UTF-8 with a leading byte-order mark dropped, and a
byte that is not UTF-8 is kept (as a lone surrogate, see `is_utf8`) so that it rejects
its own row and not the file. Whatever goes wrong opening or reading a file (missing,
not gzip, cut short) is an `UnreadableFile` that names it.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, cast

STDIN = "-"
"""The file name that reads standard input."""

BOM = b"\xef\xbb\xbf"
"""UTF-8's byte-order mark: some spreadsheets start a file with it."""


class UnreadableFile(OSError):
    """A file that cannot be opened or read to its end; `str()` names the file and why."""

    def __init__(self, path: str, why: str, code: int | None = None) -> None:
        super().__init__(code or errno.EIO, why, path)

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


@contextlib.contextmanager
def opened(path: str) -> Iterator[tuple[IO[bytes], Callable[[], int]]]:
    """The file's bytes (uncompressed), and how far into the file on disk reading is.

    Errors while opening or reading inside the block become `UnreadableFile`."""
    try:
        if path == STDIN:
            yield sys.stdin.buffer, lambda: 0
            return
        with open(path, "rb") as disk:
            if path.lower().endswith(".gz"):
                with gzip.open(disk, "rb") as unzipped:
                    yield cast(IO[bytes], unzipped), disk.tell
            else:
                yield disk, disk.tell
    except UnreadableFile:
        raise
    except (OSError, EOFError, zlib.error) as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: str, exc: BaseException) -> UnreadableFile:
    if isinstance(exc, OSError) and exc.strerror:
        return UnreadableFile(path, exc.strerror, exc.errno)
    if isinstance(exc, EOFError):
        return UnreadableFile(path, f"cut short ({exc})")
    return UnreadableFile(path, str(exc) or type(exc).__name__)


def lines(path: str) -> Iterator[tuple[int, bytes]]:
    """Each line of the file as bytes with its number; a BOM before the first is dropped."""
    with opened(path) as (stream, _):
        for number, line in enumerate(stream, start=1):
            yield number, line.removeprefix(BOM) if number == 1 else line


@contextlib.contextmanager
def csv_text(path: str) -> Iterator[tuple[IO[str], Callable[[], int]]]:
    """The file as text for `csv` (UTF-8, BOM dropped, bad bytes kept), and the position."""
    with opened(path) as (raw, position):
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        try:
            yield stream, position
        finally:
            stream.detach()  # the opener closes the file, not the wrapper


def is_utf8(text: object) -> bool:
    """False for a string holding bytes that were not UTF-8 (kept as lone surrogates)."""
    if not isinstance(text, str) or text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def file_size(path: str) -> int | None:
    """The size in bytes of a file, for a progress bar's total (None for stdin)."""
    if path == STDIN:
        return None
    try:
        return Path(path).stat().st_size
    except OSError:
        return None
