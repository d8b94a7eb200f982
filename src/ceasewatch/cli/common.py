"""What every command shares: the consoles, failing with a message, parsing instants, the
webhook targets the environment allows.

The command modules are imported for every command, `--help` included, so they import
only Typer, Rich and what their signatures name; a command imports what it works with
in its body (tests/e2e/test_startup.py keeps it so).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

if TYPE_CHECKING:
    from ..services.webhook_targets import WebhookTargets

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


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

    try:
        return TypeAdapter(Instant).validate_python(text)
    except ValidationError as exc:
        [problem] = exc.errors(include_url=False)
        why = problem["msg"].removeprefix("Value error, ")
        fail(f"{option} {text!r}: {why} (an ISO 8601 time with a zone: 2026-03-10T00:00:00Z)")
