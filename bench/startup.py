"""How fast the command line starts, and what it imports on the way.

    python bench/startup.py --repeat 20

Each command runs `--repeat` times in a fresh process, the commands taking turns; the
best wall time is kept (the least disturbed by other work on the machine) and set
against `python -c "import typer, rich"`, the floor any Typer and Rich command line
stands on. Bytecode is cached as in any installation (PYTHONDONTWRITEBYTECODE is
dropped, and each command runs once first), so that no run compiles its modules.

Then each command runs a few times more under `python -X importtime` (the least time of
each package is kept): the heavy libraries it loaded are named, and each top-level
package is weighed, by the time its own modules took ("own") and by the cumulative time
of its outermost imports, those not under another import of the same package (with
what they import). All is printed as Markdown tables.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from importlib import resources
from pathlib import Path

HEAVY = {
    "web": ("fastapi", "starlette", "uvicorn", "jinja2"),
    "plotting": ("matplotlib",),
    "PDF": ("weasyprint",),
    "cluster": ("dask", "distributed", "ray"),
    "columnar": ("pyarrow",),
}
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def commands(folder: Path) -> list[tuple[str, list[str]]]:
    """(label, argv after `python`) of each command measured; the first is the floor."""
    cw = ["-m", "ceasewatch"]
    db = f"sqlite:///{folder / 'bench.db'}"
    policy = str(resources.files("ceasewatch.policies") / "three-phase.yaml")
    return [
        ('python -c "import typer, rich"', ["-c", "import typer, rich"]),
        ("ceasewatch --help", [*cw, "--help"]),
        ("ceasewatch stats --help", [*cw, "stats", "--help"]),
        ("ceasewatch policy check three-phase.yaml", [*cw, "policy", "check", policy]),
        ("ceasewatch cases --db sqlite:///bench.db", [*cw, "cases", "--db", db]),
        (
            "ceasewatch replay reports.jsonl -c ceasefire.yaml --json --trust-input",
            [
                *cw,
                "replay",
                str(folder / "reports.jsonl"),
                "-c",
                str(folder / "ceasefire.yaml"),
                "--json",
                "--trust-input",
            ],
        ),
    ]


def best_times(commands: list[list[str]], repeat: int) -> list[float]:
    """Each command's best wall time. The commands take turns, so that a burst of other
    work on the machine slows the floor as much as the commands set against it."""
    for argv in commands:  # writes the bytecode
        subprocess.run([sys.executable, *argv], check=True, capture_output=True, env=ENV)
    best = [float("inf")] * len(commands)
    for _ in range(repeat):
        for n, argv in enumerate(commands):
            start = time.perf_counter()
            subprocess.run([sys.executable, *argv], check=True, capture_output=True, env=ENV)
            best[n] = min(best[n], time.perf_counter() - start)
    return best


def import_costs(argv: list[str], runs: int) -> tuple[dict[str, tuple[float, float]], set[str]]:
    """Each top-level package's import seconds, its own modules' and with what they
    import (the least of `runs` runs), and every module loaded."""
    costs: dict[str, tuple[float, float]] = {}
    modules: set[str] = set()
    for _ in range(runs):
        once, modules = _import_costs(argv)
        for package, (own, cumulative) in once.items():
            least = costs.get(package, (own, cumulative))
            costs[package] = (min(own, least[0]), min(cumulative, least[1]))
    return costs, modules


def _import_costs(argv: list[str]) -> tuple[dict[str, tuple[float, float]], set[str]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
    )
    # importtime prints a module after the modules it imported, each one level deeper
    rows: list[tuple[int, int, int, str]] = []
    parent: dict[int, int] = {}
    waiting: list[int] = []
    for line in done.stderr.splitlines():
        match = LINE.match(line)
        if match is None:
            continue
        depth, name = len(match.group(3)) // 2, match.group(4)
        index = len(rows)
        rows.append((depth, int(match.group(1)), int(match.group(2)), name))
        while waiting and rows[waiting[-1]][0] > depth:
            parent[waiting.pop()] = index
        waiting.append(index)
    own: dict[str, float] = defaultdict(float)
    outermost: dict[str, float] = defaultdict(float)
    for index, (_, self_us, cumulative_us, name) in enumerate(rows):
        package = name.split(".")[0]
        own[package] += self_us / 1e6
        above = parent.get(index)
        while above is not None and rows[above][3].split(".")[0] != package:
            above = parent.get(above)
        if above is None:
            outermost[package] += cumulative_us / 1e6
    costs = {package: (own[package], outermost[package]) for package in own}
    return costs, {row[3] for row in rows}


def prepare(folder: Path) -> None:
    """The demo's files and an empty database, for the commands that read them."""
    run = [sys.executable, "-m", "ceasewatch"]
    subprocess.run(
        [*run, "demo", "--save", str(folder), "--no-store"], check=True, capture_output=True
    )
    subprocess.run(
        [*run, "init", "--db", f"sqlite:///{folder / 'bench.db'}"], check=True, capture_output=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=20, help="Runs per command; the best is kept."
    )
    parser.add_argument("--top", type=int, default=10, help="Packages listed per command.")
    parser.add_argument(
        "--importtime-runs", type=int, default=5, help="-X importtime runs; the least is kept."
    )
    args = parser.parse_args()
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, best of {args.repeat} runs\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        prepare(folder)
        measured = commands(folder)
        times = best_times([argv for _, argv in measured], args.repeat)
        weighed = [import_costs(argv, args.importtime_runs) for _, argv in measured]
    floor = times[0]
    print("| command | best ms | ratio to import typer, rich | heavy libraries loaded |")
    print("|---|---:|---:|---|")
    for (label, _), seconds, (_, modules) in zip(measured, times, weighed, strict=True):
        heavy = [
            f"{kind} ({', '.join(p for p in packages if p in modules)})"
            for kind, packages in HEAVY.items()
            if any(p in modules for p in packages)
        ]
        print(
            f"| `{label}` | {seconds * 1000:.0f} | {seconds / floor:.2f} | "
            f"{'; '.join(heavy) or 'none'} |"
        )
    for (label, _), (costs, _) in zip(measured[1:], weighed[1:], strict=True):
        print(f"\nWhat `{label}` spends importing, by package (top {args.top}):\n")
        print("| package | own modules ms | with what they import ms |")
        print("|---|---:|---:|")
        ranked = sorted(costs.items(), key=lambda kv: -kv[1][1])[: args.top]
        for package, (own, cumulative) in ranked:
            print(f"| {package} | {own * 1000:.0f} | {cumulative * 1000:.0f} |")


if __name__ == "__main__":
    main()
