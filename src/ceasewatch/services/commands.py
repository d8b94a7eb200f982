"""What people do to a case: mark an action done, decide a phase, verify, close."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from ..domain.engine import Engine
from ..domain.events import ProtocolEvent
from ..store import queries
from .engines import Batch, Refusal
from .system import System

Body = dict[str, Any] | Callable[[Batch], dict[str, Any]]
"""A command's arguments, or how to work them out inside its transaction."""


class Refused(ValueError):
    """The command was not carried out: unknown case, or not allowed now; says why."""


class Unknown(Refused):
    """The command names a case, action, incident or ceasefire the store does not hold."""


class Forbidden(Refused):
    """The party may not do this at all: it does not own the action."""


REFUSALS: dict[str, type[Refused]] = {"unknown": Unknown, "forbidden": Forbidden}


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
    the coordination cell records it under their own name instead."""

    def check(batch: Batch, engine: Engine) -> None:
        roles = frozenset() if cell else queries.party_roles(batch.conn, by) or frozenset()
        engine.check_action_done(case, action, None if cell else by, roles)

    body = {"case": case, "action": action, "by": by, "note": note, "evidence": evidence or []}
    return _run(system, "action_done", body, at, case=case, check=check)


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

    def body(batch: Batch) -> dict[str, Any]:
        roles = queries.party_roles(batch.conn, party) or frozenset()
        return {
            "case": case,
            "phase": phase,
            "party": party,
            "authorise": authorise,
            "reason": reason,
            "roles": sorted(roles),
        }

    return _on_case(system, case, "decide", body, at)


def close_case(system: System, case: str, *, at: datetime | None = None) -> list[ProtocolEvent]:
    return _on_case(system, case, "close", {"case": case}, at)


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
    if verdict not in ("verify", "dispute", "reject"):
        raise ValueError(f"unknown verdict {verdict!r}")
    body = {"incident": incident, "by": by, "reason": reason}
    return _run(system, verdict, body, at, ceasefire=ceasefire)


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
    body = {"incident": incident, "by": by, "reason": reason}
    return _run(system, "count_as_violation", body, at, ceasefire=ceasefire)


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
    body = {"incident": incident, "others": others, "by": by, "reason": reason}
    return _run(system, "merge", body, at, ceasefire=ceasefire)


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
    body = {"incident": incident, "reports": [list(r) for r in reports], "by": by, "reason": reason}
    return _run(system, "split", body, at, ceasefire=ceasefire)


def _on_case(
    system: System, case: str, kind: str, body: Body, at: datetime | None
) -> list[ProtocolEvent]:
    return _run(system, kind, body, at, case=case)


def _run(
    system: System,
    kind: str,
    body: Body,
    at: datetime | None,
    *,
    ceasefire: str | None = None,
    case: str | None = None,
    check: Callable[[Batch, Engine], None] | None = None,
) -> list[ProtocolEvent]:
    """One command in one transaction; a refusal is raised after the clock move commits."""
    with system.engines.transaction() as batch:
        if ceasefire is None and case is not None:
            ceasefire = queries.case_ceasefire(batch.conn, case)
        when = at or batch.now
        if ceasefire is None:
            refusal: Refusal | None = Refusal(f"no case {case}", "unknown")
        elif when is None:
            refusal = Refusal("the stored clock has not started: ingest reports or tick first")
        else:
            args = body(batch) if callable(body) else body
            asked = None if check is None else partial(check, batch)
            refusal = batch.command(ceasefire, kind, args, when, check=asked)
        events = [e for cf, e in batch.events if cf == ceasefire]
    if refusal is not None:
        raise REFUSALS.get(refusal.why, Refused)(refusal.message)
    return events
