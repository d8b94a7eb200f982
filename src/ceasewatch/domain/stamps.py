"""Instants as people read them: whole, to the minute (seconds only when there are some).

Machines get ISO 8601 (`events.iso_z`); people get `2026-04-16 06:02`, or `04-16 06:02`
where a column is narrow and the year goes without saying. A date is never cut in half.
"""

from __future__ import annotations

from datetime import datetime


def _time(at: datetime) -> str:
    return at.strftime("%H:%M:%S" if at.second or at.microsecond else "%H:%M")


def stamp(at: datetime) -> str:
    """`2026-04-16 06:02` (UTC, as every stored instant is)."""
    return f"{at:%Y-%m-%d} {_time(at)}"


def short_stamp(at: datetime) -> str:
    """`04-16 06:02`: the year left out, for a narrow column or a sentence within one year."""
    return f"{at:%m-%d} {_time(at)}"
