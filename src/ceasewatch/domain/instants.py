"""Instants the system accepts: aware, in UTC, and inside a range its arithmetic survives.

The clock adds deadlines to times (24 h, 72 h, a 30-day quiet period, windows of
corroboration) and subtracts windows from them. Python's datetimes end at years 1 and 9999,
so `9999-12-31T23:59:59-01:00` cannot even be turned into UTC. Every time that comes in (a
report's, a command's `at`, `tick --until`, a query's `since`) is held to a range with a
century to spare at either end; nothing a ceasefire monitor records lies outside it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

from .events import iso_z

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
"""The first instant past the range."""


def in_range(value: datetime) -> datetime:
    """The instant in UTC, or a ValueError saying the range (compared before converting:
    the conversion itself overflows at the ends of the calendar).

    A year from 1901 to 2998 is inside the range at any offset (offsets are under a
    day), and is checked on the year alone: comparing instants of two zones costs
    more than converting one, and every report brings one or two.
    """
    if 1900 < value.year < 2999:
        return value.astimezone(UTC)
    if not EARLIEST <= value < LATEST:
        raise ValueError(
            f"out of range: give a time from {iso_z(EARLIEST)} up to (not including) "
            f"{iso_z(LATEST)}"
        )
    return value.astimezone(UTC)


Instant = Annotated[AwareDatetime, AfterValidator(in_range)]
"""An aware time within the range, normalised to UTC."""
