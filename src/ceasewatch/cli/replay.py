"""`ceasewatch replay` and `ceasewatch demo`: the protocol over a file, on event time."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..config import ConfigError, load_ceasefire, load_policy
from ..intake import Rejection, read_reports
from ..render import print_replay
from ..services.replay import ReplayResult, replay
from . import app
from .common import err, fail, out, parse_instant


def print_events_json(result: ReplayResult) -> None:
    write = sys.stdout.write
    for event in result.events:
        write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def report_rejections(rejected: list[Rejection]) -> None:
    for rejection in rejected:
        for error in rejection.errors:
            err.print(
                f"rejected {error.record}: field {error.field}: {error.message}", markup=False
            )
    if rejected:
        err.print(f"{len(rejected)} record(s) rejected; the others were replayed.", markup=False)


@app.command("replay")
def replay_command(
    reports: Annotated[Path, typer.Argument(help="Reports as JSONL or CSV; '-' reads stdin.")],
    ceasefire: Annotated[Path, typer.Option("--ceasefire", "-c", help="The ceasefire file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Protocol events as JSON lines.")] = False,
    trust_input: Annotated[
        bool, typer.Option("--trust-input", help="Treat every record as a verified incident.")
    ] = False,
    until: Annotated[
        str | None, typer.Option(help="Stop the clock at this time instead of running it out.")
    ] = None,
    policy: Annotated[
        str | None, typer.Option(help="Policy name or file (default: the ceasefire's).")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="jsonl or csv (default: from the file name).")
    ] = None,
) -> None:
    """Run the protocol over REPORTS on a simulated clock and print what it does."""
    stop = parse_instant(until)
    try:
        cf = load_ceasefire(ceasefire)
        chosen = load_policy(policy or cf.policy, base=ceasefire.parent)
    except ConfigError as exc:
        fail(str(exc))
    if fmt not in (None, "jsonl", "csv"):
        fail(f"--format {fmt!r}: use jsonl or csv")
    try:
        records = read_reports(str(reports), fmt)
        result = replay(cf, chosen, records, trust_input=trust_input, until=stop)
    except OSError as exc:
        fail(f"{reports}: {exc.strerror or exc}")
    report_rejections(result.rejected)
    if as_json:
        print_events_json(result)
    else:
        print_replay(out, result)
    if result.rejected:
        raise typer.Exit(1)


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Seed of the scenario generator.")] = 2026,
    save: Annotated[
        Path | None,
        typer.Option("--save", help="Also write ceasefire.yaml and reports.jsonl here."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Protocol events as JSON lines.")] = False,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="CEASEWATCH_DB",
            help="Also leave the demo in this database (default: ./ceasewatch.db).",
        ),
    ] = None,
    store: Annotated[
        bool, typer.Option("--store/--no-store", help="Leave the demo in the database.")
    ] = True,
) -> None:
    """Replay the bundled scenario: a breach that escalates through all three phases."""
    from ..scenarios.demo import build_demo, write_demo
    from ..services.demo import store_demo

    scenario = build_demo(seed)
    result = replay(scenario.ceasefire, load_policy(scenario.ceasefire.policy), scenario.reports)
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        cf_path, reports_path = write_demo(scenario, save)
        err.print(f"wrote {cf_path} and {reports_path}", markup=False)
    if as_json:
        print_events_json(result)
    else:
        out.rule(f"ceasewatch demo · {scenario.ceasefire.name}")
        out.print(scenario.description)
        out.print()
        print_replay(out, result)
    if store and result.engine.now is not None:
        url = store_demo(scenario, result.engine.now, db)
        err.print(
            f"The demo is in {url}: try `ceasewatch cases`, `ceasewatch case show "
            f"{next(iter(result.engine.cases), '')}`.",
            markup=False,
        )
