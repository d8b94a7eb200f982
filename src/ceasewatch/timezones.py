"""Time zones by name, for local dates in imported files and in the daily report."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@cache
def zone(name: str) -> ZoneInfo:
    """A time zone by name; Europe/Kyiv works with time zone data that still says Kiev."""
    candidates = [name, "Europe/Kiev"] if name == "Europe/Kyiv" else [name]
    for candidate in candidates:
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    raise ValueError(f"unknown time zone {name!r}")
