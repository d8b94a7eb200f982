"""The outbox as the API and the CLI list it: counts by status, messages, one message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from ...store import outbox as rows
from ...store.database import reading
from ..system import System
from .models import OutboxRow


@dataclass(frozen=True)
class OutboxListing:
    counts: dict[str, int]
    """Messages by status."""
    items: list[OutboxRow]
    """Those asked for, oldest first."""


def listing(
    system: System, *, status: str | None = None, party: str | None = None, limit: int = 1000
) -> OutboxListing:
    with reading(system.db) as conn:
        counts = rows.counts(conn)
        items = rows.listed(conn, status=status, party=party, limit=limit)
    return OutboxListing(counts, [cast(OutboxRow, dict(r)) for r in items])


def message(system: System, message_id: int) -> OutboxRow | None:
    with reading(system.db) as conn:
        found = rows.get(conn, message_id)
    return None if found is None else cast(OutboxRow, dict(found))
