"""The source registry in the store: declaring and regrading sources, and reading it.

Declaring is a journaled command for every ceasefire's engine (the engines are a function
of the journal), made at the stored clock: a report is judged by the registry as it stood
when the report arrived, and a store rebuilt from its journal judges it the same.
"""

from __future__ import annotations

from pathlib import Path

from ..config import ConfigError, load_sources
from ..domain.sources import Source
from ..store import queries
from ..store.database import reading
from . import unit_of_work
from .handed import in_the_writer
from .system import System


class SourcesError(ValueError):
    """A sources file that cannot be read or validated, and why."""


def read(path: Path) -> list[Source]:
    try:
        return load_sources(path)
    except ConfigError as exc:
        raise SourcesError(str(exc)) from None


@in_the_writer
def declare(system: System, sources: list[Source]) -> list[Source]:
    """Add or regrade sources (those not listed stay as they are); returns those that
    changed. The same list again changes nothing and journals nothing."""
    with unit_of_work.protocol(system) as batch:
        return batch.declare_sources(sources)


def registry(system: System) -> list[Source]:
    """The registry as it stands, by id."""
    with reading(system.db) as conn:
        return queries.sources(conn)
