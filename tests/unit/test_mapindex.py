"""The map's server-side aggregation: every incident counted once, at most one marker a cell,
no two markers overlapping on the screen."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from ceasewatch.services.reads.maps import MapRow
from ceasewatch.web.mapindex import (
    CELL_PX,
    DEFAULT_STATUSES,
    GAP_PX,
    POINT_PX,
    RING_PX,
    STATUSES,
    Snapshot,
    View,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
UKRAINE = (22.0, 44.0, 41.0, 53.0)


def rows(n: int, seed: int = 1) -> list[MapRow]:
    rng = random.Random(seed)
    return [
        MapRow(
            "cf",
            f"inc-{i}",
            rng.uniform(45, 52),
            rng.uniform(23, 40),
            int((T0 + timedelta(hours=i)).timestamp()),
            rng.choice(["verified", "unverified", "corroborated", "disputed", "rejected"]),
            rng.choice(["minor", "major", "broad_attack"]),
            rng.choice(["RU", "UA", None]),
            rng.sample(["artillery", "mortar", "drone_strike", "other"], k=rng.randint(1, 2)),
            rng.choice(["cf/RU/1", None]),
        )
        for i in range(n)
    ]


def counted(answer: dict) -> int:
    return sum(c[2] for c in answer["clusters"]) + len(answer["points"])


def test_every_incident_in_view_is_counted_once_at_every_zoom():
    snapshot = Snapshot.of((1, 1), rows(5000))
    for zoom in range(0, 13):
        answer = snapshot.aggregate(View(*UKRAINE, zoom=zoom))
        assert counted(answer) == answer["total"]
        assert all(sum(c[3:6]) == c[2] for c in answer["clusters"])


def test_a_view_holds_at_most_one_marker_a_cell_whatever_the_count():
    small, large = Snapshot.of((1, 1), rows(1000)), Snapshot.of((1, 1), rows(100_000))
    view = View(*UKRAINE, zoom=6)
    n = (256 << 6) // CELL_PX
    cells = (int(41 / 360 * n + 0.5 * n) - int(22 / 360 * n + 0.5 * n) + 2) * 20
    for snapshot in (small, large):
        answer = snapshot.aggregate(view)
        assert len(answer["clusters"]) + len(answer["points"]) <= cells
    assert large.aggregate(view)["total"] > 50 * small.aggregate(view)["total"]


def test_a_cell_of_one_incident_is_that_incident():
    [row] = rows(1)
    row = row._replace(status="verified")
    answer = Snapshot.of((1, 1), [row]).aggregate(View(*UKRAINE, zoom=5))

    assert answer["clusters"] == []
    assert answer["points"] == [
        [round(row.lat, 5), round(row.lon, 5), "cf:inc-0", row.severity, "verified"]
    ]


def test_filters_match_a_plain_count():
    data = rows(3000)
    snapshot = Snapshot.of((1, 1), data)
    since, until = T0 + timedelta(hours=100), T0 + timedelta(hours=900)
    view = View(
        *UKRAINE,
        zoom=7,
        since=since,
        until=until,
        types=frozenset({"mortar"}),
        parties=frozenset({"RU"}),
        statuses=frozenset({"verified", "disputed"}),
        severities=frozenset({"major", "broad_attack"}),
        case="cf/RU/1",
    )
    expected = [
        r
        for r in data
        if since.timestamp() <= r.epoch < until.timestamp()
        and "mortar" in r.event_types
        and r.perpetrator == "RU"
        and r.status in ("verified", "disputed")
        and r.severity != "minor"
        and r.case_id == "cf/RU/1"
    ]

    assert snapshot.aggregate(view)["total"] == len(expected) > 0


def test_rejected_incidents_are_hidden_unless_asked_for_and_merged_ones_always():
    data = [
        r._replace(status=s)
        for r, s in zip(rows(3), ["rejected", "merged", "verified"], strict=True)
    ]
    snapshot = Snapshot.of((1, 1), data)

    assert snapshot.aggregate(View(*UKRAINE, zoom=4))["total"] == 1
    everything = View(*UKRAINE, zoom=4, statuses=frozenset({"rejected", "merged", "verified"}))
    assert snapshot.aggregate(everything)["total"] == 2


def test_close_in_a_small_view_each_incident_is_shown():
    data = [r._replace(lat=48.0 + i / 1e4, lon=37.0) for i, r in enumerate(rows(50))]
    answer = Snapshot.of((1, 1), data).aggregate(
        View(
            36.9,
            47.9,
            37.1,
            48.1,
            zoom=14,
            statuses=frozenset({"verified", "unverified", "corroborated", "disputed", "rejected"}),
        )
    )

    assert answer["clusters"] == []
    assert len(answer["points"]) == 50


def test_an_empty_view_is_empty():
    answer = Snapshot.of((1, 1), rows(100)).aggregate(View(0.0, 0.0, 1.0, 1.0, zoom=8))

    assert answer == {"total": 0, "clusters": [], "points": []}


def test_an_updated_snapshot_is_the_one_read_afresh():
    data = rows(2000)
    changed = [
        data[5]._replace(status="merged"),
        data[7]._replace(lat=50.0, lon=30.0, perpetrator="XX", case_id="cf/XX/1"),
        MapRow(
            "cf", "inc-new", 48.0, 37.0, data[0].epoch, "verified", "major", "RU", ["mortar"], None
        ),
    ]
    fresh = Snapshot.of((2, 1), [*[r for i, r in enumerate(data) if i not in (5, 7)], *changed])
    updated = Snapshot.of((1, 1), data).updated((2, 1), changed)

    everything = frozenset({"verified", "unverified", "corroborated", "disputed", "rejected"})
    for view in (
        View(*UKRAINE, zoom=6, statuses=everything),
        View(*UKRAINE, zoom=9, parties=frozenset({"XX"})),
        View(*UKRAINE, zoom=7, case="cf/XX/1"),
    ):
        assert updated.aggregate(view)["total"] == fresh.aggregate(view)["total"]
        assert sorted(map(str, updated.aggregate(view)["points"])) == sorted(
            map(str, fresh.aggregate(view)["points"])
        )
    assert updated.marker == (2, 1)


# -- markers never overlap ------------------------------------------------------------------


def dense(n: int, seed: int = 7) -> list[MapRow]:
    """Incidents crowded along a front line, in a few tight clumps, and scattered thinly."""
    rng = random.Random(seed)
    front = [(47.2, 35.0), (47.6, 36.5), (48.0, 37.6), (48.6, 38.0), (49.3, 37.8), (50.0, 37.5)]
    out = []
    for i, r in enumerate(rows(n, seed)):
        pick = rng.random()
        if pick < 0.7:
            k = rng.randrange(len(front) - 1)
            t = rng.random()
            (a1, o1), (a2, o2) = front[k], front[k + 1]
            lat, lon = (
                a1 + t * (a2 - a1) + rng.gauss(0, 0.08),
                o1 + t * (o2 - o1) + rng.gauss(0, 0.08),
            )
        elif pick < 0.9:
            lat, lon = rng.choice([(48.59, 38.0), (47.84, 35.14), (50.0, 36.23)])
            lat, lon = lat + rng.gauss(0, 0.004), lon + rng.gauss(0, 0.004)
        else:
            lat, lon = rng.uniform(44.5, 52.3), rng.uniform(22.5, 40.0)
        out.append(r._replace(lat=lat, lon=lon, status="verified" if i % 3 else "unverified"))
    return out


def on_screen(answer: dict, zoom: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each marker's centre in pixels at `zoom` (Web Mercator, as Leaflet places it) and
    how far across it is drawn: a cluster its sent side and ring, an incident POINT_PX."""
    markers = [(c[0], c[1], c[7] + 2 * RING_PX) for c in answer["clusters"]]
    markers += [(p[0], p[1], POINT_PX) for p in answer["points"]]
    lat, lon, across = (np.array(column, dtype=float) for column in zip(*markers, strict=True))
    size = 256 * 2**zoom
    x = (lon + 180) / 360 * size
    y = (1 - np.log(np.tan(np.radians(lat)) + 1 / np.cos(np.radians(lat))) / np.pi) / 2 * size
    return x, y, across


def overlapping_pairs(answer: dict, zoom: float) -> int:
    """How many pairs of markers' circles overlap: a sweep along x, each marker against
    the next ones until they are further right than any two circles can reach."""
    x, y, across = on_screen(answer, zoom)
    order = np.argsort(x)
    x, y, across = x[order], y[order], across[order]
    found, step = 0, 1
    while step < x.size and (x[step:] - x[:-step]).min() < across.max():
        dx, dy = x[step:] - x[:-step], y[step:] - y[:-step]
        found += int((np.hypot(dx, dy) < (across[step:] + across[:-step]) / 2).sum())
        step += 1
    return found


ZOOMS = [z / 2 for z in range(0, 26)]  # 0 to 12.5, as the page's half steps


def test_no_two_markers_overlap_on_the_screen_at_any_zoom():
    data = dense(30_000)
    snapshot = Snapshot.of((1, 1), data)
    shown = sum(1 for r in data if r.status in DEFAULT_STATUSES)
    for zoom in ZOOMS:
        answer = snapshot.aggregate(View(*UKRAINE, zoom=zoom))
        assert overlapping_pairs(answer, zoom) == 0, zoom
        assert counted(answer) == answer["total"] == shown


def test_no_two_markers_overlap_in_a_close_view_of_a_crowded_place():
    snapshot = Snapshot.of((1, 1), dense(30_000))
    for zoom in (9.0, 10.5, 12.0, 14.0):  # at 14, more than POINTS_MAX in view: clusters
        answer = snapshot.aggregate(View(37.5, 48.3, 38.5, 48.9, zoom=zoom))
        assert answer["clusters"]
        assert overlapping_pairs(answer, zoom) == 0, zoom


def cell_border(zoom: int) -> float:
    """A longitude in Ukraine where two of the grid's cells meet at `zoom`."""
    n = (256 << zoom) // CELL_PX
    return math.ceil((36.0 + 180) / 360 * n) / n * 360 - 180


def pixels_to_degrees(px: float, zoom: int) -> float:
    return px / (256 * 2**zoom) * 360


def test_two_incidents_close_across_a_cell_border_are_one_cluster():
    zoom, border = 7, cell_border(7)
    half = pixels_to_degrees(3, zoom)
    [a, b] = rows(2)
    data = [a._replace(lat=48.0, lon=border - half), b._replace(lat=48.0, lon=border + half)]

    answer = Snapshot.of((1, 1), data).aggregate(View(*UKRAINE, zoom=zoom))

    assert answer["points"] == []
    [cluster] = answer["clusters"]
    assert cluster[2] == 2 and cluster[1] == pytest.approx(border, abs=1e-5)


def test_two_incidents_just_far_enough_apart_stay_two():
    zoom, border = 7, cell_border(7)
    half = pixels_to_degrees((POINT_PX + GAP_PX) / 2 + 0.5, zoom)
    [a, b] = rows(2)
    data = [a._replace(lat=48.0, lon=border - half), b._replace(lat=48.0, lon=border + half)]

    answer = Snapshot.of((1, 1), data).aggregate(View(*UKRAINE, zoom=zoom))

    assert answer["clusters"] == []
    assert sorted(p[2] for p in answer["points"]) == ["cf:inc-0", "cf:inc-1"]


def test_an_incident_apart_from_a_crowd_stays_itself():
    crowd = [r._replace(lat=48.0 + i * 1e-4, lon=37.0) for i, r in enumerate(rows(500))]
    alone = rows(501)[500]._replace(lat=48.0, lon=37.0 + pixels_to_degrees(60, 8))
    answer = Snapshot.of((1, 1), [*crowd, alone]).aggregate(
        View(*UKRAINE, zoom=8, statuses=frozenset(STATUSES) - {"merged"})
    )

    assert [p[2] for p in answer["points"]] == ["cf:inc-500"]
    [cluster] = answer["clusters"]
    assert cluster[2] == 500


def test_a_cluster_is_sent_with_its_markers_size_growing_with_its_count():
    sizes = {}
    for n in (2, 10, 100, 10_000):
        data = [r._replace(lat=48.0, lon=37.0) for r in rows(n)]
        everything = frozenset(STATUSES) - {"merged"}
        [cluster] = Snapshot.of((1, 1), data).aggregate(
            View(*UKRAINE, zoom=6, statuses=everything)
        )["clusters"]
        sizes[n] = cluster[7]
    assert sizes[2] < sizes[10] < sizes[100] <= sizes[10_000] <= 48
