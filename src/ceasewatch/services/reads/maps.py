"""What the map's snapshot of every incident is read from (see `web.mapindex`): the
journal's position it keys on, and the incidents, all of them or those changed since.

Every change to an incident is made by a journaled input (a report or a command, which
moves the journal's number) or by adding a ceasefire (whose engine makes incidents of the
reports already stored): so (next journal number, how many ceasefires) marks a state."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from ...store.database import reading
from ...store.queries import maps as rows
from ...store.queries.maps import MapRow
from ..system import System

__all__ = ["MapRow", "Marker", "marker", "refreshed"]

Marker = tuple[int, int]
"""(the journal's next number, how many ceasefires)."""
S = TypeVar("S")


def marker(system: System) -> Marker:
    with reading(system.db) as conn:
        return rows.journal_state(conn)


def refreshed(
    system: System,
    held: Marker,
    *,
    reread: int,
    whole: Callable[[Marker, Iterable[MapRow]], S],
    changed: Callable[[Marker, list[MapRow]], S],
) -> S | None:
    """From one read transaction: None if the store still stands at `held`; else
    `changed(marker, rows)` with the incidents the journal's inputs since `held` may have
    changed, or, after a new ceasefire, a split, or more than `reread` inputs,
    `whole(marker, rows)` with every incident (streamed: `whole` runs inside the read)."""
    with reading(system.db) as conn:
        now = rows.journal_state(conn)
        if now == held:
            return None
        position, ceasefires = now
        found = None
        if ceasefires == held[1] and 0 <= position - held[0] <= reread:
            found = rows.map_rows_changed(conn, held[0] - 1, position - 1)
        if found is None:
            return whole(now, rows.map_rows(conn))
        return changed(now, found)
