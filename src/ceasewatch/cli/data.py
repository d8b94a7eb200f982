"""Data in and out: `import` other formats, `export` the store, the daily `report`."""

from __future__ import annotations

import inspect
import os
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..importers import FORMATS, Format, in_words
from . import app
from .common import (
    Db,
    HelpGroup,
    document_out,
    err,
    fail,
    out,
    parse_instant,
    report_rejections,
    system_at,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from ..services.imports import ImportResult

import_app = typer.Typer(
    cls=HelpGroup,
    help=f"Import {in_words([f.title for f in FORMATS.values()])} into the store.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping", help="A YAML mapping merged over the shipped one (see docs/data.md)."
    ),
]
OwnMapping = Annotated[
    Path, typer.Option("--mapping", help="The YAML mapping: which column is which field.")
]
Trust = Annotated[
    bool | None,
    typer.Option(
        "--trust/--no-trust",
        help="Each record a verified incident (default: yes for curated data, no for csv).",
        show_default=False,
    ),
]
Rejects = Annotated[
    Path | None, typer.Option("--rejects", help="Also write rejected rows here (JSONL).")
]
BatchSize = Annotated[int, typer.Option(min=1, help="Reports per transaction.")]


def _import(
    fmt: str,
    file: str,
    mapping: Path | None,
    trust: bool | None,
    rejects: Path | None,
    batch_size: int,
    db: str | None,
    switches: dict[str, bool],
) -> None:
    from ..importers.files import file_size
    from ..importers.mapping import MappingError
    from ..services.clock import WallClock
    from ..services.imports import import_file

    with system_at(db) as system, _bars() as bars:
        reading = bars.add_task(f"reading {Path(file).name}", total=file_size(file))
        storing = bars.add_task("storing", total=None, visible=False)
        try:
            result = import_file(
                system,
                fmt,
                file,
                mapping_file=mapping,
                trusted=trust,
                options=switches,
                batch_size=batch_size,
                received=WallClock(),
                on_read=lambda n: bars.update(reading, completed=n),
                on_start=lambda total: bars.update(storing, total=total, visible=True),
                on_batch=lambda n: bars.advance(storing, n),
            )
        except MappingError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.filename or file}: {exc.strerror or exc}")
    report_rejections(result.rejected, rejects)
    _summary(result)
    if result.rejected:
        raise typer.Exit(1)


def _bars() -> Progress:
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _summary(result: ImportResult) -> None:
    stored = result.stored
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(stored.events.items())) or "none"
    line = (
        f"{stored.accepted} reports stored, {stored.already_stored} already stored, "
        f"{stored.repeated} repeated in the file, {len(stored.rejected)} rejected, "
        f"{len(result.skipped)} skipped"
    )
    if result.stale or result.withdrawn:
        line += (
            f"; {result.stale} stale versions, {result.withdrawn} withdrawn "
            f"({result.incidents_rejected} incidents rejected)"
        )
    out.print(f"{line}; events: {kinds}", markup=False)
    for reason, n in Counter(s.reason for s in result.skipped).most_common():
        err.print(f"skipped {n} row(s): {reason}", markup=False)


def _import_command(spec: Format) -> Callable[..., None]:
    """The `import NAME` command of a format of the table (`importers/formats.py`):
    FILE, --mapping (required where none ships), --trust, the format's switches,
    --rejects, --batch-size and --db."""

    def command(**given: Any) -> None:
        switches = {s.name: given[s.name] for s in spec.switches}
        _import(
            spec.name,
            given["file"],
            given["mapping"],
            given["trust"],
            given["rejects"],
            given["batch_size"],
            given["db"],
            switches,
        )

    def param(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> Any:
        kind = inspect.Parameter.KEYWORD_ONLY
        return inspect.Parameter(name, kind, annotation=annotation, default=default)

    params = [
        param("file", Annotated[str, typer.Argument(help=spec.file_help)]),
        param("mapping", MappingOption, None) if spec.shipped else param("mapping", OwnMapping),
        param("trust", Trust, None),
        *(
            param(s.name, Annotated[bool, typer.Option(s.flags, help=s.help)], s.default)
            for s in spec.switches
        ),
        param("rejects", Rejects, None),
        param("batch_size", BatchSize, 2000),
        param("db", Db, None),
    ]
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__name__ = f"import_{spec.name.replace('-', '_')}"
    command.__doc__ = spec.summary
    return command


for _format in FORMATS.values():
    import_app.command(_format.name, help=_format.summary)(_import_command(_format))


@import_app.command("mapping")
def import_mapping(
    fmt: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT",
            help=f"{in_words([n for n, f in FORMATS.items() if f.shipped])}.",
        ),
    ],
) -> None:
    """Print a format's shipped mapping: a starting point for --mapping."""
    from ..importers.mapping import shipped_text

    if fmt not in FORMATS or not FORMATS[fmt].shipped:
        shipped = ", ".join(n for n, f in FORMATS.items() if f.shipped)
        fail(f"{fmt!r}: the shipped mappings are {shipped} (csv takes your own)")
    sys.stdout.write(shipped_text(fmt))


# -- export ---------------------------------------------------------------------------


def quiet_stdout() -> None:
    """After the reader of stdout went away (`| head`): no second error at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        fail(f"--bbox {text!r}: give W,S,E,N in degrees, e.g. 35.5,47.5,38.5,50")
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        fail(f"--bbox {text!r}: W and E in [-180, 180], S <= N in [-90, 90]")
    return west, south, east, north


@app.command("export")
def export_command(
    kind: Annotated[str, typer.Argument(metavar="WHAT", help="incidents, cases or reports.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, geojson or parquet.")] = "csv",
    since: Annotated[
        str | None, typer.Option(help="Only from this time on (occurred_at; cases: opened).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Only before this time.")] = None,
    bbox: Annotated[
        str | None, typer.Option(help="Only inside W,S,E,N (degrees; cases: where opened).")
    ] = None,
    ceasefire: Annotated[
        str | None, typer.Option(help="Only this ceasefire's incidents or cases.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file (default: stdout).")
    ] = None,
    db: Db = None,
) -> None:
    """Export incidents, cases or reports, streamed, with each one's oblast."""
    from .. import export_formats as exports
    from ..services.reads.exports import export

    if kind not in exports.KINDS:
        fail(f"{kind!r}: export incidents, cases or reports")
    if fmt not in exports.FORMATS:
        fail(f"--format {fmt!r}: use csv, geojson or parquet")
    if fmt == "parquet" and output is None:
        fail("parquet is written to a file: give -o FILE")
    start, end, box = parse_instant(since, "--since"), parse_instant(until, "--until"), _bbox(bbox)
    with system_at(db) as system:
        try:
            count = export(
                system,
                kind,
                fmt,
                output or document_out(),
                since=start,
                until=end,
                bbox=box,
                ceasefire=ceasefire,
            )
        except BrokenPipeError:
            quiet_stdout()
            raise typer.Exit(0) from None
        except OSError as exc:
            fail(f"{output}: {exc.strerror or exc}")
    if output is not None:
        out.print(f"wrote {count} {kind} to {output}", markup=False)


# -- the daily report -----------------------------------------------------------------

report_app = typer.Typer(
    cls=HelpGroup, help="Reports for people: the daily situation report.", no_args_is_help=True
)
app.add_typer(report_app, name="report")


@report_app.command("daily")
def report_daily(
    day: Annotated[str, typer.Option("--date", help="The day (YYYY-MM-DD, local time).")],
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or md.")] = "html",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The file (default: stdout; pdf needs one)."),
    ] = None,
    ceasefire: Annotated[
        str | None, typer.Option(help="The ceasefire (needed when several are stored).")
    ] = None,
    cutoff: Annotated[
        str | None,
        typer.Option(help="The cut-off's local time of day, HH:MM (default: the day's end)."),
    ] = None,
    tz: Annotated[str, typer.Option("--tz", help="The report's time zone.")] = "Europe/Kyiv",
    revised: Annotated[
        bool,
        typer.Option(
            "--revised", help="Count what is known now, not only what was verified by the cut-off."
        ),
    ] = False,
    db: Db = None,
) -> None:
    """The daily situation report at a fixed cut-off: counts, baselines, map, cases."""
    from ..domain.instants import in_range
    from ..timezones import zone

    try:
        when = date.fromisoformat(day)
        in_range(datetime.combine(when, time(), UTC))
    except ValueError as exc:
        fail(f"--date {day!r}: give a day as YYYY-MM-DD ({exc})")
    try:
        at = None if cutoff is None else time.fromisoformat(cutoff)
        zone(tz)
    except ValueError as exc:
        fail(f"--cutoff {cutoff!r} / --tz {tz!r}: {exc}")
    if fmt not in ("html", "pdf", "md"):
        fail(f"--format {fmt!r}: use html, pdf or md")
    if fmt == "pdf" and output is None:
        fail("a PDF is written to a file: give -o FILE")
    from ..reports import daily, render  # matplotlib and Jinja: only for this command

    with system_at(db) as system:
        try:
            made = daily.build(system, when, ceasefire=ceasefire, tz=tz, at=at, revised=revised)
        except daily.ReportError as exc:
            fail(str(exc))
    try:
        if fmt == "pdf":
            assert output is not None
            output.write_bytes(render.pdf(made))
        elif fmt == "html":
            _write_text(render.html(made), output)
        else:
            folder = None if output is None else output.parent
            stem = "daily" if output is None else output.stem
            _write_text(render.markdown(made, folder, stem), output)
    except render.PdfUnavailable as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{output}: {exc.strerror or exc}")
    if made.warning:
        err.print(f"warning: {made.warning}", markup=False)
    if output is not None:
        out.print(f"wrote {output}", markup=False)


def _write_text(text: str, output: Path | None) -> None:
    if output is None:
        document_out().write(text)
    else:
        output.write_text(text, encoding="utf-8")
