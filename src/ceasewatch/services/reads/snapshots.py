"""The engines' saved snapshots, as `ceasewatch snapshot --list` shows them."""

from __future__ import annotations

from ...store import journal
from ...store.database import reading
from ..snapshots import Saved, ceasefire_digests, listed
from ..system import System


def saved(system: System) -> list[Saved]:
    """Every snapshot, newest position first, with whether this process may use it (its
    code and ceasefires are this process's)."""
    with reading(system.db) as conn:
        return listed(conn, ceasefire_digests(journal.stored_ceasefires(conn)))
