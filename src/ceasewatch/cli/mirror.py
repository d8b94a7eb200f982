"""`ceasewatch mirror`: copy another store through its API and re-derive it here."""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from . import app
from .common import Db, err, fail, out, system_at

if TYPE_CHECKING:
    from ..bootstrap import System
    from ..services import mirror
    from ..services.remote import Remote
    from ..tlog.keyring import Keyring

SHOWN = 20
"""Problems listed in full; the rest are counted."""


@app.command("mirror")
def mirror_command(
    url: Annotated[str, typer.Argument(help="The primary's base URL, e.g. https://cw.example")],
    token: Annotated[
        str,
        typer.Option(
            "--token", envvar="CEASEWATCH_TOKEN", help="An API token (observer's will do)."
        ),
    ],
    keys: Annotated[
        Path | None,
        typer.Option("--keys", help="Check signatures against these keys, not the primary's."),
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep pulling and checking until stopped.")
    ] = False,
    interval: Annotated[
        float, typer.Option(min=0.1, help="With --follow: seconds between pulls.")
    ] = 30.0,
    db: Db = None,
) -> None:
    """Pull the primary's journal, audit chain, checkpoints and derived rows into --db,
    re-derive every row with this machine's engines and compare: exit 0 when they agree,
    1 naming the first place they part."""
    from ..services import auditfiles, mirror, setup
    from ..services.auditfiles import FileError
    from ..services.remote import Remote, RemoteError
    from ..tlog.keyring import Keyring

    ring = None
    if keys is not None:
        try:
            ring = Keyring(auditfiles.read_keys(keys))
        except FileError as exc:
            fail(str(exc))
    try:
        setup.init(db)
    except Exception as exc:
        fail(f"cannot initialise the mirror's database: {exc}")
    with system_at(db) as system, Remote(url, token) as remote:
        if not follow:
            try:
                outcome = mirror.mirror_once(remote, system, ring)
            except RemoteError as exc:
                fail(str(exc), 1)
            _show(url, outcome)
            if not outcome.agree:
                raise typer.Exit(1)
            return
        last = _follow(url, remote, system, ring, interval)
    if last is not None and not last.agree:
        raise typer.Exit(1)


def _follow(
    url: str, remote: Remote, system: System, ring: Keyring | None, interval: float
) -> mirror.Outcome | None:
    from ..services import mirror

    stopping = False

    def stop(_signal: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    shown: list[str | None] = [None]

    def on_outcome(outcome: mirror.Outcome) -> None:
        if not outcome.pulled.mark:  # the primary could not be reached: tried again later
            err.print(outcome.problems[0], markup=False)
            return
        verdict = "agree" if outcome.agree else outcome.problems[0]
        if outcome.pulled.moved or verdict != shown[0]:
            _show(url, outcome)
            shown[0] = verdict

    err.print(f"following {url} every {interval:g}s; Ctrl-C stops", markup=False)
    return mirror.follow(
        remote,
        system,
        interval=interval,
        keep_going=lambda: not stopping,
        on_outcome=on_outcome,
        keys=ring,
    )


def _show(url: str, outcome: mirror.Outcome) -> None:
    pulled = outcome.pulled
    mark = pulled.mark
    out.print(
        f"pulled from {url}: {pulled.journal} journal entries, {pulled.audit} audit entries, "
        f"{pulled.checkpoints} checkpoints, {pulled.signatures} signatures; "
        f"the primary's journal ends at {mark.get('journal_end', '?')}, "
        f"its chain at {mark.get('audit_size', '?')}",
        markup=False,
    )
    for line in [*outcome.checks, *outcome.signed]:
        out.print(line, markup=False)
    if outcome.agree:
        out.print(
            "agree: the primary's chain holds, its journal is what the chain recorded, "
            "and every derived row is what this mirror's engines derive",
            markup=False,
        )
        return
    err.print(f"parts at: {outcome.problems[0]}", markup=False)
    for line in outcome.problems[1:SHOWN]:
        err.print(f"  and: {line}", markup=False)
    if len(outcome.problems) > SHOWN:
        err.print(f"  and {len(outcome.problems) - SHOWN} more", markup=False)
