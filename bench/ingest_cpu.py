"""Durable ingest against its ceiling in CPU seconds, for two checkouts run in turn.

    python bench/ingest_cpu.py --size 20000 --mode trusted --against /work/main/src

On a machine shared with other work, wall time measures the load as much as the code;
CPU time (`time.process_time`) much less so. For one generated file (bench/replay.py's
generator), each round runs, in fresh processes, this checkout's `ceasewatch ingest`
into a fresh SQLite database and then, with `--against`, another checkout's (its `src`
folder put first on the path), each after the ceiling of `bench/ingest.py` (`json.loads`
+ one `executemany`), all timed in CPU seconds; the rounds interleave the two so that
a change of load falls on both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ingest import ceiling_sqlite, durable  # bench/ingest.py's, timed in CPU seconds
from replay import generate  # the replay benchmark's seeded generator


def ceiling(path: str, folder: str) -> float:
    return ceiling_sqlite(path, folder, clock=time.process_time)


def durable_cpu(path: str, folder: str, trusted: bool) -> float:
    url = f"sqlite:///{Path(folder) / f'durable-{uuid.uuid4().hex}.db'}"
    seconds: float = durable(path, url, folder, trusted, clock=time.process_time)["seconds"]
    return seconds


def one(args: argparse.Namespace) -> int:
    """In this process: the ceiling, then durable ingest; their CPU seconds as JSON."""
    figures = {
        "ceiling_s": ceiling(args.file, args.folder),
        "durable_s": durable_cpu(args.file, args.folder, args.mode == "trusted"),
    }
    print(json.dumps(figures))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--mode", default="trusted", choices=["trusted", "untrusted"])
    parser.add_argument("--against", help="another checkout's src folder, to run in turn")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.file:
        return one(args)
    folder = tempfile.mkdtemp(prefix="ceasewatch-bench-")
    path = Path(folder) / "reports.jsonl"
    generate(path, args.size, 1, 150.0)
    here = str(Path(__file__).resolve().parents[1] / "src")
    checkouts = [("this", here)] + ([("against", args.against)] if args.against else [])
    print(f"{args.size} {args.mode} reports into SQLite, CPU µs a report:")
    for round_ in range(1, args.rounds + 1):
        for name, src in checkouts:
            env = {**os.environ, "PYTHONPATH": src}
            command = [sys.executable, __file__, "--file", str(path), "--folder", folder]
            command += ["--mode", args.mode]
            out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
            f = json.loads(out.stdout.strip().splitlines()[-1])
            n = args.size
            print(
                f"  round {round_} {name:8} ceiling {f['ceiling_s'] / n * 1e6:6.1f}  "
                f"durable {f['durable_s'] / n * 1e6:6.1f}  ratio "
                f"{f['ceiling_s'] / f['durable_s']:.3f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
