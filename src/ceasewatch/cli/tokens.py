"""`ceasewatch token`: make, list and revoke API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from ..render import when
from ..services import tokens
from ..services.clock import WallClock
from . import app
from .common import err, fail, out
from .store import Db, system_at

token_app = typer.Typer(help="API tokens (stored only as SHA-256 digests).", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    role: Annotated[tokens.UserRole, typer.Option(help="What the token may do.")],
    name: Annotated[str, typer.Option(help="A name for it, to list and revoke it by.")],
    party: Annotated[
        str | None, typer.Option(help="The party a decision maker decides for.")
    ] = None,
    db: Db = None,
) -> None:
    """Make a token; it is printed once, alone on the last line, and never stored."""
    with system_at(db) as system:
        try:
            token = tokens.create(system, name=name, role=role, party=party, now=WallClock().now())
        except tokens.TokenError as exc:
            fail(str(exc))
    err.print(f"token {name} ({role.value}{' for ' + party if party else ''}); keep it secret:")
    print(token)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument()], db: Db = None) -> None:
    """Revoke a token: every request with it is refused from now on."""
    with system_at(db) as system:
        try:
            tokens.revoke(system, name, WallClock().now())
        except tokens.TokenError as exc:
            fail(str(exc), 1)
    out.print(f"revoked {name}")


@token_app.command("list")
def token_list(db: Db = None) -> None:
    """The tokens: name, role, party, created, revoked."""
    with system_at(db) as system:
        for row in tokens.listed(system):
            revoked = f"revoked {when(row['revoked_at'])}" if row["revoked_at"] else "live"
            out.print(
                f"{row['name']:20} {row['role']:15} {row['party'] or '-':5} "
                f"created {when(row['created_at'])}  {revoked}",
                markup=False,
            )
