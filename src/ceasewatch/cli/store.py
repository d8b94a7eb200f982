"""The durable store's commands: set-up, ingest, the clock, cases, decisions."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..domain.events import iso_z
from ..services import delivery
from ..store.location import ENV_VAR
from . import app
from .common import HelpGroup, err, fail, out, parse_instant, webhook_targets

if TYPE_CHECKING:
    from rich.progress import Progress

    from ..bootstrap import System
    from ..domain.events import ProtocolEvent
    from ..domain.reports import Rejection
    from ..services.sender import Sender

Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=ENV_VAR,
        help="Database URL (sqlite:///file.db or postgresql://user@host:port/db).",
        show_default="sqlite:///ceasewatch.db",
    ),
]
At = Annotated[str | None, typer.Option("--at", help="When (ISO 8601); default: the stored clock.")]

db_app = typer.Typer(cls=HelpGroup, help="The database schema.", no_args_is_help=True)
ceasefire_app = typer.Typer(
    cls=HelpGroup, help="Ceasefires the store weighs reports against.", no_args_is_help=True
)
party_app = typer.Typer(cls=HelpGroup, help="The stakeholder directory.", no_args_is_help=True)
case_app = typer.Typer(cls=HelpGroup, help="One case.", no_args_is_help=True)
action_app = typer.Typer(cls=HelpGroup, help="Actions of a case.", no_args_is_help=True)
incident_app = typer.Typer(
    cls=HelpGroup, help="Analysts' verdicts on incidents.", no_args_is_help=True
)
for sub, name in (
    (db_app, "db"),
    (ceasefire_app, "ceasefire"),
    (party_app, "party"),
    (case_app, "case"),
    (action_app, "action"),
    (incident_app, "incident"),
):
    app.add_typer(sub, name=name)


@contextmanager
def system_at(db: str | None) -> Iterator[System]:
    """The system on the database, or a clear error (not initialised, behind, unreachable,
    or gone while the command ran)."""
    from sqlalchemy.exc import OperationalError

    from ..bootstrap import open_system
    from ..store.database import StoreError, reason

    try:
        system = open_system(db)
    except StoreError as exc:
        fail(str(exc))
    except Exception as exc:  # the driver's own errors: server down, no such database
        fail(f"cannot open the database: {reason(exc)}")
    try:
        yield system
    except OperationalError as exc:
        fail(f"the database failed: {reason(exc)}", 1)
    finally:
        system.db.dispose()


def print_events(events: list[ProtocolEvent], as_json: bool) -> None:
    from ..render import events_grid

    if as_json:
        for event in events:
            sys.stdout.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    if events:
        out.print(events_grid(events))


# -- set-up ---------------------------------------------------------------------------


@app.command()
def init(db: Db = None) -> None:
    """Create the database, or migrate it to this version's schema."""
    from ..services import setup
    from ..store.database import StoreError, reason

    try:
        url = setup.init(db)
    except StoreError as exc:
        fail(str(exc))
    except Exception as exc:  # the driver's own errors: server down, no permission
        fail(f"cannot initialise the database: {reason(exc)}")
    out.print(f"ready: {url}", markup=False)


@db_app.command("upgrade")
def db_upgrade(db: Db = None) -> None:
    """Migrate the schema to this version's."""
    init(db)


@ceasefire_app.command("add")
def ceasefire_add(
    path: Annotated[Path, typer.Argument(help="The ceasefire file.")], db: Db = None
) -> None:
    """Store a ceasefire; its engine runs over every report already stored."""
    from ..services import setup

    with system_at(db) as system:
        try:
            added = setup.add_ceasefire(system, path)
        except setup.SetupError as exc:
            fail(str(exc))
    if added.new:
        out.print(f"added {added.ceasefire} ({added.events} events from the stored reports)")
    else:
        out.print(f"{added.ceasefire} is stored already, with these terms")


@ceasefire_app.command("list")
def ceasefire_list(db: Db = None) -> None:
    """The stored ceasefires."""
    from ..store import queries
    from ..store.database import reading

    with system_at(db) as system, reading(system.db) as conn:
        for row in queries.ceasefires(conn):
            d = row["definition"]
            period = f"{d['effective_from']} .. {d.get('effective_until') or ''}"
            zone = "zone" if d.get("zone") else "no zone"
            out.print(
                f"{row['id']}  {row['name']}  parties {','.join(d['parties'])}  {period}  "
                f"{zone}  policy {row['policy_name']} v{row['policy_version']}",
                markup=False,
            )


@party_app.command("import")
def party_import(
    path: Annotated[Path, typer.Argument(help="YAML: a list of {code, name, roles}.")],
    db: Db = None,
) -> None:
    """Add or update parties of the stakeholder directory."""
    from ..services import setup

    try:
        parties = setup.read_parties(path)
    except setup.SetupError as exc:
        fail(str(exc))
    webhooks = webhook_targets()
    with system_at(db) as system:
        try:
            changed = setup.import_parties(system, parties, webhooks)
        except setup.SetupError as exc:
            fail(f"{path}: {exc}")
    out.print(f"{len(parties)} parties read, {changed} added or changed")


@party_app.command("list")
def party_list(db: Db = None) -> None:
    """The stakeholder directory."""
    from ..store import queries
    from ..store.database import reading

    with system_at(db) as system, reading(system.db) as conn:
        for row in queries.parties(conn):
            out.print(f"{row['code']:6} {row['name']}  {', '.join(row['roles'])}", markup=False)


# -- reports and the clock ------------------------------------------------------------


@app.command("ingest")
def ingest_command(
    files: Annotated[list[str], typer.Argument(help="JSONL or CSV files ('-' for stdin).")],
    trust_input: Annotated[
        bool, typer.Option("--trust-input", help="Treat every record as a verified incident.")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Also write rejected records here (JSONL).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Reports per transaction.")] = 2000,
    db: Db = None,
) -> None:
    """Validate, store and feed reports; exit 1 if any record was rejected."""
    from ..services import clock
    from ..services.ingest import ingest

    with system_at(db) as system, _progress() as bar:
        task = bar.add_task("ingesting", total=None)
        try:
            result = ingest(
                system,
                files,
                trusted=trust_input,
                batch_size=batch_size,
                received=clock.WallClock(),
                on_start=lambda total: bar.update(task, total=total),
                on_batch=lambda n: bar.advance(task, n),
            )
        except OSError as exc:
            fail(f"{exc.filename}: {exc.strerror or exc}")
    _report_rejections(result.rejected, rejects)
    if result.late:
        first = min(result.late, key=lambda r: r.arrival)
        err.print(
            f"{len(result.late)} report(s) arrived at an instant the store had already "
            f"taken (first: {first.id} at {iso_z(first.arrival)}): taken after what it "
            f"held, at its clock {iso_z(result.clock) if result.clock else '-'}",
            markup=False,
        )
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(result.events.items())) or "none"
    out.print(
        f"{result.accepted} reports stored, {result.already_stored} already stored, "
        f"{result.repeated} repeated in the input, {len(result.rejected)} rejected; "
        f"events: {kinds}",
        markup=False,
    )
    if result.rejected:
        raise typer.Exit(1)


def _progress() -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress(
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _report_rejections(rejected: list[Rejection], path: Path | None) -> None:
    for rejection in rejected:
        for error in rejection.errors:
            err.print(
                f"rejected {error.record}: field {error.field}: {error.message}", markup=False
            )
    if path is not None:
        with path.open("w", encoding="utf-8") as stream:
            for rejection in rejected:
                stream.write(json.dumps(rejection.to_dict(), ensure_ascii=False) + "\n")


@app.command("tick")
def tick_command(
    until: Annotated[str, typer.Option(help="Advance the stored clock to this time.")],
    as_json: Annotated[bool, typer.Option("--json", help="Events as JSON lines.")] = False,
    db: Db = None,
) -> None:
    """Advance the stored clock, firing every timer due by then (once, whoever else ticks).

    A time past the wall clock is allowed (a what-if database), with a warning."""
    from ..services import clock
    from ..timeline import tick_line

    stop = parse_instant(until)
    assert stop is not None
    wall = clock.WallClock().now()
    if stop > wall:
        err.print(
            f"warning: {iso_z(stop)} is past the wall clock ({iso_z(wall)}): this database's "
            "deadlines now run ahead of real time (a what-if database)",
            markup=False,
        )
    with system_at(db) as system:
        ticked = clock.advance_to(system, stop)
    if as_json:
        print_events([e for _, e in ticked.events], as_json)
    else:
        out.print(tick_line(ticked.start, ticked.end, [e for _, e in ticked.events]), markup=False)


@app.command("run")
def run_command(
    interval: Annotated[float, typer.Option(min=0.05, help="Seconds between ticks.")] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Events as JSON lines.")] = False,
    notify_parties: Annotated[
        bool, typer.Option("--notify/--no-notify", help="Send the outbox beside the clock.")
    ] = True,
    send_timeout: Annotated[
        float,
        typer.Option(min=0.1, help="Seconds a receiver has to connect and to answer each part."),
    ] = delivery.TIMEOUT,
    per_endpoint: Annotated[
        int, typer.Option(min=1, help="Messages sent at once to one webhook URL or SMTP server.")
    ] = delivery.PER_ENDPOINT,
    senders: Annotated[int, typer.Option(min=1, help="Messages sent at once in all.")] = (
        delivery.SENDERS
    ),
    smtp: Annotated[
        str | None,
        typer.Option("--smtp", envvar="CEASEWATCH_SMTP", help="SMTP server, smtp://host:port."),
    ] = None,
    mail_from: Annotated[
        str, typer.Option("--mail-from", envvar="CEASEWATCH_MAIL_FROM", help="Sender address.")
    ] = "ceasewatch@localhost",
    checkpoint_every: Annotated[
        int | None,
        typer.Option(min=1, help="Checkpoint the audit log each time it grows by N entries."),
    ] = None,
    checkpoint_hours: Annotated[
        float | None,
        typer.Option(min=0.001, help="Checkpoint it every H hours, if it grew."),
    ] = None,
    db: Db = None,
) -> None:
    """Live mode: keep the stored clock on the wall clock, firing timers as they fall due,
    and send the parties their notifications beside it (a slow receiver never holds the
    clock back); with --checkpoint-every or --checkpoint-hours, checkpoint the audit log
    for the parties to sign."""
    import signal

    from ..services import clock, notify, sender

    stopping = False
    sending: sender.Sender | None = None

    def stop(_signal: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping and sending is not None:
            sending.abandon()
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with system_at(db) as system:
        err.print(f"running on {system.db.url.render_as_string(hide_password=True)}; Ctrl-C stops")
        transport = notify.NetTransport(smtp, timeout=send_timeout, webhooks=webhook_targets())
        if notify_parties:
            sending = sender.Sender(
                system,
                transport,
                clock.WallClock(),
                per_endpoint=per_endpoint,
                senders=senders,
                mail_from=mail_from,
                on_failure=lambda error: err.print(f"notification: {error}", markup=False),
            )
            sending.start(poll=interval)
        try:
            clock.run(
                system,
                clock.WallClock(),
                interval=interval,
                keep_going=lambda: not stopping,
                on_events=lambda events: print_events([e for _, e in events], as_json),
                after_tick=lambda: _after_tick(system, sending, checkpoint_every, checkpoint_hours),
            )
        finally:
            left = sending.stop(grace=send_timeout + 2) if sending is not None else 0
            transport.close()
        if left:
            err.print(
                f"stopped with {left} notifications still being sent: their claims lapse "
                "within minutes and they go out again"
            )


def _after_tick(
    system: System, sending: Sender | None, every: int | None, hours: float | None
) -> None:
    from ..services import checkpoints
    from ..services.clock import WallClock

    if sending is not None:
        sending.wake()
    if every is None and hours is None:
        return
    try:
        made = checkpoints.periodic(system, WallClock().now(), every=every, hours=hours)
    except checkpoints.CheckpointError as exc:
        err.print(f"checkpoint: {exc}", markup=False)
        return
    if made is not None:
        c = made.checkpoint
        err.print(f"checkpoint {c.size}: root {c.checkpoint.root_b64}", markup=False)


@app.command("events")
def events_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="The replay contract's JSON lines.")
    ] = False,
    case: Annotated[str | None, typer.Option(help="Only this case's events.")] = None,
    since: Annotated[str | None, typer.Option(help="Only events at or after this time.")] = None,
    ceasefire: Annotated[str | None, typer.Option(help="Only this ceasefire's events.")] = None,
    db: Db = None,
) -> None:
    """The stored protocol events, in time order, as `replay` prints them."""
    from ..store import queries
    from ..store.database import reading

    start = parse_instant(since, "--since")
    with system_at(db) as system, reading(system.db) as conn:
        print_events(
            list(queries.events(conn, case=case, since=start, ceasefire=ceasefire)), as_json
        )


# -- cases ----------------------------------------------------------------------------


@app.command("cases")
def cases_command(
    open_only: Annotated[bool, typer.Option("--open", help="Only open cases.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: Db = None,
) -> None:
    """The cases, oldest first, each with its next deadline as of the stored clock."""
    from ..render import cases_table
    from ..store import queries
    from ..store.database import reading

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
    from ..render import stored_case_panel
    from ..store import queries
    from ..store.database import reading

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
    from ..render import Sheet, clock_time
    from ..store import queries
    from ..store.database import reading

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
