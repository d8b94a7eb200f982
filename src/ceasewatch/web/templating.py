"""Jinja2 for the pages: the templates, their filters, and what every page is given."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from ..domain.durations import span
from ..domain.events import iso_z
from ..services.lag import ClockLag, clock_lag
from ..services.tokens import UserRole
from .access import ANALYSTS, EVERYONE, REPORTERS, Visitor
from .settings import WebSettings

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
"""Autoescaping HTML (Starlette turns it on for .html templates)."""

NAV: list[tuple[str, str, tuple[UserRole, ...]]] = [
    ("/cases", "Cases", EVERYONE),
    ("/map", "Map", EVERYONE),
    ("/queue", "Verification queue", ANALYSTS),
    ("/reports/new", "New report", REPORTERS),
]


def when(value: datetime | str | None) -> str:
    """A time as people read it on the board: `2026-03-05 09:30 UTC`."""
    if not value:  # None, or a field the record leaves out (Jinja's Undefined)
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(value: datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return iso_z(value)


def label(value: str | None) -> str:
    """`broad_attack` -> `broad attack`."""
    return value.replace("_", " ") if value else ""


templates.env.filters.update(when=when, iso=iso, label=label, span=span)


def clock_of(request: Request) -> ClockLag:
    """The stored clock beside the wall clock, read once a request: pages count deadlines
    against the stored clock, and say when it lags."""
    found: ClockLag | None = getattr(request.state, "clock_lag", None)
    if found is None:
        found = clock_lag(request.app.state.system, request.app.state.clock)
        request.state.clock_lag = found
    return found


def render(
    request: Request,
    name: str,
    who: Visitor | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    settings: WebSettings = request.app.state.web_settings
    clock = clock_of(request)
    base = {
        "who": who,
        "csrf": who.session.csrf if who else context.pop("csrf", ""),
        "nav": [(href, text) for href, text, roles in NAV if who and who.role in roles],
        "path": request.url.path,
        "now": clock.now,
        "clock": clock,
        "settings": settings,
    }
    response: Response = templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code
    )
    return response
