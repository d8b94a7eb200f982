"""The command line: the front door. Thin: each command parses, calls services and prints.

One module per group of commands; each registers itself on `app` when imported here.
Every command's module is imported for any command, `--help` too, so each imports at
its top only Typer, Rich and what its signatures name, and in a command's body what
the command works with (see `common`).

Help is Click's plain text, not Rich's panels: rendering them imports Markdown, syntax
highlighting and Rich's tracebacks (about as long as Typer and Rich take to import), and
usage errors come out as one line.
"""

from __future__ import annotations

import typer

from .. import __version__
from .common import HelpGroup, out

app = typer.Typer(
    cls=HelpGroup,
    help="ceasewatch: verified incidents, the three-phase response protocol, and its deadlines.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.command()
def version() -> None:
    """Print the version."""
    out.print(f"ceasewatch {__version__}")


# each module registers its commands on `app`, in the order `--help` lists them
from . import setup, clock, cases  # noqa: E402, I001
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
    tokens,
)

__all__ = [
    "app",
    "audit",
    "cases",
    "clock",
    "data",
    "keys",
    "mirror",
    "outbox",
    "policy",
    "replay",
    "serve",
    "setup",
    "simulate",
    "snapshot",
    "sources",
    "tokens",
]
