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
    from ..services import snapshots
    from ..store import journal
    from ..store.database import reading

    with system_at(db) as system:
        if show:
            with reading(system.db) as conn:
                digests = snapshots.ceasefire_digests(journal.stored_ceasefires(conn))
                saved = snapshots.listed(conn, digests)
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
        made = system.engines.snapshot(datetime.now(UTC))
    clock = iso_z(made.clock) if made.clock else "-"
    out.print(
        f"snapshot {made.seq}: journal entry {made.position}, clock {clock}, {made.size:,} bytes",
        markup=False,
    )
