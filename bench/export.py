"""Peak memory and time of `ceasewatch export`, by number of rows: bounded memory or not.

    python bench/export.py --sizes 100000,1000000 --kinds incidents,reports \\
        --formats parquet,csv,geojson

For each size, one SQLite database filled straight through the driver (it is the export
that is measured, not ingest): that many reports and as many trusted incidents, one per
report, spread over Ukraine's oblasts and 30 days, as `ceasewatch import` would leave
them. Then each export runs in a fresh process, and its peak resident memory (the
child's `ru_maxrss`, from `os.wait4`) and wall time are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ceasewatch.services.setup import init

START = datetime(2026, 3, 1, tzinfo=UTC)
TYPES = ["artillery", "mortar", "drone_strike", "missile_strike", "small_arms", "other"]


def fill(path: Path, rows: int, seed: int = 1) -> None:
    init(f"sqlite:///{path}")
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO ceasefires (id, name, definition, policy_name, policy_version, policy_text)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        ("cf-bench", "Bench", json.dumps({"id": "cf-bench"}), "three-phase", 1, ""),
    )
    batch_r, batch_i = [], []
    for n in range(1, rows + 1):
        at = START + timedelta(seconds=rng.uniform(0, 30 * 86400))
        lat, lon = rng.uniform(44.5, 52.0), rng.uniform(22.5, 40.0)
        kind = rng.choice(TYPES)
        body = json.dumps(
            {
                "id": f"r-{n}",
                "source": "bench",
                "source_kind": "monitor",
                "occurred_at": at.isoformat().replace("+00:00", "Z"),
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "location_precision_m": rng.choice([500, 2000, 25000]),
                "event_type": kind,
                "perpetrator": "RU",
                "text": f"Benchmark report {n}: {kind} near a village",
            },
            separators=(",", ":"),
        )
        digest = hashlib.sha256(body.encode()).hexdigest()
        iso = at.isoformat()
        batch_r.append((n, "bench", f"r-{n}", iso, iso, iso, kind, "RU", lat, lon, 1, body, digest))
        batch_i.append(
            (
                "cf-bench", f"inc-{n}", n, "verified", "major", "RU", iso, lat, lon, 0, 0,
                json.dumps([kind]), iso, iso, "trusted input", json.dumps([["bench", f"r-{n}"]]),
            )
        )  # fmt: skip
        if len(batch_r) == 50_000 or n == rows:
            db.executemany(
                "INSERT INTO reports (seq, source, id, clock, arrival, occurred_at, event_type,"
                " perpetrator, lat, lon, trusted, body, sha256)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch_r,
            )
            db.executemany(
                "INSERT INTO incidents (ceasefire_id, id, seq, status, severity, perpetrator,"
                " occurred_at, lat, lon, killed, injured, event_types, verified_at,"
                " violation_at, verified_by, reports)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch_i,
            )
            db.commit()
            batch_r, batch_i = [], []
    db.close()


def measure(db: Path, kind: str, fmt: str, out: Path) -> tuple[float, float]:
    """Seconds and peak resident MiB of one export, in a fresh process."""
    command = [
        sys.executable, "-m", "ceasewatch", "export", kind, "--format", fmt,
        "-o", str(out), "--db", f"sqlite:///{db}",
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--kinds", default="incidents,reports")
    parser.add_argument("--formats", default="parquet,csv,geojson")
    args = parser.parse_args()
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores")
    print("| rows | export | format | seconds | rows/s | peak RSS (MiB) | file (MiB) |")
    print("|---:|---|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            db = Path(folder) / f"bench-{size}.db"
            fill(db, size)
            for kind in args.kinds.split(","):
                for fmt in args.formats.split(","):
                    out = Path(folder) / f"{kind}.{fmt}"
                    seconds, peak = measure(db, kind, fmt, out)
                    mib = out.stat().st_size / 2**20
                    print(
                        f"| {size:,} | {kind} | {fmt} | {seconds:.1f} | {size / seconds:,.0f} | "
                        f"{peak:.0f} | {mib:.0f} |",
                        flush=True,
                    )
                    out.unlink()
            db.unlink()


if __name__ == "__main__":
    main()
