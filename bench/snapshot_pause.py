"""How long a write waits for a snapshot, on a SQLite store of N trusted reports.

    python bench/snapshot_pause.py --size 300000 [--keep DIR]

Two writers that a snapshot could hold up, each timed in wall-clock seconds:

- **the server's own commit**: a process whose engines are caught up ingests one report,
  after which a snapshot falls due. `here` takes it in the same process before the
  commit returns (as every process did before servers took theirs apart, and as a CLI
  command still does); `apart` starts `ceasewatch snapshot` beside it, as `ceasewatch
  serve` does. The process started is timed too, to its end.
- **another process's tick**: `ceasewatch tick --until` an hour on, started a second
  after `ceasewatch snapshot` in another process, against the tick alone. Run this
  script with `PYTHONPATH=OLD/src` to time an older `ceasewatch snapshot` the same way.

The store is the one `bench/snapshot.py` builds (`--keep` reuses it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from snapshot import CLI, build, stored_clock


def one_report(folder: Path, n: int, at: str) -> Path:
    """A file of one trusted report of a new id."""
    path = folder / f"one-{n}.jsonl"
    record = {
        "id": f"pause-{n}",
        "source": "bench",
        "occurred_at": at,
        "lat": 48.0,
        "lon": 37.0,
        "event_type": "artillery",
        "perpetrator": "RU",
    }
    path.write_text(json.dumps(record) + "\n")
    return path


def server_commit(db: Path, folder: Path, apart: bool) -> tuple[float, float | None]:
    """One report ingested by a caught-up process whose snapshot then falls due: the
    commit's wall seconds, and those of the snapshot process it started (if `apart`)."""
    from ceasewatch.services.ingest import ingest
    from ceasewatch.services.live_protocol import SnapshotEvery
    from ceasewatch.services.system import open_system

    system = open_system(f"sqlite:///{db}", serving=apart)
    at = (stored_clock(db) + timedelta(minutes=1)).isoformat()
    try:
        system.protocol.snapshot_every = SnapshotEvery(entries=None, minutes=None)
        ingest(system, [str(one_report(folder, 2 * int(time.time()), at))], trusted=True)
        system.protocol.snapshot_every = SnapshotEvery(entries=1, fraction=0.0, minutes=None)
        began = time.perf_counter()
        ingest(system, [str(one_report(folder, 2 * int(time.time()) + 1, at))], trusted=True)
        commit = time.perf_counter() - began
        taker = system.protocol.snapshot_process
        if taker is None:
            return commit, None
        taker.wait()
        return commit, time.perf_counter() - began
    finally:
        system.db.dispose()


def tick_beside_snapshot(db: Path) -> tuple[float, float]:
    """`ceasewatch tick` alone, and started a second into `ceasewatch snapshot` (after
    one first, so that both ticks start from a snapshot of the code run)."""
    url = ["--db", f"sqlite:///{db}"]
    subprocess.run([*CLI, "snapshot", *url], check=True, capture_output=True)

    def tick() -> float:
        until = (stored_clock(db) + timedelta(hours=1)).isoformat()
        began = time.perf_counter()
        subprocess.run([*CLI, "tick", "--until", until, *url], check=True, capture_output=True)
        return time.perf_counter() - began

    alone = tick()
    snapshot = subprocess.Popen([*CLI, "snapshot", *url], stdout=subprocess.DEVNULL)
    time.sleep(1.0)
    beside = tick()
    snapshot.wait()
    return alone, beside


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--keep", metavar="DIR", help="build the store here, or reuse it")
    parser.add_argument("--tick-only", action="store_true", help="time only the other tick")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ceasewatch-bench-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = build(folder, args.size)
        if not args.tick_only:
            for apart in (False, True):
                commit, process = server_commit(db, folder, apart)
                where = "apart" if apart else "here"
                took = "" if process is None else f"; the snapshot process {process:.2f} s"
                print(f"server commit, snapshot {where}: {commit:.3f} s{took}")
        alone, beside = tick_beside_snapshot(db)
        print(f"another process's tick: {alone:.2f} s alone, {beside:.2f} s beside a snapshot")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
