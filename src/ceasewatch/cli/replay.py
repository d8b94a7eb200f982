"""`ceasewatch replay` and `ceasewatch demo`: the protocol over a file, on event time."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel

from ..config import ConfigError, load_ceasefire, load_policy, load_sources
from ..domain.reports import Report
from ..importers import FORMATS, MappingError, Skipped, mapping_for
from ..importers import read as read_imported
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


REPLAY_FORMATS = ("jsonl", "csv", "acled", "ucdp", "air-attacks")


@app.command("replay")
def replay_command(
    reports: Annotated[
        Path, typer.Argument(help="Reports (JSONL, CSV) or a file of --format; '-' reads stdin.")
    ],
    ceasefire: Annotated[Path, typer.Option("--ceasefire", "-c", help="The ceasefire file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Protocol events as JSON lines.")] = False,
    trust_input: Annotated[
        bool | None,
        typer.Option(
            "--trust-input/--no-trust-input",
            help="Treat every record as a verified incident "
            "(default: yes for acled, ucdp and air-attacks; no for jsonl and csv).",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Stop the clock at this time instead of running it out.")
    ] = None,
    policy: Annotated[
        str | None, typer.Option(help="Policy name or file (default: the ceasefire's).")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="jsonl, csv (the report record), acled, ucdp or air-attacks "
            "(default: jsonl or csv, from the file name).",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="For acled, ucdp, air-attacks: a mapping over the shipped."),
    ] = None,
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="The source registry (YAML: sources: [{id, kind, reliability, group}]), "
            "declared before the first report.",
        ),
    ] = None,
) -> None:
    """Run the protocol over REPORTS on a simulated clock and print what it does."""
    stop = parse_instant(until)
    try:
        cf = load_ceasefire(ceasefire)
        chosen = load_policy(policy or cf.policy, base=ceasefire.parent)
        registry = load_sources(sources) if sources is not None else []
    except ConfigError as exc:
        fail(str(exc))
    if fmt not in (None, *REPLAY_FORMATS):
        fail(f"--format {fmt!r}: use one of {', '.join(REPLAY_FORMATS)}")
    curated = fmt in FORMATS and FORMATS[fmt].curated
    trusted = curated if trust_input is None else trust_input
    skipped: list[Skipped] = []
    try:
        if fmt in FORMATS:
            records = _imported(fmt, str(reports), mapping_for(fmt, mapping), skipped)
        else:
            records = read_reports(str(reports), fmt)
        result = replay(cf, chosen, records, trust_input=trusted, until=stop, sources=registry)
    except MappingError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{reports}: {exc.strerror or exc}")
    report_rejections(result.rejected)
    if skipped:
        err.print(f"{len(skipped)} row(s) skipped by the mapping (not violations).", markup=False)
    if as_json:
        print_events_json(result)
    else:
        print_replay(out, result)
    if result.rejected:
        raise typer.Exit(1)


def _imported(
    fmt: str, path: str, mapping: BaseModel, skipped: list[Skipped]
) -> Iterator[Report | Rejection]:
    """An importer's records, with its skips set aside."""
    for record in read_imported(fmt, path, mapping):
        if isinstance(record, Skipped):
            skipped.append(record)
        else:
            yield record


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
        title = f"ceasewatch demo · {scenario.ceasefire.name}"
        print_replay(out, result, title=title, intro=scenario.description)
    if store and result.engine.now is not None:
        url = store_demo(scenario, result.engine.now, db)
        err.print(
            f"The demo is in {url}: try `ceasewatch cases`, `ceasewatch case show "
            f"{next(iter(result.engine.cases), '')}`.",
            markup=False,
        )
