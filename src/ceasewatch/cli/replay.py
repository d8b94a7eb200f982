"""`ceasewatch replay` and `ceasewatch demo`: the protocol over a file, on event time."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..importers import FORMATS, in_words
from . import app
from .common import err, fail, out, parse_instant

if TYPE_CHECKING:
    from ..domain.events import ProtocolEvent
    from ..domain.reports import Rejection, Report
    from ..importers.mapping import Common
    from ..importers.rows import Skipped
    from ..services.replay import ReplayResult


def print_events_json(result: ReplayResult) -> None:
    write_events = events_writer()
    events = result.events
    for start in range(0, len(events), 1000):
        write_events(events[start : start + 1000])
    sys.stdout.flush()


def events_writer() -> Callable[[list[ProtocolEvent]], None]:
    """What writes events to standard output as JSON lines."""
    write = sys.stdout.write
    line = event_line()

    def write_events(events: list[ProtocolEvent]) -> None:
        write("".join(map(line, events)))

    return write_events


def event_line() -> Callable[[ProtocolEvent], str]:
    """What makes an event's JSON line: `json.dumps(event.to_dict(), ensure_ascii=False)`
    and a newline, byte for byte, at half the cost (a replay prints one a report).

    The four fields every event has are written directly (the time by `iso_z`, as
    `to_dict` writes it); the details go through one shared encoder. An event with a
    detail named like one of the four takes `to_dict`.
    """
    from json.encoder import encode_basestring as quoted

    from ..domain.events import iso_z

    encode = details_encoder()
    fixed = frozenset(("at", "event", "case", "violator"))

    def line(e: ProtocolEvent) -> str:
        at, details = e.at, e.details
        if not fixed.isdisjoint(details):
            return encode(e.to_dict()) + "\n"
        head = (
            f'{{"at": "{iso_z(at)}", "event": {quoted(e.event)}, "case": {quoted(e.case)}, '
            f'"violator": {quoted(e.violator)}'
        )
        if not details:
            return head + "}\n"
        return head + ", " + encode(details)[1:] + "\n"

    return line


def details_encoder() -> Callable[[object], str]:
    """`json.JSONEncoder(ensure_ascii=False).encode`, without the encoder it builds for
    each call (half its cost on an event's few details): the C encoder, made once.

    With no check for circular references, which a plain record of values cannot have.
    Where the C accelerator is missing (another Python), the encoder as it is.
    """
    encoder = json.JSONEncoder(ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return encoder.encode
    from json.encoder import encode_basestring

    iterencode = make(
        None,
        encoder.default,
        encode_basestring,
        None,
        encoder.key_separator,
        encoder.item_separator,
        False,
        False,
        True,
    )

    def encode(value: object) -> str:
        return "".join(iterencode(value, 0))

    return encode


def report_rejections(rejected: list[Rejection]) -> None:
    for rejection in rejected:
        for error in rejection.errors:
            err.print(
                f"rejected {error.record}: field {error.field}: {error.message}", markup=False
            )
    if rejected:
        err.print(f"{len(rejected)} record(s) rejected; the others were replayed.", markup=False)


IMPORTED = tuple(dict.fromkeys(["csv", *FORMATS]))
"""The formats read through a mapping (`importers/formats.py`); `csv` first, as it is
also the report record's own format, read when no --format is given."""
REPLAY_FORMATS = ("jsonl", *IMPORTED)
SHIPPED = [name for name, f in FORMATS.items() if f.shipped]
CURATED = [name for name, f in FORMATS.items() if f.curated]
UNCURATED = ["jsonl", *(name for name, f in FORMATS.items() if not f.curated)]


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
            f"(default: yes for {in_words(CURATED, 'and')}; no for {in_words(UNCURATED, 'and')}).",
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
            help=f"jsonl, csv (the report record), {in_words(SHIPPED)} "
            "(default: jsonl or csv, from the file name).",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help=f"For {', '.join(SHIPPED)}: a mapping over the shipped."),
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
    from ..config import ConfigError, load_ceasefire, load_policy, load_sources
    from ..importers.records import read_reports
    from ..services.replay import replay

    stop = parse_instant(until)
    try:
        cf = load_ceasefire(ceasefire)
        # --policy is the reader's own path; the ceasefire's is beside its file
        chosen = load_policy(policy) if policy else load_policy(cf.policy, base=ceasefire.parent)
        registry = load_sources(sources) if sources is not None else []
    except ConfigError as exc:
        fail(str(exc))
    if fmt not in (None, *REPLAY_FORMATS):
        fail(f"--format {fmt!r}: use one of {', '.join(REPLAY_FORMATS)}")
    skipped: list[Skipped] = []
    try:
        if fmt in IMPORTED:
            assert fmt is not None
            records, curated = _imported(fmt, str(reports), mapping, skipped)
        else:
            records, curated = read_reports(str(reports), fmt), False
        trusted = curated if trust_input is None else trust_input
        result = replay(
            cf,
            chosen,
            records,
            trust_input=trusted,
            until=stop,
            sources=registry,
            on_events=events_writer() if as_json else None,
            accounts=not as_json,
        )
    except OSError as exc:
        fail(f"{reports}: {exc.strerror or exc}")
    report_rejections(result.rejected)
    if skipped:
        err.print(f"{len(skipped)} row(s) skipped by the mapping (not violations).", markup=False)
    if as_json:
        sys.stdout.flush()
    else:
        from .panels import print_replay

        print_replay(out, result)
    if result.rejected:
        raise typer.Exit(1)


def _imported(
    fmt: str, path: str, override: Path | None, skipped: list[Skipped]
) -> tuple[Iterator[Report | Rejection], bool]:
    """An importer's records, with its skips set aside, and whether the format is curated
    (its records trusted unless told otherwise)."""
    from ..importers import FORMATS, mapping_for
    from ..importers.mapping import MappingError

    try:
        mapping = mapping_for(fmt, override)
    except MappingError as exc:
        fail(str(exc))
    return _kept(fmt, path, mapping, skipped), FORMATS[fmt].curated


def _kept(
    fmt: str, path: str, mapping: Common, skipped: list[Skipped]
) -> Iterator[Report | Rejection]:
    from ..importers import read
    from ..importers.rows import Skipped

    for record in read(fmt, path, mapping):
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
    from ..config import load_policy
    from ..scenarios.demo import build_demo, write_demo
    from ..services.demo import store_demo
    from ..services.replay import replay
    from .panels import print_replay

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
