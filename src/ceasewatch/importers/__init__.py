"""Importers: files of reports into the report record, one module per format.

The report record itself is read as JSONL or CSV (`records.py`); other people's tables
through a mapping, one module per format (`acled.py`, `ucdp.py`, `air_attacks.py`, a
mapped `csv_mapping.py`). Each reads its file as a stream (`files.py`, the one opener),
row by row, and yields for each row a report, a rejection (file, line, id, field and
why) or a skip (a row its mapping says is no violation). How a format's columns become
the record is a YAML mapping that ships with the importer and that a user may override
(`mapping.py`; docs/data.md).

`FORMATS` is the table of mapped formats: the `ceasewatch import` commands, `replay
--format` and the import service are all made from it, so a new format is a module
here and a line in the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import acled, air_attacks, csv_mapping, ucdp
from .files import STDIN, UnreadableFile, file_size
from .mapping import Common, MappingError, load, shipped_text
from .plans import Plan, Planner, Previous, Withdraw, take_all
from .records import read_reports
from .rows import Progress, Record, Skipped

__all__ = [
    "FORMATS",
    "STDIN",
    "Common",
    "Format",
    "MappingError",
    "Plan",
    "Previous",
    "Progress",
    "Record",
    "Skipped",
    "Switch",
    "UnreadableFile",
    "Withdraw",
    "file_size",
    "mapping_for",
    "or_list",
    "read",
    "read_reports",
    "shipped_text",
    "take_all",
]


@dataclass(frozen=True)
class Switch:
    """An on/off option of one format's import, given to its planner by `name`."""

    name: str
    """The planner's key, and the import command's parameter."""
    flags: str
    """The command's flags, e.g. `--withdraw-missing/--keep-missing`."""
    help: str
    default: bool = True


@dataclass(frozen=True)
class Format:
    """A mapped format: how to read it, how to import it, and its `import` command."""

    name: str
    title: str
    """What it is called in a sentence: "ACLED", "the air-attack series"."""
    model: type[Common]
    reader: Callable[[str, Any, Progress | None], Iterator[Record]]
    shipped: bool
    """Whether a mapping ships with it (the generic CSV importer needs the user's)."""
    curated: bool
    """Curated data: each record is a verified incident unless told otherwise."""
    summary: str
    """The import command's help."""
    file_help: str
    """The help of the import command's FILE argument."""
    planner: Planner | None = None
    """Decides which reports to store and which stored ones to withdraw, from what
    earlier imports of the source stored; None: store every report read."""
    switches: tuple[Switch, ...] = ()

    def settings(self, given: Mapping[str, bool] | None = None) -> dict[str, bool]:
        """Each switch of the format: as `given`, or its default."""
        given = given or {}
        if unknown := set(given) - {s.name for s in self.switches}:
            raise ValueError(f"{self.name} has no option {', '.join(sorted(unknown))}")
        return {s.name: given.get(s.name, s.default) for s in self.switches}


FORMATS = {
    f.name: f
    for f in (
        Format(
            "acled",
            "ACLED",
            acled.AcledMapping,
            acled.read,
            shipped=True,
            curated=True,
            summary="An ACLED export: new and changed events stored, replaced and deleted "
            "ones withdrawn.",
            file_help="An ACLED export (CSV, or .csv.gz).",
            planner=acled.plan,
            switches=(
                Switch(
                    "withdraw_missing",
                    "--withdraw-missing/--keep-missing",
                    "Withdraw stored events this export lacks, within its dates and countries.",
                ),
            ),
        ),
        Format(
            "ucdp",
            "UCDP",
            ucdp.UcdpMapping,
            ucdp.read,
            shipped=True,
            curated=True,
            summary="UCDP GED events; state-based events are unattributed unless the mapping says.",
            file_help="A UCDP GED file (CSV, or .csv.gz).",
        ),
        Format(
            "air-attacks",
            "the air-attack series",
            air_attacks.AirAttacksMapping,
            air_attacks.read,
            shipped=True,
            curated=True,
            summary="The Air Force's daily attack series: each wave and model a report, "
            "perpetrator RU.",
            file_help="The daily missile and drone attack series (CSV).",
        ),
        Format(
            "csv",
            "any CSV",
            csv_mapping.CsvMapping,
            csv_mapping.read,
            shipped=False,
            curated=False,
            summary="Any table, through a mapping of its columns onto the report record.",
            file_help="Any CSV table ('-' for stdin).",
        ),
    )
}


def or_list(names: list[str]) -> str:
    """`a, b or c`: names in a sentence."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} or {names[-1]}"


def mapping_for(fmt: str, override: Path | None = None) -> Common:
    """The format's mapping: the shipped one with `override` merged over it."""
    spec = FORMATS[fmt]
    if not spec.shipped and override is None:
        raise MappingError(f"a {fmt} import needs --mapping: which column is which field")
    return load(spec.model, fmt if spec.shipped else None, override)


def read(
    fmt: str,
    path: str,
    mapping: Common | None = None,
    on_progress: Progress | None = None,
) -> Iterator[Record]:
    """Each row of `path` as a report, a rejection or a skip."""
    spec = FORMATS[fmt]
    chosen = mapping if mapping is not None else mapping_for(fmt)
    return spec.reader(path, chosen, on_progress)
