"""Commands into engines: the handler of each command type, and the journal fed to them.

Every journaled input goes through here, live or replayed: a report to every ceasefire's
engine, a command to its handler (`HANDLERS`, keyed by the command's type). The engines
are a function of the journal, so this is the one place that says what each input does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..config import ceasefire_from_dict
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
    StoreCommand,
    Verify,
    ceasefire_command,
    store_command,
    taken_at,
)
from ..domain.engine import Engine
from ..domain.events import ProtocolEvent
from ..domain.policy import parse_policy
from ..domain.reports import bare
from ..store.journal import Input, ReportInput, StoredCeasefire

Events = list[ProtocolEvent]
Handler = Callable[[Engine, Any, datetime], Events]
"""Applies one command type to an engine at an instant (`Any`: the handler's own type)."""


def build_engine(stored: StoredCeasefire) -> Engine:
    ceasefire = ceasefire_from_dict(stored.definition, f"stored ceasefire {stored.id}")
    policy = parse_policy(stored.policy_text, f"policy of ceasefire {stored.id}", stored=True)
    return Engine(ceasefire, policy)


def _action_done(engine: Engine, c: ActionDone, at: datetime) -> Events:
    return engine.mark_action_done(c.case, c.action, at, by=c.by, note=c.note, evidence=c.evidence)


def _decide(engine: Engine, c: Decide, at: datetime) -> Events:
    return engine.decide(
        c.case, c.phase, c.party, authorise=c.authorise, reason=c.reason, at=at, roles=c.roles
    )


def _close(engine: Engine, c: Close, at: datetime) -> Events:
    return engine.close_case(c.case, at)


def _verify(engine: Engine, c: Verify, at: datetime) -> Events:
    return engine.verify_incident(c.incident, at, by=c.by, reason=c.reason)


def _dispute(engine: Engine, c: Dispute, at: datetime) -> Events:
    return engine.dispute_incident(c.incident, at, by=c.by, reason=c.reason)


def _reject(engine: Engine, c: Reject, at: datetime) -> Events:
    return engine.reject_incident(c.incident, at, by=c.by, reason=c.reason)


def _count_as_violation(engine: Engine, c: CountAsViolation, at: datetime) -> Events:
    return engine.count_as_violation(c.incident, at, by=c.by, reason=c.reason)


def _merge(engine: Engine, c: Merge, at: datetime) -> Events:
    return engine.merge_incidents(c.incident, list(c.others), at, by=c.by, reason=c.reason)


def _split(engine: Engine, c: Split, at: datetime) -> Events:
    return engine.split_incident(c.incident, list(c.reports), at, by=c.by, reason=c.reason)


HANDLERS: dict[type[CeasefireCommand], Handler] = {
    ActionDone: _action_done,
    Decide: _decide,
    Close: _close,
    Verify: _verify,
    Dispute: _dispute,
    Reject: _reject,
    CountAsViolation: _count_as_violation,
    Merge: _merge,
    Split: _split,
}
"""The handler of each command for one ceasefire's engine."""


def apply_command(engine: Engine, command: CeasefireCommand, at: datetime) -> Events:
    """Apply a command to its ceasefire's engine at `at`; the events it gives."""
    return HANDLERS[type(command)](engine, command, at)


def apply_store_command(engine: Engine, command: StoreCommand, at: datetime | None) -> Events:
    """Apply a command that belongs to no one ceasefire (every engine takes it)."""
    return engine.declare_sources(command.sources, at)


def take_input(engines: dict[str, Engine], item: Input) -> list[tuple[str, ProtocolEvent]]:
    """Feed a journaled input to the engines, at the clock it was taken at: a report to
    every engine, a command to its ceasefire's; the events they give, by ceasefire.

    The journal holds each report once (one row per source and id), so the engines keep
    no index of the ids they took; and it keeps each report's text and evidence, so the
    engines hold the report without them (`bare`)."""
    out: list[tuple[str, ProtocolEvent]] = []
    if isinstance(item, ReportInput):
        report = bare(item.report)
        for cf, engine in engines.items():
            if item.clock is not None:
                out.extend((cf, e) for e in engine.advance(item.clock))
            taken = engine.feed(report, trusted=item.trusted, unique=True)
            out.extend((cf, e) for e in taken)
    elif item.ceasefire is None:
        for cf, engine in engines.items():
            if item.clock is not None:
                out.extend((cf, e) for e in engine.advance(item.clock))
            command = store_command(item.kind, item.body)
            at = taken_at(item.body)
            out.extend((cf, e) for e in apply_store_command(engine, command, at))
    elif item.ceasefire in engines:
        target = engines[item.ceasefire]
        if item.clock is not None:
            out.extend((item.ceasefire, e) for e in target.advance(item.clock))
        at = datetime.fromisoformat(item.body["at"])
        events = apply_command(target, ceasefire_command(item.kind, item.body), at)
        out.extend((item.ceasefire, e) for e in events)
    return out
