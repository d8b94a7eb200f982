"""Tables that fit a terminal (Rich), wherever the CLI draws one.

Tables fit the terminal by wrapping words (an identifier too long for its column folds;
nothing is cut off with an ellipsis) and show every instant whole: `2026-04-16 06:02`
where there is room, `04-16 06:02` where columns are narrow (the year then in the
title).
"""

from __future__ import annotations

import textwrap
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

from ..domain.stamps import short_stamp, stamp
from ..timeline import STAMP
from .common import shown

WIDE = 120
"""From this many columns on, tables give each instant its year."""


def when(at: datetime | None) -> str:
    """An instant whole, for a line of its own: `2026-04-16 06:02`."""
    return "—" if at is None else stamp(at)


def clock_time(at: datetime | None) -> str:
    """The stored clock, to the minute when it stands on one: `2026-03-10 01:00Z`."""
    if at is None:
        return "(not started)"
    return at.strftime(
        "%Y-%m-%d %H:%MZ" if at.second == at.microsecond == 0 else "%Y-%m-%d %H:%M:%SZ"
    )


@dataclass(frozen=True, slots=True)
class Stamps:
    """How one table shows its instants: whole, the year left out when `short`."""

    short: bool
    year: int | None

    def __call__(self, at: datetime | None) -> str:
        if at is None:
            return "—"
        return short_stamp(at) if self.short else stamp(at)

    def titled(self, title: str) -> str:
        """The title, with the year its instants leave out (times are UTC)."""
        return f"{title} ({self.year}, UTC)" if self.short and self.year else f"{title} (UTC)"


def stamps_for(width: int, instants: Iterable[datetime | None]) -> Stamps:
    """Short instants in a narrow table whose instants all fall in one year."""
    years = {at.year for at in instants if at is not None}
    year = next(iter(years)) if len(years) == 1 else None
    return Stamps(width < WIDE and len(years) <= 1, year)


class Fitted:
    """A table built when it is drawn, for the width it is drawn in (see `stamps_for`)."""

    def __init__(
        self, build: Callable[[Stamps], RenderableType], instants: Iterable[datetime | None]
    ) -> None:
        self.build = build
        self.instants = list(instants)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        yield self.build(stamps_for(options.max_width, self.instants))


GLUE = "\u00a0"
"""Holds an instant's date and time together: a space of one cell that `textwrap` keeps."""
GAP = 2
"""Columns between two of a table's columns: one of padding, one of the (blank) rule."""


class Said:
    """Words that wrap at their spaces, never inside an instant they hold; a word longer
    than the line (an identifier, a URI) folds onto the next rather than being cut off."""

    def __init__(self, text: str, style: str = "") -> None:
        text = shown(text)  # measured as it will be shown
        self.text = text
        self.style = style
        glued = STAMP.sub(lambda m: m.group(0).replace(" ", GLUE), text)
        self.lines = glued.splitlines() or [""]
        width = len if text.isascii() else cell_len
        self.least = max(width(word) for line in self.lines for word in line.split(" "))
        """The longest word (or instant): the narrowest it can be without folding one."""
        self.most = max(map(width, self.lines))

    def wrap(self, width: int) -> list[str]:
        if self.most <= width:
            return [line.replace(GLUE, " ") for line in self.lines]
        return [
            part.replace(GLUE, " ")
            for line in self.lines
            for part in textwrap.wrap(line, max(width, 1), break_on_hyphens=False) or [""]
        ]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.least, self.most)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        for line in self.wrap(options.max_width):
            yield Text(line, style=self.style, end="\n")


def said(cell: str | Text | None) -> Said:
    return Said(cell.plain, str(cell.style)) if isinstance(cell, Text) else Said(cell or "—")


FLOOR = 10
"""The narrowest a column is cut to before the next is cut (see `fit`)."""


def fit(
    least: list[int], most: list[int], room: int, lines: list[list[int]] | None = None
) -> list[int]:
    """Columns' widths within `room`: each as wide as its longest line, if they all fit;
    else each at least as wide as its longest word, and the room left given a column at
    a time to the one with the most `lines` (the widths of its cells' lines, headers left
    out) still longer than it is, so that wrapping costs the fewest lines; a header
    wraps before a cell does. Else (a word too long for the room, such as a URI) the
    widest column is cut down first, to no less than `FLOOR`, so that the fewest words
    fold."""
    if sum(most) <= room:
        return list(most)
    if sum(least) > room:
        widths = list(least)
        for i in sorted(range(len(widths)), key=lambda i: -least[i]):
            floor = min(widths[i], FLOOR)
            widths[i] -= min(widths[i] - floor, sum(widths) - room)
        return widths if sum(widths) <= room else [max(1, n * room // sum(least)) for n in least]
    widths = list(least)
    longest = [sorted(column) for column in (lines or [[] for _ in least])]
    for _ in range(room - sum(least)):
        longer = [len(c) - bisect_right(c, w) for c, w in zip(longest, widths, strict=True)]
        wanting = [i for i in range(len(widths)) if widths[i] < most[i]]
        if not wanting:
            break
        i = max(wanting, key=lambda i: (longer[i], widths[i] - most[i]))
        widths[i] += 1
    return widths


class Sheet:
    """A table laid out when it is drawn: its columns as wide as the width allows, each at
    least as wide as its longest word where they all fit, so that words wrap whole. Lines
    carry no trailing spaces: a rule under the header, no walls."""

    def __init__(
        self,
        title: str | None,
        headers: list[str],
        *,
        caption: str | None = None,
        show_header: bool = True,
    ) -> None:
        self.title = title
        self.headers = headers
        self.caption = caption
        self.show_header = show_header
        self.rows: list[list[Said]] = []

    def add(self, *cells: str | Text | None) -> None:
        self.rows.append([said(c) for c in cells])

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[Text | Said | Segment]:
        heads = [Said(h, "bold") for h in self.headers]
        columns = list(zip(heads, *self.rows, strict=True))
        least = [max(c.least for c in cells) for cells in columns]
        most = [max(c.most for c in cells) for cells in columns]
        lines = [[cell_len(x) for c in cells[1:] for x in c.lines] for cells in columns]
        widths = fit(least, most, options.max_width - GAP * (len(columns) - 1), lines)
        if self.title:
            yield Said(self.title, "bold")
        if self.show_header:
            yield from _lines(console, heads, widths)
            yield Text("─" * (sum(widths) + GAP * (len(widths) - 1)))
        for cells in self.rows:
            yield from _lines(console, cells, widths)
        if self.caption:
            yield Said(self.caption)


def _lines(console: Console, cells: list[Said], widths: list[int]) -> Iterator[Segment]:
    """One row of a sheet: its cells side by side, each wrapped to its column, as the
    segments of its lines (no trailing spaces)."""
    wrapped = [cell.wrap(width) for cell, width in zip(cells, widths, strict=True)]
    for k in range(max(len(lines) for lines in wrapped)):
        parts = [(lines[k] if k < len(lines) else "") for lines in wrapped]
        last = max((i for i, part in enumerate(parts) if part), default=0)
        pad = 0
        for i, (cell, part, width) in enumerate(zip(cells, parts, widths, strict=True)):
            if i > last:
                break
            if pad or i:
                yield Segment(" " * (pad + (GAP if i else 0)))
            yield Segment(part, console.get_style(cell.style) if cell.style else None)
            pad = width - cell_len(part)
        yield Segment.line()
