"""Cases and their decisions, analysts' verdicts on incidents, and the store's counts."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..domain.events import iso_z
from . import app
from .common import At, Db, HelpGroup, fail, out, parse_instant, print_events, system_at

if TYPE_CHECKING:
    from ..bootstrap import System
    from ..domain.events import ProtocolEvent

case_app = typer.Typer(cls=HelpGroup, help="One case.", no_args_is_help=True)
action_app = typer.Typer(cls=HelpGroup, help="Actions of a case.", no_args_is_help=True)
incident_app = typer.Typer(
    cls=HelpGroup, help="Analysts' verdicts on incidents.", no_args_is_help=True
)
for sub, name in ((case_app, "case"), (action_app, "action"), (incident_app, "incident")):
    app.add_typer(sub, name=name)


@app.command("cases")
def cases_command(
    open_only: Annotated[bool, typer.Option("--open", help="Only open cases.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: Db = None,
) -> None:
    """The cases, oldest first, each with its next deadline as of the stored clock."""
    from ..store import queries
    from ..store.database import reading
    from .panels import cases_table

    with system_at(db) as system, reading(system.db) as conn:
        if as_json:
            for row in queries.cases(conn, open_only=open_only):
                sys.stdout.write(json.dumps(_jsonable(dict(row)), ensure_ascii=False) + "\n")
            return
        rows = queries.case_summaries(conn, open_only=open_only)
        now = queries.clock(conn)
    if rows:
        out.print(cases_table(rows, now))
    else:
        out.print("no cases" + (" open" if open_only else ""))


@case_app.command("show")
def case_show(
    case_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: Db = None,
) -> None:
    """A case: timeline, actions and deadlines, decisions, incidents with their reports."""
    from ..store import queries
    from ..store.database import reading
    from .panels import stored_case_panel

    with system_at(db) as system, reading(system.db) as conn:
        case = queries.case(conn, case_id)
        now = queries.clock(conn)
    if case is None:
        fail(f"no case {case_id}")
    if as_json:
        case["events"] = [e.to_dict() for e in case["events"]]
        sys.stdout.write(json.dumps(_jsonable(case), ensure_ascii=False, indent=2) + "\n")
    else:
        out.print(stored_case_panel(case, now))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return iso_z(value)
    return value


@action_app.command("done")
def action_done(
    case: Annotated[str, typer.Argument(help="The case id.")],
    action: Annotated[str, typer.Argument(help="The action id, e.g. diplomatic_warning.")],
    by: Annotated[
        str,
        typer.Option(help="The party that did it: one of the action's owners (a party code)."),
    ],
    note: Annotated[str, typer.Option(help="What was done; evidence.")] = "",
    at: At = None,
    db: Db = None,
) -> None:
    """Mark an action of an open case done (audited), for a party that owns it; one done
    after its deadline stays overdue."""
    from ..services import commands

    with system_at(db) as system:
        try:
            events = commands.action_done(
                system, case, action, by=by, note=note, at=parse_instant(at, "--at")
            )
        except commands.Refused as exc:
            fail(str(exc), 1)
    print_events(events, False)
    if not any(e.event == "action_done" for e in events):
        out.print(f"{action} of {case} was already done")


@app.command("decide")
def decide_command(
    case: Annotated[str, typer.Argument(help="The case id.")],
    phase: Annotated[int, typer.Option(min=1, max=3, help="The recommended phase.")],
    by: Annotated[str, typer.Option(help="The deciding party's code.")],
    reason: Annotated[str, typer.Option(help="Why.")],
    authorise: Annotated[
        bool, typer.Option("--authorise/--decline", help="Authorise or decline the phase.")
    ],
    at: At = None,
    db: Db = None,
) -> None:
    """A party authorises or declines a recommended phase (audited); the quorum may settle it."""
    from ..services import commands

    with system_at(db) as system:
        try:
            events = commands.decide(
                system,
                case,
                phase,
                party=by,
                authorise=authorise,
                reason=reason,
                at=parse_instant(at, "--at"),
            )
        except commands.Refused as exc:
            fail(str(exc), 1)
    print_events(events, False)


def _on_incident(
    ceasefire: str,
    incident: str,
    done: str,
    db: str | None,
    command: Callable[[System], list[ProtocolEvent]],
) -> None:
    """Run an analyst's command on an incident; a refusal is one line and exit 1."""
    from ..services import commands

    with system_at(db) as system:
        try:
            events = command(system)
        except commands.Refused as exc:
            fail(str(exc), 1)
    print_events(events, False)
    out.print(f"{incident} of {ceasefire}: {done}", markup=False)


def _review(
    verdict: str,
    ceasefire: str,
    incident: str,
    by: str,
    reason: str,
    at: str | None,
    db: str | None,
) -> None:
    from ..services import commands

    when = parse_instant(at, "--at")
    _on_incident(
        ceasefire,
        incident,
        f"{verdict} recorded",
        db,
        lambda system: commands.review_incident(
            system, ceasefire, incident, verdict, by=by, reason=reason, at=when
        ),
    )


Ceasefire = Annotated[str, typer.Argument(help="The ceasefire id.")]
IncidentId = Annotated[str, typer.Argument(help="The incident id, e.g. inc-12.")]
By = Annotated[str, typer.Option(help="The analyst.")]
Reason = Annotated[str, typer.Option(help="Why (required).")]


@incident_app.command("verify")
def incident_verify(
    ceasefire: Ceasefire, incident: IncidentId, by: By, reason: Reason, at: At = None, db: Db = None
) -> None:
    """Verify an incident the corroboration rule has not (audited)."""
    _review("verify", ceasefire, incident, by, reason, at, db)


@incident_app.command("dispute")
def incident_dispute(
    ceasefire: Ceasefire, incident: IncidentId, by: By, reason: Reason, at: At = None, db: Db = None
) -> None:
    """Hold an unverified incident for review: corroboration will not verify it."""
    _review("dispute", ceasefire, incident, by, reason, at, db)


@incident_app.command("reject")
def incident_reject(
    ceasefire: Ceasefire, incident: IncidentId, by: By, reason: Reason, at: At = None, db: Db = None
) -> None:
    """Reject an incident (audited): it no longer counts toward its case."""
    _review("reject", ceasefire, incident, by, reason, at, db)


@incident_app.command("count-as-violation")
def incident_count_as_violation(
    ceasefire: Ceasefire,
    incident: IncidentId,
    by: By,
    reason: Annotated[str | None, typer.Option(help="Why (required).", show_default=False)] = None,
    at: At = None,
    db: Db = None,
) -> None:
    """Count a defensive response (rule 7) as a violation after all (audited): it counts
    from now, toward a case of its own side."""
    from ..services import commands

    when = parse_instant(at, "--at")
    _on_incident(
        ceasefire,
        incident,
        "counted as a violation",
        db,
        lambda system: commands.count_as_violation(
            system, ceasefire, incident, by=by, reason=reason or "", at=when
        ),
    )


@app.command("stats")
def stats_command(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: Db = None,
) -> None:
    """Counts of reports, incidents, cases and pending timers, and the stored clock."""
    from ..store import queries
    from ..store.database import reading
    from .tables import Sheet, clock_time

    with system_at(db) as system, reading(system.db) as conn:
        counts: dict[str, Any] = queries.stats(conn)
        now = queries.clock(conn)
    if as_json:
        counts["clock"] = iso_z(now) if now else None
        sys.stdout.write(json.dumps(counts) + "\n")
        return
    sheet = Sheet(None, ["what", "count"], show_header=False)
    for key, value in counts.items():
        sheet.add(key.replace("_", " "), f"{value:,}")
    sheet.add("stored clock", clock_time(now))
    out.print(sheet)
