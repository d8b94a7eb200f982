"""Reports in and the stored clock: ingest, tick, run (live mode) and the events they made."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from ..domain.events import iso_z
from ..services import delivery
from . import app
from .common import (
    Db,
    MailFrom,
    Smtp,
    err,
    fail,
    out,
    parse_instant,
    print_events,
    report_rejections,
    system_at,
    webhook_targets,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from ..services.sender import Sender
    from ..services.system import System


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
    report_rejections(result.rejected, rejects)
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
def run_live(
    interval: Annotated[float, typer.Option(min=0.05, help="Seconds between ticks.")] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Events as JSON lines.")] = False,
    notify_parties: Annotated[
        bool, typer.Option("--notify/--no-notify", help="Send the outbox beside the clock.")
    ] = True,
    send_timeout: Annotated[
        float,
        typer.Option(
            min=0.1,
            help=(
                "Seconds a receiver has to connect and to answer each part "
                f"({delivery.WHOLE_EXCHANGE} times that in all)."
            ),
        ),
    ] = delivery.TIMEOUT,
    per_endpoint: Annotated[
        int, typer.Option(min=1, help="Messages sent at once to one webhook URL or SMTP server.")
    ] = delivery.PER_ENDPOINT,
    senders: Annotated[int, typer.Option(min=1, help="Messages sent at once in all.")] = (
        delivery.SENDERS
    ),
    smtp: Smtp = None,
    mail_from: MailFrom = "ceasewatch@localhost",
    checkpoint_every: Annotated[
        int | None,
        typer.Option(min=1, help="Checkpoint the audit log each time it grows by N entries."),
    ] = None,
    checkpoint_hours: Annotated[
        float | None,
        typer.Option(min=0.001, help="Checkpoint it every H hours, if it grew."),
    ] = None,
    catch_up: Annotated[
        str,
        typer.Option(
            "--catch-up",
            help="How far behind the wall clock the stored clock may be for run to move it "
            "there when it starts (further: it waits for `tick --until`); `any`: however far.",
        ),
    ] = "1h",
    db: Db = None,
) -> None:
    """Live mode: keep the stored clock on the wall clock, firing timers as they fall due,
    and send the parties their notifications beside it (a slow receiver never holds the
    clock back); with --checkpoint-every or --checkpoint-hours, checkpoint the audit log
    for the parties to sign."""
    import signal

    from ..notify.net import NetTransport
    from ..services import clock, sender

    stopping = False
    sending: sender.Sender | None = None

    def stop(_signal: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping and sending is not None:
            sending.abandon()
        stopping = True

    limit = _catch_up(catch_up)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with system_at(db) as system:
        err.print(f"running on {system.db.url.render_as_string(hide_password=True)}; Ctrl-C stops")
        transport = NetTransport(smtp, timeout=send_timeout, webhooks=webhook_targets())
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

            def say(words: str) -> None:
                err.print(f"clock: {words}", markup=False)

            clock.run(
                system,
                clock.WallClock(),
                interval=interval,
                keep_going=lambda: not stopping,
                on_events=lambda events: print_events([e for _, e in events], as_json),
                after_tick=lambda: _after_tick(system, sending, checkpoint_every, checkpoint_hours),
                on_failure=say,
                pace=clock.Pace(limit, say=say),
            )
        finally:
            left = sending.stop(grace=send_timeout + 2) if sending is not None else 0
            transport.close()
        if left:
            err.print(
                f"stopped with {left} notifications still being sent: their claims lapse "
                "within minutes and they go out again"
            )


def _catch_up(text: str) -> timedelta | None:
    """`--catch-up`'s limit (None: `any`), or a clear error."""
    from ..domain.durations import parse_duration

    if text.strip().lower() == "any":
        return None
    try:
        limit: timedelta = parse_duration(text)
    except ValueError as exc:
        fail(f"--catch-up: {exc} (or any)")
    return limit


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
    from ..services.reads import events

    start = parse_instant(since, "--since")
    with system_at(db) as system:
        stored = list(events.in_time_order(system, case=case, since=start, ceasefire=ceasefire))
    print_events(stored, as_json)
