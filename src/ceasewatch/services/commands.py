"""What people do to a case or an incident: mark an action done, decide a phase, close a
case; verify, dispute, reject, merge or split incidents.

Each builds its typed command (`domain.commands`) and runs it in one unit of work; a
command the protocol refuses is raised as `Refused` once the clock move commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from ..domain.commands import (
    ActionDone,
    CeasefireCommand,
    Close,
    CountAsViolation,
    Decide,
    Dispute,
    Merge,
    Reject,
    Split,
    Verify,
)
from ..domain.engine import Engine
from ..domain.events import ProtocolEvent
from ..store import queries
from . import unit_of_work
from .handed import in_the_writer
from .system import System
from .unit_of_work import Batch, Refusal

Built = CeasefireCommand | Callable[[Batch], CeasefireCommand]
"""A command, or how to make it inside its transaction (from what the store holds)."""


class Refused(ValueError):
    """The command was not carried out: unknown case, or not allowed now; says why."""


class Unknown(Refused):
    """The command names a case, action, incident or ceasefire the store does not hold."""


class Forbidden(Refused):
    """The party may not do this at all: it does not own the action."""


REFUSALS: dict[str, type[Refused]] = {"unknown": Unknown, "forbidden": Forbidden}

VERDICTS: dict[str, type[Verify | Dispute | Reject]] = {
    "verify": Verify,
    "dispute": Dispute,
    "reject": Reject,
}
"""An analyst's verdicts on an incident, by name."""


@in_the_writer
def action_done(
    system: System,
    case: str,
    action: str,
    *,
    by: str,
    note: str = "",
    evidence: list[dict[str, str]] | None = None,
    at: datetime | None = None,
    cell: bool = False,
) -> list[ProtocolEvent]:
    """Mark an action of an open case done. `by` is the party that did it, and must be one
    of the action's owners (its roles read from the directory); with `cell`, an admin of
    the coordination cell records it under their own name instead. `evidence`: each
    item's `uri` and `sha256`."""

    def check(batch: Batch, engine: Engine) -> None:
        roles = frozenset() if cell else queries.party_roles(batch.conn, by) or frozenset()
        engine.check_action_done(case, action, None if cell else by, roles)

    shown = tuple((e["uri"], e["sha256"]) for e in evidence or ())
    command = ActionDone(case, action, by, note, shown)
    return _run(system, command, at, case=case, check=check)


@in_the_writer
def decide(
    system: System,
    case: str,
    phase: int,
    *,
    party: str,
    authorise: bool,
    reason: str,
    at: datetime | None = None,
) -> list[ProtocolEvent]:
    """A party's decision on a recommended phase, with its roles from the directory."""

    def command(batch: Batch) -> Decide:
        roles = queries.party_roles(batch.conn, party) or frozenset()
        return Decide(case, phase, party, authorise, reason, frozenset(roles))

    return _run(system, command, at, case=case)


@in_the_writer
def close_case(system: System, case: str, *, at: datetime | None = None) -> list[ProtocolEvent]:
    return _run(system, Close(case), at, case=case)


@in_the_writer
def review_incident(
    system: System,
    ceasefire: str,
    incident: str,
    verdict: str,
    *,
    by: str,
    reason: str,
    at: datetime | None = None,
) -> list[ProtocolEvent]:
    """An analyst's verdict on an incident: `verify`, `dispute` or `reject`, with a reason."""
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}")
    command = VERDICTS[verdict](incident, by, reason)
    return _run(system, command, at, ceasefire=ceasefire)


@in_the_writer
def count_as_violation(
    system: System,
    ceasefire: str,
    incident: str,
    *,
    by: str,
    reason: str,
    at: datetime | None = None,
) -> list[ProtocolEvent]:
    """An analyst counts a defensive response (rule 7) as a violation after all."""
    return _run(system, CountAsViolation(incident, by, reason), at, ceasefire=ceasefire)


@in_the_writer
def merge_incidents(
    system: System,
    ceasefire: str,
    incident: str,
    others: list[str],
    *,
    by: str,
    reason: str,
    at: datetime | None = None,
) -> list[ProtocolEvent]:
    return _run(system, Merge(incident, tuple(others), by, reason), at, ceasefire=ceasefire)


@in_the_writer
def split_incident(
    system: System,
    ceasefire: str,
    incident: str,
    reports: list[tuple[str, str]],
    *,
    by: str,
    reason: str,
    at: datetime | None = None,
) -> list[ProtocolEvent]:
    leaving = tuple((source, rid) for source, rid in reports)
    return _run(system, Split(incident, leaving, by, reason), at, ceasefire=ceasefire)


def _run(
    system: System,
    command: Built,
    at: datetime | None,
    *,
    ceasefire: str | None = None,
    case: str | None = None,
    check: Callable[[Batch, Engine], None] | None = None,
) -> list[ProtocolEvent]:
    """One command in one unit of work; a refusal is raised after the clock move commits."""
    with unit_of_work.protocol(system) as batch:
        if ceasefire is None and case is not None:
            ceasefire = queries.case_ceasefire(batch.conn, case)
        when = at or batch.now
        if ceasefire is None:
            refusal: Refusal | None = Refusal(f"no case {case}", "unknown")
        elif when is None:
            refusal = Refusal("the stored clock has not started: ingest reports or tick first")
        else:
            made = command(batch) if callable(command) else command
            asked = None if check is None else partial(check, batch)
            refusal = batch.command(ceasefire, made, when, check=asked)
        events = [e for cf, e in batch.events if cf == ceasefire]
    if refusal is not None:
        raise REFUSALS.get(refusal.why, Refused)(refusal.message)
    return events
