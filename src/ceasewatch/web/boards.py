"""What the case board and a case's page show, put together from queries and views.

No rule of the protocol is decided here: deadlines, quorums and who may decide come from
the read models and `services.views`; this only arranges them for the templates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from ..domain import events as ev
from ..domain.durations import countdown
from ..services import views
from ..services.tokens import UserRole
from ..store import queries
from .access import ANALYSTS, Visitor


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


def _responses(case: dict[str, Any]) -> list[dict[str, Any]]:
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
) -> dict[str, Any]:
    case["quorum"] = views.quorum(conn, case)
    recommendations = _recommended(case, evidence)
    return {
        **case,
        "open": case["closed_at"] is None,
        "actions": _actions(case, now),
        "recommendations": recommendations,
        "phase_state": _phase_state(case["phase"], recommendations),
    }


def board(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Every open case, oldest first."""
    cases = queries.case_summaries(conn, open_only=True)
    evidence = queries.recommendations(conn, [c["id"] for c in cases])
    return [_arrange(conn, c, evidence[c["id"]], now) for c in cases]


def recently_closed(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    """The cases closed last, newest first."""
    return queries.closed_cases(conn, limit=limit)


def case_page(conn: Connection, case_id: str, now: datetime, who: Visitor) -> dict[str, Any] | None:
    """One case, with what this visitor may do on it."""
    case = queries.case_overview(conn, case_id)
    if case is None:
        return None
    evidence = queries.recommendations(conn, [case_id])[case_id]
    arranged = _arrange(conn, case, evidence, now)
    arranged["responses"] = _responses(case)
    arranged["may_review"] = who.role in ANALYSTS
    party = who.principal.party or ""
    deciding = who.role is UserRole.DECISION_MAKER and arranged["open"]
    arranged["may_decide"] = {
        r["phase"]
        for r in arranged["recommendations"]
        if deciding
        and r["quorum"] is not None
        and r["pending"]
        and views.may_decide(conn, case, r["phase"], party)
    }
    arranged["decided"] = {(d["phase"], d["party"]) for d in case["decisions"]}
    arranged["may_mark"] = {
        a["action_id"]
        for a in arranged["actions"]
        if arranged["open"]  # a closed case offers no action
        and not a["done"]
        and a["due"] is not None  # in force: an action of a phase not yet begun has no due
        and (
            who.role is UserRole.ADMIN
            or (who.role is UserRole.DECISION_MAKER and views.owns_action(conn, case, a, party))
        )
    }
    return arranged
