"""Stored rows against the rows derived from the journal: which differ, are missing, are extra.

Rows are mappings of column to value as the store reads them back (times as aware
instants, JSON columns as lists and dicts); both sides are compared after `plain`, so a
tuple the engine holds equals the list the store gives back. Only the derived row's
columns are compared: what the store adds of its own (an event's `seq`) is not derived.

Two shapes of table:

- **keyed** (incidents, cases, decisions...): a row is found by its key. A stored row
  whose key is not derived is extra, a derived key not stored is missing; an extra and a
  missing row with the same second identity (`alt`, e.g. a decision's place in its case)
  are one row whose key columns were edited, named as one that differs.
- **sequences** (a ceasefire's events, in the order they were stored): aligned in order;
  a row found again a few places on means the ones skipped were inserted or deleted.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from .domain.events import iso_z

Row = Mapping[Any, Any]
"""A row: column name to value (a mapping the database gives back will do)."""
Key = tuple[Any, ...]
T = TypeVar("T")

DIFFERS, MISSING, EXTRA = "differs", "missing", "extra"
SHOWN = 80
"""Characters of a value a difference shows."""


def plain(value: Any) -> Any:
    """A value as the store gives it back: tuples as lists, mapping keys as strings.

    Times stay instants: aware datetimes are equal when they name one instant, whatever
    their offset.
    """
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def show(value: Any) -> str:
    """A value for a message: times in UTC with `Z`, anything else as JSON, cut short."""
    if isinstance(value, datetime):
        value = _time(value)
    text = value if isinstance(value, str) else json.dumps(value, default=_time, ensure_ascii=False)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _time(value: Any) -> str:
    if isinstance(value, datetime):
        return iso_z(value.astimezone(UTC))
    raise TypeError(f"{type(value).__name__} is not shown")


@dataclass(frozen=True, slots=True)
class Difference:
    """One row that is not as derived: `columns` holds (column, stored, derived)."""

    table: str
    label: str
    kind: str
    columns: tuple[tuple[str, Any, Any], ...] = ()

    def __str__(self) -> str:
        where = f"{self.table} {self.label}"
        if self.kind == MISSING:
            return f"{where}: missing: derived from the journal, not stored"
        if self.kind == EXTRA:
            return f"{where}: extra: stored, not derived from the journal"
        return f"{where}: " + "; ".join(
            f"stored {column} {show(stored)}, derived {show(derived)}"
            for column, stored, derived in self.columns
        )


def differing(stored: Row, derived: Row) -> tuple[tuple[str, Any, Any], ...]:
    """The derived row's columns whose values differ, as (column, stored, derived)."""
    out = []
    for column, value in derived.items():
        try:
            mine = stored[column]
        except KeyError:
            mine = None
        if mine == value:
            continue
        mine, theirs = plain(mine), plain(value)
        if mine != theirs:
            out.append((column, mine, theirs))
    return tuple(out)


class LazyRows(Mapping[Key, Row], Generic[T]):
    """Derived rows by key, each built from its object only when it is looked at."""

    def __init__(self, objects: dict[Key, T], row: Callable[[T], Row]) -> None:
        self._objects, self._row = objects, row

    def __getitem__(self, key: Key) -> Row:
        return self._row(self._objects[key])

    def __iter__(self) -> Iterator[Key]:
        return iter(self._objects)

    def __len__(self) -> int:
        return len(self._objects)


@dataclass(frozen=True)
class Keyed:
    """How to compare a keyed table: its rows' key, their label, a second identity."""

    table: str
    key: Callable[[Row], Key]
    label: Callable[[Row], str]
    alt: Callable[[Row], Key] | None = None


def compare_keyed(
    spec: Keyed, stored: Iterable[Row], derived: Mapping[Key, Row]
) -> Iterator[Difference]:
    """Each stored row against the derived row of its key, streamed; then what is left."""
    seen: set[Key] = set()
    extra: list[Row] = []
    for row in stored:
        key = spec.key(row)
        if key not in derived:
            extra.append(row)
            continue
        seen.add(key)
        mine = derived[key]
        columns = differing(row, mine)
        if columns:
            yield Difference(spec.table, spec.label(mine), DIFFERS, columns)
    missing = [derived[k] for k in derived if k not in seen]
    yield from _pair(spec, extra, missing)


def _pair(spec: Keyed, extra: list[Row], missing: list[Row]) -> Iterator[Difference]:
    """Extra and missing rows; a pair sharing its second identity is one edited row."""
    if spec.alt is not None and extra and missing:
        alt = spec.alt
        wanted = {alt(row): row for row in missing}
        unpaired = []
        for row in extra:
            other = wanted.pop(alt(row), None)
            if other is None:
                unpaired.append(row)
            else:
                yield Difference(spec.table, spec.label(other), DIFFERS, differing(row, other))
        extra, missing = unpaired, list(wanted.values())
    for row in missing:
        yield Difference(spec.table, spec.label(row), MISSING)
    for row in extra:
        yield Difference(spec.table, spec.label(row), EXTRA)


def compare_sequence(
    table: str,
    stored: Iterable[Row],
    derived: Sequence[Row],
    label: Callable[[Row, int | None], str],
    window: int = 64,
) -> Iterator[Difference]:
    """Stored rows in their order against the derived ones in theirs, streamed.

    Where two rows differ, a stored row found again among the next `window` derived
    ones means the derived rows before it are missing; a derived row found among the
    next stored ones, that the stored rows before it are extra; neither, that the row
    was edited. `label(row, place)` names a row; `place` is its index among the derived
    rows (None for an extra one).
    """
    columns = list(derived[0]) if derived else []
    wanted = [plain(dict(row)) for row in derived]
    ahead: deque[tuple[Row, dict[str, Any]]] = deque()
    rows = iter(stored)

    def fill(n: int) -> None:
        while len(ahead) < n:
            row = next(rows, None)
            if row is None:
                return
            ahead.append((row, {c: plain(row[c]) if c in row else None for c in columns}))

    j = 0
    while True:
        fill(1)
        if not ahead or j == len(derived):
            break
        row, mine = ahead[0]
        if mine == wanted[j]:
            ahead.popleft()
            j += 1
            continue
        fill(window + 1)
        skipped = next(
            (k for k in range(1, window + 1) if j + k < len(derived) and mine == wanted[j + k]),
            None,
        )
        inserted = next(
            (k for k in range(1, min(window + 1, len(ahead))) if ahead[k][1] == wanted[j]), None
        )
        if skipped is not None and (inserted is None or skipped <= inserted):
            for k in range(skipped):
                yield Difference(table, label(derived[j + k], j + k), MISSING)
            j += skipped
        elif inserted is not None:
            for _ in range(inserted):
                yield Difference(table, label(ahead.popleft()[0], None), EXTRA)
        else:
            ahead.popleft()
            yield Difference(table, label(row, j), DIFFERS, differing(row, derived[j]))
            j += 1
    for k in range(j, len(derived)):
        yield Difference(table, label(derived[k], k), MISSING)
    while ahead:
        yield Difference(table, label(ahead.popleft()[0], None), EXTRA)
        fill(1)
