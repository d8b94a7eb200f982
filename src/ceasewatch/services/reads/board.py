"""What the case board and a case's page show: the read models arranged for the pages.

No rule of the protocol is decided here: deadlines, quorums and who may decide come from
the read models and `rules`; this only arranges them (and says what the visitor may do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from ...domain import events as ev
from ...domain.durations import countdown
from ...roles import UserRole
from ...store.database import reading
from ...store.queries import case_rows as rows
from ..system import System
from . import rules
from .models import CaseOverview, CaseRow, CaseSummary

REVIEWERS = (UserRole.ANALYST, UserRole.ADMIN)
"""Who may settle a case's incidents (the analysts' queue)."""

Arranged = dict[str, Any]
"""A case as the pages show it: its row, actions with their countdowns, recommendations
with their evidence and quorum, how its phase stands (see `_arrange`)."""


@dataclass(frozen=True)
class Board:
    """Every open case, oldest first, arranged; and the cases closed last, newest first."""

    cases: list[Arranged]
    closed: list[CaseRow]


def _actions(case: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    out = []
    for action in case["actions"]:
        done = action["done_at"] is not None
        due = action["due"]
        overdue = not done and (
            action["overdue_at"] is not None or (due is not None and due <= now)
        )
        live = case["closed_at"] is None and not done
        shown = countdown(due, now) if due is not None else None
        out.append({**action, "done": done, "overdue": overdue, "live": live, "countdown": shown})
    return out


def _recommended(case: dict[str, Any], evidence: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The recommended phases, newest first, with their evidence and the quorum so far."""
    by_phase = {q["phase"]: q for q in case["quorum"]}
    out = []
    for phase_text, at in case["recommended"].items():
        phase = int(phase_text)
        settled = case["settled"].get(phase_text)
        quorum = by_phase.get(phase)
        out.append(
            {
                "phase": phase,
                "at": at,
                "evidence": evidence.get(phase, {}),
                "quorum": quorum,
                "standing": settled[0] if settled else (quorum or {}).get("standing", "pending"),
                "pending": settled is None,
            }
        )
    return sorted(out, key=lambda r: r["phase"], reverse=True)


def _phase_state(phase: int, recommendations: list[dict[str, Any]]) -> str:
    """How the case's phase stands: `recommended` (awaiting its authorisation),
    `authorised` or `declined`; `in force` for a phase that needs no authorisation (phase
    1, or one the policy lets begin on its recommendation)."""
    found = next((r for r in recommendations if r["phase"] == phase), None)
    if found is None or (found["quorum"] is None and found["pending"]):
        return "in force"
    return "recommended" if found["standing"] == "pending" else str(found["standing"])


def _responses(case: CaseOverview) -> list[dict[str, Any]]:
    """The case's defensive responses, each with the breach it answered and how far from it
    (as its `defensive_response` event says)."""
    judged = {
        e.details["incident"]: e.details
        for e in case["milestones"]
        if e.event == ev.DEFENSIVE_RESPONSE
    }
    out = []
    for response in case["responses"]:
        details = judged.get(response["id"], {})
        out.append(
            {**response, "breach": details.get("breach"), "distance_km": details.get("distance_km")}
        )
    return out


def _arrange(
    conn: Connection, case: dict[str, Any], evidence: dict[int, dict[str, Any]], now: datetime
) -> Arranged:
    case["quorum"] = rules.quorum(conn, case)  # type: ignore[arg-type]
    recommendations = _recommended(case, evidence)
    return {
        **case,
        "open": case["closed_at"] is None,
        "actions": _actions(case, now),
        "recommendations": recommendations,
        "phase_state": _phase_state(case["phase"], recommendations),
    }


def board(system: System, now: datetime, *, closed: int = 20) -> Board:
    """Every open case, and the `closed` cases closed last."""
    with reading(system.db) as conn:
        cases = rows.case_summaries(conn, open_only=True)
        evidence = rows.recommendations(conn, [c["id"] for c in cases])
        arranged = [_arrange(conn, c, evidence[c["id"]], now) for c in cases]
        last_closed = rows.closed_cases(conn, limit=closed)
    return Board(arranged, last_closed)  # type: ignore[arg-type]


def case_page(
    system: System, case_id: str, now: datetime, role: UserRole, party: str | None
) -> Arranged | None:
    """One case, with what a visitor of this role (and party) may do on it."""
    with reading(system.db) as conn:
        case = rows.case_overview(conn, case_id)
        if case is None:
            return None
        evidence = rows.recommendations(conn, [case_id])[case_id]
        arranged = _arrange(conn, case, evidence, now)
        return _may(conn, arranged, case, role, party or "")  # type: ignore[arg-type]


def _may(
    conn: Connection, arranged: Arranged, case: CaseOverview, role: UserRole, party: str
) -> Arranged:
    summary: CaseSummary = case
    arranged["responses"] = _responses(case)
    arranged["may_review"] = role in REVIEWERS
    deciding = role is UserRole.DECISION_MAKER and arranged["open"]
    arranged["may_decide"] = {
        r["phase"]
        for r in arranged["recommendations"]
        if deciding
        and r["quorum"] is not None
        and r["pending"]
        and rules.may_decide(conn, summary, r["phase"], party)
    }
    arranged["decided"] = {(d["phase"], d["party"]) for d in case["decisions"]}
    arranged["may_mark"] = {
        a["action_id"]
        for a in arranged["actions"]
        if arranged["open"]  # a closed case offers no action
        and not a["done"]
        and a["due"] is not None  # in force: an action of a phase not yet begun has no due
        and (
            role is UserRole.ADMIN
            or (role is UserRole.DECISION_MAKER and rules.owns_action(conn, summary, a, party))
        )
    }
    return arranged
