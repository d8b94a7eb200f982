"""The ASGI app: the API and the web dashboard side by side on one FastAPI app.

Neither knows of the other: each adds its routes to the app composed here, which holds
what both read (the system and the clock), answers errors as JSON, and limits bodies.
`ceasewatch serve` runs `create_from_env` in each worker (uvicorn's `--factory`).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response

from .api.app import OPENAPI
from .api.app import install as install_api
from .api.settings import ApiSettings
from .httpkit import errors
from .httpkit.stream import OpenStreams
from .services import writer
from .services.clock import Clock, SteadyClock
from .services.system import UNREACHABLE, System, open_system
from .web import is_page, unavailable
from .web import mount as mount_web
from .web.settings import WebSettings

BODY_LIMIT = 32 * 1024 * 1024
"""Bytes: room for a batch of 10,000 reports with long texts."""
RETRY_AFTER = 10
"""Seconds a client is told to wait before it tries again then."""

log = logging.getLogger("ceasewatch.clock")


def create_app(
    system: System,
    *,
    clock: Clock | None = None,
    body_limit: int = BODY_LIMIT,
    web: WebSettings | None = None,
    settings: ApiSettings | None = None,
) -> FastAPI:
    """The API under /api/v1 and the web dashboard (`settings` and `web`, else
    from the environment: see `ceasewatch.api.settings` and `ceasewatch.web.settings`).

    `clock`: the host's wall clock held to the time that passes, by default: a report
    received without `reported_at` was reported when received, so a host clock set days
    ahead would otherwise stamp it days ahead and move the stored clock there."""
    app = FastAPI(**OPENAPI)
    app.state.system = system
    app.state.clock = clock or SteadyClock(say=log.error)
    app.state.streams = OpenStreams()
    errors.install(app)
    install_api(app, settings)
    mount_web(app, web)
    for away in UNREACHABLE:
        app.add_exception_handler(away, _database_away)
    app.add_middleware(errors.BodyLimit, limit=body_limit)
    return app


async def _database_away(request: Request, _exc: Exception) -> Response:
    """503 with `Retry-After`, not a 500: nothing was taken, nothing is wrong with what
    was sent, and a client that tries again later succeeds. A page says so in HTML."""
    if is_page(request):
        return unavailable(request, RETRY_AFTER)
    message = "the database cannot be reached: nothing was taken; try again shortly"
    return errors.answer(errors.ApiError(503, message, headers={"Retry-After": str(RETRY_AFTER)}))


def create_from_env() -> FastAPI:
    """For `uvicorn --factory` and each worker of `ceasewatch serve --workers N`."""
    if writer.Address.from_env() is not None:  # a worker of `serve --workers N`
        writer.exit_with_parent()
    return create_app(open_system(serving=True))
