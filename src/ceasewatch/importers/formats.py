"""The table of mapped formats: what each is, how it is read, and its `import` command.

The `ceasewatch import` commands, `replay --format` and the import service are all made
from `FORMATS`, so a new format is a module in this folder and a row here. The module
(`Format.module`) defines:

- `MAPPING`: the pydantic model of its mapping (a subclass of `mapping.Common`), whose
  shipped YAML is `mappings/NAME.yaml` when `shipped`;
- `read(path, mapping, on_progress)`: each row as a report, a rejection or a skip;
- optionally `plan(reports, mapping, previous, path, switches)`: which reports to store
  and which stored ones to withdraw, given what earlier imports stored (`plans.py`).

The table itself imports nothing but the standard library: `ceasewatch --help` reads
it, and a format's module (pydantic, its mapping, geometry) is loaded on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from .mapping import Common
    from .plans import Plan, Previous
    from .rows import Progress, Record


class Importer(Protocol):
    """What a format's module defines (see the module's docstring)."""

    MAPPING: type[Common]

    def read(self, path: str, mapping: Any, on_progress: Progress | None, /) -> Iterator[Record]:
        """Each row of the file as a report, a rejection or a skip."""
        ...


@dataclass(frozen=True)
class Switch:
    """An on/off option of one format's import, given to its `plan` by `name`."""

    name: str
    """The plan's key, and the import command's parameter."""
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
    module: str
    """The module of this folder that reads it."""
    shipped: bool
    """Whether a mapping ships with it (the generic CSV importer needs the user's)."""
    curated: bool
    """Curated data: each record is a verified incident unless told otherwise."""
    summary: str
    """The import command's help."""
    file_help: str
    """The help of the import command's FILE argument."""
    switches: tuple[Switch, ...] = ()

    @property
    def importer(self) -> Importer:
        return cast(Importer, importlib.import_module(f"{__package__}.{self.module}"))

    def mapping(self, override: Path | None = None) -> Common:
        """The format's mapping: the shipped one with `override` merged over it."""
        from .mapping import MappingError, load

        if not self.shipped and override is None:
            raise MappingError(f"a {self.name} import needs --mapping: which column is which field")
        return load(self.importer.MAPPING, self.name if self.shipped else None, override)

    def settings(self, given: Mapping[str, bool] | None = None) -> dict[str, bool]:
        """Each switch of the format: as `given`, or its default."""
        given = given or {}
        if unknown := set(given) - {s.name for s in self.switches}:
            raise ValueError(f"{self.name} has no option {', '.join(sorted(unknown))}")
        return {s.name: given.get(s.name, s.default) for s in self.switches}

    def plan(
        self,
        reports: list[Any],
        mapping: Common,
        previous: Previous | None,
        path: str,
        settings: Mapping[str, bool],
    ) -> Plan:
        """What importing `reports` does; `previous` is needed when `versioned`."""
        from .plans import take_all

        planner = getattr(self.importer, "plan", None)
        if planner is None:
            return take_all(reports)
        assert previous is not None, f"{self.name} plans from what earlier imports stored"
        return cast("Plan", planner(reports, mapping, previous, path, settings))

    @property
    def versioned(self) -> bool:
        """Whether its plan depends on what earlier imports of the source stored."""
        return hasattr(self.importer, "plan")


FORMATS = {
    f.name: f
    for f in (
        Format(
            "acled",
            "ACLED",
            "acled",
            shipped=True,
            curated=True,
            summary="An ACLED export: new and changed events stored, replaced and deleted "
            "ones withdrawn.",
            file_help="An ACLED export (CSV, or .csv.gz).",
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
            "ucdp",
            shipped=True,
            curated=True,
            summary="UCDP GED events; state-based events are unattributed unless the mapping says.",
            file_help="A UCDP GED file (CSV, or .csv.gz).",
        ),
        Format(
            "air-attacks",
            "the air-attack series",
            "air_attacks",
            shipped=True,
            curated=True,
            summary="The Air Force's daily attack series: each wave and model a report, "
            "perpetrator RU.",
            file_help="The daily missile and drone attack series (CSV).",
        ),
        Format(
            "csv",
            "any CSV",
            "csv_mapping",
            shipped=False,
            curated=False,
            summary="Any table, through a mapping of its columns onto the report record.",
            file_help="Any CSV table ('-' for stdin).",
        ),
    )
}


def in_words(names: list[str], last: str = "or") -> str:
    """`a, b or c`: names in a sentence (`last` joins the last two)."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {last} {names[-1]}"


def mapping_for(fmt: str, override: Path | None = None) -> Common:
    """The mapping of format `fmt`: the shipped one with `override` merged over it."""
    return FORMATS[fmt].mapping(override)


def read(
    fmt: str,
    path: str,
    mapping: Common | None = None,
    on_progress: Progress | None = None,
) -> Iterator[Record]:
    """Each row of `path` in format `fmt` as a report, a rejection or a skip."""
    spec = FORMATS[fmt]
    chosen = mapping if mapping is not None else spec.mapping()
    return spec.importer.read(path, chosen, on_progress)
