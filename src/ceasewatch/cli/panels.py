"""Readable timelines and panels for a terminal (Rich): a replay's cases, the store's.

Timelines say what happened in words (`timeline.describe`), the reminders of an overdue
action folded into one line; every table is a `tables.Sheet`, fitted to the terminal.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from rich.console import Console, Group
from rich.rule import Rule
from rich.text import Text

from ..domain import events as ev
from ..domain.cases import Action, Case
from ..domain.durations import countdown
from ..domain.events import ProtocolEvent
from ..domain.incidents import Incident, Status
from ..domain.reports import Report
from ..domain.severity import Severity
from ..domain.sources import Source, weighed
from ..services.replay import ReplayResult
from ..timeline import describe, fold_reminders, words
from .tables import Fitted, Said, Sheet, Stamps, clock_time, when

Grading = Callable[[Report], Source | None]
"""The registry's entry a report was judged by (`Engine.grading`)."""


def _undeclared(_report: Report) -> Source | None:
    return None


SEVERITY_STYLE = {
    Severity.MINOR: "yellow",
    Severity.MAJOR: "dark_orange",
    Severity.BROAD_ATTACK: "bold red",
}
EVENT_STYLE = {
    ev.CASE_OPENED: "bold",
    ev.PHASE_AUTHORISED: "bold magenta",
    ev.PHASE_DECLINED: "magenta",
    ev.PHASE_RECOMMENDED: "bold magenta",
    ev.ACTION_OVERDUE: "red",
    ev.ACTION_STILL_OVERDUE: "red",
    ev.CASE_CLOSED: "green",
}


def events_grid(events: list[ProtocolEvent]) -> Sheet:
    """Events one a line, in words: when, the case, what happened (wrapped under itself)."""
    sheet = Sheet(None, ["at", "case", "what happened"], show_header=False)
    for event in events:
        sheet.add(when(event.at), event.case, _said_event(event))
    return sheet


def _said_event(event: ProtocolEvent) -> Text:
    return Text(describe(event), style=EVENT_STYLE.get(event.event, ""))


def print_replay(
    console: Console, result: ReplayResult, *, title: str | None = None, intro: str = ""
) -> None:
    """A replay's cases, each with its timeline, actions and incidents; then a summary.
    `title` and `intro` head it (the demo's scenario)."""
    if title is not None:
        console.print(Rule(style="dim"), Said(title, "bold"), Said(intro), "")
    by_case: defaultdict[str, list[ProtocolEvent]] = defaultdict(list)
    for event in result.events:
        by_case[event.case].append(event)
    cases = sorted(result.engine.cases.values(), key=lambda c: (c.opened_at, c.seq))
    if not cases:
        console.print("[dim]No case was opened: no verified violation.[/dim]")
    for case in cases:
        console.print(case_panel(case, by_case[case.id], result.engine.grading))
    console.print(summary_table(result))


def _state(closed_at: datetime | None, reason: str | None) -> str:
    return f"closed ({reason}, {when(closed_at)})" if closed_at else "OPEN"


def heading(case_id: str, violator: str, phase: int, state: str, *more: str) -> Group:
    """A case's heading, above its tables."""
    said = Said(f"{case_id} · violator {violator} · phase {phase} · {state}", "bold")
    return Group(said, *(Said(line, "dim") for line in more))


def case_panel(case: Case, events: list[ProtocolEvent], grading: Grading = _undeclared) -> Group:
    """A replayed case: its heading, timeline, actions, incidents and defensive responses."""
    state = _state(case.closed_at, case.close_reason)
    parts: list[Any] = [
        Rule(style="dim"),
        heading(case.id, case.violator, case.phase, state),
        timeline_table(events),
        actions_table(case.actions, closed=not case.is_open),
        incidents_table(case.incidents, grading),
    ]
    if case.responses:
        parts.append(
            responses_table(
                (i.id, i.occurred_at, i.perpetrator, sorted(t.value for t in i.event_types))
                for i in case.responses
            )
        )
    return Group(*parts)


def timeline_table(events: list[ProtocolEvent]) -> Fitted:
    """A case's events in words, each overdue action's reminders folded into one line."""
    shown = fold_reminders(events)

    def build(stamps: Stamps) -> Sheet:
        sheet = Sheet(stamps.titled("Timeline"), ["at", "what happened"])
        for event in shown:
            sheet.add(stamps(event.at), _said_event(event))
        return sheet

    return Fitted(build, (e.at for e in shown))


ACTION_COLUMNS = ["phase", "action", "owners", "due", "status"]


def actions_table(actions: list[Action], *, closed: bool = False) -> Fitted:
    def build(stamps: Stamps) -> Sheet:
        sheet = Sheet(stamps.titled("Actions"), ACTION_COLUMNS)
        for action in actions:
            if action.done:
                status = Text(f"done {stamps(action.done_at)} by {action.done_by}", style="green")
            elif action.overdue_at is not None:
                status = Text("was overdue" if closed else "OVERDUE", style="bold red")
            else:
                status = Text("pending" if action.due else "on decision", style="dim")
            owners = ", ".join(action.owners)
            sheet.add(str(action.phase), action.id, owners, stamps(action.due), status)
        return sheet

    return Fitted(build, (a.due for a in actions))


def incidents_table(incidents: list[Incident], grading: Grading = _undeclared) -> Fitted:
    def build(stamps: Stamps) -> Sheet:
        headers = ["incident", "occurred", "type", "severity", "sources; evidence"]
        sheet = Sheet(stamps.titled("Incidents"), headers)
        for incident in incidents:
            evidence = evidence_text(incident)
            sheet.add(
                incident.id,
                stamps(incident.violation_at),
                "\n".join(sorted(words(kind.value) for kind in incident.event_types)),
                Text(words(incident.severity.label), style=SEVERITY_STYLE[incident.severity]),
                sources_text(incident, grading) + (f"\nevidence:\n{evidence}" if evidence else ""),
            )
        return sheet

    return Fitted(build, (i.violation_at for i in incidents))


def responses_table(rows: Iterable[tuple[str, datetime, str | None, list[str]]]) -> Fitted:
    """The other side's fire that halted the case's breaches (rule 7): no violations."""
    listed = list(rows)

    def build(stamps: Stamps) -> Sheet:
        title = stamps.titled("Defensive responses (halting the breach; not violations)")
        sheet = Sheet(title, ["incident", "occurred", "party", "type"])
        for incident, occurred, party, types in listed:
            sheet.add(incident, stamps(occurred), party or "—", ", ".join(map(words, types)))
        return sheet

    return Fitted(build, (occurred for _, occurred, _, _ in listed))


def sources_text(incident: Incident, grading: Grading = _undeclared) -> str:
    """Each source once, with its kind and best grade (the registry's, where it declared the
    source when the report arrived); casualties as the incident holds them."""
    grades: dict[str, str] = {}
    for report in incident.reports:
        kind_of, reliability, credibility = weighed(report, grading(report))
        kind = kind_of.value if kind_of else "unknown"
        grade = f"{reliability}{credibility}"
        known = grades.get(report.source)
        if known is None or grade < known.rsplit(" ", 1)[-1]:
            grades[report.source] = f"{kind} {grade}"
    lines = [f"{source} ({grade})" for source, grade in grades.items()]
    lines.append(f"{len(incident.reports)} reports")
    if incident.killed or incident.injured:
        lines[-1] += f", {incident.killed} killed, {incident.injured} injured"
    return "\n".join(lines)


def evidence_text(incident: Incident, shown: int = 3) -> str:
    uris = [e.uri for r in incident.reports for e in r.evidence]
    lines = uris[:shown]
    if len(uris) > shown:
        lines.append(f"+{len(uris) - shown} more")
    return "\n".join(lines)


def summary_table(result: ReplayResult) -> Fitted:
    engine = result.engine
    cases = sorted(engine.cases.values(), key=lambda c: (c.opened_at, c.seq))
    statuses = Counter(i.status for i in engine.incidents.values())
    recommendations = sum(1 for e in result.events if e.event == ev.PHASE_RECOMMENDED)
    responses = sum(len(c.responses) for c in engine.cases.values())
    caption = (
        f"{result.reports} reports ({result.duplicates} duplicates ignored, "
        f"{len(result.rejected)} rejected) → {len(engine.incidents)} incidents: "
        f"{statuses[Status.VERIFIED]} verified, {statuses[Status.CORROBORATED]} corroborated "
        f"but unverified, {statuses[Status.UNVERIFIED]} unverified; "
        f"{len(engine.cases)} cases, {recommendations} phase recommendations"
        + (f"; {responses} defensive responses (no violations)" if responses else "")
    )

    def build(stamps: Stamps) -> Sheet:
        headers = ["case", "violator", "opened", "phases", "closed", "violations", "overdue"]
        sheet = Sheet(stamps.titled("Summary"), headers, caption=caption)
        for case in cases:
            phases = " → ".join(["1", *(str(p) for p in sorted(case.recommended))])
            overdue = sum(1 for a in case.actions if a.overdue_at is not None)
            closed = f"{stamps(case.closed_at)} ({case.close_reason})" if case.closed_at else "open"
            sheet.add(
                case.id,
                case.violator,
                stamps(case.opened),
                phases,
                closed,
                str(len(case.incidents)),
                str(overdue),
            )
        return sheet

    return Fitted(build, (at for c in cases for at in (c.opened, c.closed_at)))


# -- stored cases (read models) -----------------------------------------------------


def next_deadline(case: dict[str, Any], now: datetime | None) -> str:
    """An open case's most pressing deadline (its earliest undone one), counted against
    the stored clock: `overdue by 2 d 1 h`, `due in 3 h`."""
    dues = [a["due"] for a in case["actions"] if a["done_at"] is None and a["due"] is not None]
    if case["closed_at"] is not None or not dues or now is None:
        return "—"
    return countdown(min(dues), now)


def cases_table(rows: list[dict[str, Any]], now: datetime | None) -> Fitted:
    """The cases, each with its next deadline as of `now`, the stored clock."""

    def build(stamps: Stamps) -> Sheet:
        headers = ["case", "phase", "severity", "opened", "last violation", "next deadline"]
        sheet = Sheet(f"Cases, as of the stored clock {clock_time(now)}", [*headers, "state"])
        for case in rows:
            state = (
                f"closed {stamps(case['closed_at'])} ({case['close_reason']})"
                if case["closed_at"]
                else "OPEN"
            )
            deadline = next_deadline(case, now)
            sheet.add(
                case["id"],
                str(case["phase"]),
                words(case["severity"]),
                stamps(case["opened"]),
                stamps(case["last_violation"]),
                Text(deadline, style="bold red" if deadline.startswith("overdue") else ""),
                state,
            )
        return sheet

    instants = (at for r in rows for at in (r["opened"], r["last_violation"], r["closed_at"]))
    return Fitted(build, instants)


def stored_case_panel(case: dict[str, Any], now: datetime | None) -> Group:
    """A stored case; its deadlines counted against `now`, the stored clock."""
    state = _state(case["closed_at"], case["close_reason"])
    parts: list[Any] = [
        heading(
            case["id"],
            case["violator"],
            case["phase"],
            state,
            f"as of the stored clock {clock_time(now)}",
        ),
        timeline_table(case["events"]),
        stored_actions_table(case["actions"], now, closed=case["closed_at"] is not None),
    ]
    if case["decisions"]:
        parts.append(decisions_table(case["decisions"], case["settled"]))
    parts.append(stored_incidents_table(case["incidents"]))
    if case.get("responses"):
        parts.append(
            responses_table(
                (i["id"], i["occurred_at"], i["perpetrator"], i["event_types"])
                for i in case["responses"]
            )
        )
    return Group(*parts)


def stored_actions_table(
    actions: list[dict[str, Any]], now: datetime | None, *, closed: bool = False
) -> Fitted:
    """A case's actions; an open case's deadlines counted against `now`, a closed case's
    left as they stood when it closed."""

    def build(stamps: Stamps) -> Sheet:
        sheet = Sheet(stamps.titled("Actions"), ACTION_COLUMNS)
        for a in actions:
            sheet.add(
                str(a["phase"]),
                a["action_id"],
                ", ".join(a["owners"]),
                stamps(a["due"]),
                _action_status(a, now, closed, stamps),
            )
        return sheet

    return Fitted(build, (a["due"] for a in actions))


def _action_status(a: dict[str, Any], now: datetime | None, closed: bool, stamps: Stamps) -> Text:
    if a["done_at"] is not None:
        status = Text(f"done {stamps(a['done_at'])} by {a['done_by']}", style="green")
        if a["overdue_at"] is not None:
            status.append(" (late)", style="red")
        return status
    if a["due"] is None:
        return Text("on decision", style="dim")
    if closed:
        if a["overdue_at"] is None:
            return Text("not done", style="dim")
        return Text("was overdue", style="red")
    if now is None:
        return Text("pending", style="dim")
    if a["overdue_at"] is not None or a["due"] <= now:
        return Text(countdown(a["due"], now), style="bold red")
    return Text(f"pending, {countdown(a['due'], now)}", style="dim")


def decisions_table(decisions: list[dict[str, Any]], settled: dict[str, Any]) -> Fitted:
    caption = "; ".join(f"phase {p}: {s[0]}" for p, s in sorted(settled.items())) or None

    def build(stamps: Stamps) -> Sheet:
        headers = ["phase", "party", "decision", "reason", "at"]
        sheet = Sheet(stamps.titled("Decisions"), headers, caption=caption)
        for d in decisions:
            verdict = (
                Text("authorise", style="green") if d["authorise"] else Text("decline", style="red")
            )
            sheet.add(str(d["phase"]), d["party"], verdict, d["reason"], stamps(d["at"]))
        return sheet

    return Fitted(build, (d["at"] for d in decisions))


def stored_incidents_table(incidents: list[dict[str, Any]]) -> Fitted:
    def build(stamps: Stamps) -> Sheet:
        headers = ["incident", "occurred", "type", "severity", "reports"]
        sheet = Sheet(stamps.titled("Incidents"), headers)
        for i in incidents:
            reports = "\n".join(
                f"{r['source']} ({r.get('source_kind') or 'unknown'} {r.get('reliability', 'F')}"
                f"{r.get('credibility', 6)}): {r['id']}"
                for r in i["records"]
            )
            sheet.add(
                i["id"],
                stamps(i["violation_at"] or i["occurred_at"]),
                "\n".join(map(words, i["event_types"])),
                Text(
                    words(i["severity"]), style=SEVERITY_STYLE[Severity.from_label(i["severity"])]
                ),
                reports,
            )
        return sheet

    return Fitted(build, (i["violation_at"] or i["occurred_at"] for i in incidents))
