"""Things at points of space and time, found near a point at the same cost at any size.

Rules 6 and 7 both ask "what lies within so many kilometres and hours of here?": which
reports may describe one event, and which breach a defender's fire may answer. Both
look only at the grid cells and time buckets their radius and window can reach.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from math import cos, floor, pi, radians
from typing import Generic, TypeVar

from .geo import EARTH_RADIUS_KM

T = TypeVar("T")

CELL_DEG = 0.2
_COLUMNS = round(360 / CELL_DEG)
WIDE_KM = 5.0
"""Things less precise than this go to a list searched by time alone."""
KM_PER_DEGREE_LAT = EARTH_RADIUS_KM * pi / 180
SLACK_KM = 1e-6
"""Margin for rounding when a cheap bound rules a candidate out before the exact distance."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(at: datetime) -> int:
    """An instant in microseconds since the epoch: exact, and cheap to compare."""
    return (at - _EPOCH) // _MICROSECOND


@dataclass(slots=True)
class _Slice(Generic[T]):
    """What one key holds in one time bucket: by grid cell, and the imprecise apart."""

    cells: defaultdict[tuple[int, int], list[T]] = field(default_factory=lambda: defaultdict(list))
    wide: list[T] = field(default_factory=list)


class SpaceTimeGrid(Generic[T]):
    """Items filed by a key (a perpetrator, a case), a time bucket and a grid cell.

    A search at time `t` looks at the buckets before, at and after `t`'s, so it finds
    everything within one bucket's length of `t`; callers check the exact window and
    distance on what it yields.
    """

    def __init__(self, bucket: timedelta) -> None:
        self._bucket_us = max(bucket // _MICROSECOND, 60_000_000)
        self._keys: dict[Hashable, dict[int, _Slice[T]]] = {}

    def add(
        self, key: Hashable, lat: float, lon: float, at_us: int, precision_km: float, item: T
    ) -> None:
        self.slot(key, lat, lon, at_us, precision_km).append(item)

    def slot(
        self, key: Hashable, lat: float, lon: float, at_us: int, precision_km: float
    ) -> list[T]:
        """The list an item at this point is filed in (made if need be)."""
        buckets = self._keys.get(key)
        if buckets is None:
            buckets = self._keys[key] = {}
        bucket = at_us // self._bucket_us
        part = buckets.get(bucket)
        if part is None:
            part = buckets[bucket] = _Slice()
        if precision_km > WIDE_KM:
            return part.wide
        return part.cells[cell(lat, lon)]

    def near(
        self, key: Hashable, lat: float, lon: float, at_us: int, reach_km: float
    ) -> Iterator[T]:
        """Every item of `key` within about a bucket of `at_us` that `reach_km` may reach."""
        buckets = self._keys.get(key)
        if buckets is None:
            return
        bucket = at_us // self._bucket_us
        rows, cols = reach(lat, lon, reach_km)
        for b in (bucket - 1, bucket, bucket + 1):
            part = buckets.get(b)
            if part is None:
                continue
            yield from part.wide
            cells = part.cells
            if len(rows) * len(cols) > len(cells):
                for (row, col), filed in cells.items():
                    if row in rows and col in cols:
                        yield from filed
            else:
                for row in rows:
                    for col in cols:
                        yield from cells.get((row, col), ())

    def drop(self, key: Hashable) -> None:
        """Forget everything filed under `key`."""
        self._keys.pop(key, None)


@dataclass(slots=True)
class _Timeline(Generic[T]):
    """Items in order of time, their times beside them for bisection.

    The times are the items' own instants (aware, in UTC), not numbers made from them: a
    replay files most of its reports, and a number would be one more object each.
    """

    times: list[datetime] = field(default_factory=list)
    items: list[T] = field(default_factory=list)

    def add(self, at: datetime, item: T) -> None:
        times = self.times
        if not times or at >= times[-1]:  # the usual case: in order of time
            times.append(at)
            self.items.append(item)
            return
        place = bisect_right(times, at)
        times.insert(place, at)
        self.items.insert(place, item)

    def between(self, lo: datetime, hi: datetime) -> list[T]:
        times = self.times
        return self.items[bisect_left(times, lo) : bisect_right(times, hi)]


@dataclass(slots=True)
class _Key(Generic[T]):
    """What one key holds: a timeline per grid cell, the imprecise apart."""

    cells: dict[tuple[int, int], _Timeline[T]] = field(default_factory=dict)
    wide: _Timeline[T] = field(default_factory=_Timeline)
    spread_km: float = 0.0
    """The largest precision radius among the cell-filed items: how far past its cell's
    edge an item may still reach."""


class Timelines(Generic[T]):
    """Items filed by a key (a case), a grid cell and time: found in a window of time.

    Each cell keeps its items in order of time, so a search over a window looks at the
    cells its radius can reach and, in each, only at the items inside the window (found
    by bisection), however long the key has been filling it. For keys that collect
    items for a long time within a small area (a case open for months), where the
    bucketed grid would walk every bucket of the window.

    A nearest-first search asks first for what lies in the point's own cell (`home`),
    then, with the nearest distance found there, for the other cells that distance can
    reach (`between`, `beyond_home`): in a dense area that is a cell or two, not every
    cell the full radius reaches.
    """

    def __init__(self) -> None:
        self._keys: dict[Hashable, _Key[T]] = {}

    def add(
        self, key: Hashable, lat: float, lon: float, at: datetime, precision_km: float, item: T
    ) -> None:
        filed = self._keys.get(key)
        if filed is None:
            filed = self._keys[key] = _Key()
        if precision_km > WIDE_KM:
            filed.wide.add(at, item)
            return
        if precision_km > filed.spread_km:
            filed.spread_km = precision_km
        where = cell(lat, lon)
        line = filed.cells.get(where)
        if line is None:
            line = filed.cells[where] = _Timeline()
        line.add(at, item)

    def home(self, key: Hashable, lat: float, lon: float, lo: datetime, hi: datetime) -> list[T]:
        """The items of `key` filed at a time in [lo, hi] in the point's own cell,
        and the imprecise ones (filed in no cell)."""
        filed = self._keys.get(key)
        if filed is None:
            return []
        wide = filed.wide
        out = wide.between(lo, hi) if wide.times else []
        line = filed.cells.get(cell(lat, lon))
        if line is not None and line.times[-1] >= lo:
            _window(line, lo, hi, out)
        return out

    def between(
        self,
        key: Hashable,
        lat: float,
        lon: float,
        lo: datetime,
        hi: datetime,
        reach_km: float,
        *,
        beyond_home: bool = False,
    ) -> list[T]:
        """Every item of `key` filed at a time in [lo, hi] that `reach_km` from the
        point may reach (callers check the exact distance): with `beyond_home`, only
        those of cells other than the point's own, and none of the imprecise."""
        filed = self._keys.get(key)
        if filed is None:
            return []
        cells, wide = filed.cells, filed.wide
        out = wide.between(lo, hi) if wide.times and not beyond_home else []
        rows, cols = reach(lat, lon, reach_km, filed.spread_km)
        if beyond_home and len(rows) == 1 and len(cols) == 1:
            return out  # the reach stays inside the point's own cell
        home = cell(lat, lon) if beyond_home else None
        if len(rows) * len(cols) > len(cells):
            for where, line in cells.items():
                recent = line.times[-1] >= lo
                if recent and where[0] in rows and where[1] in cols and where != home:
                    _window(line, lo, hi, out)
        else:
            get = cells.get
            for r in rows:
                for c in cols:
                    found = get((r, c))
                    # most cells of a long-open case hold nothing recent: skip them
                    # without a call
                    if found is not None and found.times[-1] >= lo and (r, c) != home:
                        _window(found, lo, hi, out)
        return out

    def drop(self, key: Hashable) -> None:
        """Forget everything filed under `key`."""
        self._keys.pop(key, None)


def _window(line: _Timeline[T], lo: datetime, hi: datetime, out: list[T]) -> None:
    """Add to `out` the items of `line` filed at a time in [lo, hi]."""
    times = line.times
    first = bisect_left(times, lo)
    if first < len(times) and times[first] <= hi:
        out.extend(line.items[first : bisect_right(times, hi, first)])


def cell(lat: float, lon: float) -> tuple[int, int]:
    return (floor(lat / CELL_DEG), floor(lon / CELL_DEG) % _COLUMNS)


def reach(
    lat: float, lon: float, km: float, spread_km: float = WIDE_KM
) -> tuple[range, set[int] | range]:
    """The grid rows and columns holding every cell-filed item within `km` of a point.

    A cell-filed item may lie up to `spread_km` further (at most `WIDE_KM`: its own
    precision radius, which a distance is taken less of). The
    bound on longitude is taken at the parallel nearest a pole that the reach touches;
    columns wrap at the antimeridian, and a reach over a pole takes every column.
    """
    reach_km = km + spread_km + SLACK_KM
    dlat = reach_km / KM_PER_DEGREE_LAT
    rows = range(floor((lat - dlat) / CELL_DEG), floor((lat + dlat) / CELL_DEG) + 1)
    nearest_pole = abs(lat) + dlat
    if nearest_pole >= 90:
        return rows, range(_COLUMNS)
    dlon = reach_km / (KM_PER_DEGREE_LAT * cos(radians(nearest_pole)))
    if dlon >= 180:
        return rows, range(_COLUMNS)
    first, last = floor((lon - dlon) / CELL_DEG), floor((lon + dlon) / CELL_DEG)
    if first // _COLUMNS == last // _COLUMNS:  # no wrap: a range is cheaper than a set
        return rows, range(first % _COLUMNS, last % _COLUMNS + 1)
    return rows, {col % _COLUMNS for col in range(first, last + 1)}
