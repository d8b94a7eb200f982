"""Withdrawn reports: a source took a report back (ACLED deleted or re-coded an event).

Reports are immutable, so a withdrawal does not delete one: it is recorded in the audit
log (`report_withdrawn`, with who and why), and every incident made only of withdrawn
reports is rejected, in every ceasefire, as an analyst's rejection would be (`reject`
commands, journaled). An incident that other reports still support is left as it is.

The audit log is where withdrawals are read back from, so a ceasefire added later
rejects them too (`apply`, which `setup.add_ceasefire` calls).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from ..domain.commands import Reject
from ..store import queries
from . import unit_of_work
from .system import System
from .unit_of_work import Batch

WITHDRAWN = "report_withdrawn"

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Withdrawal:
    source: str
    id: str
    by: str
    reason: str

    @property
    def key(self) -> Key:
        return (self.source, self.id)


def withdrawn(conn: Connection) -> dict[Key, Withdrawal]:
    """Every withdrawal recorded so far, by (source, id)."""
    found: dict[Key, Withdrawal] = {}
    for body in queries.audit_bodies(conn, WITHDRAWN):
        item = Withdrawal(body["source"], body["id"], body["by"], body["reason"])
        found.setdefault(item.key, item)
    return found


@dataclass
class Withdrawn:
    reports: int
    """Reports newly withdrawn."""
    incidents: int
    """Incidents rejected because of withdrawals."""


def withdraw(system: System, items: Iterable[Withdrawal]) -> Withdrawn:
    """Record the withdrawals not recorded yet, and reject what rests on them only."""
    with unit_of_work.protocol(system) as batch:
        known = withdrawn(batch.conn)
        new = [w for w in items if w.key not in known]
        for item in new:
            batch.note(
                WITHDRAWN,
                {"source": item.source, "id": item.id, "by": item.by, "reason": item.reason},
            )
            known[item.key] = item
        rejected = _reject(batch, known)
    return Withdrawn(len(new), rejected)


def apply(system: System) -> int:
    """Reject, in every ceasefire, incidents resting only on withdrawn reports."""
    with unit_of_work.protocol(system) as batch:
        return _reject(batch, withdrawn(batch.conn))


def _reject(batch: Batch, known: dict[Key, Withdrawal]) -> int:
    if not known or batch.now is None:
        return 0
    rejected = 0
    for ceasefire, incident, reports in list(queries.live_incidents(batch.conn)):
        keys = [(source, rid) for source, rid in reports]
        if not keys or any(k not in known for k in keys):
            continue
        first = known[keys[0]]
        reason = f"withdrawn by its source: {first.reason}"
        command = Reject(incident, first.by, reason)
        if batch.command(ceasefire, command, batch.now) is None:
            rejected += 1
    return rejected
