"""Jinja2 for the pages: the templates, their filters, and what every page is given."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response

from ..domain.durations import span
from ..domain.events import ProtocolEvent, iso_z
from ..domain.printable import bidi_closed
from ..services.clock import ahead_of_time
from ..services.lag import ClockLag, clock_lag
from ..services.tokens import UserRole
from ..timeline import STAMP, describe, fold_reminders
from .access import ANALYSTS, EVERYONE, REPORTERS, Visitor
from .settings import WebSettings

HERE = Path(__file__).parent


def closed(value: Any) -> Any:
    """Each value a page shows, with the bidirectional overrides it opens closed at its
    end (`domain.printable.bidi_closed`): what a reporter or an analyst wrote cannot
    reorder the rest of the line it is shown in."""
    if isinstance(value, str):
        shown = bidi_closed(value)
        if shown is not value:
            return Markup(shown) if isinstance(value, Markup) else shown
    return value


templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(),
        finalize=closed,
    )
)
"""Autoescaping HTML, each value shown `closed`."""

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


def told(event: ProtocolEvent, ceasefire: str) -> Markup:
    """An event in words (`timeline.describe`, as the command line says it), each incident
    it names a link to its panel; an instant or a span of time it holds kept on one line."""
    text = str(escape(describe(event)))
    text = STAMP.sub(lambda m: f'<span class="stamp">{m.group(0)}</span>', text)
    named = sorted({str(escape(event.details[k])) for k in INCIDENTS if event.details.get(k)})
    if named:
        ids = re.compile(rf"(?<![\w-])({'|'.join(map(re.escape, named))})(?![\w-])")
        place = escape(ceasefire)
        text = ids.sub(
            lambda m: f'<a href="/map/incidents/{place}:{m[1]}" data-panel>{m[1]}</a>', text
        )
    return Markup(text)


INCIDENTS = ("incident", "breach", "into")
"""The details of an event that name an incident."""


def verification(incident: dict[str, Any]) -> str:
    """How an incident was verified, in words: `by corroboration`, `by analyst ann`, `by a
    monitor's graded report (omm-3, A1)`, `by trusted input`."""
    how, by = incident.get("verified_how"), incident.get("verified_by")
    if how == "corroboration":
        return "by corroboration"
    if how == "graded_report":
        graded = [r for r in incident.get("records", ()) if r.get("source") == by]
        if not graded:
            return f"by a graded report from {by}"
        best = min(graded, key=lambda r: f"{r.get('reliability', 'F')}{r.get('credibility', 6)}")
        kind = best.get("source_kind") or "source"
        grade = f"{best.get('reliability', 'F')}{best.get('credibility', 6)}"
        return (
            f"by a{'n' if kind[0] in 'aeiou' else ''} {label(kind)}'s graded report ({by}, {grade})"
        )
    if how == "analyst":
        return f"by analyst {by}"
    if how == "trusted_input":
        return "by trusted input"
    return f"by {by}" if by else "by the corroboration rule"


templates.env.filters.update(
    when=when,
    iso=iso,
    label=label,
    span=span,
    verification=verification,
    told=told,
    fold_reminders=fold_reminders,
)


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
        "host_ahead": ahead_of_time(request.app.state.clock),
        "settings": settings,
    }
    response: Response = templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code
    )
    return response
