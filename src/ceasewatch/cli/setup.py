"""Setting up the store: the database, its ceasefires and the stakeholder directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import app
from .common import Db, HelpGroup, fail, out, system_at, webhook_targets

db_app = typer.Typer(cls=HelpGroup, help="The database schema.", no_args_is_help=True)
ceasefire_app = typer.Typer(
    cls=HelpGroup, help="Ceasefires the store weighs reports against.", no_args_is_help=True
)
party_app = typer.Typer(cls=HelpGroup, help="The stakeholder directory.", no_args_is_help=True)
for sub, name in ((db_app, "db"), (ceasefire_app, "ceasefire"), (party_app, "party")):
    app.add_typer(sub, name=name)


@app.command()
def init(db: Db = None) -> None:
    """Create the database, or migrate it to this version's schema."""
    from ..services import setup
    from ..services.system import StoreError, reason

    try:
        url = setup.init(db)
    except StoreError as exc:
        fail(str(exc))
    except Exception as exc:  # the driver's own errors: server down, no permission
        fail(f"cannot initialise the database: {reason(exc)}")
    out.print(f"ready: {url}", markup=False)


@db_app.command("upgrade")
def db_upgrade(db: Db = None) -> None:
    """Migrate the schema to this version's."""
    init(db)


@db_app.command("backup")
def db_backup(
    file: Annotated[
        Path | None,
        typer.Argument(metavar="[FILE]", help="The backup's file (it must not exist)."),
    ] = None,
    into: Annotated[
        Path | None,
        typer.Option(help="Or a folder: the backup is named for its time, in UTC."),
    ] = None,
    keep: Annotated[
        int | None, typer.Option(min=1, help="With --into: keep only the newest N there.")
    ] = None,
    db: Db = None,
) -> None:
    """Copy the store while ceasewatch runs: SQLite's online backup, or pg_dump."""
    from ..services import backup
    from ..services.clock import WallClock

    if (file is None) == (into is None):
        fail("give the backup's FILE, or --into a folder")
    if keep is not None and into is None:
        fail("--keep goes with --into")
    with system_at(db) as system:
        try:
            if into is not None:
                made = backup.into(system, into, WallClock().now(), keep)
            else:
                made = backup.backup(system, file or Path())
        except backup.BackupError as exc:
            fail(str(exc), 1)
    removed = f"; removed {len(made.removed)} older" if made.removed else ""
    size = f"{made.size / 2**20:,.1f} MiB"
    out.print(f"backed up to {made.path} ({size}, {made.how}){removed}", markup=False)


@ceasefire_app.command("add")
def ceasefire_add(
    path: Annotated[Path, typer.Argument(help="The ceasefire file.")], db: Db = None
) -> None:
    """Store a ceasefire; its engine runs over every report already stored."""
    from ..services import setup

    with system_at(db) as system:
        try:
            added = setup.add_ceasefire(system, path)
        except setup.SetupError as exc:
            fail(str(exc))
    if added.new:
        out.print(f"added {added.ceasefire} ({added.events} events from the stored reports)")
    else:
        out.print(f"{added.ceasefire} is stored already, with these terms")


@ceasefire_app.command("list")
def ceasefire_list(db: Db = None) -> None:
    """The stored ceasefires."""
    from ..services.reads import directory

    with system_at(db) as system:
        for row in directory.ceasefires(system):
            d = row["definition"]
            period = f"{d['effective_from']} .. {d.get('effective_until') or ''}"
            zone = "zone" if d.get("zone") else "no zone"
            out.print(
                f"{row['id']}  {row['name']}  parties {','.join(d['parties'])}  {period}  "
                f"{zone}  policy {row['policy_name']} v{row['policy_version']}",
                markup=False,
            )


@party_app.command("import")
def party_import(
    path: Annotated[Path, typer.Argument(help="YAML: a list of {code, name, roles}.")],
    db: Db = None,
) -> None:
    """Add or update parties of the stakeholder directory."""
    from ..services import setup

    try:
        parties = setup.read_parties(path)
    except setup.SetupError as exc:
        fail(str(exc))
    webhooks = webhook_targets()
    with system_at(db) as system:
        try:
            changed = setup.import_parties(system, parties, webhooks)
        except setup.SetupError as exc:
            fail(f"{path}: {exc}")
    out.print(f"{len(parties)} parties read, {changed} added or changed")


@party_app.command("list")
def party_list(db: Db = None) -> None:
    """The stakeholder directory."""
    from ..services.reads import directory

    with system_at(db) as system:
        for row in directory.parties(system):
            out.print(f"{row['code']:6} {row['name']}  {', '.join(row['roles'])}", markup=False)
