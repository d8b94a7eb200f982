"""The map's server-side aggregation: every incident counted once, at most one marker a cell."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from ceasewatch.store.queries import MapRow
from ceasewatch.web.mapindex import CELL_PX, Snapshot, View

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
