"""`ceasewatch source`: the source registry (who reports, its kind, grade and group)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from . import app
from .common import Db, HelpGroup, fail, out, system_at

source_app = typer.Typer(
    cls=HelpGroup,
    help="The source registry: kinds, grades and independence groups.",
    no_args_is_help=True,
)
app.add_typer(source_app, name="source")


@source_app.command("import")
def source_import(
    path: Annotated[
        Path, typer.Argument(help="YAML: sources: [{id, kind, reliability, credibility, group}]")
    ],
    db: Db = None,
) -> None:
    """Declare or regrade the sources of a file (others stay as they are); journaled."""
    from ..services import sources

    try:
        listed = sources.read(path)
    except sources.SourcesError as exc:
        fail(str(exc))
    with system_at(db) as system:
        changed = sources.declare(system, listed)
    out.print(f"{len(listed)} sources read, {len(changed)} declared or regraded", markup=False)


@source_app.command("list")
def source_list(
    as_json: Annotated[bool, typer.Option("--json", help="As a JSON list.")] = False,
    db: Db = None,
) -> None:
    """The registry: id, kind, reliability, credibility, independence group."""
    from ..services import sources
    from .tables import Sheet

    with system_at(db) as system:
        registry = sources.registry(system)
    if as_json:
        print(json.dumps([s.as_record() for s in registry], ensure_ascii=False))
        return
    if not registry:
        out.print("no sources declared")
        return
    sheet = Sheet(None, ["source", "kind", "reliability", "credibility", "group"])
    for s in registry:
        kind = s.kind.value.replace("_", " ") if s.kind else "—"
        credibility = str(s.credibility) if s.credibility is not None else "as reported"
        sheet.add(s.id, kind, s.reliability, credibility, s.independence_group)
    out.print(sheet)
