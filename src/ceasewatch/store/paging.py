"""Pages of rows that hold reports, bounded in bytes as well as in rows.

A report may carry 20,000 characters and 1,000 pieces of evidence of 2,000 characters
each: about 2 MB. A page of 1,000 of them would be 2 GB for the server to read, hold and
encode, which any reader's token could ask for again and again. So a page ends at
`PAGE_BYTES` of stored bodies (after at least one row), and says that more may follow;
its rows are read a few at a time (`FEW`), not all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

PAGE_BYTES = 16 * 2**20
"""Stored bytes (of report and command bodies) a page holds at most, past its first row:
well within what a mirror reads of an answer (`services.remote.BODY_LIMIT`)."""
FEW = 16
"""Rows a page's query fetches at a time (`database.streamed`): it reads no further than
the page needs."""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    more: bool
    """Whether rows may follow: the page was cut at its rows or its bytes (and so holds
    at least one)."""


def bounded(rows: Iterable[T], size: Callable[[T], int], limit: int, budget: int) -> Page[T]:
    """The first `limit` rows, or fewer once their sizes pass `budget` (never none)."""
    items: list[T] = []
    held = 0
    for row in rows:
        items.append(row)
        held += size(row)
        if len(items) == limit or held >= budget:
            return Page(items, True)
    return Page(items, False)
