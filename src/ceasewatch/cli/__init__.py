"""The command line: the front door. Thin: each command parses, calls services and prints.

One module per group of commands; each registers itself on `app` when imported here.
"""

from __future__ import annotations

import typer

from .. import __version__
from .common import out

app = typer.Typer(
    help="ceasewatch: verified incidents, the three-phase response protocol, and its deadlines.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def version() -> None:
    """Print the version."""
    out.print(f"ceasewatch {__version__}")


# each module registers its commands on `app`
from . import (  # noqa: E402
    audit,
    data,
    keys,
    mirror,
    outbox,
    policy,
    replay,
    serve,
    simulate,
    snapshot,
    sources,
    store,
    tokens,
)

__all__ = [
    "app",
    "audit",
    "data",
    "keys",
    "mirror",
    "outbox",
    "policy",
    "replay",
    "serve",
    "simulate",
    "snapshot",
    "sources",
    "store",
    "tokens",
]
