"""What every command shares: the consoles, failing with a message, parsing instants, the
webhook targets the environment allows."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console

from ..domain.instants import Instant
from ..services.webhook_targets import WebhookTargets

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_instant: TypeAdapter[datetime] = TypeAdapter(Instant)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/bold red] {message}", markup=True)
    raise typer.Exit(code)


def webhook_targets() -> WebhookTargets:
    """`CEASEWATCH_WEBHOOK_ALLOW`'s targets, or a clear error when it cannot be read."""
    try:
        return WebhookTargets.from_env()
    except ValueError as exc:
        fail(str(exc))


def parse_instant(text: str | None, option: str = "--until") -> datetime | None:
    if text is None:
        return None
    try:
        return _instant.validate_python(text)
    except ValidationError as exc:
        [problem] = exc.errors(include_url=False)
        why = problem["msg"].removeprefix("Value error, ")
        fail(f"{option} {text!r}: {why} (an ISO 8601 time with a zone: 2026-03-10T00:00:00Z)")
