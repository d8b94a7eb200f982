"""Readable timelines and summaries of a replay, for a terminal (Rich)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .domain import events as ev
from .domain.cases import Action, Case
from .domain.durations import countdown
from .domain.events import ProtocolEvent
from .domain.incidents import Incident, Status
from .domain.reports import Report
from .domain.severity import Severity
from .domain.sources import Source, weighed
from .services.replay import ReplayResult

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
    ev.CASE_CLOSED: "green",
}


def when(at: datetime | None) -> str:
    return "—" if at is None else at.strftime("%Y-%m-%d %H:%M:%SZ")


def clock_time(at: datetime | None) -> str:
    """The stored clock, to the minute when it stands on one: `2026-03-10 01:00Z`."""
    if at is None:
        return "(not started)"
    return at.strftime(
        "%Y-%m-%d %H:%MZ" if at.second == at.microsecond == 0 else "%Y-%m-%d %H:%M:%SZ"
    )


def tick_line(start: datetime | None, end: datetime | None, events: list[ProtocolEvent]) -> str:
    """What a tick did, in one line: `clock A → B: 2 events (2 action_overdue)`."""
    kinds = Counter(e.event for e in events)
    listed = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    fired = (
        f"{len(events)} event{'' if len(events) == 1 else 's'} ({listed})"
        if events
        else "no events"
    )
    return f"clock {clock_time(start)} → {clock_time(end)}: {fired}"


def describe(event: ProtocolEvent) -> str:
    d = event.details
    match event.event:
        case ev.CASE_OPENED:
            return f"case opened at phase {d['phase']} by {d['incident']} ({d['severity']})"
        case ev.VIOLATION_ADDED:
            return f"further violation {d['incident']} ({d['severity']})"
        case ev.SEVERITY_RAISED:
            return f"{d['incident']} raised to {d['severity']}"
        case ev.PHASE_RECOMMENDED:
            return (
                f"PHASE {d['phase']} RECOMMENDED ({d['reason'].replace('_', ' ')}, {d['incident']})"
            )
        case ev.ACTION_OVERDUE:
            return f"action {d['action']} overdue (due {d['due']}; {', '.join(d['owners'])})"
        case ev.CASE_CLOSED:
            return f"case closed ({d['reason']}) at phase {d['phase']}"
        case ev.ACTION_DONE:
            return f"action {d['action']} done by {d['by']}"
        case ev.DECISION_RECORDED:
            return f"{d['party']}: {d['decision']} phase {d['phase']} ({d.get('reason', '')})"
        case ev.PHASE_AUTHORISED:
            return f"PHASE {d['phase']} AUTHORISED"
        case ev.PHASE_DECLINED:
            return f"phase {d['phase']} declined"
        case ev.DEFENSIVE_RESPONSE:
            return (
                f"{d['party']} fire at {d['occurred_at'][11:16]} ({d['incident']}), "
                f"{d['distance_km']:g} km from {d['breach']}: halting the breach"
            )
        case ev.RESPONSE_RECLASSIFIED:
            return f"{d['incident']} counted as a violation by {d['by']} ({d['reason']})"
    return event.event


def print_replay(console: Console, result: ReplayResult) -> None:
    by_case: defaultdict[str, list[ProtocolEvent]] = defaultdict(list)
    for event in result.events:
        by_case[event.case].append(event)
    cases = sorted(result.engine.cases.values(), key=lambda c: (c.opened_at, c.seq))
    if not cases:
        console.print("[dim]No case was opened: no verified violation.[/dim]")
    for case in cases:
        console.print(case_panel(case, by_case[case.id], result.engine.grading))
    console.print(summary_table(result))


def case_panel(case: Case, events: list[ProtocolEvent], grading: Grading = _undeclared) -> Panel:
    state = f"closed ({case.close_reason}) {when(case.closed_at)}" if case.closed_at else "OPEN"
    title = f"[bold]{case.id}[/bold] · violator {case.violator} · phase {case.phase} · {state}"
    parts: list[Any] = [
        timeline_table(events),
        actions_table(case.actions),
        incidents_table(case.incidents, grading),
    ]
    if case.responses:
        parts.append(
            responses_table(
                (i.id, i.occurred_at, i.perpetrator, sorted(t.value for t in i.event_types))
                for i in case.responses
            )
        )
    return Panel(Group(*parts), title=title, title_align="left")


def timeline_table(events: list[ProtocolEvent]) -> Table:
    table = Table(title="Timeline", title_justify="left", expand=True, show_edge=False)
    table.add_column("at", no_wrap=True)
    table.add_column("event")
    for event in events:
        table.add_row(when(event.at), Text(describe(event), style=EVENT_STYLE.get(event.event, "")))
    return table


def actions_table(actions: list[Action]) -> Table:
    table = Table(title="Actions", title_justify="left", expand=True, show_edge=False)
    for column in ("phase", "action", "owners", "due", "status"):
        table.add_column(column)
    for action in actions:
        if action.done:
            status = Text(f"done {when(action.done_at)} by {action.done_by}", style="green")
        elif action.overdue_at is not None:
            status = Text(f"OVERDUE since {when(action.overdue_at)}", style="bold red")
        else:
            status = Text("pending" if action.due else "on decision", style="dim")
        owners = ", ".join(action.owners)
        table.add_row(str(action.phase), action.id, owners, when(action.due), status)
    return table


def incidents_table(incidents: list[Incident], grading: Grading = _undeclared) -> Table:
    table = Table(title="Incidents", title_justify="left", expand=True, show_edge=False)
    for column in ("incident", "occurred", "type", "severity", "sources", "evidence"):
        table.add_column(column)
    for incident in incidents:
        table.add_row(
            incident.id,
            when(incident.violation_at),
            ", ".join(sorted(t.value for t in incident.event_types)),
            Text(incident.severity.label, style=SEVERITY_STYLE[incident.severity]),
            sources_text(incident, grading),
            evidence_text(incident),
        )
    return table


def responses_table(rows: Iterable[tuple[str, datetime, str | None, list[str]]]) -> Table:
    """The other side's fire that halted the case's breaches (rule 7): no violations."""
    table = Table(
        title="Defensive responses (halting the breach; not violations)",
        title_justify="left",
        expand=True,
        show_edge=False,
    )
    for column in ("incident", "occurred", "party", "type"):
        table.add_column(column)
    for incident, occurred, party, types in rows:
        table.add_row(incident, when(occurred), party or "—", ", ".join(types))
    return table


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
    return "\n".join(lines) or "—"


def summary_table(result: ReplayResult) -> Table:
    engine = result.engine
    table = Table(title="Summary", title_justify="left")
    for column in ("case", "violator", "opened", "phases", "closed", "violations", "overdue"):
        table.add_column(column, no_wrap=column in ("case", "phases"))
    for case in sorted(engine.cases.values(), key=lambda c: (c.opened_at, c.seq)):
        phases = " → ".join(["1", *(str(p) for p in sorted(case.recommended))])
        overdue = sum(1 for a in case.actions if a.overdue_at is not None)
        table.add_row(
            case.id,
            case.violator,
            when(case.opened),
            phases,
            f"{when(case.closed_at)} ({case.close_reason})" if case.closed_at else "open",
            str(len(case.incidents)),
            str(overdue),
        )
    statuses = Counter(i.status for i in engine.incidents.values())
    recommendations = sum(1 for e in result.events if e.event == ev.PHASE_RECOMMENDED)
    responses = sum(len(c.responses) for c in engine.cases.values())
    table.caption = (
        f"{result.reports} reports ({result.duplicates} duplicates ignored, "
        f"{len(result.rejected)} rejected) → {len(engine.incidents)} incidents: "
        f"{statuses[Status.VERIFIED]} verified, {statuses[Status.CORROBORATED]} corroborated "
        f"but unverified, {statuses[Status.UNVERIFIED]} unverified; "
        f"{len(engine.cases)} cases, {recommendations} phase recommendations"
        + (f"; {responses} defensive responses (no violations)" if responses else "")
    )
    return table


# -- stored cases (read models) -----------------------------------------------------


def next_deadline(case: dict[str, Any], now: datetime | None) -> str:
    """An open case's most pressing deadline (its earliest undone one), counted against
    the stored clock: `overdue by 2 d 1 h`, `due in 3 h`."""
    dues = [a["due"] for a in case["actions"] if a["done_at"] is None and a["due"] is not None]
    if case["closed_at"] is not None or not dues or now is None:
        return "—"
    return countdown(min(dues), now)


def cases_table(rows: list[dict[str, Any]], now: datetime | None) -> Table:
    """The cases, each with its next deadline as of `now`, the stored clock."""
    table = Table(title=f"Cases, as of the stored clock {clock_time(now)}", title_justify="left")
    columns = ("case", "violator", "phase", "severity", "opened", "last violation", "deadline")
    for column in (*columns, "state"):
        table.add_column(column, no_wrap=column in ("case", "deadline"))
    for row in rows:
        state = (
            f"closed {when(row['closed_at'])} ({row['close_reason']})"
            if row["closed_at"]
            else "OPEN"
        )
        deadline = next_deadline(row, now)
        table.add_row(
            row["id"],
            row["violator"],
            str(row["phase"]),
            row["severity"],
            when(row["opened"]),
            when(row["last_violation"]),
            Text(deadline, style="bold red" if deadline.startswith("overdue") else ""),
            state,
        )
    return table


def stored_case_panel(case: dict[str, Any], now: datetime | None) -> Panel:
    """A stored case; its deadlines counted against `now`, the stored clock."""
    state = (
        f"closed ({case['close_reason']}) {when(case['closed_at'])}"
        if case["closed_at"]
        else "OPEN"
    )
    title = (
        f"[bold]{case['id']}[/bold] · violator {case['violator']} · phase {case['phase']} · {state}"
    )
    parts: list[Any] = [timeline_table(case["events"]), stored_actions_table(case["actions"], now)]
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
    return Panel(
        Group(*parts),
        title=title,
        title_align="left",
        subtitle=f"as of the stored clock {clock_time(now)}",
        subtitle_align="left",
    )


def stored_actions_table(actions: list[dict[str, Any]], now: datetime | None) -> Table:
    table = Table(title="Actions", title_justify="left", expand=True, show_edge=False)
    for column in ("phase", "action", "owners", "due", "status"):
        table.add_column(column, no_wrap=column == "status")
    for a in actions:
        if a["done_at"] is not None:
            status = Text(f"done {when(a['done_at'])} by {a['done_by']}", style="green")
            if a["overdue_at"] is not None:
                status.append(" (late)", style="red")
        elif a["due"] is None:
            status = Text("on decision", style="dim")
        elif now is None:
            status = Text("pending", style="dim")
        elif a["overdue_at"] is not None or a["due"] <= now:
            status = Text(countdown(a["due"], now), style="bold red")
        else:
            status = Text(f"pending, {countdown(a['due'], now)}", style="dim")
        table.add_row(
            str(a["phase"]), a["action_id"], ", ".join(a["owners"]), when(a["due"]), status
        )
    return table


def decisions_table(decisions: list[dict[str, Any]], settled: dict[str, Any]) -> Table:
    table = Table(title="Decisions", title_justify="left", expand=True, show_edge=False)
    for column in ("phase", "party", "decision", "reason", "at"):
        table.add_column(column)
    for d in decisions:
        verdict = (
            Text("authorise", style="green") if d["authorise"] else Text("decline", style="red")
        )
        table.add_row(str(d["phase"]), d["party"], verdict, d["reason"], when(d["at"]))
    table.caption = "; ".join(f"phase {p}: {s[0]}" for p, s in sorted(settled.items())) or None
    return table


def stored_incidents_table(incidents: list[dict[str, Any]]) -> Table:
    table = Table(title="Incidents", title_justify="left", expand=True, show_edge=False)
    for column in ("incident", "occurred", "type", "severity", "reports"):
        table.add_column(column)
    for i in incidents:
        sources = "\n".join(
            f"{r['source']} {r.get('source_kind', '')} {r.get('reliability', 'F')}"
            f"{r.get('credibility', 6)}: {r['id']}"
            for r in i["records"]
        )
        table.add_row(
            i["id"],
            when(i["violation_at"] or i["occurred_at"]),
            ", ".join(i["event_types"]),
            Text(i["severity"], style=SEVERITY_STYLE[Severity.from_label(i["severity"])]),
            sources,
        )
    return table
