"""Durations as people write them in policy files: `24h`, `90m`, `3d`, `1d12h`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, ValidationInfo

from .admission import admitted

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])")


def parse_duration(value: Any) -> Any:
    """Turn `1d12h` into a timedelta; leave anything else for pydantic to judge, but a
    bare number: pydantic would take `quiet: 72` as 72 seconds, not the hours meant."""
    if isinstance(value, int | float):
        raise ValueError(f"invalid duration {value!r}: give its unit, e.g. 72h, 90m or 3d")
    if not isinstance(value, str):
        return value
    text = value.strip().replace(" ", "")
    parts = _PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"invalid duration {value!r}: write e.g. 24h, 90m, 3d or 1d12h")
    return timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in parts))


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "0s"
    out = []
    for unit, size in _UNITS.items():
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)


_SPANS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def span(delta: timedelta) -> str:
    """A length of time as people read it at a glance: its two largest units, `2 d 5 h`,
    `3 h`, `4 min 10 s`."""
    seconds = abs(int(delta.total_seconds()))
    counts = []
    for unit, size in _SPANS:
        count, seconds = divmod(seconds, size)
        counts.append((count, unit))
    first = next((i for i, (count, _) in enumerate(counts) if count), len(counts) - 1)
    return " ".join(f"{c} {unit}" for c, unit in counts[first : first + 2] if c) or "0 s"


def countdown(due: datetime, now: datetime) -> str:
    """A deadline counted against `now` (the stored clock): `due in 3 h`, `overdue by 2 d`."""
    if due > now:
        return f"due in {span(due - now)}"
    return f"overdue by {span(now - due)}"


def _duration(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, int | float) and not admitted(info):
        return value  # a stored document's, read as it was admitted: seconds
    return parse_duration(value)


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, return_type=str),
]
