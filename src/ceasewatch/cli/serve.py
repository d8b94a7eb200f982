"""`ceasewatch serve`: the HTTP API and the web dashboard, with uvicorn."""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Annotated

import typer

from ..services.location import DB_ENV_VAR
from . import app
from .common import Db, fail, system_at


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    db: Db = None,
) -> None:
    """Serve the web dashboard (sign in at /login) and the API (OpenAPI at /openapi.json)."""
    from ..api.settings import ApiSettings

    try:
        ApiSettings.from_env()  # fail now, clearly, if a setting cannot be read
    except ValueError as exc:
        fail(str(exc))
    with system_at(db):
        pass  # ... or if the database is not ready
    check_port(host, port)  # ... or if the port is taken
    if db is not None:
        os.environ[DB_ENV_VAR] = db
    import uvicorn

    with writer_process(db) if workers > 1 else nullcontext():
        uvicorn.run(
            "ceasewatch.app:create_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )


@contextmanager
def writer_process(db: str | None) -> Iterator[None]:
    """The one process that stores the workers' reports (`services/writer.py`), started
    before them and told to them through the environment; stopped after them."""
    import multiprocessing

    from ..services import writer

    address = writer.Address.new()
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Event()
    process = spawn.Process(
        target=writer.run, args=(db, address, ready), name="ceasewatch-writer", daemon=True
    )
    process.start()
    try:
        while not ready.wait(0.2):
            if not process.is_alive():
                fail("the writer process did not start (see its error above)", 1)
        os.environ.update(address.env())
        yield
    finally:
        process.terminate()
        process.join(10)
        address.remove()


def check_port(host: str, port: int) -> None:
    """Bind the address as uvicorn will, and let it go; fail in one line if it cannot be
    had. Uvicorn itself finds a taken port only after its application has started up,
    and says so in a log record among others."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(
                    f"port {port} is in use: something already listens on {host}:{port} "
                    "(stop it, or serve on another --port)",
                    1,
                )
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", 1)
