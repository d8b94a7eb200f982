"""`ceasewatch token`: make, list and revoke API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from ..roles import UserRole, listed
from . import app
from .common import Db, HelpGroup, err, fail, out, system_at

token_app = typer.Typer(
    cls=HelpGroup, help="API tokens (stored only as SHA-256 digests).", no_args_is_help=True
)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    role: Annotated[
        str,
        typer.Option(
            metavar="ROLE", help=f"What the token may do: {listed()}.", show_default=False
        ),
    ],
    name: Annotated[str, typer.Option(help="A name for it, to list and revoke it by.")],
    party: Annotated[
        str | None,
        typer.Option(help="The party a decision maker decides for (its code in the directory)."),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="A source of the registry a reporter reports as (repeat for several); "
            "its reports take their kind and grades from the registry.",
        ),
    ] = None,
    expires: Annotated[
        str | None,
        typer.Option(help="How long it works, e.g. 90d or 12h (default: until revoked)."),
    ] = None,
    db: Db = None,
) -> None:
    """Make a token; it is printed once, alone on the last line, and never stored."""
    from ..services import tokens
    from ..services.clock import WallClock

    try:
        held = UserRole(role)
    except ValueError:
        fail(f"--role {role!r}: the roles are {listed()}")
    lifetime = _lifetime(expires)
    with system_at(db) as system:
        try:
            token = tokens.create(
                system,
                name=name,
                role=held,
                party=party,
                now=WallClock().now(),
                sources=source or (),
                expires=lifetime,
            )
        except tokens.TokenError as exc:
            fail(str(exc))
    bound = f" for {party}" if party else (f" as {', '.join(source)}" if source else "")
    until = f", expires in {expires}" if expires else ""
    err.print(f"token {name} ({role}{bound}{until}); keep it secret:", markup=False)
    print(token)


def _lifetime(text: str | None) -> timedelta | None:
    if text is None:
        return None
    from ..domain.durations import parse_duration

    try:
        value = parse_duration(text)
    except ValueError as exc:
        fail(f"--expires: {exc}")
    assert isinstance(value, timedelta)
    return value


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument()], db: Db = None) -> None:
    """Revoke a token: every request with it is refused from now on."""
    from ..services import tokens
    from ..services.clock import WallClock

    with system_at(db) as system:
        try:
            tokens.revoke(system, name, WallClock().now())
        except tokens.TokenError as exc:
            fail(str(exc), 1)
    out.print(f"revoked {name}")


@token_app.command("list")
def token_list(db: Db = None) -> None:
    """The tokens: name, role, party or sources, created, and whether each still works."""
    from ..services import tokens
    from ..services.clock import WallClock
    from .tables import Fitted, Sheet, Stamps

    now = WallClock().now()
    with system_at(db) as system:
        rows = tokens.listed(system)
    if not rows:
        out.print("no tokens")
        return

    def build(stamps: Stamps) -> Sheet:
        sheet = Sheet(stamps.titled("Tokens"), ["name", "role", "for", "created", "state"])
        for row in rows:
            if row["revoked_at"]:
                state = f"revoked {stamps(row['revoked_at'])}"
            elif row["expires_at"] and row["expires_at"] <= now:
                state = f"expired {stamps(row['expires_at'])}"
            elif row["expires_at"]:
                state = f"live, expires {stamps(row['expires_at'])}"
            else:
                state = "live, never expires"
            bound = row["party"] or ", ".join(row["sources"]) or "—"
            sheet.add(row["name"], row["role"], bound, stamps(row["created_at"]), state)
        return sheet

    instants = (r[k] for r in rows for k in ("created_at", "expires_at", "revoked_at"))
    out.print(Fitted(build, instants))
