"""`ceasewatch snapshot`: save the engines' state, so that processes start from it."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from ..domain.events import iso_z
from . import app
from .common import Db, out, system_at


@app.command("snapshot")
def snapshot_command(
    show: bool = typer.Option(False, "--list", help="List the snapshots instead of taking one."),
    db: Db = None,
) -> None:
    """Save the engines' state at the journal's end: a process then starts from it and
    feeds its engines only what was journaled after. A cache of the journal, never the
    truth: one made by other code, or for other ceasefires, is passed over."""
    from ..services import unit_of_work
    from ..services.reads import snapshots

    with system_at(db) as system:
        if show:
            saved = snapshots.saved(system)
            for s in saved:
                use = "usable" if s.usable else "passed over (other code or ceasefires)"
                clock = iso_z(s.clock) if s.clock else "-"
                out.print(
                    f"snapshot {s.seq}: journal entry {s.position}, clock {clock}, "
                    f"{s.size:,} bytes, {use}",
                    markup=False,
                )
            if not saved:
                out.print("no snapshots", markup=False)
            return
        made = unit_of_work.snapshot(system, datetime.now(UTC))
    if made is None:
        out.print("another process is taking a snapshot of this store: none taken", markup=False)
        return
    clock = iso_z(made.clock) if made.clock else "-"
    out.print(
        f"snapshot {made.seq}: journal entry {made.position}, clock {clock}, {made.size:,} bytes",
        markup=False,
    )
