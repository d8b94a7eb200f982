"""Protocol events in words, for people: the CLI's timelines and the web case page say
what happened with these, and fold the reminders of an overdue action into one line.

Machines read the events themselves (`--json`, the API); nothing here changes them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from .domain import events as ev
from .domain.events import ProtocolEvent
from .domain.stamps import short_stamp, stamp

STAMP = re.compile(
    r"(?:\d{4}-)?\d\d-\d\d \d\d:\d\d(?::\d\d)?"  # an instant: 2026-04-16 06:02, 04-16 06:02
    r"|\b\d+ (?:d|h|min|s)(?: \d+ (?:d|h|min|s))?\b"  # a span of time: 2 d 1 h (`span`)
)
"""What a line of words keeps on one line when it wraps: an instant as `stamp` or
`short_stamp` writes it, a length of time as `durations.span` does."""
REMINDED = "reminded"
"""In a folded reminder's details: how many reminders it stands for (`last`: the last's time)."""

CLOSE_REASONS = {"quiet": "no further violation (quiet)", "manual": "closed by hand"}


def words(value: object) -> str:
    """`broad_attack` -> `broad attack`."""
    return str(value).replace("_", " ")


def describe(event: ProtocolEvent) -> str:
    """What an event says happened, in a line."""
    d = event.details
    match event.event:
        case ev.CASE_OPENED:
            return f"case opened at phase {d['phase']} on {d['incident']} ({words(d['severity'])})"
        case ev.VIOLATION_ADDED:
            return f"further violation {d['incident']} ({words(d['severity'])})"
        case ev.SEVERITY_RAISED:
            return f"{d['incident']} raised to {words(d['severity'])}"
        case ev.PHASE_RECOMMENDED:
            return f"PHASE {d['phase']} RECOMMENDED: {words(d['reason'])} ({d['incident']})"
        case ev.ACTION_OVERDUE:
            owners = ", ".join(d["owners"])
            return f"{d['action']} overdue: not done by its deadline ({owners})"
        case ev.ACTION_STILL_OVERDUE:
            return _reminders(d)
        case ev.ACTION_DONE:
            return f"{d['action']} done by {d['by']}"
        case ev.DECISION_RECORDED:
            verdict = "authorised" if d["decision"] == "authorise" else "declined"
            return f"{d['party']} {verdict} phase {d['phase']}: “{d.get('reason', '')}”"
        case ev.PHASE_AUTHORISED:
            return f"PHASE {d['phase']} AUTHORISED"
        case ev.PHASE_DECLINED:
            return f"phase {d['phase']} declined"
        case ev.INCIDENT_REJECTED:
            return f"{d['incident']} rejected, no longer counted: “{d.get('reason', '')}”"
        case ev.INCIDENT_MERGED:
            return f"{d['incident']} merged into {d['into']}: “{d.get('reason', '')}”"
        case ev.DEFENSIVE_RESPONSE:
            return (
                f"{d['party']} fire at {d['occurred_at'][11:16]} ({d['incident']}), "
                f"{d['distance_km']:g} km from {d['breach']}: halting the breach"
            )
        case ev.RESPONSE_RECLASSIFIED:
            return f"{d['incident']} counted as a violation by {d['by']} ({d['reason']})"
        case ev.CASE_CLOSED:
            why = CLOSE_REASONS.get(d["reason"], words(d["reason"]))
            return f"case closed at phase {d['phase']}: {why}"
    return words(event.event)


def _reminders(d: dict[str, object]) -> str:
    count = d.get(REMINDED)
    if count is None:
        return f"{d['action']} still overdue: its owners reminded"
    if count == 1:
        return f"{d['action']} still overdue: reminded once"
    last = datetime.fromisoformat(str(d["last"]))
    return f"{d['action']} still overdue: reminded {count} times, last {short_stamp(last)}"


def fold_reminders(events: Iterable[ProtocolEvent]) -> list[ProtocolEvent]:
    """The events, with the reminders that each action of a case is still overdue folded
    into one, where the first stood: its details say how many (`reminded`) and when the
    last was (`last`)."""
    listed = list(events)
    runs: dict[tuple[str, str], list[ProtocolEvent]] = {}
    for event in listed:
        if event.event == ev.ACTION_STILL_OVERDUE:
            runs.setdefault((event.case, event.details["action"]), []).append(event)
    out = []
    for event in listed:
        if event.event != ev.ACTION_STILL_OVERDUE:
            out.append(event)
            continue
        run = runs[(event.case, event.details["action"])]
        if event is run[0]:
            last = run[-1].at
            details = {**event.details, REMINDED: len(run), "last": ev.iso_z(last)}
            out.append(event._replace(details=details))
    return out


TICK_WORDS = {
    ev.CASE_OPENED: ("case opened", "cases opened"),
    ev.PHASE_RECOMMENDED: ("phase recommended", "phases recommended"),
    ev.ACTION_OVERDUE: ("action overdue", "actions overdue"),
    ev.ACTION_STILL_OVERDUE: ("reminder of an overdue action", "reminders of overdue actions"),
    ev.CASE_CLOSED: ("case closed", "cases closed"),
}
"""What a tick fires (timers only), counted in words."""


def counted(events: Iterable[ProtocolEvent]) -> str:
    """`2 actions overdue, 1 case closed`; `nothing fell due`."""
    kinds = Counter(e.event for e in events)
    parts = []
    for kind, n in sorted(kinds.items(), key=lambda item: _order(item[0])):
        one, many = TICK_WORDS.get(kind, (words(kind), words(kind)))
        parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) or "nothing fell due"


def _order(kind: str) -> int:
    order = list(TICK_WORDS)
    return order.index(kind) if kind in order else len(order)


def tick_line(start: datetime | None, end: datetime | None, events: list[ProtocolEvent]) -> str:
    """What a tick did, in one line: `clock 2026-03-10 00:00 → 01:00 UTC: 2 actions overdue`."""
    if end is None:
        return "the stored clock has not started: nothing fell due"
    if start == end:
        return f"the clock stays at {stamp(end)} UTC (it never goes back): {counted(events)}"
    if start is None:
        moved = f"clock started at {stamp(end)} UTC"
    elif start.date() == end.date():
        moved = f"clock {stamp(start)} → {stamp(end)[11:]} UTC"
    else:
        moved = f"clock {stamp(start)} → {stamp(end)} UTC"
    return f"{moved}: {counted(events)}"
