"""The web dashboard: server-rendered pages over the same services as the API.

`mount(app)` adds the pages, their static files (Leaflet vendored, no CDN) and the
session-authenticated event stream to the app `ceasewatch.app` composes (the API beside
them, neither importing the other). See docs/web.md.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from .access import SignInNeeded, WebError, login_url, visitor
from .mapindex import MapIndex
from .routes import cases, maps, queue, reports, signin, stream
from .sessions import Sessions
from .settings import WebSettings, from_env
from .templating import render, templates

STATIC = Path(__file__).parent / "static"
PAGES = ("/login", "/logout", "/map", "/cases", "/queue", "/reports", "/geo", "/stream", "/static")


def is_page(request: Request) -> bool:
    """Whether the request is for one of the dashboard's pages (not the data its scripts
    fetch)."""
    path = request.url.path
    return (path == "/" or path.startswith(PAGES)) and not path.startswith("/map/data")


def unavailable(request: Request, retry_after: int) -> Response:
    """The page for when the database cannot be reached: it needs nothing from it (not
    even who is signed in), and reloads itself."""
    return templates.TemplateResponse(
        request,
        "unavailable.html",
        {"retry_after": retry_after},
        status_code=503,
        headers={"Retry-After": str(retry_after)},
    )


def content_policy(settings: WebSettings) -> str:
    """Only this origin (and the tile server, if one is configured) for anything."""
    images = "'self' data:"
    if settings.tile_url:
        parts = urlsplit(settings.tile_url)
        images += f" {parts.scheme}://{re.sub(r'[{][^}]*[}]', '*', parts.netloc)}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src {images}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


def mount(app: FastAPI, settings: WebSettings | None = None) -> None:
    settings = settings or from_env()
    app.state.web_settings = settings
    app.state.web_sessions = Sessions(settings)
    app.state.map_index = MapIndex()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (signin, maps, cases, queue, reports, stream):
        app.include_router(module.router, include_in_schema=False)
    policy = content_policy(settings)

    @app.exception_handler(SignInNeeded)
    async def _sign_in(_request: Request, exc: SignInNeeded) -> Response:
        return RedirectResponse(login_url(exc.next_url), 303)

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        if request.url.path.startswith("/map/data"):
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        return render(
            request, "error.html", visitor(request), status_code=exc.status, message=exc.message
        )

    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if request.url.path == "/" or request.url.path.startswith(PAGES):
            response.headers.setdefault("Content-Security-Policy", policy)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
