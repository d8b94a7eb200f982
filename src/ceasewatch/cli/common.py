"""What every command shares: the consoles (which print no character that would steer a
terminal), the --db and --at options, opening the store, printing events and rejections,
failing with a message, parsing instants, the webhook targets the environment allows.

The command modules are imported for every command, `--help` included, so they import
only Typer, Rich and what their signatures name; a command imports what it works with
in its body (tests/e2e/test_startup.py keeps it so).
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO, cast

import typer
from rich.console import Console, ConsoleOptions, RenderableType
from rich.markup import escape
from rich.segment import Segment
from rich.text import Text
from typer.core import TyperGroup

from ..domain.printable import printable
from ..services.location import DB_ENV_VAR

if TYPE_CHECKING:
    from ..domain.events import ProtocolEvent
    from ..domain.reports import Rejection
    from ..services.system import System
    from ..services.webhook_targets import WebhookTargets


class Terminal(Console):
    """A console that prints each character that is not printable (`domain.printable`) as
    its escape, but line breaks: the names, notes and messages it shows came from
    reporters, analysts and peers, and none of them may clear an operator's screen, move
    back over a line already shown and rewrite it, or hide what follows. Rich's own styles
    and controls are not text, and pass."""

    def render_str(self, text: str, **how: Any) -> Text:
        """Text escaped before it is measured, so that it is laid out as it is shown."""
        return super().render_str(shown(text), **how)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            text = segment.text
            if segment.control or text.isprintable() or text == "\n":
                yield segment
            else:
                yield Segment(shown(text), segment.style)


def shown(text: str) -> str:
    """The text as a terminal may be given it: `printable`, line breaks kept."""
    return printable(text, keep="\n")


class _Escaping(io.TextIOBase):
    """A terminal's standard output that writes what is not printable as escapes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(shown(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


def document_out() -> TextIO:
    """Where a document (CSV, GeoJSON, Markdown) goes when no file is named: standard
    output as it is, but on a terminal, where each character that is not printable but a
    line break is written as its escape, as `Terminal` does (and `ls` with a file's
    name): the document's text came from reporters."""
    if not sys.stdout.isatty():
        return sys.stdout
    return cast(TextIO, _Escaping(sys.stdout))


out = Terminal(highlight=False, soft_wrap=True)
err = Terminal(stderr=True, highlight=False, soft_wrap=True)

Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=DB_ENV_VAR,
        help="Database URL (sqlite:///file.db or postgresql://user@host:port/db).",
        show_default="sqlite:///ceasewatch.db",
    ),
]


def _smtp_server(url: str | None) -> str | None:
    """--smtp checked when the command starts, not when the first mail falls due."""
    if url:
        from ..notify.smtp import SmtpServer

        try:
            SmtpServer.parse(url)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return url


Smtp = Annotated[
    str | None,
    typer.Option(
        "--smtp",
        envvar="CEASEWATCH_SMTP",
        callback=_smtp_server,
        help="SMTP server: smtp://host:port, or over TLS smtp+starttls://user:password@host:port"
        " or smtps://...",
    ),
]
MailFrom = Annotated[
    str, typer.Option("--mail-from", envvar="CEASEWATCH_MAIL_FROM", help="Sender address.")
]
At = Annotated[str | None, typer.Option("--at", help="When (ISO 8601); default: the stored clock.")]


class HelpGroup(TyperGroup):
    """Click's plain help, but each command listed with its whole first sentence, wrapped
    (Click cuts it at the end of the line)."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:  # Click's, vendored by Typer
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def complain(message: str) -> None:
    """One `error: ...` line on stderr; the command goes on."""
    err.print(f"[bold red]error:[/bold red] {escape(message)}", markup=True)


def fail(message: str, code: int = 2) -> NoReturn:
    complain(message)
    raise typer.Exit(code)


def webhook_targets() -> WebhookTargets:
    """`CEASEWATCH_WEBHOOK_ALLOW`'s targets, or a clear error when it cannot be read."""
    from ..services.webhook_targets import WebhookTargets

    try:
        return WebhookTargets.from_env()
    except ValueError as exc:
        fail(str(exc))


def parse_instant(text: str | None, option: str = "--until") -> datetime | None:
    if text is None:
        return None
    from pydantic import TypeAdapter, ValidationError

    from ..domain.instants import Instant
    from ..domain.problems import problems_in

    try:
        return TypeAdapter(Instant).validate_python(text)
    except ValidationError as exc:
        [problem] = problems_in(exc)
        why = problem.message
        fail(f"{option} {text!r}: {why} (an ISO 8601 time with a zone: 2026-03-10T00:00:00Z)")


@contextmanager
def system_at(db: str | None) -> Iterator[System]:
    """The system on the database, or a clear error (not initialised, behind, unreachable,
    or gone while the command ran)."""
    from ..services.system import UNREACHABLE, StoreError, open_system, reason

    try:
        system = open_system(db)
    except StoreError as exc:
        fail(str(exc))
    except Exception as exc:  # the driver's own errors: server down, no such database
        fail(f"cannot open the database: {reason(exc)}")
    try:
        yield system
    except UNREACHABLE as exc:
        fail(f"the database failed: {reason(exc)}", 1)
    finally:
        system.db.dispose()


def print_events(events: list[ProtocolEvent], as_json: bool) -> None:
    from .panels import events_grid

    if as_json:
        for event in events:
            sys.stdout.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    if events:
        out.print(events_grid(events))


def report_rejections(rejected: list[Rejection], path: Path | None) -> None:
    for rejection in rejected:
        for error in rejection.errors:
            err.print(
                f"rejected {error.record}: field {error.field}: {error.message}", markup=False
            )
    if path is not None:
        with path.open("w", encoding="utf-8") as stream:
            for rejection in rejected:
                stream.write(json.dumps(rejection.to_dict(), ensure_ascii=False) + "\n")
