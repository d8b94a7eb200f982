"""The HTTP API: FastAPI routers over the services, every route behind a role.

`install(app)` adds the API to the app `ceasewatch.app.create_app` composes (the web
dashboard beside it); `OPENAPI` is what the app says of itself in /openapi.json."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from .. import __version__
from ..httpkit import errors
from ..services import writer
from .routes import (
    audit,
    cases,
    directory,
    events,
    health,
    incidents,
    journal,
    keys,
    outbox,
    reports,
    sources,
)
from .routes import clock as clock_route
from .settings import ApiSettings

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": errors.ErrorBody, "description": description}
    for status, description in (
        (400, "The body is not JSON."),
        (401, "No token, or one unknown, revoked or expired."),
        (403, "The token's role or party may not do this."),
        (404, "No such record."),
        (409, "The protocol does not allow this now (say why)."),
        (413, "The body or batch is too large."),
        (422, "Bad input: each bad field named."),
        (503, "The database cannot be reached."),
    )
}

SWAGGER = "/static/vendor/swagger-ui"
"""Swagger UI's files, vendored from npm by scripts/vendor_web.py."""

OPENAPI: dict[str, Any] = {
    "title": "ceasewatch",
    "version": __version__,
    "description": (
        "Verified incidents, the three-phase response protocol, its deadlines and "
        "decisions, and a hash-chained audit log. Every route but /healthz takes a "
        "bearer token (`ceasewatch token create`)."
    ),
    "docs_url": None,
    "redoc_url": None,
}


def install(app: FastAPI, settings: ApiSettings | None = None) -> None:
    """The API under /api/v1, /healthz, /metrics and /docs, on an app whose state holds
    the system and the clock (`settings`, else from the environment: see
    `ceasewatch.api.settings`)."""
    app.state.settings = settings or ApiSettings.from_env()
    app.state.submitter = writer.submitter(app.state.system)
    if isinstance(app.state.submitter, writer.Handoff):  # a worker: the writer holds the engines
        app.state.system.hand_off = app.state.submitter.call
    for module in (
        reports,
        incidents,
        cases,
        directory,
        sources,
        audit,
        keys,
        journal,
        events,
        outbox,
        clock_route,
    ):
        app.include_router(module.router, prefix="/api/v1", responses=ERRORS)
    app.include_router(health.router, responses=ERRORS)

    @app.exception_handler(writer.Unavailable)
    async def _writer_gone(_request: Request, exc: writer.Unavailable) -> Response:
        """The writer process stopped while it had a write of this worker's in hand."""
        return errors.answer(errors.ApiError(503, str(exc)))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """The interactive docs, with Swagger UI served by the app itself (no CDN)."""
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="ceasewatch API",
            swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
        )

    @app.middleware("http")
    async def count(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        began = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        health.REQUESTS.labels(request.method, path, str(response.status_code)).inc()
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - began) * 1000:.1f}"
        return response
