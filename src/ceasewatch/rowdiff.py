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
from collections.abc import Callable, Iterable, Iterator, Mapping
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


class Derived(Generic[T]):
    """Derived rows by key, each built from its object when it is compared, and let go then.

    The objects are filed in nested dicts, a level for each column of the key, so a key
    costs no tuple of its own: a million reports' membership is a million keys. A row is
    `take`n once; what was never taken is `rest`, the rows missing from the store.
    """

    def __init__(self, columns: int, row: Callable[[Key, T], Row]) -> None:
        self._tree: dict[Any, Any] = {}
        self._columns = columns
        self._row = row
        self.count = 0
        """How many rows were derived (taken or not)."""

    def add(self, key: Key, obj: T) -> None:
        node = self._tree
        for part in key[:-1]:
            node = node.setdefault(part, {})
        if key[-1] not in node:
            self.count += 1
        node[key[-1]] = obj

    def take(self, key: Key) -> Row | None:
        """The row of this key, the first time it is asked for; else None."""
        if len(key) != self._columns:
            return None
        node: dict[Any, Any] | None = self._tree
        for part in key[:-1]:
            node = node.get(part) if node is not None else None
        if node is None or key[-1] not in node:
            return None
        return self._row(key, node.pop(key[-1]))

    def rest(self) -> Iterator[Row]:
        """The rows never taken, in the order added, grouped by their keys' leading columns;
        then none is left."""
        yield from self._walk(self._tree, ())
        self._tree = {}

    def _walk(self, node: dict[Any, Any], prefix: Key) -> Iterator[Row]:
        last = len(prefix) + 1 == self._columns
        for part, below in node.items():
            if last:
                yield self._row((*prefix, part), below)
            else:
                yield from self._walk(below, (*prefix, part))


@dataclass(frozen=True)
class Keyed:
    """How to compare a keyed table: its rows' key, their label, a second identity."""

    table: str
    key: Callable[[Row], Key]
    label: Callable[[Row], str]
    alt: Callable[[Row], Key] | None = None


def compare_keyed(
    spec: Keyed, stored: Iterable[Row], derived: Derived[Any]
) -> Iterator[Difference]:
    """Each stored row against the derived row of its key, streamed; then what is left.

    Takes the derived rows as it goes (`Derived.take`): they are compared once.
    """
    extra: list[Row] = []
    for row in stored:
        mine = derived.take(spec.key(row))
        if mine is None:
            extra.append(row)
            continue
        columns = differing(row, mine)
        if columns:
            yield Difference(spec.table, spec.label(mine), DIFFERS, columns)
    yield from _pair(spec, extra, list(derived.rest()))


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
    derived: Iterable[Row],
    label: Callable[[Row, int | None], str],
    window: int = 64,
) -> Iterator[Difference]:
    """Stored rows in their order against the derived ones in theirs, both streamed (see
    `SequenceComparison`)."""
    comparison = SequenceComparison(table, stored, label, window)
    for row in derived:
        yield from comparison.push(row)
    yield from comparison.finish()


class SequenceComparison:
    """Stored rows in their order against derived rows pushed in theirs, as they come.

    Where two rows differ, a stored row found again among the next `window` derived
    ones means the derived rows before it are missing; a derived row found among the
    next stored ones, that the stored rows before it are extra; neither, that the row
    was edited. `label(row, place)` names a row; `place` is its index among the derived
    rows (None for an extra one). A row is judged once `window` more are pushed after it
    (or at `finish`), so at most that many of each side are held.
    """

    def __init__(
        self,
        table: str,
        stored: Iterable[Row],
        label: Callable[[Row, int | None], str],
        window: int = 64,
    ) -> None:
        self.table, self.label, self.window = table, label, window
        self._columns: list[Any] = []
        self._wanted: deque[tuple[Row, Any]] = deque()
        self._ahead = _Ahead(iter(stored), self._compared)
        self._place = 0
        """The place of the first row wanted among the derived rows."""

    def push(self, row: Row) -> list[Difference]:
        """Take the next derived row; the differences it lets be judged."""
        if not self._columns:
            self._columns = list(row)
        self._wanted.append((row, plain(dict(row))))
        return self._judge(final=False)

    def finish(self) -> list[Difference]:
        """No more rows are derived: the differences left."""
        out = self._judge(final=True)
        while self._ahead.fill(1):
            out.append(self._extra())
        return out

    def _compared(self, row: Row) -> dict[Any, Any]:
        return {c: plain(row[c]) if c in row else None for c in self._columns}

    def _judge(self, final: bool) -> list[Difference]:
        wanted, ahead, window = self._wanted, self._ahead, self.window
        out: list[Difference] = []
        while wanted and (final or len(wanted) > window):
            if not ahead.fill(1):
                while wanted:
                    out.append(self._missing())
                break
            row, mine = ahead[0]
            if mine == wanted[0][1]:
                ahead.popleft()
                wanted.popleft()
                self._place += 1
                continue
            ahead.fill(window + 1)
            seen = min(len(wanted), window + 1)
            skipped = next((k for k in range(1, seen) if mine == wanted[k][1]), None)
            inserted = next((k for k in range(1, len(ahead)) if ahead[k][1] == wanted[0][1]), None)
            if skipped is not None and (inserted is None or skipped <= inserted):
                out.extend(self._missing() for _ in range(skipped))
            elif inserted is not None:
                out.extend(self._extra() for _ in range(inserted))
            else:
                ahead.popleft()
                theirs = wanted.popleft()[0]
                place, self._place = self._place, self._place + 1
                out.append(
                    Difference(self.table, self.label(row, place), DIFFERS, differing(row, theirs))
                )
        return out

    def _missing(self) -> Difference:
        row = self._wanted.popleft()[0]
        place, self._place = self._place, self._place + 1
        return Difference(self.table, self.label(row, place), MISSING)

    def _extra(self) -> Difference:
        return Difference(self.table, self.label(self._ahead.popleft()[0], None), EXTRA)


class _Ahead(deque[tuple[Row, Any]]):
    """The next rows of a stream, each with the form it is compared in, read as needed."""

    def __init__(self, rows: Iterator[Row], compared: Callable[[Row], Any]) -> None:
        super().__init__()
        self._rows, self._compared = rows, compared

    def fill(self, n: int) -> bool:
        """Read rows until `n` are held or the stream ends; whether any is held."""
        while len(self) < n:
            row = next(self._rows, None)
            if row is None:
                break
            self.append((row, self._compared(row)))
        return bool(self)
