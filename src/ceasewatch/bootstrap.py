"""Wiring: a database URL in, the objects the services work with out."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from .services.live_protocol import LiveProtocol
from .store.database import connect, require_current


@dataclass
class System:
    """One process's view of a ceasewatch database: the connection pool (SQLAlchemy's
    engine, always called `db`) and the live protocol state (every ceasefire's `Engine`)."""

    db: sa.Engine
    protocol: LiveProtocol = field(init=False)

    def __post_init__(self) -> None:
        self.protocol = LiveProtocol(self.db)


def open_system(url: str | None = None, *, check_schema: bool = True) -> System:
    """Open the database at `url` (or $CEASEWATCH_DB, or ./ceasewatch.db); one that
    does not exist is an error (`ceasewatch init` makes it), not an empty file made."""
    db = connect(url, create=not check_schema)
    if check_schema:
        require_current(db)
    return System(db)
