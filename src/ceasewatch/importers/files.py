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
from typing import IO, AnyStr, cast

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


LINE_LIMIT = 16 * 2**20
"""The bytes a line of a JSONL file may hold. A report's line is a few kilobytes (its text
is at most 20,000 characters, its evidence at most 1,000 links); a line with no end (a
file that is not JSONL, or a gzip bomb of one line) must not fill the memory."""


def lines(path: str) -> Iterator[tuple[int, bytes | None]]:
    """Each line of the file as bytes with its number, or None for a line longer than
    `LINE_LIMIT` (read past, never held whole); a BOM before the first is dropped."""
    with opened(path) as (stream, _):
        number = 0
        while line := stream.readline(LINE_LIMIT + 1):
            number += 1
            if len(line) > LINE_LIMIT:
                _read_past_line(stream, line, (b"\n",))
                yield number, None
                continue
            yield number, line.removeprefix(BOM) if number == 1 else line


def _read_past_line(stream: IO[AnyStr], part: AnyStr, ends: tuple[AnyStr, ...]) -> None:
    """Read on, a limit's worth at a time, to the end of the line that `part` began
    (nothing more if `part` ends with one of `ends`)."""
    while part and not part.endswith(ends):
        part = stream.readline(LINE_LIMIT)


class LineTooLong(ValueError):
    """A line longer than `LINE_LIMIT` (bytes of JSONL, characters of a table): read past,
    never held whole."""

    def __init__(self, unit: str) -> None:
        super().__init__(f"a line longer than {LINE_LIMIT:,} {unit}: not read")


class TextLines:
    """The lines of a text stream for `csv.reader`, each at most `LINE_LIMIT` characters:
    a longer one raises `LineTooLong` and is read past, and the lines after it still come
    (an iterator that goes on after raising, which a generator cannot)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self.count = 0
        """Lines read so far: the number of the one that raised."""

    def __iter__(self) -> TextLines:
        return self

    def __next__(self) -> str:
        line = self._stream.readline(LINE_LIMIT + 1)
        if not line:
            raise StopIteration
        self.count += 1
        if len(line) > LINE_LIMIT:
            _read_past_line(self._stream, line, ("\r", "\n"))
            raise LineTooLong("characters")
        return line


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
