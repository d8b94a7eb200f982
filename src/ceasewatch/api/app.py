"""The HTTP API: FastAPI over the services, every route behind a role."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from .. import __version__
from ..services.system import System, open_system
from ..services.clock import Clock, WallClock
from ..services.submit import GroupCommit
from ..web import mount as mount_web
from ..web.settings import WebSettings
from . import errors
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

BODY_LIMIT = 32 * 1024 * 1024
"""Bytes: room for a batch of 10,000 reports with long texts."""


def create_app(
    system: System,
    *,
    clock: Clock | None = None,
    body_limit: int = BODY_LIMIT,
    web: WebSettings | None = None,
    settings: ApiSettings | None = None,
) -> FastAPI:
    """The API under /api/v1, and the web dashboard (`settings` and `web`, else from the
    environment: see `ceasewatch.api.settings` and `ceasewatch.web.settings`)."""
    app = FastAPI(
        title="ceasewatch",
        version=__version__,
        description=(
            "Verified incidents, the three-phase response protocol, its deadlines and "
            "decisions, and a hash-chained audit log. Every route but /healthz takes a "
            "bearer token (`ceasewatch token create`)."
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.system = system
    app.state.clock = clock or WallClock()
    app.state.settings = settings or ApiSettings.from_env()
    app.state.submitter = GroupCommit(system)
    errors.install(app)
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
    mount_web(app, web)

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

    app.add_middleware(errors.BodyLimit, limit=body_limit)
    return app


def create_from_env() -> FastAPI:
    """For `uvicorn --factory` and each worker of `ceasewatch serve --workers N`."""
    return create_app(open_system())
