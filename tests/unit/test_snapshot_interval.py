"""When a process saves a snapshot: seldom, and the more seldom the larger the store."""

from __future__ import annotations

from ceasewatch.services.live_protocol import SnapshotEvery

EVERY = SnapshotEvery(entries=200_000, fraction=0.5, minutes=30)


def test_a_small_store_is_snapshotted_every_200000_entries():
    assert not EVERY.due(grown=199_999, seconds=0, held=0)
    assert EVERY.due(grown=200_000, seconds=0, held=0)
    assert EVERY.due(grown=200_000, seconds=0, held=400_000)


def test_a_large_store_waits_until_it_has_grown_by_half_of_its_newest_snapshot():
    assert not EVERY.due(grown=499_999, seconds=0, held=1_000_000)
    assert EVERY.due(grown=500_000, seconds=0, held=1_000_000)


def test_half_an_hour_of_commits_that_added_anything_is_enough():
    assert EVERY.due(grown=1, seconds=30 * 60, held=1_000_000)
    assert not EVERY.due(grown=1, seconds=30 * 60 - 1, held=1_000_000)


def test_nothing_added_takes_no_snapshot():
    assert not EVERY.due(grown=0, seconds=24 * 3600, held=1_000_000)


def test_snapshots_by_count_can_be_turned_off():
    never = SnapshotEvery(entries=None, minutes=None)

    assert not never.due(grown=10_000_000, seconds=24 * 3600, held=0)
