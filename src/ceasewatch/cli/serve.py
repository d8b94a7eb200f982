"""`ceasewatch serve`: the HTTP API and the web dashboard, with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from ..api.settings import ApiSettings
from ..store import database
from . import app
from .common import fail
from .store import Db, system_at


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    db: Db = None,
) -> None:
    """Serve the web dashboard (sign in at /login) and the API (OpenAPI at /openapi.json)."""
    try:
        ApiSettings.from_env()  # fail now, clearly, if a setting cannot be read
    except ValueError as exc:
        fail(str(exc))
    with system_at(db):
        pass  # ... or if the database is not ready
    if db is not None:
        os.environ[database.ENV_VAR] = db
    uvicorn.run(
        "ceasewatch.api.app:create_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
