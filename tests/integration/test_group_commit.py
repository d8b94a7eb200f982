"""Group commit: submissions made at once share transactions and lose nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from api_world import NOW, build, violation

from ceasewatch.services.submit import GroupCommit
from ceasewatch.services.system import System
from ceasewatch.store import queries
from ceasewatch.store.database import reading


def test_concurrent_submissions_store_each_report_once_and_tell_one_caller(
    system: System, tmp_path: Path
):
    world = build(system, tmp_path)
    committer = GroupCommit(world.system)
    batches = [[violation(100 + i * 10 + j, 80) for j in range(10)] for i in range(12)]
    overlapping = [*batches, batches[0], batches[5]]  # two batches sent twice at once

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda b: committer.submit(b, NOW), overlapping))

    stored = [rid for r in results for rid in r.stored]
    assert sorted(stored) == sorted(rec["id"] for b in batches for rec in b)
    assert sum(len(r.duplicates) for r in results) == 20
    with reading(world.system.db) as conn:
        assert queries.stats(conn)["reports"] == 4 + 120


def test_a_bad_record_is_named_and_its_batch_mates_stored(system: System, tmp_path: Path):
    world = build(system, tmp_path)
    committer = GroupCommit(world.system)

    result = committer.submit([violation(200, 80), {**violation(201, 80), "lat": "north"}], NOW)

    assert result.stored == ["v200"]
    assert [(e.index, e.field) for e in result.rejected] == [(1, "lat")]
