"""A before and after that a busy machine cannot disturb: instructions, not seconds.

    python bench/instructions.py --other ../base/src -- \
        -m ceasewatch replay R.jsonl -c CF.yaml --json --trust-input

Runs `python ARGS...` under valgrind's callgrind, once with this checkout's `src` first
on the path and, with `--other`, once with another checkout's, and prints the
instructions each executed. On a shared two-core machine the wall time of one command
varies by a fifth from run to run; its instruction count, with the hash seed fixed,
varies by less than a thousandth. Instructions are not time (a large store also waits
on memory), so confirm a change worth keeping with the timed benchmarks; this tells
whether it removed work at all. Needs `valgrind`; a run is about 50 times slower than
the command itself, so give it a small input (20k reports take a minute).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "src"


def instructions(src: Path, args: list[str]) -> int:
    """The instructions `python ARGS` executes with `src` first on its path."""
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind said no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--other", type=Path, help="another checkout's src folder, to compare")
    parser.add_argument("args", nargs="+", help="what to run with python (after --)")
    options = parser.parse_args(argv)
    sources = {"this checkout": HERE}
    if options.other is not None:
        sources["other"] = options.other.resolve()
    with ThreadPoolExecutor(len(sources)) as pool:  # one valgrind a core
        found = pool.map(lambda src: instructions(src, options.args), sources.values())
        counts = dict(zip(sources, found, strict=True))
    for name, count in counts.items():
        print(f"{name:>14}: {count:>16,} instructions ({sources[name]})")
    if options.other is not None:
        change = counts["this checkout"] / counts["other"] - 1
        print(f"{'change':>14}: {change:+.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
