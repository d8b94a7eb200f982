"""Opening a store and ticking it an hour: a store of 1k reports against one of 300k.

    python bench/snapshot.py --sizes 1000,300000 --repeat 3 [--keep DIR]

For each size, a SQLite store of that many trusted reports of issue 15's shape
(`replay.generate_issue`, seeded) with one ceasefire, ingested by `ceasewatch ingest
--trust-input`; then `ceasewatch snapshot`. Each figure is one `ceasewatch tick --until`
an hour past the stored clock, in a fresh process as a user runs it (start-up, opening,
catching up, the tick and its commit): wall-clock seconds and the process's CPU
seconds, best of `--repeat`, measured for every size back to back so that the machine's
load weighs on each alike. "journal" ticks the same store with its snapshots set
aside (renamed away and back), as every process started before snapshots existed.
With `--keep`, stores already in DIR are reused. Each figure comes with the process's
peak resident memory; `--memory` also measures, once per store after the ticks, an
ingest of one report (which reads the snapshot's body) and `ceasewatch snapshot`.
`--accounts` gives each report what a monitor's usually carries besides its facts: an
account of 600 characters and two pieces of evidence (`with_accounts`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from replay import generate_issue

CLI = [sys.executable, "-m", "ceasewatch"]
CEASEFIRE = """\
id: cf-bench
name: Benchmark ceasefire
parties: [RU, UA]
effective_from: 2026-03-01T00:00:00Z
"""


def cli(*args: str, db: Path) -> tuple[float, float]:
    """Run a ceasewatch command: its CPU seconds (user + system) and peak resident MiB."""
    command = [*CLI, *args, "--db", f"sqlite:///{db}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def build(folder: Path, size: int, accounts: bool) -> Path:
    kind = "accounts" if accounts else "issue"
    db = folder / f"store-{kind}-{size}.db"
    if db.exists():
        return db
    reports = folder / f"{kind}-{size}.jsonl"
    generate_issue(reports, size, 1)
    if accounts:
        with_accounts(reports)
    (folder / "cf.yaml").write_text(CEASEFIRE)
    subprocess.run([*CLI, "init", "--db", f"sqlite:///{db}"], check=True, capture_output=True)
    cli("ceasefire", "add", str(folder / "cf.yaml"), db=db)
    began = time.perf_counter()
    cli("ingest", "--trust-input", str(reports), db=db)
    print(f"ingested {size:,}: {time.perf_counter() - began:.0f} s", file=sys.stderr)
    cli("snapshot", db=db)
    return db


def with_accounts(path: Path) -> None:
    """Give each report an account (600 characters) and two pieces of evidence."""
    lines = path.read_text(encoding="utf-8").splitlines()
    with open(path, "w", encoding="utf-8") as out:
        for line in lines:
            record = json.loads(line)
            rid = record["id"]
            record["text"] = (f"{rid}: observed {record['event_type']} fire; " * 20)[:600]
            record["evidence"] = [
                {
                    "uri": f"https://evidence.example.org/{rid}/{name}",
                    "sha256": hashlib.sha256(f"{rid}/{name}".encode()).hexdigest(),
                }
                for name in ("photo.jpg", "video.mp4")
            ]
            out.write(json.dumps(record) + "\n")


def snapshot_bytes(db: Path) -> int:
    """The newest snapshot's size, compressed (state and body)."""
    with sqlite3.connect(db) as conn:
        (size,) = conn.execute("SELECT size FROM snapshots ORDER BY seq DESC LIMIT 1").fetchone()
    return int(size)


def stored_clock(db: Path) -> datetime:
    with sqlite3.connect(db) as conn:
        (now,) = conn.execute("SELECT now FROM clock").fetchone()
    return datetime.fromisoformat(now)


def tick_hour(db: Path) -> tuple[float, float, float]:
    """One `ceasewatch tick` an hour on: (wall s, CPU s, peak MiB)."""
    until = (stored_clock(db) + timedelta(hours=1)).isoformat()
    began = time.perf_counter()
    cpu, peak = cli("tick", "--until", until, db=db)
    return time.perf_counter() - began, cpu, peak


def one_report(db: Path) -> tuple[float, float]:
    """`ceasewatch ingest` of one new report at the stored clock: (CPU s, peak MiB)."""
    at = stored_clock(db).isoformat()
    record = {
        "id": f"bench-one-{time.time_ns()}",
        "source": "src-1",
        "occurred_at": at,
        "reported_at": at,
        "lat": 48.0,
        "lon": 37.0,
        "event_type": "artillery",
        "perpetrator": "RU",
    }
    path = db.with_suffix(".one.jsonl")
    path.write_text(json.dumps(record) + "\n")
    return cli("ingest", "--trust-input", str(path), db=db)


def without_snapshots(db: Path, run: bool) -> tuple[float, float, float]:
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE snapshots RENAME TO snapshots_aside")
        conn.execute("CREATE TABLE snapshots AS SELECT * FROM snapshots_aside WHERE 0")
    try:
        return tick_hour(db)
    finally:
        with sqlite3.connect(db) as conn:
            conn.execute("DROP TABLE snapshots")
            conn.execute("ALTER TABLE snapshots_aside RENAME TO snapshots")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,300000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="build the stores here, or reuse them")
    parser.add_argument("--journal", action="store_true", help="also tick without snapshots")
    parser.add_argument(
        "--memory", action="store_true", help="also ingest one report and take a snapshot"
    )
    parser.add_argument(
        "--accounts", action="store_true", help="reports with an account and evidence"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="ceasewatch-bench-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        stores = {size: build(folder, size, args.accounts) for size in sizes}
        best: dict[tuple[int, str], tuple[float, float, float]] = {}
        for _ in range(args.repeat):
            for size, db in stores.items():
                runs = [("snapshot", tick_hour)]
                if args.journal:
                    runs.append(("journal", lambda d: without_snapshots(d, True)))
                for how, measure in runs:
                    figures = measure(db)
                    old = best.get((size, how), (float("inf"),) * 3)
                    best[(size, how)] = (
                        min(old[0], figures[0]),
                        min(old[1], figures[1]),
                        min(old[2], figures[2]),
                    )
        snapshot_sizes = {size: snapshot_bytes(db) for size, db in stores.items()}
        others = {
            size: (one_report(db), cli("snapshot", db=db))
            for size, db in (stores.items() if args.memory else ())
        }
    base = best[(sizes[0], "snapshot")]
    print("     size | start from | wall s | CPU s | wall ratio | CPU ratio | peak MiB")
    print("----------+------------+--------+-------+------------+-----------+---------")
    for (size, how), (wall, cpu, peak) in sorted(best.items()):
        print(
            f"{size:>9,} | {how:10} | {wall:6.2f} | {cpu:5.2f} | {wall / base[0]:10.2f} | "
            f"{cpu / base[1]:9.2f} | {peak:8,.0f}"
        )
    print(f"\nbest of {args.repeat}; ratios against {sizes[0]:,} reports from a snapshot")
    for size, stored in snapshot_sizes.items():
        print(f"snapshot of {size:,} reports: {stored / 2**20:,.1f} MiB")
    if args.memory:
        print("\n     size | ingest of one report: CPU s, peak MiB | snapshot: CPU s, peak MiB")
        print("----------+--------------------------------------+--------------------------")
        for size, ((one_cpu, one_peak), (snap_cpu, snap_peak)) in others.items():
            print(
                f"{size:>9,} | {one_cpu:24.2f}, {one_peak:10,.0f} | "
                f"{snap_cpu:14.2f}, {snap_peak:9,.0f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
