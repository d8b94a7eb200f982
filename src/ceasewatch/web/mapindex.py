"""Incidents on the map, aggregated on the server into grid cells for the zoom in view.

A map of 100,000 incidents cannot be sent to a browser as one JSON of points, nor drawn
there as 100,000 markers. Each process keeps a compact column snapshot of every incident
(position, time, type, party, status, severity, case: about 60 bytes an incident), read
from the store when the journal has moved since it was taken, and answers each view with
`numpy.bincount` over a grid of about 64 screen pixels a cell: the answer holds at most
one marker per cell of the view, whatever the number of incidents, and its cost grows by
a few microseconds per thousand incidents. A cell holding one incident is sent as that
incident (with its key, to open its details); a cell of several as a cluster with its
count, the count at each severity, how many are verified and its marker's size.

No two markers of an answer overlap on the screen, so that each can be clicked: a marker
stands at the mean position of its incidents, so two neighbouring cells' markers may come
close, and those whose circles (their size in pixels, as the page draws them, and a small
gap) would touch at the view's zoom are merged, the closest pairs first, until none does
(see `apart`). Only where every incident is shown (zoom 13 and closer) may two incidents'
markers overlap, as their places do.

The snapshot follows the store: when the journal has moved since it was taken, the
incidents holding the reports taken since and those the analysts' commands named are read
again (see `services.reads.maps.refreshed`), so a map read after a report was stored shows it,
at a cost that grows with what changed, not with what is stored.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..domain.incidents import Status
from ..domain.reports import EventType
from ..services.reads import maps
from ..services.reads.maps import MapRow, Marker
from ..services.system import System

CELL_PX = 64
"""The side of an aggregation cell, in screen pixels (256-pixel tiles: 4 cells a tile)."""
POINT_PX = 18.0
"""A single incident's marker across, in screen pixels: map.js draws a circle of radius 7
with a 2.5-pixel stroke."""
RING_PX = 1.0
"""The ring around a cluster's marker, outside its side (app.css: `.cluster` box-shadow)."""
GAP_PX = 2.0
"""The least space between two markers' circles."""
POINTS_ZOOM = 13
"""At this zoom and closer, a view of at most POINTS_MAX incidents shows every one."""
POINTS_MAX = 1000
MAX_ZOOM = 20
MAX_CELLS = 1 << 22
"""More cells than any screen holds; a wider grid falls back to sorting the keys."""

SEVERITIES = ("minor", "major", "broad_attack")
STATUSES = tuple(s.value for s in Status)
TYPES = tuple(t.value for t in EventType)
HIDDEN = frozenset({Status.MERGED.value})
"""Never on the map: a merged incident's reports are shown by the incident it joined."""
DEFAULT_STATUSES = frozenset(STATUSES) - HIDDEN - {Status.REJECTED.value}
VERIFIED = STATUSES.index(Status.VERIFIED.value)


@dataclass(frozen=True)
class View:
    """What the map asks for: a box, a zoom, and filters (None: no filter)."""

    west: float
    south: float
    east: float
    north: float
    zoom: float
    """The map's zoom, fractional as the page's may be: the grid is that of the whole zoom
    below, the markers are kept apart at this one."""
    since: datetime | None = None
    until: datetime | None = None
    types: frozenset[str] | None = None
    parties: frozenset[str] | None = None
    statuses: frozenset[str] = DEFAULT_STATUSES
    severities: frozenset[str] | None = None
    case: str | None = None


def mercator(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> tuple[Any, Any]:
    """Web Mercator (x, y) in [0, 1]: y = 0 at the north edge, as tiles count."""
    clipped = np.clip(lat, -85.05112878, 85.05112878)
    x = (lon + 180.0) / 360.0
    rad = np.radians(clipped)
    y = (1.0 - np.log(np.tan(rad) + 1.0 / np.cos(rad)) / math.pi) / 2.0
    return x, y


@dataclass
class Snapshot:
    """Every incident on the map, as columns (one row an incident)."""

    marker: Marker = (-1, -1)
    keys: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    """Key -> row."""
    lat: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    lon: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    x: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    y: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    t: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    types: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    party: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    status: NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, np.int8))
    severity: NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, np.int8))
    case: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    parties: list[str | None] = field(default_factory=lambda: [None])
    cases: list[str | None] = field(default_factory=lambda: [None])
    _cells: dict[int, tuple[NDArray[np.int32], NDArray[np.int32]]] = field(default_factory=dict)

    @classmethod
    def of(cls, marker: Marker, rows: Iterable[MapRow]) -> Snapshot:
        type_bits = {t: 1 << n for n, t in enumerate(TYPES)}
        status_code = {s: n for n, s in enumerate(STATUSES)}
        severity_code = {s: n for n, s in enumerate(SEVERITIES)}
        parties: dict[str | None, int] = {None: 0}
        cases: dict[str | None, int] = {None: 0}
        keys: list[str] = []
        cols: list[list[Any]] = [[] for _ in range(9)]
        for r in rows:
            keys.append(f"{r.ceasefire_id}:{r.id}")
            cols[0].append(r.lat)
            cols[1].append(r.lon)
            cols[2].append(r.epoch)
            cols[3].append(sum(type_bits.get(t, 0) for t in r.event_types))
            cols[4].append(parties.setdefault(r.perpetrator, len(parties)))
            cols[5].append(status_code.get(r.status, 0))
            cols[6].append(severity_code.get(r.severity, 0))
            cols[7].append(cases.setdefault(r.case_id, len(cases)))
        lat = np.asarray(cols[0], dtype=np.float64)
        lon = np.asarray(cols[1], dtype=np.float64)
        x, y = mercator(lat, lon)
        return cls(
            marker=marker,
            keys=keys,
            rows={key: n for n, key in enumerate(keys)},
            lat=lat,
            lon=lon,
            x=x,
            y=y,
            t=np.asarray(cols[2], dtype=np.int64),
            types=np.asarray(cols[3], dtype=np.int32),
            party=np.asarray(cols[4], dtype=np.int32),
            status=np.asarray(cols[5], dtype=np.int8),
            severity=np.asarray(cols[6], dtype=np.int8),
            case=np.asarray(cols[7], dtype=np.int32),
            parties=list(parties),
            cases=list(cases),
        )

    def updated(self, marker: Marker, changed: list[MapRow]) -> Snapshot:
        """A new snapshot with these incidents' rows replaced or added (this one unchanged:
        a request reading it meanwhile sees it whole)."""
        fresh = Snapshot.of(marker, changed)
        if not changed:
            return replace(self, marker=marker)
        parties = {name: n for n, name in enumerate(self.parties)}
        cases = {name: n for n, name in enumerate(self.cases)}
        party = np.array([parties.setdefault(p, len(parties)) for p in fresh.parties], np.int32)
        case = np.array([cases.setdefault(c, len(cases)) for c in fresh.cases], np.int32)
        # keys and rows only ever grow (incidents are never deleted): shared, appended to,
        # under the index's lock; an older snapshot never looks past its own arrays' length
        keys, rows = self.keys, self.rows
        at = []
        for key in fresh.keys:
            if key not in rows:
                rows[key] = len(keys)
                keys.append(key)
            at.append(rows[key])
        where = np.asarray(at, dtype=np.int64)
        grown = len(keys) - len(self.lat)

        def merged(old: NDArray[Any], new: NDArray[Any]) -> NDArray[Any]:
            out = np.concatenate([old, np.zeros(grown, dtype=old.dtype)]) if grown else old.copy()
            out[where] = new
            return out

        cells = {
            zoom: (merged(ix, fresh.cells(zoom)[0]), merged(iy, fresh.cells(zoom)[1]))
            for zoom, (ix, iy) in list(self._cells.items())  # a request may add a zoom
        }
        return Snapshot(
            marker=marker,
            keys=keys,
            rows=rows,
            lat=merged(self.lat, fresh.lat),
            lon=merged(self.lon, fresh.lon),
            x=merged(self.x, fresh.x),
            y=merged(self.y, fresh.y),
            t=merged(self.t, fresh.t),
            types=merged(self.types, fresh.types),
            party=merged(self.party, party[fresh.party]),
            status=merged(self.status, fresh.status),
            severity=merged(self.severity, fresh.severity),
            case=merged(self.case, case[fresh.case]),
            parties=list(parties),
            cases=list(cases),
            _cells=cells,
        )

    def mask(self, view: View) -> NDArray[np.bool_]:
        """Which incidents are in the view's box and pass its filters."""
        m = _allowed(STATUSES, view.statuses - HIDDEN)[self.status]
        m &= self.lat >= view.south
        m &= self.lat <= view.north
        m &= self.lon >= view.west
        m &= self.lon <= view.east
        if view.since is not None:
            m &= self.t >= int(view.since.timestamp())
        if view.until is not None:
            m &= self.t < int(view.until.timestamp())
        if view.types is not None:
            bits = sum(1 << TYPES.index(t) for t in view.types if t in TYPES)
            m &= (self.types & bits) != 0
        if view.parties is not None:
            m &= _allowed(self.parties, view.parties)[self.party]
        if view.severities is not None:
            m &= _allowed(SEVERITIES, view.severities)[self.severity]
        if view.case is not None:
            m &= self.case == (self.cases.index(view.case) if view.case in self.cases else -1)
        return m

    def cells(self, zoom: int) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
        """Each incident's grid cell (column, row) at `zoom`, worked out once per zoom."""
        found = self._cells.get(zoom)
        if found is None:
            n = (256 << zoom) // CELL_PX
            found = (
                np.minimum(self.x * n, n - 1).astype(np.int32),
                np.minimum(self.y * n, n - 1).astype(np.int32),
            )
            self._cells[zoom] = found
        return found

    def aggregate(self, view: View) -> dict[str, Any]:
        """Clusters and single incidents of the view (see the module's docstring)."""
        chosen = np.flatnonzero(self.mask(view))
        total = int(chosen.size)
        if total == 0:
            return {"total": 0, "clusters": [], "points": []}
        if view.zoom >= POINTS_ZOOM and total <= POINTS_MAX:
            return {"total": total, "clusters": [], "points": self._points(chosen)}
        columns, rows = self.cells(math.floor(view.zoom))
        ix, iy = columns[chosen], rows[chosen]
        x0, y0 = int(ix.min()), int(iy.min())
        width = int(ix.max()) - x0 + 1
        cells = (iy - y0).astype(np.int64) * width + (ix - x0)
        size = width * (int(iy.max()) - y0 + 1)
        if size > MAX_CELLS:  # a box far wider than a screen at this zoom
            _, cells = np.unique(cells, return_inverse=True)
            size = int(cells.max()) + 1
        # one pass counts each cell's incidents by (severity, verified or not)
        kinds = len(SEVERITIES) * 2
        kind = self.severity[chosen].astype(np.int64) * 2 + (self.status[chosen] == VERIFIED)
        by_kind = np.bincount(cells * kinds + kind, minlength=size * kinds).reshape(size, kinds)
        count = by_kind.sum(axis=1)
        occupied = np.flatnonzero(count)
        markers = apart(
            Markers(
                count=count[occupied],
                kinds=by_kind[occupied],
                lat=np.bincount(cells, weights=self.lat[chosen], minlength=size)[occupied],
                lon=np.bincount(cells, weights=self.lon[chosen], minlength=size)[occupied],
                # a cell of one: the sum of its members' rows is its one member's row
                member=np.bincount(cells, weights=chosen, minlength=size)[occupied],
            ),
            view.zoom,
        )
        single, several = markers.count == 1, markers.count > 1
        points = self._points(markers.member[single].astype(np.int64))
        grouped = markers.kinds[several]
        lat, lon = markers.position()
        clusters = np.column_stack(
            [
                lat[several],
                lon[several],
                markers.count[several],
                grouped[:, 0::2] + grouped[:, 1::2],  # minor, major, broad_attack
                grouped[:, 1::2].sum(axis=1),  # verified
                cluster_px(markers.count[several]),
            ]
        ).tolist()
        return {
            "total": total,
            "clusters": [[a, o, *map(int, rest)] for a, o, *rest in clusters],
            "points": points,
        }

    def _points(self, rows: NDArray[np.int64]) -> list[list[Any]]:
        """[lat, lon, key, severity, status] of each incident."""
        return [
            [
                round(float(self.lat[i]), 5),
                round(float(self.lon[i]), 5),
                self.keys[i],
                SEVERITIES[self.severity[i]],
                STATUSES[self.status[i]],
            ]
            for i in rows.tolist()
        ]


def cluster_px(count: NDArray[Any]) -> NDArray[np.float64]:
    """The side of a cluster's marker in pixels, growing with the log of its count: sent
    with each cluster, and the page draws it so."""
    side: NDArray[np.float64] = np.round(22 + np.minimum(26, 3 * np.log2(np.maximum(count, 1))))
    return side


def marker_px(count: NDArray[Any]) -> NDArray[np.float64]:
    """How far across each marker is on the screen, its ring included."""
    return np.where(count == 1, POINT_PX, cluster_px(count) + 2 * RING_PX)


@dataclass
class Markers:
    """The markers of a view, as columns: how many incidents each holds, how many of each
    kind (severity by verified or not), the sums of their latitudes and longitudes, and
    (for a marker of one) that incident's row."""

    count: NDArray[np.int64]
    kinds: NDArray[np.int64]
    lat: NDArray[Any]
    lon: NDArray[Any]
    member: NDArray[Any]

    def position(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Each marker's place as it is sent: its incidents' mean, to 5 decimals."""
        return np.round(self.lat / self.count, 5), np.round(self.lon / self.count, 5)

    def merged(self, into: NDArray[np.intp], taken: NDArray[np.intp]) -> Markers:
        """Each `taken[k]` merged into `into[k]` (no marker twice among both)."""
        count, kinds = self.count.copy(), self.kinds.copy()
        lat, lon = self.lat.copy(), self.lon.copy()
        count[into] += count[taken]
        kinds[into] += kinds[taken]
        lat[into] += lat[taken]
        lon[into] += lon[taken]
        kept = np.ones(count.size, dtype=bool)
        kept[taken] = False
        return Markers(count[kept], kinds[kept], lat[kept], lon[kept], self.member[kept])


def apart(markers: Markers, zoom: float) -> Markers:
    """The markers, merged until no two overlap on the screen at `zoom`.

    Each round finds the pairs whose circles come closer than GAP_PX and merges every pair
    of markers that are each other's closest such neighbour (by how far they overlap), so a
    marker joins its nearest neighbour, not a chain of them; the most overlapping pair of
    all is always such a pair, so each round merges at least one and the rounds end."""
    scale = 256.0 * 2.0**zoom
    while markers.count.size > 1:
        lat, lon = markers.position()
        x, y = mercator(lat, lon)
        i, j, slack = _overlapping(x * scale, y * scale, marker_px(markers.count))
        if i.size == 0:
            break
        order = np.lexsort((j, i, slack))  # the most overlapping first; ties by index
        i, j = i[order], j[order]
        rank = np.arange(i.size)
        first = np.full(markers.count.size, i.size)  # each marker's first pair in that order
        np.minimum.at(first, i, rank)
        np.minimum.at(first, j, rank)
        mutual = (first[i] == rank) & (first[j] == rank)
        markers = markers.merged(i[mutual], j[mutual])
    return markers


NEIGHBOURS = ((0, 0), (1, -1), (1, 0), (1, 1), (0, 1))
"""A cell, and half of the cells around it: each pair of neighbouring cells once."""


def _overlapping(
    px: NDArray[np.float64], py: NDArray[np.float64], across: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """The pairs (i < j) of circles closer than GAP_PX, and by how much (negative).

    Circles are hashed into square buckets as wide as the nearest two may be apart, so
    only a bucket and its neighbours are compared: the cost grows with the number of
    circles, not its square."""
    reach = float(across.max()) + GAP_PX
    bx = np.floor(px / reach).astype(np.int64)
    by = np.floor(py / reach).astype(np.int64)
    bx -= bx.min()
    by -= by.min() - 1
    height = int(by.max()) + 2
    key = bx * height + by
    order = np.argsort(key, kind="stable")
    buckets, start, sizes = np.unique(key[order], return_index=True, return_counts=True)
    slots = np.full((buckets.size, int(sizes.max())), -1, dtype=np.intp)
    slots[
        np.repeat(np.arange(buckets.size), sizes), np.arange(px.size) - np.repeat(start, sizes)
    ] = order
    found_i, found_j = [], []
    width = slots.shape[1]
    for dx, dy in NEIGHBOURS:
        target = buckets + dx * height + dy
        at = np.minimum(np.searchsorted(buckets, target), buckets.size - 1)
        hit = buckets[at] == target
        a = np.repeat(slots[hit], width, axis=1).ravel()
        b = np.tile(slots[at[hit]], (1, width)).ravel()
        valid = (a >= 0) & (b >= 0) & (a != b)
        if (dx, dy) == (0, 0):
            valid &= a < b
        found_i.append(np.minimum(a, b)[valid])
        found_j.append(np.maximum(a, b)[valid])
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    slack = np.hypot(px[i] - px[j], py[i] - py[j]) - ((across[i] + across[j]) / 2 + GAP_PX)
    close = slack < 0
    return i[close], j[close], slack[close]


def _allowed(names: Sequence[str | None], wanted: frozenset[str]) -> NDArray[np.bool_]:
    """A lookup table: code -> whether its name is wanted."""
    return np.array([name is not None and name in wanted for name in names], dtype=bool)


class MapIndex:
    """One process's snapshot, brought up to date when the store has changed since it was
    taken: the incidents the new journal inputs touched are read again (all of them after
    a new ceasefire or a split, or when more than REREAD inputs are new)."""

    REREAD = 20_000

    def __init__(self) -> None:
        self._snapshot = Snapshot()
        self._lock = threading.Lock()

    def current(self, system: System) -> Snapshot:
        if maps.marker(system) == self._snapshot.marker:
            return self._snapshot
        with self._lock:
            old = self._snapshot
            fresh = maps.refreshed(
                system, old.marker, reread=self.REREAD, whole=Snapshot.of, changed=old.updated
            )
            if fresh is not None:
                self._snapshot = fresh
            return self._snapshot
