"""The audit log as the API reads it: a page of entries, the whole log streamed, and the
chain checked where it is held."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from ... import audit
from ...audit import Entry
from ...store import auditlog
from ...store.database import reading
from ...store.queries import audit as rows
from ..system import System
from .models import AuditRow


def page(system: System, *, after: int = 0, limit: int = 100) -> list[AuditRow]:
    """Entries numbered after `after`, their bodies parsed."""
    with reading(system.db) as conn:
        return cast(list[AuditRow], rows.audit_page(conn, after=after, limit=limit))


def entries(system: System) -> Iterator[Entry]:
    """The whole log, in order, streamed from one read transaction."""
    with reading(system.db) as conn:
        yield from auditlog.entries(conn)


@dataclass(frozen=True)
class ChainCheck:
    problem: str | None
    """What breaks the chain; None if it holds."""
    head_seq: int
    head_hash: str
    """The last entry's number and hash: the head to publish."""


def check_chain(system: System) -> ChainCheck:
    """Check the chain as the database holds it."""
    with reading(system.db) as conn:
        problem = audit.verify(e.to_dict() for e in auditlog.entries(conn))
        seq, head = auditlog.last_link(conn)
    return ChainCheck(None if problem is None else str(problem), seq, head)
