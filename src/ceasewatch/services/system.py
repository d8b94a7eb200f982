"""Wiring: a database URL in, the objects the services work with out.

Every service takes the `System`; the adapters (api, web, cli, reports) open one with
`open_system` and hand it on, never touching the store themselves. What they need to
know of the store's failures is named here: `StoreError` (the database cannot be used
as asked), `UNREACHABLE` (it cannot be reached for now) and `reason` (a driver's error in
its own words).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..store.database import UNREACHABLE, StoreError, connect, reason, require_current
from .live_protocol import LiveProtocol

__all__ = ["UNREACHABLE", "StoreError", "System", "open_system", "reason"]


@dataclass
class System:
    """One process's view of a ceasewatch database: the connection pool (SQLAlchemy's
    engine, always called `db`) and the live protocol state (every ceasefire's `Engine`)."""

    db: sa.Engine
    serving: bool = False
    """A server's: snapshots are taken in a process of their own (`SnapshotProcess`)."""
    protocol: LiveProtocol = field(init=False)
    hand_off: Callable[[str, tuple[Any, ...], dict[str, Any]], Any] | None = None
    """Where a server's worker has the writer process run the writes that need the engines
    (`handed.in_the_writer`): by name, with their arguments. None: they run here."""

    def __post_init__(self) -> None:
        self.protocol = LiveProtocol(self.db, snapshot_apart=self.serving)


def open_system(
    url: str | None = None, *, check_schema: bool = True, serving: bool = False
) -> System:
    """Open the database at `url` (or $CEASEWATCH_DB, or ./ceasewatch.db); one that
    does not exist is an error (`ceasewatch init` makes it), not an empty file made.
    `serving`: for a process of `ceasewatch serve`, which no snapshot may hold up."""
    db = connect(url, create=not check_schema)
    if check_schema:
        require_current(db)
    return System(db, serving)
