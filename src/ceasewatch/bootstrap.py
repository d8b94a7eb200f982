"""Wiring: a database URL in, the objects the services work with out."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from .services.engines import Engines
from .store.database import connect, require_current


@dataclass
class System:
    """One process's view of a ceasewatch database: the connection pool and the engines."""

    db: sa.Engine
    engines: Engines = field(init=False)

    def __post_init__(self) -> None:
        self.engines = Engines(self.db)


def open_system(url: str | None = None, *, check_schema: bool = True) -> System:
    """Open the database at `url` (or $CEASEWATCH_DB, or ./ceasewatch.db); one that
    does not exist is an error (`ceasewatch init` makes it), not an empty file made."""
    db = connect(url, create=not check_schema)
    if check_schema:
        require_current(db)
    return System(db)
