"""JSON lines read from one snapshot of the store, sent to a reader at its own pace.

Sent as they were read, a reader that took them slowly held the snapshot open as long as
it liked: PostgreSQL could not vacuum, and SQLite's write-ahead log could not be emptied,
meanwhile. So the lines are gathered into a file at the store's pace, and the file is
sent once the snapshot has ended.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

CHUNK = 1 << 20
KEEP_ALIVE_ROWS = 10_000


def spooled_lines(items: Iterable[Any], *, awake: bool = False) -> Iterator[bytes]:
    """Each item as a JSON line, all of them gathered before the first is sent.

    `awake`: a blank line at once and every `KEEP_ALIVE_ROWS` while they are gathered,
    for a reader that gives up on a stream silent for minutes and skips blank lines (a
    mirror does both)."""
    with tempfile.TemporaryFile() as spool:
        if awake:
            yield b"\n"
        for n, item in enumerate(items, start=1):
            spool.write((json.dumps(item, ensure_ascii=False) + "\n").encode())
            if awake and n % KEEP_ALIVE_ROWS == 0:
                yield b"\n"
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk
